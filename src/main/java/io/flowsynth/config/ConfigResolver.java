package io.flowsynth.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Resolves the configuration of a job. Precedence, highest first:
 * <ol>
 *   <li>{@code --set key=value} options on the command line;</li>
 *   <li>the job file given with {@code --conf FILE} (Java properties syntax: {@code key = value}, {@code #} comments);</li>
 *   <li>the site defaults file {@code conf/flowsynth-defaults.conf} (or {@code $FLOWSYNTH_CONF_DIR/flowsynth-defaults.conf}),
 *       when the launcher finds one;</li>
 *   <li>the built-in defaults of {@link ConfigKeys}.</li>
 * </ol>
 * Every key must be a known key or a per-column key {@code flowsynth.columns.<name>.kind} or
 * {@code flowsynth.columns.<name>.encoder}; an unknown key is an
 * error naming it (a typo must not be silently ignored).
 */
public final class ConfigResolver {
    private static final List<String> COLUMN_SETTINGS = List.of("kind", "encoder");

    private ConfigResolver() {
    }

    /**
     * @param siteDefaults text of the site defaults file, or null
     * @param jobFile      text of the job file, or null
     * @param jobFileName  name of the job file for error messages
     * @param sets         the {@code --set} pairs in command-line order
     */
    public static FlowsynthConfig resolve(String siteDefaults, String jobFile, String jobFileName, Map<String, String> sets) {
        return resolveWithSources(siteDefaults, jobFile, jobFileName, sets).config();
    }

    /** A resolved configuration and, per key, where its value came from. */
    public record Resolved(FlowsynthConfig config, Map<String, String> sources) {
    }

    /** Source of a value that no file or {@code --set} changed. */
    public static final String SOURCE_DEFAULT = "default";
    /** Source of a value from the site defaults file. */
    public static final String SOURCE_SITE = "flowsynth-defaults.conf";
    /** Source of a value from a {@code --set} option. */
    public static final String SOURCE_SET = "--set";

    /**
     * {@link #resolve} that also says where each value came from: {@link #SOURCE_DEFAULT}, {@link #SOURCE_SITE},
     * {@code --conf FILE} or {@link #SOURCE_SET} (the last one that set it). The site file repeats every built-in
     * default to document it; only its values that differ from the built-in ones count as {@link #SOURCE_SITE}.
     */
    public static Resolved resolveWithSources(String siteDefaults, String jobFile, String jobFileName,
                                              Map<String, String> sets) {
        Map<String, String> values = new LinkedHashMap<>(ConfigKeys.DEFAULTS);
        Map<String, String> sources = new LinkedHashMap<>();
        ConfigKeys.DEFAULTS.keySet().forEach(k -> sources.put(k, SOURCE_DEFAULT));
        if (siteDefaults != null) {
            merge(values, parse(siteDefaults, SOURCE_SITE), SOURCE_SITE, sources, SOURCE_SITE);
        }
        if (jobFile != null) {
            merge(values, parse(jobFile, jobFileName), jobFileName, sources, "--conf " + jobFileName);
        }
        merge(values, sets, SOURCE_SET, sources, SOURCE_SET);
        FlowsynthConfig config = new FlowsynthConfig(values);
        validate(config);
        return new Resolved(config, java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sources)));
    }

    public static Map<String, String> parse(String text, String source) {
        Properties p = new Properties();
        try (Reader r = new StringReader(text)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("Config file " + source + ": cannot parse (" + e.getMessage() + ")");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            out.put(k.trim(), p.getProperty(k).trim());
        }
        return out;
    }

    private static void merge(Map<String, String> into, Map<String, String> from, String source,
                              Map<String, String> sources, String sourceName) {
        for (Map.Entry<String, String> e : from.entrySet()) {
            String key = e.getKey();
            if (!ConfigKeys.DEFAULTS.containsKey(key) && !isColumnKey(key)) {
                throw new BadInputException("Unknown configuration key '" + key + "' in " + source
                        + " (known keys: see conf/flowsynth-defaults.conf)");
            }
            into.put(key, e.getValue());
            boolean builtIn = sourceName.equals(SOURCE_SITE)
                    && e.getValue().trim().equals(ConfigKeys.DEFAULTS.get(key));
            sources.put(key, builtIn ? SOURCE_DEFAULT : sourceName);
        }
    }

    private static boolean isColumnKey(String key) {
        if (!key.startsWith(ConfigKeys.COLUMNS_PREFIX)) {
            return false;
        }
        int dot = key.lastIndexOf('.');
        return dot > ConfigKeys.COLUMNS_PREFIX.length() && COLUMN_SETTINGS.contains(key.substring(dot + 1));
    }

    private static void oneOf(FlowsynthConfig c, String key, List<String> allowed) {
        String v = c.getString(key);
        if (!allowed.contains(v)) {
            throw new BadInputException("Configuration " + key + ": unknown value '" + v + "' (supported: "
                    + String.join(", ", allowed) + ")");
        }
    }
    /** Flow families (see {@code io.flowsynth.flow.FlowSpec}). */
    static final List<String> FLOW_TYPES = List.of("realnvp", "maf", "spline", "linear");
    /** Spline bins: the minimal bin width 1e−3 needs K·1e−3 &lt; 1; beyond a few hundred bins only cost grows. */
    static final int MAX_BINS = 256;

    /** Checks every value once, so a bad value fails before any Spark work starts. */
    private static void validate(FlowsynthConfig c) {
        c.getLong(ConfigKeys.SEED, Long.MIN_VALUE);
        String type = c.getString(ConfigKeys.FLOW_TYPE);
        if (!FLOW_TYPES.contains(type)) {
            throw new BadInputException("Configuration " + ConfigKeys.FLOW_TYPE + ": unknown flow type '" + type
                    + "' (supported: " + String.join(", ", FLOW_TYPES) + ")");
        }
        c.getInt(ConfigKeys.FLOW_LAYERS, 0);
        c.hiddenFeatures(1, 1);
        c.getInt(ConfigKeys.FLOW_HIDDEN_LAYERS, 1);
        oneOf(c, ConfigKeys.TRAIN_ENGINE, List.of("tree-aggregate", "dl4j-spark"));
        oneOf(c, ConfigKeys.TRAIN_GRADIENT, List.of("analytic", "samediff"));
        if (c.getInt(ConfigKeys.FLOW_BINS, 2) > MAX_BINS) {
            throw new BadInputException("Configuration " + ConfigKeys.FLOW_BINS + ": at most " + MAX_BINS
                    + " bins, got " + c.getInt(ConfigKeys.FLOW_BINS, 2));
        }
        c.getDouble(ConfigKeys.FLOW_TAIL_BOUND, 1e-3, 1e3);
        oneOf(c, ConfigKeys.FLOW_ACTIVATION, io.flowsynth.flow.FlowSpec.ACTIVATIONS);
        oneOf(c, ConfigKeys.FLOW_AFFINE_SCALE, io.flowsynth.flow.FlowSpec.AFFINE_SCALES);
        c.getBoolean(ConfigKeys.FLOW_COPULA_INIT);
        c.getInt(ConfigKeys.TRAIN_EPOCHS, 0);
        c.getLong(ConfigKeys.TRAIN_STEPS, 1);
        c.getDouble(ConfigKeys.TRAIN_MIN_DELTA, 0, Double.MAX_VALUE);
        c.getDouble(ConfigKeys.TRAIN_MAX_MINUTES, 0, Double.MAX_VALUE);
        c.getDouble(ConfigKeys.TRAIN_LEARNING_RATE_DECAY, 1e-6, 1);
        c.getBoolean(ConfigKeys.TRAIN_CHECKPOINT);
        c.getInt(ConfigKeys.TRAIN_AVERAGING_FREQUENCY, 0);
        c.getInt(ConfigKeys.TRAIN_WORKER_PREFETCH, 0);
        c.getBoolean(ConfigKeys.TRAIN_SAVE_UPDATER);
        oneOf(c, ConfigKeys.TRAIN_REPARTITION, List.of("always", "never", "num-partitions-workers-differs"));
        c.getInt(ConfigKeys.TRAIN_BATCH_SIZE, 1);
        c.getDouble(ConfigKeys.TRAIN_LEARNING_RATE, 1e-9, 10);
        c.getInt(ConfigKeys.TRAIN_LOCAL_STEPS, 0);
        c.getDouble(ConfigKeys.TRAIN_GRADIENT_CLIP, 0, Double.MAX_VALUE);
        c.getDouble(ConfigKeys.TRAIN_VALIDATION_FRACTION, 0, 0.5);
        c.getInt(ConfigKeys.TRAIN_MAX_VALIDATION_ROWS, 0);
        c.getInt(ConfigKeys.TRAIN_PARTITIONS, 0);
        c.getInt(ConfigKeys.TRAIN_PATIENCE, 0);
        c.getInt(ConfigKeys.ENCODE_MAX_DISCRETE_VALUES, 0);
        c.getInt(ConfigKeys.ENCODE_MAX_CATEGORIES, 1);
        c.getInt(ConfigKeys.ENCODE_QUANTILES, 2);
        c.getBoolean(ConfigKeys.ENCODE_DROP_UNSUPPORTED);
        c.getDouble(ConfigKeys.ENCODE_MIN_CATEGORY_FREQUENCY, 0, 0.999999);
        c.getInt(ConfigKeys.ENCODE_ONEHOT_MAX_CATEGORIES, 0);
        c.getInt(ConfigKeys.ENCODE_MAX_MODES, 1);
        c.getBoolean(ConfigKeys.ENCODE_DETECT_IDS);
        c.getInt(ConfigKeys.FIT_MIN_ROWS, 1);
        c.getBoolean(ConfigKeys.PRIVACY_PROTECT_RARE_CATEGORIES);
        c.getInt(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT, 1);
        c.getInt(ConfigKeys.SAMPLE_BATCH_SIZE, 1);
        c.getDouble(ConfigKeys.SAMPLE_TARGET_FILE_MB, 1e-3, 1e6);
        oneOf(c, ConfigKeys.SAMPLE_COMPRESSION, List.of("snappy", "zstd", "gzip", "lz4", "uncompressed"));
        c.getInt(ConfigKeys.REPORT_MAX_ROWS, 1);
        c.getDouble(ConfigKeys.REPORT_HOLDOUT_FRACTION, 0, 0.5);
        c.getInt(ConfigKeys.REPORT_PRIVACY_ROWS, 1);
        c.getInt(ConfigKeys.REPORT_MAX_PAIRS, 1);
        for (Map.Entry<String, String> e : c.columnSettings("kind").entrySet()) {
            if (!io.flowsynth.encode.EncodeOptions.OVERRIDE_KINDS.contains(e.getValue())) {
                throw new BadInputException("Configuration " + ConfigKeys.COLUMNS_PREFIX + e.getKey() + ".kind: unknown kind '"
                        + e.getValue() + "' (supported: " + io.flowsynth.encode.EncodeOptions.KIND_LIST + ")");
            }
        }
        for (Map.Entry<String, String> e : c.columnSettings("encoder").entrySet()) {
            if (!List.of("quantile", "mode", "frequency", "onehot").contains(e.getValue())) {
                throw new BadInputException("Configuration " + ConfigKeys.COLUMNS_PREFIX + e.getKey()
                        + ".encoder: unknown encoder '" + e.getValue() + "' (supported: quantile, mode for numeric and "
                        + "datetime columns; frequency, onehot for categorical columns)");
            }
        }
    }
}
