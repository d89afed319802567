package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.encode.TableEncoderEstimator;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.train.FeatureBlock;
import io.flowsynth.spark.train.RoundMetrics;
import io.flowsynth.spark.train.TrainOptions;
import io.flowsynth.spark.train.TrainingData;
import io.flowsynth.spark.train.TrainingResult;
import io.flowsynth.spark.train.TreeAggregateTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fit}: table → fitted column encoders → encoded training partitions → data-parallel flow training →
 * {@link FlowsynthModel}. The config object stays here on the driver; executors get plain values.
 */
public final class FitPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(FitPipeline.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private FitPipeline() {
    }

    public static FlowsynthModel fit(SparkSession spark, Dataset<Row> table, FlowsynthConfig c) {
        long start = System.nanoTime();
        long seed = c.getLong(ConfigKeys.SEED, Long.MIN_VALUE);
        spark.sparkContext().setJobDescription("flowsynth fit: counting rows");
        long rows = table.count();
        if (rows == 0) {
            throw new BadInputException("Input table is empty: nothing to learn");
        }
        LOG.info("Fitting a model of {} rows × {} columns", rows, table.schema().fields().length);

        spark.sparkContext().setJobDescription("flowsynth fit: fitting column encoders");
        Map<String, String> kinds = c.columnSettings("kind");
        Map<String, String> encoders = c.columnSettings("encoder");
        for (String setting : List.of("kind", "encoder")) {
            for (String column : c.columnSettings(setting).keySet()) {
                if (!Set.of(table.schema().fieldNames()).contains(column)) {
                    throw new BadInputException("Configuration " + ConfigKeys.COLUMNS_PREFIX + column
                            + "." + setting + ": no column '" + column + "' in the input");
                }
            }
        }
        EncodeOptions encodeOptions = new EncodeOptions(
                c.getInt(ConfigKeys.ENCODE_MAX_DISCRETE_VALUES, 0),
                c.getInt(ConfigKeys.ENCODE_MAX_CATEGORIES, 1),
                c.getInt(ConfigKeys.ENCODE_QUANTILES, 2),
                EncodeOptions.QUANTILE_RELATIVE_ERROR_DEFAULT,
                c.getBoolean(ConfigKeys.ENCODE_DROP_UNSUPPORTED),
                kinds,
                c.getDouble(ConfigKeys.ENCODE_MIN_CATEGORY_FREQUENCY, 0, 0.999999),
                c.getInt(ConfigKeys.ENCODE_ONEHOT_MAX_CATEGORIES, 0),
                c.getInt(ConfigKeys.ENCODE_MAX_MODES, 1),
                c.getBoolean(ConfigKeys.ENCODE_DETECT_IDS),
                encoders);
        TableEncoder encoder = new TableEncoderEstimator(encodeOptions).fit(table);
        StructType outputSchema = outputSchema(table.schema(), encoder, kinds);
        int width = encoder.width();
        LOG.info("Encoded {} columns into {} features: {}", encoder.columns().size(), width, encoder.featureNames());

        FlowSpec spec = new FlowSpec(c.getString(ConfigKeys.FLOW_TYPE), Math.max(1, width),
                c.getInt(ConfigKeys.FLOW_LAYERS, 1), c.getInt(ConfigKeys.FLOW_HIDDEN_FEATURES, 1),
                c.getInt(ConfigKeys.FLOW_HIDDEN_LAYERS, 1), seed);
        double learningRate = c.getDouble(ConfigKeys.TRAIN_LEARNING_RATE, 1e-9, 10);
        String networkJson = FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(learningRate,
                c.getDouble(ConfigKeys.TRAIN_GRADIENT_CLIP, 0, Double.MAX_VALUE), DataType.FLOAT)).toJson();

        ObjectNode training = JSON.createObjectNode();
        float[] parameters;
        if (width == 0) {
            LOG.info("Every column is constant or ignored: nothing to train");
            parameters = FlowNetworks.specOrder(FlowNetworks.network(networkJson));
            training.put("skipped", "no features to learn");
        } else {
            int configured = c.getInt(ConfigKeys.TRAIN_PARTITIONS, 0);
            int partitions = configured > 0 ? configured : spark.sparkContext().defaultParallelism();
            double validationFraction = Math.min(c.getDouble(ConfigKeys.TRAIN_VALIDATION_FRACTION, 0, 0.5),
                    c.getInt(ConfigKeys.TRAIN_MAX_VALIDATION_ROWS, 0) / (double) rows);
            JavaRDD<FeatureBlock> blocks = TrainingData.build(table, encoder, partitions, validationFraction, seed);
            try {
                TrainOptions options = new TrainOptions(c.getInt(ConfigKeys.TRAIN_EPOCHS, 1),
                        c.getInt(ConfigKeys.TRAIN_BATCH_SIZE, 1), learningRate, c.getInt(ConfigKeys.TRAIN_LOCAL_STEPS, 1),
                        c.getDouble(ConfigKeys.TRAIN_GRADIENT_CLIP, 0, Double.MAX_VALUE),
                        c.getInt(ConfigKeys.TRAIN_PATIENCE, 0), seed);
                TrainingResult result = new TreeAggregateTrainer().train(blocks, networkJson, options);
                parameters = FlowNetworks.specOrder(networkJson, result.parameters());
                summarize(result, training);
            } finally {
                blocks.unpersist(false);
            }
        }
        training.put("engine", "tree-aggregate");
        training.put("total_seconds", (System.nanoTime() - start) / 1e9);
        spark.sparkContext().setJobDescription(null);
        return new FlowsynthModel(UUID.randomUUID().toString(), outputSchema, rows, encoder, spec, parameters,
                networkJson, training, c.asMap());
    }

    /**
     * The schema sampled tables get: the input's columns in order, less those dropped as unsupported; columns the
     * user set to {@code ignore} stay, as all-null (hence nullable) columns.
     */
    static StructType outputSchema(StructType input, TableEncoder encoder, Map<String, String> kinds) {
        List<StructField> fields = new ArrayList<>();
        Set<String> learned = new java.util.HashSet<>();
        encoder.columns().forEach(col -> learned.add(col.column()));
        for (StructField f : input.fields()) {
            if (learned.contains(f.name())) {
                fields.add(f);
            } else if ("ignore".equals(kinds.get(f.name()))) {
                fields.add(new StructField(f.name(), f.dataType(), true, f.metadata()));
            }
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    private static void summarize(TrainingResult r, ObjectNode t) {
        t.put("rounds", r.history().size());
        t.put("best_round", r.bestRound());
        t.put("best_validation_nll", r.bestValidationNll());
        t.put("train_rows", r.trainRows());
        t.put("validation_rows", r.validationRows());
        t.put("partitions", r.partitions());
        t.put("seconds", r.seconds());
        double rowsTrained = 0;
        double secs = 0;
        ArrayNode history = t.putArray("history");
        for (RoundMetrics m : r.history()) {
            ObjectNode h = history.addObject();
            h.put("round", m.round());
            h.put("epoch", m.epoch());
            h.put("train_nll", m.trainNll());
            h.put("validation_nll", m.validationNll());
            h.put("rows_per_second", m.rowsPerSecond());
            rowsTrained += m.rowsPerSecond() * m.seconds();
            secs += m.seconds();
        }
        t.put("rows_per_second", secs > 0 ? rowsTrained / secs : 0);
    }
}
