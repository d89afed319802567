package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.AutoSizing;
import io.flowsynth.config.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.MarginalCalibration;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.encode.TableEncoderEstimator;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.train.CalibrationFit;
import io.flowsynth.spark.train.FeatureBlock;
import io.flowsynth.spark.train.RoundMetrics;
import io.flowsynth.spark.train.TrainOptions;
import io.flowsynth.spark.train.TrainingData;
import io.flowsynth.spark.train.TrainingResult;
import io.flowsynth.spark.train.Checkpoints;
import io.flowsynth.spark.train.Trainer;
import io.flowsynth.spark.train.TrainingDivergedException;
import io.flowsynth.spark.train.TrainingState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
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

    /**
     * Where a fit keeps its working files.
     *
     * @param workDir       a directory on the output's file system for temporary files (DL4J's exports)
     * @param checkpointDir where per-round checkpoints go (null = none); removed after a successful fit
     * @param resume        continue from the newest checkpoint in {@code checkpointDir}, if any
     * @param rowsChecked   the caller already checked the input's size against {@code flowsynth.fit.min-rows}
     *                      ({@code run} checks the whole input, of which the fit sees the part left after the holdout)
     */
    public record Work(String workDir, String checkpointDir, boolean resume, boolean rowsChecked) {
        public Work(String workDir, String checkpointDir, boolean resume) {
            this(workDir, checkpointDir, resume, false);
        }
    }

    /**
     * Refuses a table of fewer than {@code flowsynth.fit.min-rows} rows: on so few rows a flow can memorise them and
     * the rare-value protections have nothing to hide behind. A setting below the default is honoured with a warning.
     */
    public static void checkMinRows(long rows, FlowsynthConfig c) {
        int min = c.getInt(ConfigKeys.FIT_MIN_ROWS, 1);
        if (rows < min) {
            throw new BadInputException("Input has " + rows + " rows, fewer than " + ConfigKeys.FIT_MIN_ROWS + "="
                    + min + " (a model of so few rows could memorise them; set it lower at your own risk)");
        }
        if (min < ConfigKeys.FIT_MIN_ROWS_DEFAULT) {
            LOG.warn("{}={} is below its default {}: a model fitted on {} rows may reproduce them", ConfigKeys.FIT_MIN_ROWS,
                    min, ConfigKeys.FIT_MIN_ROWS_DEFAULT, rows);
        }
    }

    /**
     * The rare-category threshold k: {@code flowsynth.privacy.min-category-count} (at least 2) while
     * {@code flowsynth.privacy.protect-rare-categories} is true, else 1 (every value may be kept).
     */
    static int minCategoryCount(FlowsynthConfig c) {
        if (!c.getBoolean(ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES)) {
            LOG.warn("{}=false: values seen only once or twice may be stored in the model and published",
                    ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES);
            return 1;
        }
        int k = c.getInt(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT, 1);
        if (k < 2) {
            throw new BadInputException("Configuration " + ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT + ": must be ≥ 2, got "
                    + k + " (set " + ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES + "=false to switch the protection off)");
        }
        return k;
    }

    /** A fit without checkpoints whose temporary files go under the JVM's temporary directory. */
    public static FlowsynthModel fit(SparkSession spark, Dataset<Row> table, FlowsynthConfig c) {
        String tmp = new java.io.File(System.getProperty("java.io.tmpdir"), "flowsynth-work-" + UUID.randomUUID()).getPath();
        try {
            return fit(spark, table, c, new Work(tmp, null, false));
        } finally {
            HadoopFiles.deleteQuietly(tmp, spark.sparkContext().hadoopConfiguration());
        }
    }

    public static FlowsynthModel fit(SparkSession spark, Dataset<Row> table, FlowsynthConfig c, Work work) {
        long start = System.nanoTime();
        long seed = c.getLong(ConfigKeys.SEED, Long.MIN_VALUE);
        spark.sparkContext().setJobDescription("flowsynth fit: counting rows");
        long rows = table.count();
        if (rows == 0) {
            throw new BadInputException("Input table is empty: nothing to learn");
        }
        if (!work.rowsChecked()) {
            checkMinRows(rows, c);
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
                encoders,
                minCategoryCount(c));
        BoundsOptions boundsOptions = new BoundsOptions(
                c.getInt(ConfigKeys.PRIVACY_EXTREME_K, 0),
                c.getString(ConfigKeys.ENCODE_BOUNDS),
                c.getDouble(ConfigKeys.ENCODE_BOUNDS_QUANTILE, 1e-9, 0.499999));
        TableEncoder stored = work.resume() && work.checkpointDir() != null
                && c.getBoolean(ConfigKeys.TRAIN_CHECKPOINT)
                ? checkpointEncoder(work.checkpointDir(), c, spark.sparkContext().hadoopConfiguration()) : null;
        TableEncoder encoder = stored != null ? stored
                : new TableEncoderEstimator(encodeOptions, boundsOptions).fit(table);
        StructType outputSchema = outputSchema(table.schema(), encoder, kinds);
        int width = encoder.width();
        LOG.info("Encoded {} columns into {} features: {}", encoder.columns().size(), width, encoder.featureNames());

        // 0 = auto: a smaller network for small tables (AutoSizing, chosen by the fidelity-real benchmark)
        FlowSpec spec = new FlowSpec(c.getString(ConfigKeys.FLOW_TYPE), Math.max(1, width),
                AutoSizing.layers(c.getInt(ConfigKeys.FLOW_LAYERS, 0), rows),
                c.hiddenFeatures(Math.max(1, width), rows),
                c.getInt(ConfigKeys.FLOW_HIDDEN_LAYERS, 1), c.getInt(ConfigKeys.FLOW_BINS, 2),
                c.getDouble(ConfigKeys.FLOW_TAIL_BOUND, 1e-3, 1e3), seed, c.getString(ConfigKeys.FLOW_ACTIVATION),
                c.getString(ConfigKeys.FLOW_AFFINE_SCALE)).withCopulaLayer(c.getBoolean(ConfigKeys.FLOW_COPULA_INIT));
        long parameterCount = spec.parameterCount();
        LOG.info("Flow: {} of {} layers over {} features, conditioners {} × {} hidden ({}): {} parameters, {} MB "
                + "(float) plus {} MB of Adam state", spec.type(), spec.numLayers(), spec.features(), spec.hiddenLayers(),
                spec.hiddenFeatures(), c.hiddenFeaturesAuto() ? "auto from the rows and features" : "configured",
                parameterCount, String.format("%.1f", parameterCount * 4 / 1e6),
                String.format("%.1f", 2 * parameterCount * 4 / 1e6));
        String engine = c.getString(ConfigKeys.TRAIN_ENGINE);
        int configured = c.getInt(ConfigKeys.TRAIN_PARTITIONS, 0);
        int partitions = configured > 0 ? configured : spark.sparkContext().defaultParallelism();
        TrainOptions options = trainOptions(c, work.workDir(), rows, partitions);
        String modelId = UUID.randomUUID().toString();

        ObjectNode training = JSON.createObjectNode();
        float[] parameters;
        MarginalCalibration calibration = null;
        String networkJson;
        if (width == 0) {
            LOG.info("Every column is constant or ignored: nothing to train");
            networkJson = FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(options.learningRate(),
                    options.gradientClip(), DataType.FLOAT)).toJson();
            parameters = FlowNetworks.specOrder(FlowNetworks.network(networkJson));
            training.put("skipped", "no features to learn");
        } else {
            double validationFraction = Math.min(c.getDouble(ConfigKeys.TRAIN_VALIDATION_FRACTION, 0, 0.5),
                    c.getInt(ConfigKeys.TRAIN_MAX_VALIDATION_ROWS, 0) / (double) rows);
            Checkpoints checkpoints = work.checkpointDir() == null || !c.getBoolean(ConfigKeys.TRAIN_CHECKPOINT) ? null
                    : new Checkpoints(work.checkpointDir(), fingerprint(table.schema(), rows, encoder, spec, options,
                    engine, partitions), spark.sparkContext().hadoopConfiguration());
            TrainingState resume = null;
            if (work.resume()) {
                resume = checkpoints == null ? null : checkpoints.latest();
                if (resume == null) {
                    LOG.info("No checkpoint to resume from in {}: starting afresh", work.checkpointDir());
                }
            }
            JavaRDD<FeatureBlock> blocks = TrainingData.build(table, encoder, partitions, validationFraction, seed);
            try {
                Consumer<TrainingState> onRound = checkpoints == null ? null : s -> {
                    String dir = checkpoints.write(s);
                    new FlowsynthModel(modelId, outputSchema, rows, encoder, spec,
                            FlowNetworks.specOrder(s.networkJson, s.bestParams), s.networkJson,
                            summary(s.history, s.bestRound, s.bestValidationNll, engine), c.asMap())
                            .save(dir + "/model", true, spark.sparkContext().hadoopConfiguration());
                    checkpoints.complete(s);
                };
                TrainingResult result;
                try {
                    result = Trainer.forEngine(engine, c.getString(ConfigKeys.TRAIN_GRADIENT))
                            .train(blocks, spec, options, resume, onRound);
                } catch (TrainingDivergedException e) {
                    String where = checkpoints == null || e.lastGoodRound == 0 ? "no checkpoint was written"
                            : "the last good checkpoint is " + checkpoints.roundDir(e.lastGoodRound)
                            + " (its model/ can be sampled; fit --resume continues from it)";
                    throw new IllegalStateException(e.getMessage() + "; " + where + ". Lower "
                            + ConfigKeys.TRAIN_LEARNING_RATE + " or " + ConfigKeys.TRAIN_GRADIENT_CLIP + ".", e);
                }
                networkJson = result.networkJson();
                parameters = FlowNetworks.specOrder(networkJson, result.parameters());
                training = summary(result.history(), result.bestRound(), result.bestValidationNll(), engine);
                training.put("train_rows", result.trainRows());
                training.put("validation_rows", result.validationRows());
                training.put("partitions", result.partitions());
                training.put("seconds", result.seconds());
                training.put("budget", options.epochs() > 0 ? options.epochs() + " epochs" : options.steps() + " steps");
                training.put("steps", (long) result.history().size() * options.localSteps());
                training.put("local_steps", options.localSteps());
                training.put("stopped", result.stopReason());
                int knots = c.getInt(ConfigKeys.TRAIN_CALIBRATION_KNOTS, 0);
                if (knots > 0) {
                    if (knots < 2) {
                        throw new BadInputException(ConfigKeys.TRAIN_CALIBRATION_KNOTS + " must be 0 (off) or ≥ 2, got "
                                + knots);
                    }
                    spark.sparkContext().setJobDescription("flowsynth fit: calibrating marginals");
                    calibration = CalibrationFit.fit(blocks, result.trainRows(), spec, parameters, knots,
                            c.getInt(ConfigKeys.TRAIN_CALIBRATION_ROWS, 2), seed);
                }
                training.put("calibration_knots", calibration == null ? 0 : knots);
                if (checkpoints != null) {
                    checkpoints.deleteAll();
                }
            } finally {
                blocks.unpersist(false);
            }
        }
        training.put("engine", engine);
        training.put("total_seconds", (System.nanoTime() - start) / 1e9);
        spark.sparkContext().setJobDescription(null);
        return new FlowsynthModel(modelId, outputSchema, rows, encoder, spec, parameters, networkJson, training,
                c.asMap()).withCalibration(calibration);
    }

    /** Settings (keys starting so, or these keys) that decide the fitted encoders: a resumed fit must have the same. */
    static final List<String> ENCODER_SETTINGS = List.of("flowsynth.encode.", ConfigKeys.COLUMNS_PREFIX,
            ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES, ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT,
            ConfigKeys.PRIVACY_EXTREME_K);

    /**
     * {@code fit --resume}: the encoders stored with the newest complete checkpoint (its {@code model/}), so the resumed
     * fit trains on exactly the features the interrupted one did (refitting could differ, e.g. on another
     * partitioning); null when there is no complete checkpoint or its model cannot be read (then the encoders are
     * refitted and the checkpoint's fingerprint decides). A checkpoint made with other encoder settings is refused.
     */
    static TableEncoder checkpointEncoder(String root, FlowsynthConfig c, org.apache.hadoop.conf.Configuration conf) {
        String dir = Checkpoints.latestComplete(root, conf);
        if (dir == null) {
            return null;
        }
        FlowsynthModel stored;
        try {
            stored = FlowsynthModel.load(dir + "/model", conf);
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the model of checkpoint {} ({}): refitting the column encoders", dir, e.getMessage());
            return null;
        }
        Map<String, String> now = c.asMap();
        Set<String> keys = new java.util.TreeSet<>();
        for (Map<String, String> m : List.of(now, stored.config())) {
            m.keySet().stream().filter(k -> ENCODER_SETTINGS.stream().anyMatch(k::startsWith)).forEach(keys::add);
        }
        for (String k : keys) {
            if (!java.util.Objects.equals(now.get(k), stored.config().get(k))) {
                throw new BadInputException("Checkpoint " + dir + " was made with " + k + "=" + stored.config().get(k)
                        + ", this fit has " + now.get(k) + "; remove " + root + " or fit without --resume");
            }
        }
        LOG.info("Resuming: reusing the column encoders of checkpoint {} (not refitted)", dir);
        return stored.encoder();
    }

    /**
     * The training options of a fit of a {@code rows}-row table over {@code partitions} partitions; local steps 0
     * (auto) become about one pass over a partition's training rows per round ({@link AutoSizing#localSteps}).
     */
    static TrainOptions trainOptions(FlowsynthConfig c, String workDir, long rows, int partitions) {
        double validation = rows <= 0 ? 0 : Math.min(c.getDouble(ConfigKeys.TRAIN_VALIDATION_FRACTION, 0, 0.5),
                c.getInt(ConfigKeys.TRAIN_MAX_VALIDATION_ROWS, 0) / (double) rows);
        int configuredLocalSteps = c.getInt(ConfigKeys.TRAIN_LOCAL_STEPS, 0);
        int localSteps = AutoSizing.localSteps(configuredLocalSteps,
                Math.round(rows * (1 - validation)), partitions, c.getInt(ConfigKeys.TRAIN_BATCH_SIZE, 1));
        int patience = AutoSizing.patience(c.getInt(ConfigKeys.TRAIN_PATIENCE, 0), configuredLocalSteps, localSteps);
        int averaging = c.getInt(ConfigKeys.TRAIN_AVERAGING_FREQUENCY, 0);
        return new TrainOptions(c.getInt(ConfigKeys.TRAIN_EPOCHS, 0), c.getInt(ConfigKeys.TRAIN_BATCH_SIZE, 1),
                c.getDouble(ConfigKeys.TRAIN_LEARNING_RATE, 1e-9, 10),
                c.getDouble(ConfigKeys.TRAIN_LEARNING_RATE_DECAY, 1e-6, 1), localSteps,
                c.getDouble(ConfigKeys.TRAIN_GRADIENT_CLIP, 0, Double.MAX_VALUE), patience,
                c.getLong(ConfigKeys.SEED, Long.MIN_VALUE),
                new TrainOptions.Dl4jSettings(averaging == 0 ? localSteps : averaging,
                        c.getInt(ConfigKeys.TRAIN_WORKER_PREFETCH, 0), c.getBoolean(ConfigKeys.TRAIN_SAVE_UPDATER),
                        c.getString(ConfigKeys.TRAIN_REPARTITION), workDir),
                c.getLong(ConfigKeys.TRAIN_STEPS, 1), c.getDouble(ConfigKeys.TRAIN_MIN_DELTA, 0, Double.MAX_VALUE),
                c.getDouble(ConfigKeys.TRAIN_MAX_MINUTES, 0, Double.MAX_VALUE),
                c.getBoolean(ConfigKeys.FLOW_COPULA_INIT));
    }

    /**
     * What a checkpoint must share with the fit that resumes it: the input (schema, rows, fitted encoders), the flow,
     * and everything that decides the sequence of rounds. The learning rate and patience may change on resume.
     */
    static String fingerprint(StructType schema, long rows, TableEncoder encoder, FlowSpec spec, TrainOptions o,
                              String engine, int partitions) {
        String text = String.join("|", schema.json(), String.valueOf(rows), encoder.toJson().toString(),
                spec.toString(), o.epochs() > 0 ? String.valueOf(o.epochs()) : o.steps() + " steps",
                String.valueOf(o.batchSize()),
                String.valueOf(o.localSteps()), String.valueOf(o.seed()), engine, String.valueOf(partitions));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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

    private static ObjectNode summary(List<RoundMetrics> history, int bestRound, double bestValidation, String engine) {
        ObjectNode t = JSON.createObjectNode();
        t.put("engine", engine);
        t.put("rounds", history.size());
        t.put("best_round", bestRound);
        t.put("best_validation_nll", bestValidation);
        double rowsTrained = 0;
        double secs = 0;
        ArrayNode h = t.putArray("history");
        for (RoundMetrics m : history) {
            ObjectNode o = h.addObject();
            o.put("round", m.round());
            o.put("epoch", m.epoch());
            o.put("train_nll", m.trainNll());
            o.put("validation_nll", m.validationNll());
            o.put("rows_per_second", m.rowsPerSecond());
            o.put("seconds", m.seconds());
            rowsTrained += m.rowsPerSecond() * m.seconds();
            secs += m.seconds();
        }
        t.put("rows_per_second", secs > 0 ? rowsTrained / secs : 0);
        return t;
    }
}
