package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.error.BadInputException;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.model.Version;
import io.flowsynth.spark.sample.ConditionalSampler;
import io.flowsynth.spark.sample.ExactCopyGuard;
import io.flowsynth.spark.sample.SampleProgress;
import io.flowsynth.spark.sample.SyntheticSampler;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sample}: N synthetic rows of a model, written as Parquet with the model's source schema. A path output is
 * committed atomically (written to a hidden staging directory, then renamed), with {@code _flowsynth.json} beside
 * the data files recording model id, seed, rows, partitions, temperature, time and version; a table output
 * ({@code --output-table}) is written with {@code saveAsTable} and records the same in its table properties.
 */
public final class SamplePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(SamplePipeline.class);
    public static final String SIDECAR = "_flowsynth.json";
    public static final List<String> CODECS = List.of("snappy", "zstd", "gzip", "lz4", "uncompressed");
    /** Parquet bytes per value are below the in-memory size; this is the share assumed for file sizing. */
    static final double PARQUET_SIZE_FACTOR = 0.7;

    private SamplePipeline() {
    }

    /**
     * How to sample and write.
     *
     * @param output      a path (Hadoop URI or local), or null when {@code outputTable} is given
     * @param outputTable a table name {@code [db.]name} for the session's catalog, or null
     * @param partitionBy columns for a Hive-style directory layout (may be empty)
     */
    public record Request(long rows, long seed, int partitions, double temperature, int batchSize, String compression,
                          List<String> partitionBy, String output, String outputTable, boolean overwrite) {
    }

    /** What a sample run did; {@code guard} is null when the exact-copy guard did not run. */
    public record Summary(long rows, long seed, int partitions, double seconds, ExactCopyGuard.Result guard) {
    }

    /**
     * The exact-copy guard's input: the rows the model was fitted on and the redraw passes allowed; {@code train}
     * null means the guard does not run and {@code reason} says why (logged and written to {@code _flowsynth.json}).
     */
    public record Guard(Dataset<Row> train, int maxRedraws, String reason) {
        public static Guard off(String reason) {
            return new Guard(null, 0, reason);
        }
    }

    /** Why the exact-copy guard does not run for a differentially private model. */
    public static final String DP_GUARD_OFF = "the model is differentially private (its guarantee covers copies; "
            + "comparing with the real rows would read them outside it)";

    public static Summary write(SparkSession spark, FlowsynthModel model, Request r) {
        return write(spark, model, r, Guard.off("no training rows given"));
    }

    /**
     * Continuous columns: sampled values are all distinct, so Parquet's dictionary only fills up and falls back to
     * plain encoding after hashing every value (about a tenth of a sample's Java CPU in a profile); it stays on for every
     * other column, where few distinct values make it pay.
     */
    static List<String> withoutDictionary(FlowsynthModel model) {
        List<String> out = new java.util.ArrayList<>();
        for (io.flowsynth.encode.ColumnEncoder c : model.encoder().columns()) {
            if (c instanceof io.flowsynth.encode.QuantileEncoder && "continuous".equals(c.kind())) {
                out.add(c.column());
            }
        }
        return out;
    }

    /**
     * Default partition count: enough partitions that each writes about {@code targetFileMb} of Parquet (from the
     * schema's value sizes), but at least one per core for tables of more than 10,000 rows per core; more partitions
     * than cores are rounded up to a multiple of the cores, so the last wave of tasks keeps every core busy.
     */
    public static int defaultPartitions(SparkSession spark, StructType schema, long rows, double targetFileMb) {
        double bytes = rows * bytesPerRow(schema) * PARQUET_SIZE_FACTOR;
        long bySize = (long) Math.ceil(bytes / (targetFileMb * 1024 * 1024));
        int cores = Math.max(1, spark.sparkContext().defaultParallelism());
        long byCores = Math.min(cores, (rows + 9_999) / 10_000);
        if (bySize > byCores) {
            // whole waves: every core busy until the end (5 partitions on 2 cores leave one idle for the last third)
            bySize = (bySize + cores - 1) / cores * cores;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.max(bySize, byCores)));
    }

    static double bytesPerRow(StructType schema) {
        double b = 0;
        for (StructField f : schema.fields()) {
            DataType t = f.dataType();
            if (t.equals(DataTypes.BooleanType) || t.equals(DataTypes.ByteType)) {
                b += 1;
            } else if (t.equals(DataTypes.ShortType)) {
                b += 2;
            } else if (t.equals(DataTypes.IntegerType) || t.equals(DataTypes.FloatType) || t.equals(DataTypes.DateType)) {
                b += 4;
            } else if (t instanceof DecimalType d) {
                b += d.precision() <= 18 ? 8 : 16;
            } else if (t.equals(DataTypes.StringType)) {
                b += 16;
            } else {
                b += 8;
            }
        }
        return Math.max(1, b);
    }

    public static long randomSeed() {
        return new SecureRandom().nextLong() & Long.MAX_VALUE;
    }

    /** Samples and writes; with {@code guard.train()} no row equal to a training row is published. */
    public static Summary write(SparkSession spark, FlowsynthModel model, Request r, Guard guard) {
        return write(spark, model, r, guard, null);
    }

    /**
     * Samples and writes; with {@code conditions} (a conditional model only) the rows are drawn for those contexts
     * ({@link ConditionalSampler}) and {@code r.rows()} must be their count; the exact-copy guard does not run then.
     */
    public static Summary write(SparkSession spark, FlowsynthModel model, Request r, Guard guard,
                                ConditionalSampler.Conditions conditions) {
        if (guard.train() != null && model.encoder().privacy() != null) {
            // dropping synthetic rows that equal real ones reads the real rows after the fit: outside the (ε, δ)
            // guarantee, which already covers copies
            guard = Guard.off(DP_GUARD_OFF);
        }
        if (conditions != null && guard.train() != null) {
            throw new BadInputException("The exact-copy guard (--real) does not run with --condition/--where yet: "
                    + "sample without --real, or without the condition");
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if ((r.output() == null) == (r.outputTable() == null)) {
            throw new BadInputException("Give exactly one of --output and --output-table");
        }
        if (!CODECS.contains(r.compression())) {
            throw new BadInputException("Configuration flowsynth.sample.compression: unknown codec '" + r.compression()
                    + "' (supported: " + String.join(", ", CODECS) + ")");
        }
        Set<String> columns = Set.of(model.sourceSchema().fieldNames());
        for (String c : r.partitionBy()) {
            if (!columns.contains(c)) {
                throw new BadInputException("Option --partition-by: no column '" + c + "' in the model's schema");
            }
        }
        if (r.output() != null) {
            HadoopFiles.checkOutput(r.output(), "--output", r.overwrite(), conf);
        } else if (spark.catalog().tableExists(r.outputTable()) && !r.overwrite()) {
            throw new BadInputException("Output table " + r.outputTable() + " already exists (pass --overwrite to replace it)");
        }
        LOG.info("Sampling {} rows in {} partitions with seed {} at temperature {} (model {})", r.rows(), r.partitions(),
                r.seed(), r.temperature(), model.modelId());
        long start = System.nanoTime();
        SampleProgress progress = new SampleProgress(r.rows(), 10);
        spark.sparkContext().addSparkListener(progress);
        String staging = r.output() == null ? null : HadoopFiles.stagingPath(r.output());
        try {
            spark.sparkContext().setJobDescription("flowsynth sample: " + r.rows() + " rows");
            SyntheticSampler sampler = new SyntheticSampler(r.batchSize());
            ExactCopyGuard.Result guarded = null;
            if (conditions != null) {
                LOG.info("Sampling {} rows per condition from {} (condition columns {})", conditions.perCondition(),
                        conditions.source(), model.conditionColumns());
                writePart(new ConditionalSampler(r.batchSize()).sample(spark, model, conditions, r.seed(),
                        r.temperature()), model, r, staging, false);
            } else if (guard.train() == null) {
                LOG.info("Exact-copy guard did not run: {}", guard.reason());
                writePart(sampler.sample(spark, model, r.rows(), r.seed(), r.partitions(), r.temperature(), false),
                        model, r, staging, false);
            } else {
                boolean[] appended = {false};
                guarded = new ExactCopyGuard(model, guard.train(), guard.maxRedraws()).run(spark, model, sampler,
                        r.rows(), r.seed(), r.partitions(), r.temperature(), part -> {
                            writePart(part, model, r, staging, appended[0]);
                            appended[0] = true;
                        });
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            ObjectNode side = sidecar(model, r, seconds);
            if (conditions != null) {
                ObjectNode cond = side.putObject("condition");
                cond.put("source", conditions.source());
                cond.put("rows_per_condition", conditions.perCondition());
                com.fasterxml.jackson.databind.node.ArrayNode cols = cond.putArray("columns");
                model.conditionColumns().forEach(cols::add);
            }
            ObjectNode g = side.putObject("exact_copy_guard");
            g.put("enabled", guarded != null);
            if (guarded == null) {
                g.put("reason", guard.reason());
            } else {
                g.put("first_draw_copies", guarded.firstDrawCopies());
                g.put("dropped", guarded.dropped());
                g.put("redraws", guarded.redraws());
                g.put("seconds", guarded.seconds());
                com.fasterxml.jackson.databind.node.ArrayNode cols = g.putArray("compared_columns");
                for (String c : guarded.columns()) {
                    cols.add(c);
                }
            }
            if (staging != null) {
                HadoopFiles.writeString(staging + "/" + SIDECAR,
                        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(side), conf);
                HadoopFiles.commit(staging, r.output(), r.overwrite(), conf);
            } else {
                StringBuilder props = new StringBuilder();
                side.fields().forEachRemaining(e -> props.append(props.length() == 0 ? "" : ", ")
                        .append("'flowsynth.").append(e.getKey()).append("' = '")
                        .append(e.getValue().asText().replace("'", "")).append("'"));
                spark.sql("ALTER TABLE " + r.outputTable() + " SET TBLPROPERTIES (" + props + ")");
            }
            LOG.info(String.format("Wrote %d rows to %s in %.1f s (%.0f rows/s)", r.rows(),
                    r.output() != null ? r.output() : "table " + r.outputTable(), seconds, r.rows() / Math.max(seconds, 1e-9)));
            return new Summary(r.rows(), r.seed(), r.partitions(), seconds, guarded);
        } catch (Exception e) {
            if (staging != null) {
                HadoopFiles.deleteQuietly(staging, conf);
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("Failed to write " + r.output(), e);
        } finally {
            spark.sparkContext().removeSparkListener(progress);
            spark.sparkContext().setJobDescription(null);
        }
    }

    /** Writes one part of the sample: the first creates the output, the later ones ({@code append}) add files. */
    private static void writePart(Dataset<Row> df, FlowsynthModel model, Request r, String staging, boolean append) {
        DataFrameWriter<Row> writer = df.write().option("compression", r.compression());
        for (String column : withoutDictionary(model)) {
            writer = writer.option("parquet.enable.dictionary#" + column, "false");
        }
        if (!r.partitionBy().isEmpty()) {
            writer = writer.partitionBy(r.partitionBy().toArray(new String[0]));
        }
        if (staging != null) {
            writer.mode(append ? SaveMode.Append : SaveMode.ErrorIfExists).parquet(staging);
        } else {
            writer.format("parquet").mode(append ? SaveMode.Append
                            : r.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                    .saveAsTable(r.outputTable());
        }
    }

    private static ObjectNode sidecar(FlowsynthModel model, Request r, double seconds) {
        ObjectNode side = new ObjectMapper().createObjectNode();
        side.put("model_id", model.modelId());
        side.put("seed", r.seed());
        side.put("rows", r.rows());
        side.put("partitions", r.partitions());
        side.put("temperature", r.temperature());
        side.put("compression", r.compression());
        side.put("created", Instant.now().toString());
        side.put("seconds", seconds);
        side.put("flowsynth_version", Version.get());
        side.put("git_commit", Version.gitCommit());
        return side;
    }
}
