package io.flowsynth.config;

import io.flowsynth.flow.FlowType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable, resolved configuration: every key of {@link ConfigKeys#DEFAULTS} with its value, plus per-column
 * keys. Typed getters validate the value and throw {@link BadInputException} naming the key when it is malformed.
 */
public final class FlowsynthConfig {
    private final Map<String, String> values;

    FlowsynthConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static FlowsynthConfig defaults() {
        return new FlowsynthConfig(ConfigKeys.DEFAULTS);
    }

    /** All keys and values, sorted by key (for the model's metadata). */
    public Map<String, String> asMap() {
        return values;
    }

    public String getString(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("No value for configuration key " + key);
        }
        return v.trim();
    }

    /**
     * The flow family ({@link ConfigKeys#FLOW_TYPE}); an unknown name is a bad-input error naming the key, the value
     * and the accepted names.
     */
    public FlowType flowType() {
        String v = getString(ConfigKeys.FLOW_TYPE);
        try {
            return FlowType.parse(v);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Configuration " + ConfigKeys.FLOW_TYPE + ": " + e.getMessage());
        }
    }

    /**
     * The conditioners' hidden width ({@link ConfigKeys#FLOW_HIDDEN_FEATURES}) for a flow of {@code features} features
     * fitted on {@code rows} rows: the configured integer, or for 0 or {@code auto} {@link AutoSizing#hiddenFeatures}.
     */
    public int hiddenFeatures(int features, long rows) {
        return AutoSizing.hiddenFeatures(hiddenFeaturesAuto() ? 0 : getInt(ConfigKeys.FLOW_HIDDEN_FEATURES, 0), rows,
                features);
    }

    /** True when the hidden width is left to {@link AutoSizing} (0 or {@code auto}). */
    public boolean hiddenFeaturesAuto() {
        String v = getString(ConfigKeys.FLOW_HIDDEN_FEATURES).trim();
        return v.equalsIgnoreCase("auto") || v.equals("0");
    }

    public int getInt(String key, int min) {
        String v = getString(key);
        try {
            int i = Integer.parseInt(v);
            if (i < min) {
                throw new BadInputException("Configuration " + key + ": must be ≥ " + min + ", got " + v);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new BadInputException("Configuration " + key + ": expected an integer, got '" + v + "'");
        }
    }

    public long getLong(String key, long min) {
        String v = getString(key);
        try {
            long i = Long.parseLong(v);
            if (i < min) {
                throw new BadInputException("Configuration " + key + ": must be ≥ " + min + ", got " + v);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new BadInputException("Configuration " + key + ": expected an integer, got '" + v + "'");
        }
    }

    /** A finite double in [min, max]. */
    public double getDouble(String key, double min, double max) {
        String v = getString(key);
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("Configuration " + key + ": expected a number, got '" + v + "'");
        }
        if (!(d >= min && d <= max)) {
            throw new BadInputException("Configuration " + key + ": must be in [" + min + ", " + max + "], got " + v);
        }
        return d;
    }

    public boolean getBoolean(String key) {
        String v = getString(key).toLowerCase();
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new BadInputException("Configuration " + key + ": expected true or false, got '" + v + "'");
    }

    /**
     * Per-column settings {@code flowsynth.columns.<name>.<setting>} for one setting (e.g. "kind"), by column name.
     * Column names may contain dots; the setting is the part after the last dot.
     */
    public Map<String, String> columnSettings(String setting) {
        Map<String, String> out = new LinkedHashMap<>();
        String suffix = "." + setting;
        for (Map.Entry<String, String> e : values.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(ConfigKeys.COLUMNS_PREFIX) && k.endsWith(suffix)) {
                String column = k.substring(ConfigKeys.COLUMNS_PREFIX.length(), k.length() - suffix.length());
                if (!column.isEmpty()) {
                    out.put(column, e.getValue().trim());
                }
            }
        }
        return out;
    }
}
