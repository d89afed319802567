package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.AutoSizing;
import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.config.TrainSettings;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.ContextBalance;
import io.flowsynth.encode.AutoContext;
import io.flowsynth.encode.CategoryOrder;
import io.flowsynth.encode.ContextScores;
import io.flowsynth.encode.NullImputation;
import io.flowsynth.encode.ContextJoint;
import io.flowsynth.encode.ContextLayout;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.MarginalCalibration;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.Seeds;
import io.flowsynth.spark.encode.TableEncoderEstimator;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.model.ModelPayload;
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
    public static void checkMinRows(long rows, int min) {
        if (rows < min) {
            throw new BadInputException("Input has " + rows + " rows, fewer than " + ConfigKeys.FIT_MIN_ROWS + "="
                    + min + " (a model of so few rows could memorise them; set it lower at your own risk)");
        }
        if (min < ConfigKeys.FIT_MIN_ROWS_DEFAULT) {
            LOG.warn("{}={} is below its default {}: a model fitted on {} rows may reproduce them", ConfigKeys.FIT_MIN_ROWS,
                    min, ConfigKeys.FIT_MIN_ROWS_DEFAULT, rows);
        }
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
        long seed = c.seed();
        spark.sparkContext().setJobDescription("flowsynth fit: counting rows");
        long counted = table.count();
        if (counted == 0) {
            throw new BadInputException("Input table is empty: nothing to learn");
        }
        if (!work.rowsChecked()) {
            checkMinRows(counted, c.fitMinRows());
        }
        LOG.info("Fitting a model of {} rows × {} columns", counted, table.schema().fields().length);

        spark.sparkContext().setJobDescription("flowsynth fit: fitting column encoders");
        EncodeOptions encodeOptions = c.encode();
        Map<String, String> kinds = encodeOptions.kindOverrides();
        for (String setting : List.of("kind", "encoder", ConfigKeys.COLUMN_BOUNDS)) {
            Map<String, String> overrides = setting.equals("kind") ? kinds
                    : setting.equals("encoder") ? encodeOptions.encoderOverrides() : c.columnBounds();
            for (String column : new java.util.TreeSet<>(overrides.keySet())) {
                if (!Set.of(table.schema().fieldNames()).contains(column)) {
                    throw new BadInputException("Configuration " + ConfigKeys.COLUMNS_PREFIX + column
                            + "." + setting + ": no column '" + column + "' in the input");
                }
            }
        }
        if (encodeOptions.minCategoryCount() == 1) { // the protection is off (FlowsynthConfig#encode)
            LOG.warn("{}=false: values seen only once or twice may be stored in the model and published",
                    ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES);
        }
        TrainSettings train = c.train();
        io.flowsynth.config.PrivacySettings privacy = c.privacy();
        if (privacy.enabled()) {
            checkPrivateTraining(c);
            // the encoders' budget is split equally over the columns (in zCDP ρ, so each column's noise grows as
            // √columns): say early when each gets too little to learn; ρ ≈ ε²/(4·ln(1/δ)) at δ = 1e-7 is a rough guide
            double encoderEpsilon = (privacy.autoEncoderShare()
                    ? privacy.withEncoderShare(io.flowsynth.privacy.DpSgdPlan.AUTO_SHARE) : privacy).encoderEpsilon();
            double rhoPerColumn = Math.pow(encoderEpsilon, 2) / (4 * Math.log(1e7))
                    / Math.max(1, table.schema().fields().length);
            if (rhoPerColumn < 2e-4) {
                LOG.warn(String.format("Differential privacy: each of the %d columns' statistics gets zCDP ρ ≈ %.3g "
                                + "(Gaussian noise σ ≈ %.0f rows per count): expect coarse or empty columns on small "
                                + "tables; raise %s or %s, or fit fewer columns", table.schema().fields().length,
                        rhoPerColumn, 1 / Math.sqrt(2 * rhoPerColumn), ConfigKeys.PRIVACY_EPSILON,
                        ConfigKeys.PRIVACY_ENCODER_SHARE));
            }
        }
        TableEncoder stored = work.resume() && work.checkpointDir() != null && train.checkpoint()
                ? checkpointEncoder(work.checkpointDir(), c, spark.sparkContext().hadoopConfiguration()) : null;
        List<String> context = c.conditionColumns();
        if (!context.isEmpty()) {
            checkConditionable(c);
        }
        if (!c.columnBounds().isEmpty() && !c.privacy().enabled()) {
            LOG.info("{}<column>.{} is used by differentially private fits only ({} is off): ignored",
                    ConfigKeys.COLUMNS_PREFIX, ConfigKeys.COLUMN_BOUNDS, ConfigKeys.PRIVACY_EPSILON);
        }
        TableEncoder fitted = stored != null ? stored
                : (c.privacy().enabled() && c.privacyNoiseSeed().isPresent()
                        // a given noise seed makes the encoders' noise reproducible too (and public: see the key)
                        ? new TableEncoderEstimator(encodeOptions, c.bounds()).withPrivacy(c.privacy(),
                        c.columnBounds(), io.flowsynth.encode.dp.NoiseSource.fixed(
                                c.privacyNoiseSeed().getAsLong() ^ 0x5DEECE66DL))
                        : new TableEncoderEstimator(encodeOptions, c.bounds()).withPrivacy(c.privacy(),
                        c.columnBounds())).fit(table);
        // under differential privacy only the released (noisy) row count is used from here on
        long rows = fitted.releasedRowCount().orElse(counted);
        if (stored == null && !c.splitNested()) {
            fitted = unsplit(fitted);
        }
        if (stored == null && c.orderCategories() && !c.privacy().enabled()) {
            fitted = orderCategories(table, fitted, counted, seed);
        }
        // automatic context: an unconditional layered flow conditions on the categorical columns (AutoContext)
        boolean auto = context.isEmpty() && c.conditionAuto() && !c.privacy().enabled()
                && c.flow().type().layered() && !c.flow().copulaInit();
        Groups contextCounts = null; // the automatic context's counts of its columns' values: the joint's too
        Map<String, String> contextParents = Map.of(); // the automatic context's children's parents
        if (auto && stored != null) {
            context = stored.contextAuto() ? ContextLayout.indicatorColumns(stored) : List.of();
        } else if (auto) {
            AutoChoice choice = autoContext(table, fitted, encodeOptions.minCategoryCount(), counted, seed,
                    c.conditionAutoDependenceRatio(), c.conditionAutoChildren());
            context = choice.columns();
            contextCounts = choice.counts();
            contextParents = choice.parents();
        }
        // a conditional model's context columns come first: its leading features are the context
        TableEncoder ordered = context.isEmpty() ? fitted
                : ContextLayout.contextFirst(fitted, context, List.of(table.schema().fieldNames()))
                .withContextAuto(auto);
        // the joint's counts are no DP release: under differential privacy the context columns stay independent
        TableEncoder joined = stored == null && context.size() > 1 && !c.privacy().enabled()
                ? withContextJoint(table, ordered, context.size(), encodeOptions.minCategoryCount(), contextCounts,
                contextParents)
                : ordered;
        // the regression is no DP release: under differential privacy null rows' value features stay noise
        TableEncoder encoder = stored == null && c.imputeNulls() && !c.privacy().enabled()
                ? withNullImputation(table, joined, context.size(), counted, seed) : joined;
        StructType outputSchema = outputSchema(table.schema(), encoder, kinds);
        int width = encoder.width();
        LOG.info("Encoded {} columns into {} features: {}", encoder.columns().size(), width, encoder.featureNames());

        // 0 = auto: a smaller network for small tables (AutoSizing, chosen by the fidelity-real benchmark)
        FlowSpec plainSpec = c.flow().spec(Math.max(1, width), rows, seed)
                .withContextFeatures(ContextLayout.contextFeatures(encoder, context.size()));
        // the DP copula start (DpSgdPlan.copulaSigma) needs a linear input; not in a conditional model (it would mix
        // the context into the rest)
        boolean privateCopula = privacy.enabled() && privacy.copulaShare() > 0 && !plainSpec.conditional();
        FlowSpec spec = privateCopula ? plainSpec.withCopulaLayer(true) : plainSpec;
        if (spec.conditional()) {
            LOG.info("{}: p(other columns | {}), the first {} of {} features", auto
                    ? "Automatic context (" + ConfigKeys.CONDITION_AUTO + "; the model samples and scores whole rows)"
                    : "Conditional model", context, spec.contextFeatures(), width);
        }
        long parameterCount = spec.parameterCount();
        LOG.info("Flow: {} of {} layers over {} features, conditioners {} × {} hidden ({}): {} parameters, {} MB "
                + "(float) plus {} MB of Adam state", spec.type(), spec.numLayers(), spec.features(), spec.hiddenLayers(),
                spec.hiddenFeatures(), c.flow().hiddenFeaturesAuto() ? "auto from the rows and features" : "configured",
                parameterCount, String.format("%.1f", parameterCount * 4 / 1e6),
                String.format("%.1f", 2 * parameterCount * 4 / 1e6));
        String engine = train.engine();
        int partitions = train.partitions() > 0 ? train.partitions() : spark.sparkContext().defaultParallelism();
        // under DP the step budget is capped (flowsynth.privacy.max-steps): with Adam, steps whose noise swamps the
        // clipped gradients move every parameter by about the learning rate at random (measured: more steps, lower
        // quality on the real tables); the DP copula start does the heavy lifting
        TrainSettings trainBudget = privacy.enabled() && privacy.maxSteps() > 0 && train.epochs() == 0
                && train.steps() > privacy.maxSteps() ? train.withSteps(privacy.maxSteps()) : train;
        TrainOptions options = trainOptions(trainBudget, c.flow().copulaInit(), seed, work.workDir(), rows, partitions,
                privacy.enabled());
        ObjectNode privacyBlock = FlowsynthModel.noPrivacy();
        if (privacy.enabled()) {
            long n = privacyRowCount(rows);
            long steps = (long) options.totalRounds(options.roundsPerEpoch(n, partitions)) * options.localSteps();
            // the encoders' Gaussian releases, the copula and the steps compose in one RDP accountant (a model of
            // an earlier version, resumed from a checkpoint, has Laplace releases: basic composition then)
            io.flowsynth.encode.EncoderReleases released = encoder.privacy();
            boolean composed = released != null && released.conversionDelta() > 0;
            if (privacy.autoEncoderShare()) {
                // the share the encoders resolved ("auto"): their ε is that share of the fit's
                privacy = privacy.withEncoderShare(released != null ? released.epsilon() / privacy.epsilon()
                        : io.flowsynth.privacy.DpSgdPlan.AUTO_SHARE);
            }
            io.flowsynth.privacy.DpSgdPlan plan = io.flowsynth.privacy.DpSgdPlan.of(privateCopula ? privacy
                    : privacy.withCopulaShare(0), n, partitions, options.batchSize(), steps,
                    composed ? released.rdp() : null, composed ? released.thresholdDelta() : 0);
            long noiseSeed = c.privacyNoiseSeed().orElseGet(() -> new java.security.SecureRandom().nextLong());
            options = options.withPrivacy(new TrainOptions.Privacy(plan, noiseSeed));
            privacyBlock = privacyBlock(plan, encoder.privacy());
            String flow = plan.copulaOnly() ? String.format("the flow is the DP copula alone, noise multiplier "
                    + "%.4g, no DP-SGD steps", plan.copulaSigma()) : String.format("DP-SGD: noise multiplier σ = %.4g "
                    + "for %d steps at sampling rate %.4g", plan.sigma(), plan.steps(), plan.samplingRate());
            LOG.info(String.format("Differential privacy: (ε, δ) = (%.4g, %.3g) for the fit (%s); %s (n = %d rows, %s)",
                    plan.epsilon(), plan.delta(), plan.composed() ? String.format("encoders, copula and steps "
                            + "composed in RDP: accountant ε = %.4g", plan.fitEpsilon()) : String.format("basic "
                            + "composition: the flow gets (%.4g, %.3g)", plan.trainingEpsilon(), plan.trainingDelta()),
                    flow, n, c.privacyNoiseSeed().isPresent()
                            ? "noise seed from " + ConfigKeys.PRIVACY_NOISE_SEED : "fresh secret noise seed"));
        }
        Map<String, String> storedConfig = storedConfig(c.asMap());
        final ObjectNode checkpointPrivacy = privacyBlock;
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
            // under DP no rows are held out: a validation NLL would be a non-private statistic of them
            double validationFraction = privacy.enabled() ? 0 : train.validationShare(rows);
            Checkpoints checkpoints = work.checkpointDir() == null || !train.checkpoint() ? null
                    : new Checkpoints(work.checkpointDir(), fingerprint(table.schema(), rows, encoder, spec, options,
                    engine, partitions), spark.sparkContext().hadoopConfiguration());
            TrainingState resume = null;
            if (work.resume()) {
                resume = checkpoints == null ? null : checkpoints.latest();
                if (resume == null) {
                    LOG.info("No checkpoint to resume from in {}: starting afresh", work.checkpointDir());
                }
            }
            // under differential privacy every row is sampled at one rate (DP-SGD's accounting): no balancing
            ContextBalance balance = c.privacy().enabled() ? null
                    : ContextBalance.of(encoder, context.size(), c.conditionBalance());
            if (balance != null) {
                LOG.info("Context-balanced training ({}={}): rows of rarer context levels are drawn more often, at "
                        + "most {}× as often as the most frequent level's", ConfigKeys.CONDITION_BALANCE,
                        c.conditionBalance(), (int) ContextBalance.MAX_FACTOR);
            }
            JavaRDD<FeatureBlock> blocks = TrainingData.build(table, encoder, partitions, validationFraction, seed,
                    balance, ModelPayload.discreteContext(encoder, context.size()));
            try {
                Consumer<TrainingState> onRound = checkpoints == null ? null : s -> {
                    String dir = checkpoints.write(s);
                    new FlowsynthModel(modelId, outputSchema, rows, encoder, spec,
                            FlowNetworks.specOrder(s.networkJson, s.bestParams), s.networkJson,
                            summary(s.history, s.bestRound, s.bestValidationNll, engine), storedConfig)
                            .withPrivacy(checkpointPrivacy)
                            .save(dir + "/model", true, spark.sparkContext().hadoopConfiguration());
                    checkpoints.complete(s);
                };
                TrainingResult result;
                try {
                    result = Trainer.forEngine(engine, train.gradient())
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
                // under differential privacy the exact count is not published: the released one stands for it
                training.put("train_rows", privacy.enabled() ? rows : result.trainRows());
                training.put("validation_rows", result.validationRows());
                training.put("partitions", result.partitions());
                training.put("seconds", result.seconds());
                training.put("budget", options.privacy() != null && options.privacy().plan().copulaOnly()
                        ? "0 steps (the DP copula alone)"
                        : options.epochs() > 0 ? options.epochs() + " epochs" : options.steps() + " steps");
                training.put("steps", (long) result.history().size() * options.localSteps());
                training.put("local_steps", options.localSteps());
                training.put("round_validation_rows", result.roundValidationRows());
                training.put("held_out_nll", result.heldOutNll());
                training.put("batch_size", options.batchSize());
                training.put("stopped", result.stopReason());
                training.put("validation_task_seconds", result.validationTaskSeconds());
                training.put("train_task_seconds", result.trainTaskSeconds());
                int knots = train.calibrationKnots(); // 0 (off) or ≥ 2, checked when the config was resolved
                if (privacy.enabled() && knots > 0) {
                    LOG.info("No marginal calibration under differential privacy (it would map real rows' quantiles "
                            + "into the model); {} = {} is ignored", ConfigKeys.TRAIN_CALIBRATION_KNOTS, knots);
                    knots = 0;
                }
                if (knots > 0) {
                    spark.sparkContext().setJobDescription("flowsynth fit: calibrating marginals");
                    calibration = CalibrationFit.fit(blocks, result.trainRows(), spec, parameters, knots,
                            CalibrationFit.rows(train.calibrationRows(), spec.features(), train.calibrationMaxValues()),
                            train.calibrationEdges() && spec.features() == encoder.width() ? encoder.decodeEdges()
                                    : null, seed);
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
                storedConfig).withCalibration(calibration).withPrivacy(privacyBlock);
    }

    /**
     * The row count n DP-SGD's accounting uses (the sampling rate q = B·P/n and δ = auto = 1/n²): the encoders' DP
     * release of the row count ({@code TableEncoder#releasedRowCount}), which the fit passes as its {@code rows} under
     * DP (all rows train under DP: there is no validation split).
     */
    static long privacyRowCount(long exactRows) {
        return exactRows;
    }

    /**
     * The fit settings differential privacy cannot cover, each refused with one line naming its key: DP-SGD is
     * implemented in the tree-aggregate engine's hand-derived gradient (realnvp, maf, spline) and the copula start
     * would fit the real rows' correlations without noise.
     */
    public static void checkPrivateTraining(FlowsynthConfig c) {
        String why = " is not supported with differential privacy (" + ConfigKeys.PRIVACY_EPSILON + " = "
                + c.privacy().epsilon() + "): ";
        if (!io.flowsynth.spark.train.TreeAggregateTrainer.NAME.equals(c.train().engine())) {
            throw new BadInputException("Configuration " + ConfigKeys.TRAIN_ENGINE + "=" + c.train().engine() + why
                    + "DP-SGD runs in the " + io.flowsynth.spark.train.TreeAggregateTrainer.NAME + " engine");
        }
        if (!io.flowsynth.spark.train.TreeAggregateTrainer.ANALYTIC.equals(c.train().gradient())) {
            throw new BadInputException("Configuration " + ConfigKeys.TRAIN_GRADIENT + "=" + c.train().gradient() + why
                    + "per-example clipping is implemented in the " + io.flowsynth.spark.train.TreeAggregateTrainer.ANALYTIC
                    + " gradient");
        }
        if (!c.flow().type().layered()) {
            throw new BadInputException("Configuration " + ConfigKeys.FLOW_TYPE + "=" + c.flow().type().id() + why
                    + "use realnvp, maf or spline");
        }
        if (c.flow().copulaInit()) {
            throw new BadInputException("Configuration " + ConfigKeys.FLOW_COPULA_INIT + "=true" + why
                    + "the copula start is fitted to the real rows without noise");
        }
    }

    /** The configuration as the model stores it: a numeric DP noise seed is secret and replaced by "secret". */
    static Map<String, String> storedConfig(Map<String, String> config) {
        Map<String, String> out = new java.util.LinkedHashMap<>(config);
        out.computeIfPresent(ConfigKeys.PRIVACY_NOISE_SEED, (k, v) -> "random".equalsIgnoreCase(v.trim()) ? v : "secret");
        return out;
    }

    /** The model's {@code privacy} block for a DP fit: the guarantee, the accountant and DP-SGD's release. */
    static ObjectNode privacyBlock(io.flowsynth.privacy.DpSgdPlan plan, io.flowsynth.encode.EncoderReleases encoders) {
        ObjectNode p = JSON.createObjectNode();
        p.put("differential_privacy", true);
        p.put("epsilon", plan.epsilon());
        p.put("delta", plan.delta());
        p.put("neighbouring", "add or remove one row");
        p.put("composition", plan.composed() ? io.flowsynth.encode.EncoderReleases.COMPOSITION
                + "; the encoders' releases, the copula release and the DP-SGD steps form one composition"
                : "basic: the releases' epsilons and deltas add up to at most (epsilon, delta)");
        p.put("accountant", io.flowsynth.privacy.DpSgdPlan.ACCOUNTANT);
        if (plan.composed()) {
            p.put("accountant_epsilon", plan.fitEpsilon());
            p.put("rdp_order", plan.fitOrder());
            p.put("threshold_delta", encoders.thresholdDelta());
        }
        p.put("training_epsilon", plan.trainingEpsilon());
        p.put("training_delta", plan.trainingDelta());
        p.put("sigma", plan.sigma());
        p.put("steps", plan.steps());
        p.put("sampling_rate", plan.samplingRate());
        p.put("clip_norm", plan.clipNorm());
        p.put("rows", plan.rows());
        p.put("rows_source", encoders == null ? "exact row count (not a DP release)"
                : "the encoders' DP release of the row count");
        ArrayNode off = p.putArray("switched_off");
        off.add("validation split").add("early stopping").add("best-round selection").add("marginal calibration")
                .add("copula start");
        ArrayNode releases = p.putArray("releases");
        if (encoders != null) { // the encoders' releases (statistic, column, mechanism, ε, δ, scale) first
            p.put("encoder_epsilon", encoders.epsilon());
            p.put("encoder_delta", encoders.delta());
            p.put("encoder_epsilon_accounted", encoders.accountedEpsilon());
            p.put("released_rows", encoders.rowCount());
            encoders.releasesJson().forEach(releases::add);
        }
        releases.add(plan.toJson());
        return p;
    }

    /**
     * A conditional model's encoder with the joint of its categorical context columns ({@link ContextJoint}), counted
     * in one aggregation, so plain sampling draws their levels together; unchanged with fewer than two such columns
     * or more than {@link ContextJoint#MAX_COMBINATIONS} combinations (then drawn independently, as the log says).
     *
     * @param counted the discrete context columns' values already counted (in their order), or null to count them
     */
    static TableEncoder withContextJoint(Dataset<Row> table, TableEncoder encoder, int contextColumns, int minCount,
                                         Groups counted, Map<String, String> parents) {
        int[] columns = ContextLayout.discreteColumns(encoder, contextColumns);
        if (columns.length < 2) {
            return encoder;
        }
        Groups groups = counted != null ? counted : countGroups(table, encoder,
                java.util.Arrays.stream(columns).boxed().toList(), 4 * ContextJoint.MAX_COMBINATIONS,
                "flowsynth fit: the joint of the context columns");
        if (groups == null) {
            LOG.info("The categorical context columns have too many combinations for a joint: plain sampling draws "
                    + "them independently");
            return encoder;
        }
        // the joint's columns (the others are children, each drawn given its parent)
        List<Integer> jointAt = new java.util.ArrayList<>();
        for (int j = 0; j < columns.length; j++) {
            if (!parents.containsKey(encoder.columns().get(columns[j]).column())) {
                jointAt.add(j);
            }
        }
        List<Object[]> jointValues = new java.util.ArrayList<>(groups.values().size());
        for (Object[] v : groups.values()) {
            Object[] cut = new Object[jointAt.size()];
            for (int j = 0; j < cut.length; j++) {
                cut[j] = v[jointAt.get(j)];
            }
            jointValues.add(cut);
        }
        int[] jointColumns = jointAt.stream().mapToInt(j -> columns[j]).toArray();
        List<ContextJoint.Child> children = new java.util.ArrayList<>();
        java.util.Set<String> drawn = new java.util.HashSet<>();
        jointAt.forEach(j -> drawn.add(encoder.columns().get(columns[j]).column()));
        StringBuilder described = new StringBuilder();
        for (int j = 0; j < columns.length; j++) {
            String name = encoder.columns().get(columns[j]).column();
            String parent = parents.get(name);
            if (parent == null || !drawn.contains(parent)) {
                continue; // a joint column, or a child whose parent has no stored pairs: drawn independently
            }
            int parentAt = -1;
            for (int k = 0; k < columns.length; k++) {
                if (encoder.columns().get(columns[k]).column().equals(parent)) {
                    parentAt = k;
                }
            }
            ContextJoint.Child child = ContextJoint.Child.of(encoder, columns[j], columns[parentAt], j, parentAt,
                    groups.values(), groups.rows(), minCount);
            if (child != null) {
                children.add(child);
                drawn.add(name);
                described.append(described.length() == 0 ? "" : ", ").append(name).append(" given ").append(parent)
                        .append(" (").append(child.counts().length).append(" pairs)");
            }
        }
        ContextJoint joint = jointColumns.length < (children.isEmpty() ? 2 : 1) ? null
                : ContextJoint.of(encoder, jointColumns, jointValues, groups.rows(), minCount, children);
        if (joint == null) {
            LOG.info("The categorical context columns have too many (or no kept) combinations for a joint: plain "
                    + "sampling draws them independently");
            return encoder;
        }
        LOG.info("Context joint: {} combinations of the kept levels (each seen in at least {} rows){}",
                joint.counts().length, minCount, children.isEmpty() ? "" : "; drawn after it: " + described);
        return encoder.withContextJoint(joint);
    }

    /** Counted groups of some columns' values: per group the values (in the columns' order) and its rows. */
    record Groups(List<Object[]> values, List<Long> rows) {
    }

    /**
     * One Spark count of the joint values of some of the encoder's columns, collected on the driver; null when there
     * are more than {@code limit} groups.
     */
    static Groups countGroups(Dataset<Row> table, TableEncoder encoder, List<Integer> columns, int limit,
                              String job) {
        org.apache.spark.sql.Column[] names = new org.apache.spark.sql.Column[columns.size()];
        for (int j = 0; j < names.length; j++) {
            String name = encoder.columns().get(columns.get(j)).column();
            names[j] = org.apache.spark.sql.functions.col("`" + name.replace("`", "``") + "`");
        }
        table.sparkSession().sparkContext().setJobDescription(job);
        List<Row> groups = table.groupBy(names).count().limit(limit + 1).collectAsList();
        if (groups.size() > limit) {
            return null;
        }
        List<Object[]> values = new java.util.ArrayList<>(groups.size());
        List<Long> rows = new java.util.ArrayList<>(groups.size());
        for (Row g : groups) {
            Object[] v = new Object[names.length];
            for (int j = 0; j < names.length; j++) {
                v[j] = g.get(j);
            }
            values.add(v);
            rows.add(g.getLong(names.length));
        }
        return new Groups(values, rows);
    }

    /**
     * The automatic context's columns, in the order chosen, and the counts of their values (groups of the candidates'
     * count, cut to these columns: the context joint needs no second pass), or null when none was chosen.
     */
    record AutoChoice(List<String> columns, Groups counts, Map<String, String> parents) {
    }

    /** Most counted groups of the candidates' values collected for the automatic context's choice. */
    static final int AUTO_CONTEXT_MAX_GROUPS = 200_000;

    /**
     * The automatic context's columns ({@link AutoContext}): the candidates scored in one pass
     * ({@link #contextScores}) and ranked; then one count of the joint values of the best-ranked candidates whose
     * outcome counts multiply to at most {@link #AUTO_CONTEXT_MAX_GROUPS}, the choice on the driver; with more groups
     * than that (values of "other" buckets), counted again over the better-ranked half. No columns when no candidate
     * fits.
     */
    static AutoChoice autoContext(Dataset<Row> table, TableEncoder encoder, int minCount, long rows, long seed,
                                  double dependenceRatio, boolean children) {
        List<Integer> all = AutoContext.candidates(encoder);
        if (all.isEmpty()) {
            return new AutoChoice(List.of(), null, Map.of());
        }
        int scored = ContextScores.scoredCandidates(encoder, all);
        if (scored < all.size()) {
            LOG.info("Automatic context: {} of {} categorical candidates scored (the fewest outcomes; the sums of more "
                    + "would pass {} M per task)", scored, all.size(), ContextScores.MAX_CELLS / 1_000_000);
            all = all.subList(0, scored);
        }
        double[] scores = contextScores(table, encoder, all, rows, seed);
        List<Integer> candidates = AutoContext.rank(encoder, all, scores);
        StringBuilder ranked = new StringBuilder();
        for (int i : candidates) {
            ranked.append(ranked.length() == 0 ? "" : ", ").append(encoder.columns().get(i).column())
                    .append(String.format(" %.3f", scores[all.indexOf(i)]));
        }
        LOG.info("Automatic context: {} categorical candidates ranked by the variance they explain of the other "
                + "columns: {}", candidates.size(), ranked);
        // the best-ranked candidates whose outcomes' product stays within the groups collected: one count
        // of a few-column joint, not a shuffle of a wide table's every categorical column
        double product = 1;
        int prefix = 0;
        while (prefix < candidates.size()) {
            product *= ((io.flowsynth.encode.CategoricalEncoder) encoder.columns().get(candidates.get(prefix)))
                    .outcomeCount();
            if (prefix > 0 && product > AUTO_CONTEXT_MAX_GROUPS) {
                break;
            }
            prefix++;
        }
        candidates = candidates.subList(0, prefix);
        while (!candidates.isEmpty()) {
            Groups groups = countGroups(table, encoder, candidates, AUTO_CONTEXT_MAX_GROUPS,
                    "flowsynth fit: the categorical columns' joint (automatic context)");
            if (groups == null) {
                candidates = candidates.subList(0, candidates.size() / 2);
                continue;
            }
            AutoContext.Choice choice = AutoContext.choose(encoder, candidates, groups.values(), groups.rows(), rows,
                    minCount, dependenceRatio, children);
            List<String> chosen = choice.columns();
            LOG.info("Automatic context ({}): {} of {} categorical candidates chosen: {}{}", ConfigKeys.CONDITION_AUTO,
                    chosen.size(), candidates.size(), chosen, choice.parents().isEmpty() ? ""
                            : " (drawn given another: " + new java.util.TreeMap<>(choice.parents()) + ")");
            if (chosen.isEmpty()) {
                return new AutoChoice(chosen, null, Map.of());
            }
            int[] at = new int[chosen.size()]; // each chosen column's place among the candidates
            for (int j = 0; j < at.length; j++) {
                for (int k = 0; k < candidates.size(); k++) {
                    if (encoder.columns().get(candidates.get(k)).column().equals(chosen.get(j))) {
                        at[j] = k;
                    }
                }
            }
            List<Object[]> values = new java.util.ArrayList<>(groups.values().size());
            for (Object[] v : groups.values()) {
                Object[] cut = new Object[at.length];
                for (int j = 0; j < at.length; j++) {
                    cut[j] = v[at[j]];
                }
                values.add(cut);
            }
            return new AutoChoice(chosen, new Groups(values, groups.rows()), choice.parents());
        }
        return new AutoChoice(List.of(), null, Map.of());
    }

    /** Most rows (a seeded sample of a larger table) over which the automatic context's candidates are scored. */
    static final long AUTO_CONTEXT_SCORE_ROWS = 200_000;

    /**
     * The automatic context's candidates' scores ({@link ContextScores}): one pass over the table (a seeded sample of
     * at most {@link #AUTO_CONTEXT_SCORE_ROWS} rows) encoding each row and summing its features per candidate level.
     */
    static double[] contextScores(Dataset<Row> table, TableEncoder encoder, List<Integer> candidates, long rows,
                                  long seed) {
        ContextScores.Sums sums = levelSums(table, encoder, candidates, rows, seed,
                "flowsynth fit: what the categorical columns explain (automatic context)");
        return ContextScores.scores(encoder, candidates, sums);
    }

    /**
     * The encoded features' sums per level of each of {@code candidates} (categorical columns): one pass over the
     * table, or a seeded sample of at most {@link #AUTO_CONTEXT_SCORE_ROWS} rows (fewer on wide tables,
     * {@link ContextScores#scoredRows}).
     */
    static ContextScores.Sums levelSums(Dataset<Row> table, TableEncoder encoder, List<Integer> candidates, long rows,
                                        long seed, String description) {
        String encoderJson = encoder.toJson().toString();
        List<String> names = java.util.Arrays.asList(table.schema().fieldNames());
        int[] fieldIndex = encoder.columns().stream().mapToInt(c -> names.indexOf(c.column())).toArray();
        int[] candidate = candidates.stream().mapToInt(Integer::intValue).toArray();
        long scoredRows = ContextScores.scoredRows(candidates.size(), encoder.width(), AUTO_CONTEXT_SCORE_ROWS);
        Dataset<Row> sample = rows > scoredRows
                ? table.sample(false, Math.min(1.0, 1.05 * scoredRows / rows), Seeds.mix(seed, 17))
                : table;
        table.sparkSession().sparkContext().setJobDescription(description);
        return sample.javaRDD().mapPartitionsWithIndex((partition, it) -> {
            TableEncoder e = TableEncoder.fromJson(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(encoderJson));
            List<Integer> cs = java.util.Arrays.stream(candidate).boxed().toList();
            ContextScores.Sums s = ContextScores.Sums.of(e, cs);
            java.util.Random rng = new java.util.Random(Seeds.mix(seed, 1000L + partition));
            Object[] values = new Object[fieldIndex.length];
            double[] features = new double[e.width()];
            int[] levels = new int[candidate.length];
            while (it.hasNext()) {
                Row row = it.next();
                for (int i = 0; i < fieldIndex.length; i++) {
                    values[i] = row.get(fieldIndex[i]);
                }
                e.encode(values, features, rng);
                for (int j = 0; j < candidate.length; j++) {
                    levels[j] = e.keptIndex(values, candidate[j]);
                }
                s.add(levels, features);
            }
            return List.of(s).iterator();
        }, false).treeReduce(ContextScores.Sums::merge);
    }

    /** Most rows of the driver sample {@link NullImputation} is fitted on (fewer on wide tables). */
    static final int NULL_IMPUTATION_ROWS = 50_000;
    /** Most feature values of that sample. */
    static final long NULL_IMPUTATION_CELLS = 8_000_000;
    /** Most imputed columns logged one by one. */
    static final int NULL_IMPUTATION_LOGGED = 20;

    /**
     * The encoder with its numeric columns' null rows imputed ({@link NullImputation}), fitted on a seeded driver
     * sample of encoded rows (one Spark job); unchanged when no column has nulls or none is worth imputing. The first
     * {@code contextColumns} columns (a conditional model's context) are not imputed.
     */
    static TableEncoder withNullImputation(Dataset<Row> table, TableEncoder encoder, int contextColumns, long rows,
                                           long seed) {
        // a context column's features are given, encoded column by column, when a conditional model samples: never
        // imputed (they may predict the others)
        List<Integer> candidates = NullImputation.candidates(encoder).stream().filter(i -> i >= contextColumns)
                .toList();
        if (candidates.isEmpty()) {
            return encoder;
        }
        int width = encoder.width();
        long sampleRows = Math.min(NULL_IMPUTATION_ROWS, Math.max(1_000, NULL_IMPUTATION_CELLS / Math.max(1, width)));
        Dataset<Row> sample = rows > sampleRows
                ? table.sample(false, Math.min(1.0, 1.05 * sampleRows / rows), Seeds.mix(seed, 23))
                : table;
        String encoderJson = encoder.toJson().toString();
        List<String> names = java.util.Arrays.asList(table.schema().fieldNames());
        int[] fieldIndex = encoder.columns().stream().mapToInt(col -> names.indexOf(col.column())).toArray();
        int[] candidate = candidates.stream().mapToInt(Integer::intValue).toArray();
        table.sparkSession().sparkContext().setJobDescription(
                "flowsynth fit: a model of the numeric columns' null rows (" + ConfigKeys.ENCODE_IMPUTE_NULLS + ")");
        List<double[]> encoded = sample.javaRDD().mapPartitionsWithIndex((partition, it) -> {
            TableEncoder e = TableEncoder.fromJson(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(encoderJson));
            java.util.Random rng = new java.util.Random(Seeds.mix(seed, 3000L + partition));
            Object[] values = new Object[fieldIndex.length];
            List<double[]> out = new ArrayList<>();
            while (it.hasNext()) {
                Row row = it.next();
                for (int i = 0; i < fieldIndex.length; i++) {
                    values[i] = row.get(fieldIndex[i]);
                }
                double[] f = new double[e.width() + candidate.length];
                e.encodeWithoutImputation(values, f, rng);
                for (int j = 0; j < candidate.length; j++) {
                    f[e.width() + j] = NullImputation.hasValue(e, values, candidate[j]) ? 1 : 0;
                }
                out.add(f);
            }
            return out.iterator();
        }, false).collect(); // one job (take would scan the partitions in growing rounds, each a job)
        if (encoded.size() > sampleRows) {
            encoded = encoded.subList(0, (int) sampleRows);
        }
        double[][] features = new double[encoded.size()][];
        boolean[][] present = new boolean[encoded.size()][candidate.length];
        for (int r = 0; r < features.length; r++) {
            features[r] = encoded.get(r); // (its tail, the presence flags, is beyond the features the fit reads)
            for (int j = 0; j < candidate.length; j++) {
                present[r][j] = encoded.get(r)[width + j] > 0;
            }
        }
        NullImputation imputation = NullImputation.fit(encoder, features, present, candidates, Seeds.mix(seed, 29));
        if (imputation == null) {
            LOG.info("Null rows of {} numeric columns with nulls: none is worth a model of the other features "
                    + "(their value features stay noise)", candidates.size());
            return encoder;
        }
        // one line per column on a narrow table, the first few and a count on a wide one
        List<NullImputation.Column> imputed = imputation.columns();
        for (NullImputation.Column col : imputed.subList(0, Math.min(imputed.size(), NULL_IMPUTATION_LOGGED))) {
            LOG.info(String.format("Column '%s': its null rows' value feature is drawn from %d related features "
                    + "(R² = %.3f on the %d sampled rows with a value; %s)",
                    encoder.columns().get(col.column()).column(), col.predictors().length, col.r2(),
                    java.util.Arrays.stream(present).filter(p -> p[candidates.indexOf(col.column())]).count(),
                    ConfigKeys.ENCODE_IMPUTE_NULLS));
        }
        if (imputed.size() > NULL_IMPUTATION_LOGGED) {
            LOG.info("... and {} more columns' null rows likewise ({} of {} numeric columns with nulls imputed, on {} "
                    + "sampled rows)", imputed.size() - NULL_IMPUTATION_LOGGED, imputed.size(), candidates.size(),
                    features.length);
        }
        return encoder.withNullImputation(imputation);
    }

    /**
     * The encoder with every column split by its parent ({@link io.flowsynth.encode.CategoricalEncoder#split()}) back
     * to one interval per category ({@code flowsynth.encode.split-nested=false}).
     */
    static TableEncoder unsplit(TableEncoder encoder) {
        List<io.flowsynth.encode.ColumnEncoder> columns = new ArrayList<>();
        boolean changed = false;
        for (io.flowsynth.encode.ColumnEncoder col : encoder.columns()) {
            if (col instanceof io.flowsynth.encode.CategoricalEncoder cat && cat.split()) {
                columns.add(cat.unsplit());
                changed = true;
                LOG.info("Column '{}': one interval per category ({}=false)", cat.column(),
                        ConfigKeys.ENCODE_SPLIT_NESTED);
            } else {
                columns.add(col);
            }
        }
        return !changed ? encoder : new TableEncoder(columns, encoder.droppedColumns(), encoder.privacy())
                .withContextJoint(encoder.contextJoint()).withContextAuto(encoder.contextAuto());
    }

    /**
     * The encoder with its categorical columns laid out by the ordered column each explains most
     * ({@link CategoryOrder}; {@code flowsynth.encode.order-categories}): one pass over the encoded rows.
     */
    static TableEncoder orderCategories(Dataset<Row> table, TableEncoder encoder, long rows, long seed) {
        List<Integer> all = CategoryOrder.candidates(encoder);
        int scored = ContextScores.scoredCandidates(encoder, all);
        if (scored < all.size()) {
            LOG.info("Category order: {} of {} categorical columns considered (the sums of more would pass {} M per "
                    + "task)", scored, all.size(), ContextScores.MAX_CELLS / 1_000_000);
            all = all.subList(0, scored);
        }
        if (all.isEmpty() || !CategoryOrder.hasCompanions(encoder)) {
            return encoder;
        }
        ContextScores.Sums sums = levelSums(table, encoder, all, rows, seed,
                "flowsynth fit: what the categorical columns go with (category order)");
        List<CategoryOrder.Layout> layouts = CategoryOrder.layouts(encoder, all, sums);
        for (CategoryOrder.Layout l : layouts) {
            if (l.etaSquared() == 0.0) {
                LOG.info("Column '{}': its blocks follow the new layout of its parent '{}' ({})",
                        encoder.columns().get(l.column()).column(), l.companion(), ConfigKeys.ENCODE_ORDER_CATEGORIES);
            } else {
                LOG.info("Column '{}': categories laid out in the order of their mean '{}' (it explains ε² = {} of "
                        + "it; {})", encoder.columns().get(l.column()).column(), l.companion(),
                        String.format("%.3f", l.etaSquared()), ConfigKeys.ENCODE_ORDER_CATEGORIES);
            }
        }
        return CategoryOrder.apply(encoder, layouts);
    }

    /** The flow settings a conditional model needs; a one-line error naming the key otherwise. */
    static void checkConditionable(FlowsynthConfig c) {
        if (!c.flow().type().layered()) {
            throw new BadInputException(ConfigKeys.CONDITION_COLUMNS + " needs a layered flow ("
                    + ConfigKeys.FLOW_TYPE + " = realnvp, maf or spline), not " + c.flow().type().id());
        }
        if (c.flow().copulaInit()) {
            throw new BadInputException(ConfigKeys.CONDITION_COLUMNS + " cannot be combined with "
                    + ConfigKeys.FLOW_COPULA_INIT + "=true (its linear layer would mix the context into the rest)");
        }
    }

    /** Settings (keys starting so, or these keys) that decide the fitted encoders: a resumed fit must have the same. */
    static final List<String> ENCODER_SETTINGS = List.of("flowsynth.encode.", ConfigKeys.COLUMNS_PREFIX,
            ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES, ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT,
            ConfigKeys.PRIVACY_EXTREME_K, "flowsynth.condition.", ConfigKeys.PRIVACY_EPSILON,
            ConfigKeys.PRIVACY_DELTA, ConfigKeys.PRIVACY_ENCODER_SHARE);

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
        // the privacy budget's split decides nothing without differential privacy
        java.util.function.Predicate<Map<String, String>> privateFit = m -> !m.getOrDefault(
                ConfigKeys.PRIVACY_EPSILON, "off").trim().equalsIgnoreCase("off");
        boolean dp = privateFit.test(now) || privateFit.test(stored.config());
        if (!dp) {
            keys.removeAll(List.of(ConfigKeys.PRIVACY_DELTA, ConfigKeys.PRIVACY_ENCODER_SHARE));
        }
        for (String k : keys) {
            if (!stored.config().containsKey(k)) {
                // a setting newer than the checkpoint's version: its encoders were fitted without it, reused as saved
                LOG.info("Resuming: checkpoint {} predates {} (this fit: {}): its encoders are reused as they were "
                        + "fitted", dir, k, now.get(k));
                continue;
            }
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
     * (auto) become about one pass over a partition's training rows per round, longer rounds for large tables
     * ({@link AutoSizing#localSteps}).
     */
    static TrainOptions trainOptions(TrainSettings t, boolean copulaInit, long seed, String workDir, long rows,
                                     int partitions) {
        return trainOptions(t, copulaInit, seed, workDir, rows, partitions, false);
    }

    /** @param noValidation no rows held out (differential privacy): every row trains */
    static TrainOptions trainOptions(TrainSettings t, boolean copulaInit, long seed, String workDir, long rows,
                                     int partitions, boolean noValidation) {
        double validation = noValidation ? 0 : t.validationShare(rows);
        long trainRows = Math.round(rows * (1 - validation));
        int batchSize = AutoSizing.batchSize(t.batchSize(), t.epochs(), trainRows, partitions);
        int localSteps = AutoSizing.localSteps(t.localSteps(), trainRows, partitions, batchSize, t.epochs(),
                t.steps());
        int patience = AutoSizing.patience(t.patience(), t.localSteps(), localSteps);
        return new TrainOptions(t.epochs(), batchSize, t.learningRate(), t.learningRateDecay(), localSteps,
                t.gradientClip(), patience, seed,
                new TrainOptions.Dl4jSettings(t.averagingFrequency() == 0 ? localSteps : t.averagingFrequency(),
                        t.workerPrefetch(), t.saveUpdater(), t.repartition(), workDir),
                t.steps(), t.minDelta(), t.maxMinutes(), copulaInit,
                AutoSizing.roundValidationRows(t.roundValidationRows(), partitions, localSteps, batchSize));
    }

    /**
     * What a checkpoint must share with the fit that resumes it: the input (schema, rows, fitted encoders), the flow,
     * and everything that decides the sequence of rounds. The learning rate and patience may change on resume.
     */
    static String fingerprint(StructType schema, long rows, TableEncoder encoder, FlowSpec spec, TrainOptions o,
                              String engine, int partitions) {
        // without the copula start the text of the spec is the one before FlowSpec had copulaLayer (a checkpoint
        // written then still resumes); with it, the start is part of what decides the rounds (linear has no layer)
        String flow = o.copulaInit() || spec.copulaLayer() ? spec + "|copula-init=" + o.copulaInit()
                : spec.toString().replace(", copulaLayer=false, contextFeatures=0]", "]");
        String text = String.join("|", schema.json(), String.valueOf(rows), encoder.toJson().toString(),
                flow, o.epochs() > 0 ? String.valueOf(o.epochs()) : o.steps() + " steps",
                String.valueOf(o.batchSize()),
                String.valueOf(o.localSteps()), String.valueOf(o.seed()), engine, String.valueOf(partitions));
        if (o.privacy() != null) { // a DP fit resumes only under the same plan (a plain fit's text is unchanged)
            io.flowsynth.privacy.DpSgdPlan p = o.privacy().plan();
            text += "|dp-sgd:" + p.sigma() + "," + p.clipNorm() + "," + p.samplingRate() + "," + p.steps() + ","
                    + p.epsilon() + "," + p.delta();
        }
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
            h.add(m.toJson());
            rowsTrained += m.rowsPerSecond() * m.seconds();
            secs += m.seconds();
        }
        t.put("rows_per_second", secs > 0 ? rowsTrained / secs : 0);
        return t;
    }
}
