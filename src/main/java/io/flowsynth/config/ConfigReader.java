package io.flowsynth.config;

import io.flowsynth.error.BadInputException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the values of a resolved configuration, each with its accepted range: the only place where a
 * {@code flowsynth.*} value is parsed and its bounds are stated. A value that is malformed or out of range is a
 * {@link BadInputException} of one line naming the key, the value and what is accepted.
 */
final class ConfigReader {
    private final Map<String, String> values;

    ConfigReader(Map<String, String> values) {
        this.values = values;
    }

    String text(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("No value for configuration key " + key);
        }
        return v.trim();
    }

    /** An integer ≥ {@code min}. */
    int integer(String key, int min) {
        return integer(key, min, Integer.MAX_VALUE);
    }

    /** An integer in [{@code min}, {@code max}]. */
    int integer(String key, int min, int max) {
        long i = parseLong(key);
        if (i < min && max == Integer.MAX_VALUE) {
            throw outOfRange(key, "≥ " + min);
        }
        if (i < min || i > max) {
            throw outOfRange(key, "in [" + min + ", " + max + "]");
        }
        return (int) i;
    }

    /** 0 (off) or an integer ≥ {@code min}. */
    int offOrAtLeast(String key, int min) {
        long i = parseLong(key);
        if (i != 0 && (i < min || i > Integer.MAX_VALUE)) {
            throw outOfRange(key, "0 (off) or in [" + min + ", " + Integer.MAX_VALUE + "]");
        }
        return (int) i;
    }

    /** A long ≥ {@code min}. */
    long longAtLeast(String key, long min) {
        long i = parseLong(key);
        if (i < min) {
            throw outOfRange(key, "≥ " + min);
        }
        return i;
    }

    /** A finite number in [{@code min}, {@code max}]. */
    double number(String key, double min, double max) {
        double d = parseDouble(key);
        if (!(d >= min && d <= max)) {
            throw outOfRange(key, "in [" + format(min) + ", " + format(max) + "]");
        }
        return d;
    }

    /** A finite number in ({@code min}, {@code max}]. */
    double numberAbove(String key, double min, double max) {
        double d = parseDouble(key);
        if (!(d > min && d <= max)) {
            throw outOfRange(key, "in (" + format(min) + ", " + format(max) + "]");
        }
        return d;
    }

    /** A finite number ≥ {@code min}. */
    double numberAtLeast(String key, double min) {
        double d = parseDouble(key);
        if (!(d >= min && d <= Double.MAX_VALUE)) {
            throw outOfRange(key, "a finite number ≥ " + format(min));
        }
        return d;
    }

    boolean bool(String key) {
        String v = text(key).toLowerCase();
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new BadInputException("Configuration " + key + ": expected true or false, got '" + text(key) + "'");
    }

    String oneOf(String key, List<String> allowed) {
        String v = text(key);
        if (!allowed.contains(v)) {
            throw new BadInputException("Configuration " + key + ": unknown value '" + v + "' (supported: "
                    + String.join(", ", allowed) + ")");
        }
        return v;
    }

    /** {@link FlowsynthConfig#columnNames(String, String)} of a key's value. */
    List<String> names(String key) {
        return FlowsynthConfig.columnNames(text(key), "Configuration " + key);
    }

    /**
     * Per-column settings {@code flowsynth.columns.<name>.<setting>} for one setting (e.g. "kind"), by column name in
     * key order. Column names may contain dots; the setting is the part after the last dot.
     */
    Map<String, String> columnSettings(String setting) {
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

    BadInputException outOfRange(String key, String accepted) {
        return new BadInputException("Configuration " + key + ": must be " + accepted + ", got " + text(key));
    }

    private long parseLong(String key) {
        String v = text(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("Configuration " + key + ": expected an integer, got '" + v + "'");
        }
    }

    private double parseDouble(String key) {
        String v = text(key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("Configuration " + key + ": expected a number, got '" + v + "'");
        }
    }

    /** 0.5, 10, 0.000000001: a bound as a person writes it. */
    static String format(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
