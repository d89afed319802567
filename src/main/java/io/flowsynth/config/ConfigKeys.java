package io.flowsynth.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every configuration key with its default. Keys are kebab-case under {@code flowsynth.}; per-column keys are
 * {@code flowsynth.columns.<name>.kind} and {@code flowsynth.columns.<name>.encoder}. {@code conf/flowsynth-defaults.conf} documents the same keys and values (a
 * test keeps the two in step).
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    public static final String SEED = "flowsynth.seed";
    public static final long SEED_DEFAULT = 42L;

    public static final String FLOW_TYPE = "flowsynth.flow.type";
    public static final String FLOW_TYPE_DEFAULT = "realnvp";
    public static final String FLOW_LAYERS = "flowsynth.flow.layers";
    public static final int FLOW_LAYERS_DEFAULT = 0;
    public static final String FLOW_HIDDEN_FEATURES = "flowsynth.flow.hidden-features";
    /** 0 or {@code auto}: from the rows and features ({@link AutoSizing#hiddenFeatures}). */
    public static final int FLOW_HIDDEN_FEATURES_DEFAULT = 0;
    public static final String FLOW_HIDDEN_LAYERS = "flowsynth.flow.hidden-layers";
    public static final int FLOW_HIDDEN_LAYERS_DEFAULT = 2;
    public static final String FLOW_BINS = "flowsynth.flow.bins";
    public static final int FLOW_BINS_DEFAULT = 8;
    public static final String FLOW_TAIL_BOUND = "flowsynth.flow.tail-bound";
    public static final double FLOW_TAIL_BOUND_DEFAULT = 3.0;
    public static final String FLOW_ACTIVATION = "flowsynth.flow.activation";
    public static final String FLOW_ACTIVATION_DEFAULT = io.flowsynth.flow.FlowSpec.ACTIVATION_DEFAULT;
    public static final String FLOW_AFFINE_SCALE = "flowsynth.flow.affine-scale";
    public static final String FLOW_AFFINE_SCALE_DEFAULT = io.flowsynth.flow.FlowSpec.AFFINE_SCALE_DEFAULT;
    /**
     * Start the flow at the Gaussian copula of the training rows: realnvp/maf/spline get a copula layer (shift + LU)
     * before their first layer, set to whiten the rows; linear starts at its fitted Gaussian (GaussianInit). Off by
     * default: measured (jobs/bench.sh fidelity-real, README) it fixes mlc_churn's flow but regresses the demo.
     */
    public static final String FLOW_COPULA_INIT = "flowsynth.flow.copula-init";
    public static final boolean FLOW_COPULA_INIT_DEFAULT = false;

    public static final String TRAIN_ENGINE = "flowsynth.train.engine";
    public static final String TRAIN_ENGINE_DEFAULT = "tree-aggregate";
    /** tree-aggregate: analytic (hand-derived gradient where the family has one) or samediff (always the graph). */
    public static final String TRAIN_GRADIENT = "flowsynth.train.gradient";
    public static final String TRAIN_GRADIENT_DEFAULT = "analytic";
    public static final String TRAIN_EPOCHS = "flowsynth.train.epochs";
    /** 0 = budget by {@link #TRAIN_STEPS} (the default); a positive count keeps the epoch budget. */
    public static final int TRAIN_EPOCHS_DEFAULT = 0;
    public static final String TRAIN_STEPS = "flowsynth.train.steps";
    public static final long TRAIN_STEPS_DEFAULT = 3000;
    public static final String TRAIN_MIN_DELTA = "flowsynth.train.min-delta";
    public static final double TRAIN_MIN_DELTA_DEFAULT = 0.001;
    public static final String TRAIN_MAX_MINUTES = "flowsynth.train.max-minutes";
    public static final double TRAIN_MAX_MINUTES_DEFAULT = 0;
    public static final String TRAIN_BATCH_SIZE = "flowsynth.train.batch-size";
    /** 0 = auto ({@link AutoSizing#batchSize}). */
    public static final int TRAIN_BATCH_SIZE_DEFAULT = 0;
    public static final String TRAIN_LEARNING_RATE = "flowsynth.train.learning-rate";
    public static final double TRAIN_LEARNING_RATE_DEFAULT = 2e-3;
    public static final String TRAIN_LEARNING_RATE_DECAY = "flowsynth.train.learning-rate-decay";
    public static final double TRAIN_LEARNING_RATE_DECAY_DEFAULT = 0.1;
    public static final String TRAIN_LOCAL_STEPS = "flowsynth.train.local-steps";
    public static final int TRAIN_LOCAL_STEPS_DEFAULT = 0;
    public static final String TRAIN_GRADIENT_CLIP = "flowsynth.train.gradient-clip";
    public static final double TRAIN_GRADIENT_CLIP_DEFAULT = 5.0;
    public static final String TRAIN_VALIDATION_FRACTION = "flowsynth.train.validation-fraction";
    public static final double TRAIN_VALIDATION_FRACTION_DEFAULT = 0.1;
    public static final String TRAIN_MAX_VALIDATION_ROWS = "flowsynth.train.max-validation-rows";
    public static final int TRAIN_MAX_VALIDATION_ROWS_DEFAULT = 50_000;
    /** Most validation rows scored per round; 0 = auto ({@link AutoSizing#roundValidationRows}). */
    public static final String TRAIN_ROUND_VALIDATION_ROWS = "flowsynth.train.round-validation-rows";
    public static final int TRAIN_ROUND_VALIDATION_ROWS_DEFAULT = 0;
    public static final String TRAIN_PARTITIONS = "flowsynth.train.partitions";
    public static final int TRAIN_PARTITIONS_DEFAULT = 0;
    public static final String TRAIN_PATIENCE = "flowsynth.train.patience";
    public static final int TRAIN_PATIENCE_DEFAULT = 8;

    public static final String TRAIN_CALIBRATION_KNOTS = "flowsynth.train.calibration-knots";
    public static final int TRAIN_CALIBRATION_KNOTS_DEFAULT = 500;
    public static final String TRAIN_CALIBRATION_ROWS = "flowsynth.train.calibration-rows";
    public static final int TRAIN_CALIBRATION_ROWS_DEFAULT = 200_000;
    /** Cap of calibration rows × features (the flow samples and the training rows each hold that many floats). */
    public static final String TRAIN_CALIBRATION_MAX_VALUES = "flowsynth.train.calibration-max-values";
    public static final long TRAIN_CALIBRATION_MAX_VALUES_DEFAULT = 25_000_000L;
    /** Discrete features' calibration knots only at their decoding boundaries (false: quantile knots everywhere). */
    public static final String TRAIN_CALIBRATION_EDGES = "flowsynth.train.calibration-edges";
    public static final boolean TRAIN_CALIBRATION_EDGES_DEFAULT = true;

    public static final String TRAIN_CHECKPOINT = "flowsynth.train.checkpoint";
    public static final boolean TRAIN_CHECKPOINT_DEFAULT = true;
    public static final String TRAIN_AVERAGING_FREQUENCY = "flowsynth.train.averaging-frequency";
    public static final int TRAIN_AVERAGING_FREQUENCY_DEFAULT = 0;
    public static final String TRAIN_WORKER_PREFETCH = "flowsynth.train.worker-prefetch";
    public static final int TRAIN_WORKER_PREFETCH_DEFAULT = 2;
    public static final String TRAIN_SAVE_UPDATER = "flowsynth.train.save-updater";
    public static final boolean TRAIN_SAVE_UPDATER_DEFAULT = true;
    public static final String TRAIN_REPARTITION = "flowsynth.train.repartition";
    public static final String TRAIN_REPARTITION_DEFAULT = "num-partitions-workers-differs";

    public static final String ENCODE_MAX_DISCRETE_VALUES = "flowsynth.encode.max-discrete-values";
    public static final int ENCODE_MAX_DISCRETE_VALUES_DEFAULT = 20;
    public static final String ENCODE_MAX_CATEGORIES = "flowsynth.encode.max-categories";
    public static final int ENCODE_MAX_CATEGORIES_DEFAULT = 5000;
    public static final String ENCODE_QUANTILES = "flowsynth.encode.quantiles";
    public static final int ENCODE_QUANTILES_DEFAULT = 500;
    public static final String ENCODE_DROP_UNSUPPORTED = "flowsynth.encode.drop-unsupported";
    public static final boolean ENCODE_DROP_UNSUPPORTED_DEFAULT = false;
    public static final String ENCODE_MIN_CATEGORY_FREQUENCY = "flowsynth.encode.min-category-frequency";
    public static final double ENCODE_MIN_CATEGORY_FREQUENCY_DEFAULT = 0.0;
    public static final String ENCODE_ONEHOT_MAX_CATEGORIES = "flowsynth.encode.onehot-max-categories";
    public static final int ENCODE_ONEHOT_MAX_CATEGORIES_DEFAULT = 0;
    public static final String ENCODE_MAX_MODES = "flowsynth.encode.max-modes";
    public static final int ENCODE_MAX_MODES_DEFAULT = 5;
    /**
     * Lay a categorical column's categories out in the order of their mean in the ordered column they explain most
     * (CategoryOrder); false = by frequency.
     */
    public static final String ENCODE_ORDER_CATEGORIES = "flowsynth.encode.order-categories";
    public static final boolean ENCODE_ORDER_CATEGORIES_DEFAULT = true;
    /**
     * A nested categorical column whose categories recur under several parent values gets one interval per
     * (category, parent value) pair seen in at least min-category-count rows (CategoricalEncoder's split layout);
     * false = one interval per category in its modal parent's block.
     */
    public static final String ENCODE_SPLIT_NESTED = "flowsynth.encode.split-nested";
    public static final boolean ENCODE_SPLIT_NESTED_DEFAULT = true;
    /**
     * A numeric column's null rows get a value feature drawn from a linear-Gaussian model of the row's other features
     * (NullImputation) instead of independent noise; false = noise. Not under differential privacy.
     */
    public static final String ENCODE_IMPUTE_NULLS = "flowsynth.encode.impute-nulls";
    public static final boolean ENCODE_IMPUTE_NULLS_DEFAULT = true;
    public static final String ENCODE_DETECT_IDS = "flowsynth.encode.detect-ids";
    public static final boolean ENCODE_DETECT_IDS_DEFAULT = true;
    public static final String ENCODE_BOUNDS = "flowsynth.encode.bounds";
    public static final String ENCODE_BOUNDS_DEFAULT = "observed";
    public static final String ENCODE_BOUNDS_QUANTILE = "flowsynth.encode.bounds-quantile";
    public static final double ENCODE_BOUNDS_QUANTILE_DEFAULT = 0.001;
    public static final String PRIVACY_EXTREME_K = "flowsynth.privacy.extreme-k";
    public static final int PRIVACY_EXTREME_K_DEFAULT = 5;

    public static final String FIT_MIN_ROWS = "flowsynth.fit.min-rows";
    public static final int FIT_MIN_ROWS_DEFAULT = 100;

    public static final String PRIVACY_PROTECT_RARE_CATEGORIES = "flowsynth.privacy.protect-rare-categories";
    public static final boolean PRIVACY_PROTECT_RARE_CATEGORIES_DEFAULT = true;
    public static final String PRIVACY_MIN_CATEGORY_COUNT = "flowsynth.privacy.min-category-count";
    public static final int PRIVACY_MIN_CATEGORY_COUNT_DEFAULT = 5;

    public static final String SAMPLE_BATCH_SIZE = "flowsynth.sample.batch-size";
    public static final int SAMPLE_BATCH_SIZE_DEFAULT = 8192;
    public static final String SAMPLE_TARGET_FILE_MB = "flowsynth.sample.target-file-mb";
    public static final double SAMPLE_TARGET_FILE_MB_DEFAULT = 128;
    public static final String SAMPLE_COMPRESSION = "flowsynth.sample.compression";
    public static final String SAMPLE_COMPRESSION_DEFAULT = "snappy";
    /**
     * Plain sampling of a model with (automatic) context columns draws their levels from a low-discrepancy sequence
     * over the synthetic rows' numbers, so the table holds each stored combination in its proportion; false =
     * independent draws. Read from the model's stored configuration when it samples.
     */
    public static final String SAMPLE_STRATIFY_CONTEXT = "flowsynth.sample.stratify-context";
    public static final boolean SAMPLE_STRATIFY_CONTEXT_DEFAULT = true;

    public static final String REPORT_MAX_ROWS = "flowsynth.report.max-rows";
    public static final int REPORT_MAX_ROWS_DEFAULT = 50_000;
    public static final String REPORT_MAX_PAIRS = "flowsynth.report.max-pairs";
    public static final int REPORT_MAX_PAIRS_DEFAULT = 2000;
    public static final String REPORT_HOLDOUT_FRACTION = "flowsynth.report.holdout-fraction";
    public static final double REPORT_HOLDOUT_FRACTION_DEFAULT = 0.2;
    public static final String REPORT_PRIVACY_ROWS = "flowsynth.report.privacy-rows";
    public static final int REPORT_PRIVACY_ROWS_DEFAULT = 3000;
    public static final String REPORT_ATTACK_TARGETS = "flowsynth.report.attack-targets";
    public static final int REPORT_ATTACK_TARGETS_DEFAULT = 1000;

    /** Conditional model: the context columns (comma-separated, empty = an unconditional model). */
    public static final String CONDITION_COLUMNS = "flowsynth.condition.columns";
    public static final String CONDITION_COLUMNS_DEFAULT = "";
    /** Conditional model: α of context-balanced training (0 = uniform rows, 1 = levels balanced; ContextBalance). */
    public static final String CONDITION_BALANCE = "flowsynth.condition.balance";
    public static final double CONDITION_BALANCE_DEFAULT = 0.5;
    /**
     * Automatic context: without condition columns, a layered flow learns p(rest | the low-cardinality categorical
     * columns) with their joint from counts (AutoContext); false = one flow over every column.
     */
    public static final String CONDITION_AUTO = "flowsynth.condition.auto";
    public static final boolean CONDITION_AUTO_DEFAULT = true;
    /**
     * Automatic context: a categorical column also joins when the rows its rare combinations leave out (at most 3 %)
     * are at most 1 / this of the dependence it adds (AutoContext); 0 = the 99 % coverage rule alone.
     */
    public static final String CONDITION_AUTO_DEPENDENCE_RATIO = "flowsynth.condition.auto-dependence-ratio";
    public static final int CONDITION_AUTO_DEPENDENCE_RATIO_DEFAULT = 20;
    /**
     * Automatic context: a categorical column that cannot join the joint may join as a child of one chosen column,
     * drawn given its level from their pairs' counts (AutoContext); false = the joint alone.
     */
    public static final String CONDITION_AUTO_CHILDREN = "flowsynth.condition.auto-children";
    public static final boolean CONDITION_AUTO_CHILDREN_DEFAULT = true;
    /** Report: per-condition fidelity for this many most frequent context values. */
    public static final String REPORT_CONDITION_TOP = "flowsynth.report.condition-top";
    public static final int REPORT_CONDITION_TOP_DEFAULT = 10;

    public static final String PRIVACY_DROP_EXACT_COPIES = "flowsynth.privacy.drop-exact-copies";
    public static final boolean PRIVACY_DROP_EXACT_COPIES_DEFAULT = true;
    /** Differential privacy (issue 21): "off" or ε &gt; 0 for the whole fit. */
    public static final String PRIVACY_EPSILON = "flowsynth.privacy.epsilon";
    public static final String PRIVACY_EPSILON_DEFAULT = "off";
    /** "auto" (1/n², n the training rows) or δ in (0, 0.01]. */
    public static final String PRIVACY_DELTA = "flowsynth.privacy.delta";
    public static final String PRIVACY_DELTA_DEFAULT = "auto";
    /**
     * Share of ε and δ spent on the encoders' statistics (the rest goes to the DP copula and DP-SGD): a number in
     * (0, 0.99], or "auto" (chosen from the released row count and the column count before any other release:
     * {@code io.flowsynth.privacy.DpSgdPlan#autoEncoderShare}).
     */
    public static final String PRIVACY_ENCODER_SHARE = "flowsynth.privacy.encoder-share";
    public static final String PRIVACY_ENCODER_SHARE_DEFAULT = "auto";
    /** DP-SGD's per-example gradient clip norm C. */
    public static final String PRIVACY_COPULA_SHARE = "flowsynth.privacy.copula-share";
    public static final double PRIVACY_COPULA_SHARE_DEFAULT = 1.0;
    public static final String PRIVACY_MAX_STEPS = "flowsynth.privacy.max-steps";
    public static final long PRIVACY_MAX_STEPS_DEFAULT = 50;
    public static final String PRIVACY_MAX_GRAD_NORM = "flowsynth.privacy.max-grad-norm";
    public static final double PRIVACY_MAX_GRAD_NORM_DEFAULT = 1.0;
    /**
     * Seed of DP-SGD's Poisson sampling and Gaussian noise: "random" (drawn from {@code SecureRandom} per fit) or a
     * number (a reproducible fit; keep it secret: whoever knows it can recompute the noise). Never stored in a model.
     */
    public static final String PRIVACY_NOISE_SEED = "flowsynth.privacy.noise-seed";
    public static final String PRIVACY_NOISE_SEED_DEFAULT = "random";
    public static final String PRIVACY_COPY_REDRAWS = "flowsynth.privacy.copy-redraws";
    public static final int PRIVACY_COPY_REDRAWS_DEFAULT = 20;

    /** Prefix of per-column keys: {@code flowsynth.columns.<name>.kind} and {@code flowsynth.columns.<name>.encoder}. */
    public static final String COLUMNS_PREFIX = "flowsynth.columns.";
    /**
     * Per-column setting {@code flowsynth.columns.<name>.bounds = lo,hi} (numbers, or dates/timestamps as yyyy-MM-dd
     * [HH:mm:ss] UTC): public value bounds of a numeric, date or timestamp column, used under differential privacy
     * instead of a DP range estimate (values are clamped to them). No default (a DP range is estimated).
     */
    public static final String COLUMN_BOUNDS = "bounds";

    /** Every fixed key with its default, as text, in documentation order. */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(SEED, String.valueOf(SEED_DEFAULT));
        d.put(FLOW_TYPE, FLOW_TYPE_DEFAULT);
        d.put(FLOW_LAYERS, String.valueOf(FLOW_LAYERS_DEFAULT));
        d.put(FLOW_HIDDEN_FEATURES, String.valueOf(FLOW_HIDDEN_FEATURES_DEFAULT));
        d.put(FLOW_HIDDEN_LAYERS, String.valueOf(FLOW_HIDDEN_LAYERS_DEFAULT));
        d.put(TRAIN_ENGINE, TRAIN_ENGINE_DEFAULT);
        d.put(TRAIN_GRADIENT, TRAIN_GRADIENT_DEFAULT);
        d.put(FLOW_BINS, String.valueOf(FLOW_BINS_DEFAULT));
        d.put(FLOW_TAIL_BOUND, String.valueOf(FLOW_TAIL_BOUND_DEFAULT));
        d.put(FLOW_ACTIVATION, FLOW_ACTIVATION_DEFAULT);
        d.put(FLOW_AFFINE_SCALE, FLOW_AFFINE_SCALE_DEFAULT);
        d.put(FLOW_COPULA_INIT, String.valueOf(FLOW_COPULA_INIT_DEFAULT));
        d.put(TRAIN_EPOCHS, String.valueOf(TRAIN_EPOCHS_DEFAULT));
        d.put(TRAIN_STEPS, String.valueOf(TRAIN_STEPS_DEFAULT));
        d.put(TRAIN_MIN_DELTA, String.valueOf(TRAIN_MIN_DELTA_DEFAULT));
        d.put(TRAIN_MAX_MINUTES, String.valueOf(TRAIN_MAX_MINUTES_DEFAULT));
        d.put(TRAIN_BATCH_SIZE, String.valueOf(TRAIN_BATCH_SIZE_DEFAULT));
        d.put(TRAIN_LEARNING_RATE, String.valueOf(TRAIN_LEARNING_RATE_DEFAULT));
        d.put(TRAIN_LEARNING_RATE_DECAY, String.valueOf(TRAIN_LEARNING_RATE_DECAY_DEFAULT));
        d.put(TRAIN_LOCAL_STEPS, String.valueOf(TRAIN_LOCAL_STEPS_DEFAULT));
        d.put(TRAIN_GRADIENT_CLIP, String.valueOf(TRAIN_GRADIENT_CLIP_DEFAULT));
        d.put(TRAIN_VALIDATION_FRACTION, String.valueOf(TRAIN_VALIDATION_FRACTION_DEFAULT));
        d.put(TRAIN_MAX_VALIDATION_ROWS, String.valueOf(TRAIN_MAX_VALIDATION_ROWS_DEFAULT));
        d.put(TRAIN_ROUND_VALIDATION_ROWS, String.valueOf(TRAIN_ROUND_VALIDATION_ROWS_DEFAULT));
        d.put(TRAIN_PARTITIONS, String.valueOf(TRAIN_PARTITIONS_DEFAULT));
        d.put(TRAIN_PATIENCE, String.valueOf(TRAIN_PATIENCE_DEFAULT));
        d.put(TRAIN_CALIBRATION_KNOTS, String.valueOf(TRAIN_CALIBRATION_KNOTS_DEFAULT));
        d.put(TRAIN_CALIBRATION_ROWS, String.valueOf(TRAIN_CALIBRATION_ROWS_DEFAULT));
        d.put(TRAIN_CALIBRATION_MAX_VALUES, String.valueOf(TRAIN_CALIBRATION_MAX_VALUES_DEFAULT));
        d.put(TRAIN_CALIBRATION_EDGES, String.valueOf(TRAIN_CALIBRATION_EDGES_DEFAULT));
        d.put(TRAIN_CHECKPOINT, String.valueOf(TRAIN_CHECKPOINT_DEFAULT));
        d.put(TRAIN_AVERAGING_FREQUENCY, String.valueOf(TRAIN_AVERAGING_FREQUENCY_DEFAULT));
        d.put(TRAIN_WORKER_PREFETCH, String.valueOf(TRAIN_WORKER_PREFETCH_DEFAULT));
        d.put(TRAIN_SAVE_UPDATER, String.valueOf(TRAIN_SAVE_UPDATER_DEFAULT));
        d.put(TRAIN_REPARTITION, TRAIN_REPARTITION_DEFAULT);
        d.put(ENCODE_MAX_DISCRETE_VALUES, String.valueOf(ENCODE_MAX_DISCRETE_VALUES_DEFAULT));
        d.put(ENCODE_MAX_CATEGORIES, String.valueOf(ENCODE_MAX_CATEGORIES_DEFAULT));
        d.put(ENCODE_QUANTILES, String.valueOf(ENCODE_QUANTILES_DEFAULT));
        d.put(ENCODE_DROP_UNSUPPORTED, String.valueOf(ENCODE_DROP_UNSUPPORTED_DEFAULT));
        d.put(ENCODE_MIN_CATEGORY_FREQUENCY, String.valueOf(ENCODE_MIN_CATEGORY_FREQUENCY_DEFAULT));
        d.put(ENCODE_ONEHOT_MAX_CATEGORIES, String.valueOf(ENCODE_ONEHOT_MAX_CATEGORIES_DEFAULT));
        d.put(ENCODE_MAX_MODES, String.valueOf(ENCODE_MAX_MODES_DEFAULT));
        d.put(ENCODE_DETECT_IDS, String.valueOf(ENCODE_DETECT_IDS_DEFAULT));
        d.put(ENCODE_ORDER_CATEGORIES, String.valueOf(ENCODE_ORDER_CATEGORIES_DEFAULT));
        d.put(ENCODE_SPLIT_NESTED, String.valueOf(ENCODE_SPLIT_NESTED_DEFAULT));
        d.put(ENCODE_IMPUTE_NULLS, String.valueOf(ENCODE_IMPUTE_NULLS_DEFAULT));
        d.put(ENCODE_BOUNDS, ENCODE_BOUNDS_DEFAULT);
        d.put(ENCODE_BOUNDS_QUANTILE, String.valueOf(ENCODE_BOUNDS_QUANTILE_DEFAULT));
        d.put(PRIVACY_EXTREME_K, String.valueOf(PRIVACY_EXTREME_K_DEFAULT));
        d.put(FIT_MIN_ROWS, String.valueOf(FIT_MIN_ROWS_DEFAULT));
        d.put(PRIVACY_PROTECT_RARE_CATEGORIES, String.valueOf(PRIVACY_PROTECT_RARE_CATEGORIES_DEFAULT));
        d.put(PRIVACY_MIN_CATEGORY_COUNT, String.valueOf(PRIVACY_MIN_CATEGORY_COUNT_DEFAULT));
        d.put(SAMPLE_BATCH_SIZE, String.valueOf(SAMPLE_BATCH_SIZE_DEFAULT));
        d.put(SAMPLE_TARGET_FILE_MB, String.valueOf(SAMPLE_TARGET_FILE_MB_DEFAULT));
        d.put(SAMPLE_COMPRESSION, SAMPLE_COMPRESSION_DEFAULT);
        d.put(SAMPLE_STRATIFY_CONTEXT, String.valueOf(SAMPLE_STRATIFY_CONTEXT_DEFAULT));
        d.put(REPORT_MAX_ROWS, String.valueOf(REPORT_MAX_ROWS_DEFAULT));
        d.put(REPORT_MAX_PAIRS, String.valueOf(REPORT_MAX_PAIRS_DEFAULT));
        d.put(REPORT_HOLDOUT_FRACTION, String.valueOf(REPORT_HOLDOUT_FRACTION_DEFAULT));
        d.put(REPORT_PRIVACY_ROWS, String.valueOf(REPORT_PRIVACY_ROWS_DEFAULT));
        d.put(REPORT_ATTACK_TARGETS, String.valueOf(REPORT_ATTACK_TARGETS_DEFAULT));
        d.put(REPORT_CONDITION_TOP, String.valueOf(REPORT_CONDITION_TOP_DEFAULT));
        d.put(CONDITION_COLUMNS, CONDITION_COLUMNS_DEFAULT);
        d.put(CONDITION_BALANCE, String.valueOf(CONDITION_BALANCE_DEFAULT));
        d.put(CONDITION_AUTO, String.valueOf(CONDITION_AUTO_DEFAULT));
        d.put(CONDITION_AUTO_DEPENDENCE_RATIO, String.valueOf(CONDITION_AUTO_DEPENDENCE_RATIO_DEFAULT));
        d.put(CONDITION_AUTO_CHILDREN, String.valueOf(CONDITION_AUTO_CHILDREN_DEFAULT));
        d.put(PRIVACY_DROP_EXACT_COPIES, String.valueOf(PRIVACY_DROP_EXACT_COPIES_DEFAULT));
        d.put(PRIVACY_COPY_REDRAWS, String.valueOf(PRIVACY_COPY_REDRAWS_DEFAULT));
        d.put(PRIVACY_EPSILON, PRIVACY_EPSILON_DEFAULT);
        d.put(PRIVACY_DELTA, PRIVACY_DELTA_DEFAULT);
        d.put(PRIVACY_ENCODER_SHARE, PRIVACY_ENCODER_SHARE_DEFAULT);
        d.put(PRIVACY_COPULA_SHARE, String.valueOf(PRIVACY_COPULA_SHARE_DEFAULT));
        d.put(PRIVACY_MAX_STEPS, String.valueOf(PRIVACY_MAX_STEPS_DEFAULT));
        d.put(PRIVACY_MAX_GRAD_NORM, String.valueOf(PRIVACY_MAX_GRAD_NORM_DEFAULT));
        d.put(PRIVACY_NOISE_SEED, PRIVACY_NOISE_SEED_DEFAULT);
        DEFAULTS = Collections.unmodifiableMap(d);
    }
}
