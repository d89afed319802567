package io.flowsynth.spark.sample;

import io.flowsynth.error.BadInputException;
import io.flowsynth.spark.model.FlowsynthModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.HashMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

/**
 * The exact-copy guard: no synthetic row equal to a training row in every compared column is published.
 *
 * <p>The compared columns are the model's columns except its identifier columns (kind {@code id}, whose values are
 * fresh by design; with them every row would differ) that the training table has. Copies are found by a left-semi
 * hash join of the indexed synthetic rows with the training rows on null-safe equality of all compared columns (a
 * distributed join; nothing is collected). The rows that are not copies are written; the copies' row indices are
 * redrawn ({@link SyntheticSampler#redraw}: row r of redraw a from generators seeded by (seed, a, r)), checked the same
 * way and written, until none is left, so the table keeps exactly the requested rows and stays a function of the
 * seed and partition count. When copies are still drawn after {@code maxRedraws} passes the guard fails (the model
 * draws little but training rows, as on a table whose few distinct rows all occur in training): nothing is committed.
 */
public final class ExactCopyGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ExactCopyGuard.class);
    /** Up to this many dropped indices the anti-join broadcasts them, keeping the sample's partitions (and files). */
    static final long BROADCAST_LIMIT = 2_000_000;
    /** Redrawn rows per partition of a redraw pass. */
    static final long REDRAW_ROWS_PER_PARTITION = 20_000;
    private static final String DROP = "__flowsynth_drop";

    private final Dataset<Row> train;
    private final String[] names;
    private final int maxRedraws;

    /** What the guard did: copies in the first draw, copies dropped over all draws, redraw passes, wall time. */
    public record Result(long firstDrawCopies, long dropped, int redraws, double seconds, String[] columns) {
    }

    /**
     * @param train      the rows the model was fitted on
     * @param maxRedraws redraw passes before giving up
     */
    public ExactCopyGuard(FlowsynthModel model, Dataset<Row> train, int maxRedraws) {
        this.names = comparedColumns(model, train);
        Map<String, DataType> types = new HashMap<>();
        for (StructField f : model.sourceSchema().fields()) {
            types.put(f.name(), f.dataType());
        }
        Column[] cols = new Column[names.length];
        for (int c = 0; c < names.length; c++) {
            cols[c] = quoted(names[c]).cast(types.get(names[c])).as("r" + c);
        }
        this.train = train.select(cols);
        this.maxRedraws = maxRedraws;
    }

    /** The model's non-identifier columns that {@code train} has, in the model's order. */
    static String[] comparedColumns(FlowsynthModel model, Dataset<Row> train) {
        Set<String> present = Set.of(train.columns());
        Set<String> ids = new java.util.HashSet<>();
        model.encoder().columns().forEach(c -> {
            if (c.kind().equals("id")) {
                ids.add(c.column());
            }
        });
        List<String> out = new ArrayList<>();
        for (String name : model.sourceSchema().fieldNames()) {
            if (present.contains(name) && !ids.contains(name)) {
                out.add(name);
            }
        }
        return out.toArray(new String[0]);
    }

    /** Row indices ({@link SyntheticSampler#ROW_INDEX}) of the rows of {@code indexed} that equal a training row. */
    Dataset<Row> copies(Dataset<Row> indexed) {
        Column[] left = new Column[names.length + 1];
        Column on = null;
        for (int c = 0; c < names.length; c++) {
            left[c] = quoted(names[c]).as("l" + c);
            Column eq = col("l" + c).eqNullSafe(col("r" + c));
            on = on == null ? eq : on.and(eq);
        }
        left[names.length] = col(SyntheticSampler.ROW_INDEX);
        return indexed.select(left).join(train, on, "left_semi").select(col(SyntheticSampler.ROW_INDEX));
    }

    /**
     * Samples {@code rows} rows and hands {@code write} the rows to publish, once for the first draw and once per
     * redraw pass (the caller writes the first and appends the others).
     */
    public Result run(SparkSession spark, FlowsynthModel model, SyntheticSampler sampler, long rows, long seed,
                      int partitions, double temperature, Consumer<Dataset<Row>> write) {
        if (names.length == 0) {
            LOG.info("Exact-copy guard: no column to compare (identifier columns only): nothing to drop");
            write.accept(sampler.sample(spark, model, rows, seed, partitions, temperature, false));
            return new Result(0, 0, 0, 0, names);
        }
        long start = System.nanoTime();
        long guardNanos = 0;
        Dataset<Row> drawn = sampler.sampleIndexed(spark, model, rows, seed, partitions, temperature)
                .persist(StorageLevel.MEMORY_AND_DISK());
        long t = System.nanoTime();
        spark.sparkContext().setJobDescription("flowsynth sample: exact-copy guard (hash join with the training rows)");
        Dataset<Row> copies = copies(drawn).persist(StorageLevel.MEMORY_AND_DISK());
        long count = copies.count();
        guardNanos += System.nanoTime() - t;
        long first = count;
        long dropped = count;
        int redraws = 0;
        spark.sparkContext().setJobDescription("flowsynth sample: " + rows + " rows");
        write.accept(without(drawn, copies, count));
        drawn.unpersist();
        while (count > 0) {
            if (redraws == maxRedraws) {
                copies.unpersist();
                throw new BadInputException("Configuration flowsynth.privacy.drop-exact-copies: " + count + " of "
                        + rows + " synthetic rows still copy a training row after " + maxRedraws
                        + " redraws (flowsynth.privacy.copy-redraws): the model draws little but training rows; "
                        + "set flowsynth.privacy.drop-exact-copies=false to publish them");
            }
            redraws++;
            t = System.nanoTime();
            spark.sparkContext().setJobDescription("flowsynth sample: exact-copy guard, redraw " + redraws + " of "
                    + count + " rows");
            int p = (int) Math.max(1, Math.min(partitions, (count + REDRAW_ROWS_PER_PARTITION - 1)
                    / REDRAW_ROWS_PER_PARTITION));
            Dataset<Row> redrawn = sampler.redraw(spark, model, copies, rows, seed, redraws, temperature, p)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            Dataset<Row> again = copies(redrawn).persist(StorageLevel.MEMORY_AND_DISK());
            long left = again.count();
            write.accept(without(redrawn, again, left));
            redrawn.unpersist();
            copies.unpersist();
            guardNanos += System.nanoTime() - t;
            LOG.info("Exact-copy guard: redraw {} replaced {} rows, {} of them copies again", redraws, count, left);
            copies = again;
            count = left;
            dropped += left;
        }
        copies.unpersist();
        double seconds = guardNanos / 1e9;
        LOG.info(String.format("Exact-copy guard: %d of %d first-draw rows equalled a training row in all %d compared "
                        + "columns; dropped %d copies in all and redrew them in %d passes (%.1f s of %.1f s)", first,
                rows, names.length, dropped, redraws, seconds, (System.nanoTime() - start) / 1e9));
        return new Result(first, dropped, redraws, seconds, names);
    }

    private static Dataset<Row> without(Dataset<Row> indexed, Dataset<Row> copies, long count) {
        if (count == 0) {
            return indexed.drop(SyntheticSampler.ROW_INDEX);
        }
        Dataset<Row> renamed = copies.select(col(SyntheticSampler.ROW_INDEX).as(DROP));
        Dataset<Row> drop = count <= BROADCAST_LIMIT ? broadcast(renamed) : renamed;
        Dataset<Row> kept = indexed.join(drop, col(SyntheticSampler.ROW_INDEX).equalTo(col(DROP)), "left_anti");
        return kept.drop(SyntheticSampler.ROW_INDEX);
    }

    private static Column quoted(String name) {
        return col("`" + name.replace("`", "``") + "`");
    }
}
