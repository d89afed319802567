package io.flowsynth.encode;

import io.flowsynth.config.BadInputException;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * Options of the column encoders (validated, immutable). Keys are the config names under {@code flowsynth.encode.}.
 *
 * @param maxDiscreteValues     integer columns with at most this many distinct values are categorical
 * @param maxCategories         categories kept per categorical column; the rest share one "other" interval, whose
 *                              decoding samples among up to this many further rare values
 * @param quantiles             knots of the quantile-normal encoding (≥ 2, including minimum and maximum)
 * @param quantileRelativeError relative error of Spark's approximate quantiles (0 = exact, expensive)
 * @param dropUnsupported       drop columns of unsupported types (with a warning) instead of failing
 * @param kindOverrides         column → {@code continuous | integer | categorical | datetime | ignore}; {@code ignore}
 *                              drops the column from the encoder, and the synthetic table has it as all nulls
 */
public record EncodeOptions(int maxDiscreteValues, int maxCategories, int quantiles, double quantileRelativeError,
                            boolean dropUnsupported, Map<String, String> kindOverrides) implements Serializable {

    public static final String MAX_DISCRETE_VALUES = "flowsynth.encode.max-discrete-values";
    public static final int MAX_DISCRETE_VALUES_DEFAULT = 20;
    public static final String MAX_CATEGORIES = "flowsynth.encode.max-categories";
    public static final int MAX_CATEGORIES_DEFAULT = 1000;
    public static final String QUANTILES = "flowsynth.encode.quantiles";
    public static final int QUANTILES_DEFAULT = 500;
    public static final String QUANTILE_RELATIVE_ERROR = "flowsynth.encode.quantile-relative-error";
    public static final double QUANTILE_RELATIVE_ERROR_DEFAULT = 1e-3;
    public static final String DROP_UNSUPPORTED = "flowsynth.encode.drop-unsupported";
    public static final boolean DROP_UNSUPPORTED_DEFAULT = false;
    /** Prefix of per-column kind overrides: {@code flowsynth.encode.kind.<column>=categorical}. */
    public static final String KIND_OVERRIDE_PREFIX = "flowsynth.encode.kind.";

    public static final String CONTINUOUS = "continuous";
    public static final String INTEGER = "integer";
    public static final String CATEGORICAL = "categorical";
    public static final String DATETIME = "datetime";
    public static final String IGNORE = "ignore";
    public static final Set<String> OVERRIDE_KINDS = Set.of(CONTINUOUS, INTEGER, CATEGORICAL, DATETIME, IGNORE);

    public EncodeOptions {
        if (maxDiscreteValues < 0) {
            throw new BadInputException(MAX_DISCRETE_VALUES + ": expected ≥ 0, got " + maxDiscreteValues);
        }
        if (maxCategories < 1) {
            throw new BadInputException(MAX_CATEGORIES + ": expected ≥ 1, got " + maxCategories);
        }
        if (quantiles < 2) {
            throw new BadInputException(QUANTILES + ": expected ≥ 2, got " + quantiles);
        }
        if (!(quantileRelativeError >= 0.0 && quantileRelativeError < 1.0)) {
            throw new BadInputException(QUANTILE_RELATIVE_ERROR + ": expected in [0, 1), got " + quantileRelativeError);
        }
        kindOverrides = Map.copyOf(kindOverrides == null ? Map.of() : kindOverrides);
        for (Map.Entry<String, String> e : kindOverrides.entrySet()) {
            if (!OVERRIDE_KINDS.contains(e.getValue())) {
                throw new BadInputException("Column '" + e.getKey() + "': unknown kind override '" + e.getValue()
                        + "' (expected one of continuous, integer, categorical, datetime, ignore)");
            }
        }
    }

    public static EncodeOptions defaults() {
        return new EncodeOptions(MAX_DISCRETE_VALUES_DEFAULT, MAX_CATEGORIES_DEFAULT, QUANTILES_DEFAULT,
                QUANTILE_RELATIVE_ERROR_DEFAULT, DROP_UNSUPPORTED_DEFAULT, Map.of());
    }

    public EncodeOptions withMaxDiscreteValues(int value) {
        return new EncodeOptions(value, maxCategories, quantiles, quantileRelativeError, dropUnsupported,
                kindOverrides);
    }

    public EncodeOptions withMaxCategories(int value) {
        return new EncodeOptions(maxDiscreteValues, value, quantiles, quantileRelativeError, dropUnsupported,
                kindOverrides);
    }

    public EncodeOptions withQuantiles(int value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, value, quantileRelativeError, dropUnsupported,
                kindOverrides);
    }

    public EncodeOptions withDropUnsupported(boolean value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, value,
                kindOverrides);
    }

    public EncodeOptions withKindOverrides(Map<String, String> value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, dropUnsupported,
                value);
    }
}
