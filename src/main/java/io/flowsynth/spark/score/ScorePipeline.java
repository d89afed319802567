package io.flowsynth.spark.score;

import io.flowsynth.error.BadInputException;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.spark.TaskMemory;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.spark.model.ModelPayload;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code score}: the input rows plus a {@value #LOG_PROB} double column, the exact log density of each row under a
 * model ({@link RowScorer}). The model is broadcast once; partitions are scored in batches of {@link #BATCH_ROWS}
 * rows, streaming (never more than one batch held). The output is committed atomically (staging directory, then
 * rename). A row whose score is not finite gets null.
 */
public final class ScorePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(ScorePipeline.class);
    public static final String LOG_PROB = "log_prob";
    static final int BATCH_ROWS = 4096;

    private ScorePipeline() {
    }

    /** The scored table (lazy). Checks on the driver that the input has every modelled column with its type. */
    public static Dataset<Row> score(SparkSession spark, FlowsynthModel model, Dataset<Row> table, long seed) {
        StructType schema = table.schema();
        java.util.Map<String, Integer> names = new java.util.HashMap<>();
        String[] fieldNames = schema.fieldNames();
        for (int i = fieldNames.length - 1; i >= 0; i--) {
            names.put(fieldNames[i], i); // the first of equal names, as indexOf found it
        }
        if (names.containsKey(LOG_PROB)) {
            throw new BadInputException("Input already has a column '" + LOG_PROB + "'");
        }
        List<ColumnEncoder> columns = model.encoder().columns();
        int[] fieldIndex = new int[columns.size()];
        for (int i = 0; i < fieldIndex.length; i++) {
            String name = columns.get(i).column();
            fieldIndex[i] = names.getOrDefault(name, -1);
            if (fieldIndex[i] < 0) {
                throw new BadInputException("Input has no column '" + name + "' (the model was fitted with it)");
            }
            StructField expected = model.sourceSchema().apply(name);
            if (!expected.dataType().sameType(schema.fields()[fieldIndex[i]].dataType())) {
                throw new BadInputException("Column '" + name + "': the model expects " + expected.dataType().simpleString()
                        + ", the input has " + schema.fields()[fieldIndex[i]].dataType().simpleString());
            }
        }
        ModelPayload driverPayload = new ModelPayload(model);
        checkScores(driverPayload, model, columns.size(), seed);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelPayload> payload = jsc.broadcast(driverPayload);
        int width = columns.size();
        JavaRDD<Row> out = table.javaRDD().mapPartitions(it -> TaskMemory.guard(String.format("scoring rows of %d "
                + "columns (partition %d)", width, org.apache.spark.TaskContext.getPartitionId()),
                () -> new ScoredRows(it, payload.value(), fieldIndex, seed)));
        return spark.createDataFrame(out, schema.add(new StructField(LOG_PROB, DataTypes.DoubleType, true,
                scoreMetadata(model))));
    }

    /** Spark metadata key of the {@value #LOG_PROB} column: which density it is. */
    public static final String DENSITY_METADATA = "flowsynth.density";

    /**
     * The {@value #LOG_PROB} column's metadata (kept in the Parquet schema): {@value #DENSITY_METADATA} is
     * {@code "log p(row)"}, or for a conditional model {@code "log p(rest | a, b)"} with the context columns listed
     * under {@code flowsynth.condition_columns}.
     */
    static org.apache.spark.sql.types.Metadata scoreMetadata(FlowsynthModel model) {
        List<String> context = model.conditionColumns();
        var b = new org.apache.spark.sql.types.MetadataBuilder();
        if (context.isEmpty()) {
            return b.putString(DENSITY_METADATA, "log p(row)").build();
        }
        return b.putString(DENSITY_METADATA, "log p(rest | " + String.join(", ", context) + ")")
                .putStringArray("flowsynth.condition_columns", context.toArray(new String[0])).build();
    }

    /**
     * The scorer of a model's rows on an executor: conditional models score p(rest | context), an automatic context's
     * the whole row.
     */
    static RowScorer scorer(ModelPayload payload, long seed) {
        FlowSpec spec = payload.spec();
        if (!spec.conditional()) {
            return new RowScorer(payload.encoder(), payload.flow(), seed);
        }
        int contextColumns = io.flowsynth.encode.ContextLayout.contextColumns(payload.encoder(),
                spec.contextFeatures()).size();
        return new RowScorer(payload.encoder(), payload.conditionalFlow(), contextColumns,
                payload.encoder().contextAuto(), seed);
    }

    /**
     * Whatever the model cannot score fails here, on the driver, before any Spark job, as one bad-input line: a row of
     * nulls goes through the whole scoring path (every column's encoding and log-density term, the flow, its
     * calibration), which is what every executor task does with each batch.
     */
    static void checkScores(ModelPayload payload, FlowsynthModel model, int columns, long seed) {
        try {
            scorer(payload, seed).score(java.util.Collections.singletonList(new Object[columns]));
        } catch (RuntimeException e) {
            throw new BadInputException("Model " + model.modelId() + " cannot score rows: " + e.getMessage());
        }
    }

    /** Scores {@code table} and writes it as Parquet to {@code output}; returns the seconds taken. */
    public static double write(SparkSession spark, FlowsynthModel model, Dataset<Row> table, long seed, String output,
                               boolean overwrite) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopFiles.checkOutput(output, "--output", overwrite, conf);
        long start = System.nanoTime();
        String staging = HadoopFiles.stagingPath(output);
        try {
            spark.sparkContext().setJobDescription("flowsynth score");
            score(spark, model, table, seed).write().option("compression", "snappy").parquet(staging);
            HadoopFiles.commit(staging, output, overwrite, conf);
            double seconds = (System.nanoTime() - start) / 1e9;
            LOG.info(String.format("Scored %s into %s in %.1f s (model %s; %s = %s)", "the input", output, seconds,
                    model.modelId(), LOG_PROB, scoreMetadata(model).getString(DENSITY_METADATA)));
            return seconds;
        } catch (RuntimeException e) {
            HadoopFiles.deleteQuietly(staging, conf);
            throw e;
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
    }

    /** Streams one partition: reads a batch, scores it, emits its rows with the score appended. */
    static final class ScoredRows implements Iterator<Row> {
        private final Iterator<Row> input;
        private final RowScorer scorer;
        private final int[] fieldIndex;
        private final List<Row> batch = new ArrayList<>();
        private double[] scores;
        private int next;

        ScoredRows(Iterator<Row> input, ModelPayload model, int[] fieldIndex, long seed) {
            this.input = input;
            this.scorer = scorer(model, seed);
            this.fieldIndex = fieldIndex;
        }

        @Override
        public boolean hasNext() {
            return next < batch.size() || input.hasNext();
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (next == batch.size()) {
                fill();
            }
            Row row = batch.get(next);
            double s = scores[next];
            next++;
            Object[] values = new Object[row.length() + 1];
            for (int i = 0; i < row.length(); i++) {
                values[i] = row.get(i);
            }
            values[row.length()] = Double.isNaN(s) ? null : s;
            return RowFactory.create(values);
        }

        private void fill() {
            batch.clear();
            next = 0;
            List<Object[]> values = new ArrayList<>();
            while (input.hasNext() && batch.size() < BATCH_ROWS) {
                Row row = input.next();
                batch.add(row);
                Object[] v = new Object[fieldIndex.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = row.get(fieldIndex[i]);
                }
                values.add(v);
            }
            scores = scorer.score(values);
        }
    }
}
