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
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The exact-copy guard: no synthetic row equal to a training row in every compared column is published.
 *
 * <p>The compared columns are the model's columns except its identifier columns (kind {@code id}, whose values are
 * fresh by design; with them every row would differ) that the training table has. Copies are found by a left-semi
 * join of the indexed synthetic rows with the training rows on two 64-bit hashes of all compared values, whose
 * candidate pairs are then compared exactly with the semantics of Spark's null-safe equality {@code <=>} (null equals
 * null, NaN equals NaN, -0.0 equals 0.0): a distributed join whose cost grows linearly with the columns (a join on
 * 1,000 {@code <=>} conditions did not), in shuffle partitions sized to the data; nothing is collected. The rows that are not copies are written; the copies' row indices are
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

    /** Values (rows × compared columns, both sides together) per shuffle partition of the join. */
    static final long JOIN_VALUES_PER_PARTITION = 4_000_000;
    static final int MAX_JOIN_PARTITIONS = 10_000;
    /** The leading value of the second hash's chain. */
    private static final long SECOND_HASH_SEED = 0x9E3779B97F4A7C15L;
    private static final UserDefinedFunction SAME_VALUES = udf(
            (UDF2<Row, Row, Boolean>) ExactCopyGuard::sameValues, DataTypes.BooleanType);

    /** The training rows' hashes {@code rh1}, {@code rh2} and their compared values as one struct {@code rv}. */
    private final Dataset<Row> train;
    private final String[] names;
    private final DataType[] types;
    private final int maxRedraws;
    private final long trainRows;
    private final boolean collide;

    /** What the guard did: copies in the first draw, copies dropped over all draws, redraw passes, wall time. */
    public record Result(long firstDrawCopies, long dropped, int redraws, double seconds, String[] columns) {
    }

    /**
     * @param train      the rows the model was fitted on
     * @param maxRedraws redraw passes before giving up
     */
    public ExactCopyGuard(FlowsynthModel model, Dataset<Row> train, int maxRedraws) {
        this(comparedColumns(model, train), sourceTypes(model), train, maxRedraws, model.sourceRows(), false);
    }

    /**
     * @param names     the compared columns
     * @param types     every column's type (at least the compared ones'): both sides are cast to it
     * @param trainRows about how many rows {@code train} has (sizes the join's partitions)
     * @param collide   tests only: every row hashes alike, so the exact comparison alone decides what is a copy
     */
    ExactCopyGuard(String[] names, Map<String, DataType> types, Dataset<Row> train, int maxRedraws, long trainRows,
                   boolean collide) {
        this.names = names;
        this.types = new DataType[names.length];
        for (int c = 0; c < names.length; c++) {
            this.types[c] = types.get(names[c]);
        }
        this.train = names.length == 0 ? train : keyed(train, names, this.types, collide, "r");
        this.maxRedraws = maxRedraws;
        this.trainRows = Math.max(0, trainRows);
        this.collide = collide;
    }

    private static Map<String, DataType> sourceTypes(FlowsynthModel model) {
        Map<String, DataType> types = new HashMap<>();
        for (StructField f : model.sourceSchema().fields()) {
            types.put(f.name(), f.dataType());
        }
        return types;
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

    /**
     * Row indices ({@link SyntheticSampler#ROW_INDEX}) of the rows of {@code indexed} ({@code rows} rows in
     * {@code partitions} partitions) that equal a training row.
     */
    Dataset<Row> copies(Dataset<Row> indexed, long rows, int partitions) {
        Dataset<Row> l = keyed(indexed, names, types, collide, "l", col(SyntheticSampler.ROW_INDEX));
        return semiJoin(l, train, joinPartitions(rows, partitions)).select(col(SyntheticSampler.ROW_INDEX));
    }

    /**
     * How many rows of {@code table} equal some row of {@code reference} in all the {@code names} columns, with the
     * semantics of Spark's null-safe equality (a left-semi join on {@code <=>} of every column: the {@code reference}
     * side is cast to {@code table}'s types), in time linear in the columns.
     */
    public static long countEqualRows(Dataset<Row> table, Dataset<Row> reference, String[] names) {
        if (names.length == 0) {
            return table.isEmpty() || reference.isEmpty() ? 0 : table.count();
        }
        DataType[] types = new DataType[names.length];
        for (int c = 0; c < names.length; c++) {
            types[c] = table.schema().apply(names[c]).dataType();
        }
        return semiJoin(keyed(table, names, types, false, "l"), keyed(reference, names, types, false, "r"), 0).count();
    }

    /**
     * {@code table}'s {@code extra} columns, then its two row hashes {@code <p>h1}, {@code <p>h2} ({@link #keys}) and
     * its {@code names} values cast to {@code types}, as one struct {@code <p>v}.
     */
    static Dataset<Row> keyed(Dataset<Row> table, String[] names, DataType[] types, boolean collide, String p,
                              Column... extra) {
        Column[] values = new Column[names.length];
        for (int c = 0; c < names.length; c++) {
            values[c] = quoted(names[c]).cast(types[c]);
        }
        Column[] keys = keys(values, types, collide);
        Column[] out = java.util.Arrays.copyOf(extra, extra.length + 3);
        out[extra.length] = keys[0].as(p + "h1");
        out[extra.length + 1] = keys[1].as(p + "h2");
        out[extra.length + 2] = struct(values).as(p + "v");
        return table.select(out);
    }

    /**
     * The rows of {@code l} ({@link #keyed} with prefix {@code l}) that equal a row of {@code r} (prefix {@code r}): a
     * left-semi join on the two hashes whose only other condition is the exact comparison of each candidate pair
     * ({@link #sameValues}), so a hash collision costs a comparison and never decides a match. Both sides are first
     * hash-partitioned into {@code partitions} partitions on the hashes (0: Spark's shuffle partitions).
     */
    static Dataset<Row> semiJoin(Dataset<Row> l, Dataset<Row> r, int partitions) {
        if (partitions > 0) {
            l = l.repartition(partitions, col("lh1"), col("lh2"));
            r = r.repartition(partitions, col("rh1"), col("rh2"));
        }
        Column on = col("lh1").equalTo(col("rh1")).and(col("lh2").equalTo(col("rh2")))
                .and(SAME_VALUES.apply(col("lv"), col("rv")));
        return l.join(r, on, "left_semi");
    }

    /**
     * Shuffle partitions of the join: one per {@value #JOIN_VALUES_PER_PARTITION} values of the training table and
     * the sample together (rows × compared columns), at least the sample's partitions.
     */
    int joinPartitions(long sampleRows, int samplePartitions) {
        double values = (double) (trainRows + sampleRows) * Math.max(1, names.length);
        long byData = (long) Math.ceil(values / JOIN_VALUES_PER_PARTITION);
        return (int) Math.max(1, Math.min(MAX_JOIN_PARTITIONS, Math.max(samplePartitions, byData)));
    }

    /**
     * Two 64-bit hashes of a row of {@code values} (of the compared columns' {@code types}): xxHash64 over every value
     * and its null flag in column order, and over the same in reverse order after a different leading constant (so
     * the two hash chains start from different seeds). Doubles and floats are normalized first as Spark's equality
     * does (-0.0 as 0.0, every NaN as one NaN), so equal rows hash alike; nulls, which xxHash64 skips, are told apart
     * by the null flags. {@code collide} (tests only) makes every row hash alike, so the exact comparison alone decides.
     */
    static Column[] keys(Column[] values, DataType[] types, boolean collide) {
        if (collide) {
            return new Column[]{lit(0L), lit(0L)};
        }
        int n = values.length;
        Column[] forward = new Column[2 * n];
        Column[] backward = new Column[2 * n + 1];
        backward[0] = lit(SECOND_HASH_SEED);
        for (int c = 0; c < n; c++) {
            Column v = normalized(values[c], types[c]);
            forward[2 * c] = v;
            forward[2 * c + 1] = values[c].isNull();
            backward[2 * (n - 1 - c) + 1] = values[c].isNull();
            backward[2 * (n - 1 - c) + 2] = v;
        }
        return new Column[]{xxhash64(forward), xxhash64(backward)};
    }

    private static Column normalized(Column v, DataType type) {
        if (type instanceof DoubleType) {
            return when(isnan(v), lit(Double.NaN)).when(v.equalTo(lit(0.0)), lit(0.0)).otherwise(v);
        }
        if (type instanceof FloatType) {
            return when(isnan(v), lit(Float.NaN)).when(v.equalTo(lit(0.0f)), lit(0.0f)).otherwise(v);
        }
        return v;
    }

    /**
     * Spark's null-safe equality ({@code <=>}) of two rows of the same types, field by field: null equals only null;
     * doubles and floats compare as numbers with NaN equal to NaN (so -0.0 equals 0.0); decimals by value; anything
     * else (strings, integers, booleans, dates, timestamps) by {@code equals}.
     */
    static boolean sameValues(Row a, Row b) {
        int n = a.length();
        if (b.length() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            if (x == null || y == null) {
                if (x != y) {
                    return false;
                }
            } else if (x instanceof Double dx && y instanceof Double dy) {
                double p = dx;
                double q = dy;
                if (!(p == q || (Double.isNaN(p) && Double.isNaN(q)))) {
                    return false;
                }
            } else if (x instanceof Float fx && y instanceof Float fy) {
                float p = fx;
                float q = fy;
                if (!(p == q || (Float.isNaN(p) && Float.isNaN(q)))) {
                    return false;
                }
            } else if (x instanceof java.math.BigDecimal dx && y instanceof java.math.BigDecimal dy) {
                if (dx.compareTo(dy) != 0) {
                    return false;
                }
            } else if (!x.equals(y)) {
                return false;
            }
        }
        return true;
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
        Dataset<Row> copies = copies(drawn, rows, partitions).persist(StorageLevel.MEMORY_AND_DISK());
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
            Dataset<Row> again = copies(redrawn, count, p).persist(StorageLevel.MEMORY_AND_DISK());
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
