package io.flowsynth.encode;

import io.flowsynth.config.ConfigKeys;

import io.flowsynth.error.BadInputException;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;

/**
 * Options of the column encoders (validated, immutable). Their config keys and defaults live in {@link ConfigKeys}.
 *
 * @param maxDiscreteValues     integer columns with at most this many distinct values are categorical
 * @param maxCategories         categories kept per categorical column; further ones share one "other" interval, whose
 *                              decoding samples among up to this many further values (each seen ≥ minCategoryCount
 *                              times)
 * @param quantiles             knots of the quantile-normal encoding (≥ 2, including minimum and maximum)
 * @param quantileRelativeError relative error of Spark's approximate quantiles (0 = exact, expensive)
 * @param dropUnsupported       drop columns of unsupported types (with a warning) instead of failing
 * @param kindOverrides         column → {@code continuous | integer | categorical | datetime | id | ignore};
 *                              {@code ignore} drops the column from the encoder, and the synthetic table has it as all
 *                              nulls; {@code id} generates fresh unique values instead of learning the column
 * @param minCategoryFrequency  categories whose share of the rows is below this go to the "other" bucket
 * @param onehotMaxCategories   automatic choice: a categorical with 3 to this many kept categories (null included)
 *                              is one-hot/argmax encoded, others use frequency intervals (0: never one-hot)
 * @param maxModes              most Gaussian components of a mode-specific (mixture) encoding
 * @param detectIds             detect identifier-like, personal-data and free-text string columns (and string columns
 *                              whose rows are mostly in protected values) and generate fresh values for them
 * @param encoderOverrides      column → {@code quantile | mode} (numeric and datetime columns) or
 *                              {@code frequency | onehot} (categorical columns)
 * @param minCategoryCount      rare-category protection: a value seen fewer times than this in a categorical column
 *                              is neither kept in the model nor published (its rows are redistributed over the kept
 *                              categories in proportion); 1 switches the protection off. Text kinds keep only tokens
 *                              seen at least this often.
 */
public record EncodeOptions(int maxDiscreteValues, int maxCategories, int quantiles, double quantileRelativeError,
                            boolean dropUnsupported, Map<String, String> kindOverrides, double minCategoryFrequency,
                            int onehotMaxCategories, int maxModes, boolean detectIds,
                            Map<String, String> encoderOverrides, int minCategoryCount) implements Serializable {

    public static final double QUANTILE_RELATIVE_ERROR_DEFAULT = 1e-3;

    public static final String CONTINUOUS = "continuous";
    public static final String INTEGER = "integer";
    public static final String CATEGORICAL = "categorical";
    public static final String DATETIME = "datetime";
    public static final String ID = "id";
    public static final String IGNORE = "ignore";
    public static final String PERSON_NAME = "person-name";
    public static final String FIRST_NAME = "first-name";
    public static final String LAST_NAME = "last-name";
    public static final String EMAIL = "email";
    public static final String PHONE = "phone";
    public static final String ADDRESS = "address";
    public static final String TEXT = "text";
    /** Kinds whose values are generated fresh from a fake-value generator ({@link FakeEncoder}). */
    public static final Set<String> FAKE_KINDS = Set.of(PERSON_NAME, FIRST_NAME, LAST_NAME, EMAIL, PHONE, ADDRESS);
    public static final Set<String> OVERRIDE_KINDS = Set.of(CONTINUOUS, INTEGER, CATEGORICAL, DATETIME, ID, IGNORE,
            PERSON_NAME, FIRST_NAME, LAST_NAME, EMAIL, PHONE, ADDRESS, TEXT);
    public static final String KIND_LIST = "continuous, integer, categorical, datetime, id, person-name, first-name, "
            + "last-name, email, phone, address, text, ignore";

    public static final String QUANTILE = "quantile";
    public static final String MODE = "mode";
    public static final String FREQUENCY = "frequency";
    public static final String ONEHOT = "onehot";
    public static final Set<String> ENCODERS = Set.of(QUANTILE, MODE, FREQUENCY, ONEHOT);

    public EncodeOptions {
        if (maxDiscreteValues < 0) {
            throw new BadInputException(ConfigKeys.ENCODE_MAX_DISCRETE_VALUES + ": expected ≥ 0, got " + maxDiscreteValues);
        }
        if (maxCategories < 1) {
            throw new BadInputException(ConfigKeys.ENCODE_MAX_CATEGORIES + ": expected ≥ 1, got " + maxCategories);
        }
        if (quantiles < 2) {
            throw new BadInputException(ConfigKeys.ENCODE_QUANTILES + ": expected ≥ 2, got " + quantiles);
        }
        if (!(quantileRelativeError >= 0.0 && quantileRelativeError < 1.0)) {
            throw new IllegalArgumentException("quantile relative error: expected in [0, 1), got " + quantileRelativeError);
        }
        if (!(minCategoryFrequency >= 0.0 && minCategoryFrequency < 1.0)) {
            throw new BadInputException(ConfigKeys.ENCODE_MIN_CATEGORY_FREQUENCY + ": expected in [0, 1), got " + minCategoryFrequency);
        }
        if (onehotMaxCategories < 0) {
            throw new BadInputException(ConfigKeys.ENCODE_ONEHOT_MAX_CATEGORIES + ": expected ≥ 0, got " + onehotMaxCategories);
        }
        if (maxModes < 1) {
            throw new BadInputException(ConfigKeys.ENCODE_MAX_MODES + ": expected ≥ 1, got " + maxModes);
        }
        if (minCategoryCount < 1) {
            throw new BadInputException(ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT + ": expected ≥ 1, got " + minCategoryCount);
        }
        kindOverrides = Map.copyOf(kindOverrides == null ? Map.of() : kindOverrides);
        for (Map.Entry<String, String> e : kindOverrides.entrySet()) {
            if (!OVERRIDE_KINDS.contains(e.getValue())) {
                throw new BadInputException("Column '" + e.getKey() + "': unknown kind override '" + e.getValue()
                        + "' (expected one of " + KIND_LIST + ")");
            }
        }
        encoderOverrides = Map.copyOf(encoderOverrides == null ? Map.of() : encoderOverrides);
        for (Map.Entry<String, String> e : encoderOverrides.entrySet()) {
            if (!ENCODERS.contains(e.getValue())) {
                throw new BadInputException("Column '" + e.getKey() + "': unknown encoder '" + e.getValue()
                        + "' (expected one of quantile, mode, frequency, onehot)");
            }
        }
    }

    /** The first six options; the others take their defaults. */
    public EncodeOptions(int maxDiscreteValues, int maxCategories, int quantiles, double quantileRelativeError,
                         boolean dropUnsupported, Map<String, String> kindOverrides) {
        this(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, dropUnsupported, kindOverrides,
                ConfigKeys.ENCODE_MIN_CATEGORY_FREQUENCY_DEFAULT, ConfigKeys.ENCODE_ONEHOT_MAX_CATEGORIES_DEFAULT, ConfigKeys.ENCODE_MAX_MODES_DEFAULT, ConfigKeys.ENCODE_DETECT_IDS_DEFAULT,
                Map.of(), ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT_DEFAULT);
    }

    public static EncodeOptions defaults() {
        return new EncodeOptions(ConfigKeys.ENCODE_MAX_DISCRETE_VALUES_DEFAULT, ConfigKeys.ENCODE_MAX_CATEGORIES_DEFAULT, ConfigKeys.ENCODE_QUANTILES_DEFAULT,
                QUANTILE_RELATIVE_ERROR_DEFAULT, ConfigKeys.ENCODE_DROP_UNSUPPORTED_DEFAULT, Map.of());
    }

    public EncodeOptions withMaxCategories(int value) {
        return new EncodeOptions(maxDiscreteValues, value, quantiles, quantileRelativeError, dropUnsupported,
                kindOverrides, minCategoryFrequency, onehotMaxCategories, maxModes, detectIds, encoderOverrides, minCategoryCount);
    }

    public EncodeOptions withDropUnsupported(boolean value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, value,
                kindOverrides, minCategoryFrequency, onehotMaxCategories, maxModes, detectIds, encoderOverrides, minCategoryCount);
    }

    public EncodeOptions withKindOverrides(Map<String, String> value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, dropUnsupported,
                value, minCategoryFrequency, onehotMaxCategories, maxModes, detectIds, encoderOverrides, minCategoryCount);
    }

    public EncodeOptions withMinCategoryFrequency(double value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, dropUnsupported,
                kindOverrides, value, onehotMaxCategories, maxModes, detectIds, encoderOverrides, minCategoryCount);
    }

    public EncodeOptions withOnehotMaxCategories(int value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, dropUnsupported,
                kindOverrides, minCategoryFrequency, value, maxModes, detectIds, encoderOverrides, minCategoryCount);
    }

    public EncodeOptions withDetectIds(boolean value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, dropUnsupported,
                kindOverrides, minCategoryFrequency, onehotMaxCategories, maxModes, value, encoderOverrides, minCategoryCount);
    }

    public EncodeOptions withEncoderOverrides(Map<String, String> value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, dropUnsupported,
                kindOverrides, minCategoryFrequency, onehotMaxCategories, maxModes, detectIds, value, minCategoryCount);
    }

    public EncodeOptions withMinCategoryCount(int value) {
        return new EncodeOptions(maxDiscreteValues, maxCategories, quantiles, quantileRelativeError, dropUnsupported,
                kindOverrides, minCategoryFrequency, onehotMaxCategories, maxModes, detectIds, encoderOverrides, value);
    }
}
