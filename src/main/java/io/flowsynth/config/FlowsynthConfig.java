package io.flowsynth.config;

import io.flowsynth.error.BadInputException;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable, resolved configuration: every key of {@link ConfigKeys#DEFAULTS} with its value, plus per-column
 * keys, and the typed, validated options built from them once, when it is made ({@link ConfigResolver} makes it
 * before any Spark work): {@link #flow()}, {@link #train()}, {@link #encode()}, {@link #bounds()}, {@link #sample()},
 * {@link #report()}. Every bound of every key is checked there, so a bad value fails with one line naming the key, the
 * value and the accepted range ({@link BadInputException}) before a job starts, whatever command reads it.
 */
public final class FlowsynthConfig {
    private final Map<String, String> values;
    private final long seed;
    private final int fitMinRows;
    private final FlowSettings flow;
    private final TrainSettings train;
    private final EncodeOptions encode;
    private final BoundsOptions bounds;
    private final SampleSettings sample;
    private final ReportSettings report;
    private final List<String> conditionColumns;
    private final PrivacySettings privacy;
    private final double conditionBalance;
    private final boolean conditionAuto;
    private final double conditionAutoDependenceRatio;
    private final boolean conditionAutoChildren;
    private final boolean orderCategories;
    private final boolean splitNested;
    private final boolean imputeNulls;
    private final boolean stratifyContext;
    private final java.util.OptionalLong privacyNoiseSeed;
    private final Map<String, String> columnBounds;

    FlowsynthConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        ConfigReader r = new ConfigReader(this.values);
        seed = r.longAtLeast(ConfigKeys.SEED, Long.MIN_VALUE);
        flow = flow(r);
        train = train(r);
        encode = encode(r);
        bounds = new BoundsOptions(
                r.integer(ConfigKeys.PRIVACY_EXTREME_K, 0, BoundsOptions.MAX_EXTREME_K),
                r.oneOf(ConfigKeys.ENCODE_BOUNDS, List.of(BoundsOptions.OBSERVED, BoundsOptions.QUANTILE)),
                r.number(ConfigKeys.ENCODE_BOUNDS_QUANTILE, 1e-9, 0.499999));
        fitMinRows = r.integer(ConfigKeys.FIT_MIN_ROWS, 1);
        sample = new SampleSettings(
                r.integer(ConfigKeys.SAMPLE_BATCH_SIZE, 1),
                r.number(ConfigKeys.SAMPLE_TARGET_FILE_MB, 1e-3, 1e6),
                r.oneOf(ConfigKeys.SAMPLE_COMPRESSION, ConfigResolver.COMPRESSIONS),
                r.bool(ConfigKeys.PRIVACY_DROP_EXACT_COPIES),
                r.integer(ConfigKeys.PRIVACY_COPY_REDRAWS, 0));
        report = new ReportSettings(
                r.integer(ConfigKeys.REPORT_MAX_ROWS, 1),
                r.integer(ConfigKeys.REPORT_MAX_PAIRS, 1),
                r.number(ConfigKeys.REPORT_HOLDOUT_FRACTION, 0, 0.5),
                r.integer(ConfigKeys.REPORT_PRIVACY_ROWS, 1),
                r.integer(ConfigKeys.REPORT_ATTACK_TARGETS, 1),
                r.integer(ConfigKeys.REPORT_CONDITION_TOP, 1, 1000));
        conditionColumns = r.names(ConfigKeys.CONDITION_COLUMNS);
        privacy = PrivacySettings.read(r);
        conditionBalance = r.number(ConfigKeys.CONDITION_BALANCE, 0, 1);
        conditionAuto = r.bool(ConfigKeys.CONDITION_AUTO);
        conditionAutoDependenceRatio = r.number(ConfigKeys.CONDITION_AUTO_DEPENDENCE_RATIO, 0, 1e6);
        conditionAutoChildren = r.bool(ConfigKeys.CONDITION_AUTO_CHILDREN);
        orderCategories = r.bool(ConfigKeys.ENCODE_ORDER_CATEGORIES);
        splitNested = r.bool(ConfigKeys.ENCODE_SPLIT_NESTED);
        imputeNulls = r.bool(ConfigKeys.ENCODE_IMPUTE_NULLS);
        stratifyContext = r.bool(ConfigKeys.SAMPLE_STRATIFY_CONTEXT); // checked at fit: the model stores it
        privacyNoiseSeed = r.text(ConfigKeys.PRIVACY_NOISE_SEED).trim().equalsIgnoreCase("random")
                ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(r.longAtLeast(ConfigKeys.PRIVACY_NOISE_SEED, Long.MIN_VALUE));
        columnBounds = Collections.unmodifiableMap(r.columnSettings(ConfigKeys.COLUMN_BOUNDS));
    }

    /**
     * {@code flowsynth.columns.<name>.bounds} by column, as text ("lo,hi"; parsed with the column's type when the fit
     * reads the table). Used by differentially private fits; a fit without DP ignores them (with a log line).
     */
    public Map<String, String> columnBounds() {
        return columnBounds;
    }

    /**
     * A comma-separated list of column names, trimmed, in the order given; blank text is an empty list. An empty
     * entry or a name given twice is a {@link io.flowsynth.error.BadInputException} starting with {@code where} (an option or key).
     */
    public static List<String> columnNames(String text, String where) {
        if (text.isBlank()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (String part : text.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new io.flowsynth.error.BadInputException(where + ": empty column name in '" + text + "'");
            }
            if (out.contains(name)) {
                throw new io.flowsynth.error.BadInputException(where + ": column '" + name + "' is named twice");
            }
            out.add(name);
        }
        return List.copyOf(out);
    }

    public static FlowsynthConfig defaults() {
        return new FlowsynthConfig(ConfigKeys.DEFAULTS);
    }

    /** All keys and values, sorted by key (for the model's metadata). */
    public Map<String, String> asMap() {
        return values;
    }

    /** {@link ConfigKeys#SEED}. */
    public long seed() {
        return seed;
    }

    /** {@link ConfigKeys#FIT_MIN_ROWS}: fewest input rows a fit accepts. */
    public int fitMinRows() {
        return fitMinRows;
    }

    public FlowSettings flow() {
        return flow;
    }

    public TrainSettings train() {
        return train;
    }

    /**
     * The column encoders' options; {@link EncodeOptions#minCategoryCount()} is the rare-category threshold k:
     * {@code flowsynth.privacy.min-category-count} (at least 2) while {@code flowsynth.privacy.protect-rare-categories}
     * is true, else 1 (every value may be kept).
     */
    public EncodeOptions encode() {
        return encode;
    }

    public BoundsOptions bounds() {
        return bounds;
    }

    public SampleSettings sample() {
        return sample;
    }

    public ReportSettings report() {
        return report;
    }

    /**
     * {@link ConfigKeys#CONDITION_COLUMNS}: the context columns of a conditional model, in the order given (empty for
     * an unconditional model). Checked against the table by the fit.
     */
    public List<String> conditionColumns() {
        return conditionColumns;
    }

    /** {@link ConfigKeys#ENCODE_ORDER_CATEGORIES}: whether categories are laid out by what they go with. */
    public boolean orderCategories() {
        return orderCategories;
    }

    /**
     * {@link ConfigKeys#ENCODE_SPLIT_NESTED}: whether a nested column keeps one interval per (category, parent value)
     * pair.
     */
    public boolean splitNested() {
        return splitNested;
    }

    /** {@link ConfigKeys#ENCODE_IMPUTE_NULLS}: whether numeric null rows' value features are imputed. */
    public boolean imputeNulls() {
        return imputeNulls;
    }

    /**
     * {@link ConfigKeys#SAMPLE_STRATIFY_CONTEXT}: whether plain sampling draws the context levels stratified (the
     * sampler reads it from the model's stored configuration).
     */
    public boolean stratifyContext() {
        return stratifyContext;
    }

    /** {@link ConfigKeys#CONDITION_AUTO}: whether an unconditional fit conditions on its categorical columns. */
    public boolean conditionAuto() {
        return conditionAuto;
    }

    /** {@link ConfigKeys#CONDITION_AUTO_DEPENDENCE_RATIO}: ≥ 0, 0 = the coverage rule alone. */
    public double conditionAutoDependenceRatio() {
        return conditionAutoDependenceRatio;
    }

    /** {@link ConfigKeys#CONDITION_AUTO_CHILDREN}. */
    public boolean conditionAutoChildren() {
        return conditionAutoChildren;
    }

    /** {@link ConfigKeys#CONDITION_BALANCE}: α of context-balanced training, in [0, 1]. */
    public double conditionBalance() {
        return conditionBalance;
    }

    /** The differential-privacy settings ({@code flowsynth.privacy.epsilon} and friends); off by default. */
    public PrivacySettings privacy() {
        return privacy;
    }

    /**
     * {@link ConfigKeys#PRIVACY_NOISE_SEED}: the seed of DP-SGD's sampling and noise, or empty for "random" (a fresh
     * secret per fit).
     */
    public java.util.OptionalLong privacyNoiseSeed() {
        return privacyNoiseSeed;
    }

    private static FlowSettings flow(ConfigReader r) {
        String hidden = r.text(ConfigKeys.FLOW_HIDDEN_FEATURES);
        return new FlowSettings(
                FlowType.parse(r.oneOf(ConfigKeys.FLOW_TYPE,
                        Arrays.stream(FlowType.values()).map(FlowType::id).toList())),
                r.integer(ConfigKeys.FLOW_LAYERS, 0),
                hidden.equalsIgnoreCase("auto") ? 0 : r.integer(ConfigKeys.FLOW_HIDDEN_FEATURES, 0),
                r.integer(ConfigKeys.FLOW_HIDDEN_LAYERS, 1),
                r.integer(ConfigKeys.FLOW_BINS, 2, ConfigResolver.MAX_BINS),
                r.number(ConfigKeys.FLOW_TAIL_BOUND, 1e-3, 1e3),
                r.oneOf(ConfigKeys.FLOW_ACTIVATION, FlowSpec.ACTIVATIONS),
                r.oneOf(ConfigKeys.FLOW_AFFINE_SCALE, FlowSpec.AFFINE_SCALES),
                r.bool(ConfigKeys.FLOW_COPULA_INIT));
    }

    private static TrainSettings train(ConfigReader r) {
        return new TrainSettings(
                r.oneOf(ConfigKeys.TRAIN_ENGINE, List.of("tree-aggregate", "dl4j-spark")),
                r.oneOf(ConfigKeys.TRAIN_GRADIENT, List.of("analytic", "samediff")),
                r.integer(ConfigKeys.TRAIN_EPOCHS, 0),
                r.longAtLeast(ConfigKeys.TRAIN_STEPS, 1),
                r.numberAtLeast(ConfigKeys.TRAIN_MIN_DELTA, 0),
                r.numberAtLeast(ConfigKeys.TRAIN_MAX_MINUTES, 0),
                r.integer(ConfigKeys.TRAIN_BATCH_SIZE, 0),
                r.number(ConfigKeys.TRAIN_LEARNING_RATE, 1e-9, 10),
                r.number(ConfigKeys.TRAIN_LEARNING_RATE_DECAY, 1e-6, 1),
                r.integer(ConfigKeys.TRAIN_LOCAL_STEPS, 0),
                r.numberAtLeast(ConfigKeys.TRAIN_GRADIENT_CLIP, 0),
                r.number(ConfigKeys.TRAIN_VALIDATION_FRACTION, 0, 0.5),
                r.integer(ConfigKeys.TRAIN_MAX_VALIDATION_ROWS, 0),
                r.integer(ConfigKeys.TRAIN_ROUND_VALIDATION_ROWS, 0),
                r.integer(ConfigKeys.TRAIN_PARTITIONS, 0),
                r.integer(ConfigKeys.TRAIN_PATIENCE, 0),
                r.offOrAtLeast(ConfigKeys.TRAIN_CALIBRATION_KNOTS, 2),
                r.integer(ConfigKeys.TRAIN_CALIBRATION_ROWS, 2),
                r.longAtLeast(ConfigKeys.TRAIN_CALIBRATION_MAX_VALUES, 1),
                r.bool(ConfigKeys.TRAIN_CALIBRATION_EDGES),
                r.bool(ConfigKeys.TRAIN_CHECKPOINT),
                r.integer(ConfigKeys.TRAIN_AVERAGING_FREQUENCY, 0),
                r.integer(ConfigKeys.TRAIN_WORKER_PREFETCH, 0),
                r.bool(ConfigKeys.TRAIN_SAVE_UPDATER),
                r.oneOf(ConfigKeys.TRAIN_REPARTITION, List.of("always", "never", "num-partitions-workers-differs")));
    }

    private static EncodeOptions encode(ConfigReader r) {
        Map<String, String> kinds = r.columnSettings("kind");
        for (Map.Entry<String, String> e : kinds.entrySet()) {
            if (!EncodeOptions.OVERRIDE_KINDS.contains(e.getValue())) {
                throw new BadInputException("Configuration " + ConfigKeys.COLUMNS_PREFIX + e.getKey() + ".kind: unknown kind '"
                        + e.getValue() + "' (supported: " + EncodeOptions.KIND_LIST + ")");
            }
        }
        Map<String, String> encoders = r.columnSettings("encoder");
        for (Map.Entry<String, String> e : encoders.entrySet()) {
            if (!EncodeOptions.ENCODERS.contains(e.getValue())) {
                throw new BadInputException("Configuration " + ConfigKeys.COLUMNS_PREFIX + e.getKey()
                        + ".encoder: unknown encoder '" + e.getValue() + "' (supported: quantile, mode for numeric and "
                        + "datetime columns; frequency, onehot for categorical columns)");
            }
        }
        return new EncodeOptions(
                r.integer(ConfigKeys.ENCODE_MAX_DISCRETE_VALUES, 0),
                r.integer(ConfigKeys.ENCODE_MAX_CATEGORIES, 1),
                r.integer(ConfigKeys.ENCODE_QUANTILES, 2),
                EncodeOptions.QUANTILE_RELATIVE_ERROR_DEFAULT,
                r.bool(ConfigKeys.ENCODE_DROP_UNSUPPORTED),
                kinds,
                r.number(ConfigKeys.ENCODE_MIN_CATEGORY_FREQUENCY, 0, 0.999999),
                r.integer(ConfigKeys.ENCODE_ONEHOT_MAX_CATEGORIES, 0),
                r.integer(ConfigKeys.ENCODE_MAX_MODES, 1),
                r.bool(ConfigKeys.ENCODE_DETECT_IDS),
                encoders,
                minCategoryCount(r));
    }

    /**
     * The rare-category threshold k: {@code flowsynth.privacy.min-category-count} (at least 2) while
     * {@code flowsynth.privacy.protect-rare-categories} is true, else 1 (the count is still checked to be ≥ 1).
     */
    private static int minCategoryCount(ConfigReader r) {
        int k = r.integer(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT, 1);
        if (!r.bool(ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES)) {
            return 1;
        }
        if (k < 2) {
            throw new BadInputException("Configuration " + ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT + ": must be ≥ 2, got "
                    + k + " (set " + ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES + "=false to switch the protection off)");
        }
        return k;
    }
}
