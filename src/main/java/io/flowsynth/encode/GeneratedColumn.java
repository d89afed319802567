package io.flowsynth.encode;

import java.util.Random;

/**
 * A column that is not learned (no features) but generated fresh at sampling: identifiers ({@link IdEncoder}), fake
 * values of a semantic type ({@link FakeEncoder}) and format-modelled text ({@link TextEncoder}). The sampler sets such
 * a column after the learned ones, from the synthetic row's global index and the sampling seed.
 */
public interface GeneratedColumn extends ColumnEncoder {

    /**
     * The value of synthetic row {@code row} of a table of {@code totalRows} rows sampled with {@code seed}; random
     * choices come from {@code rng} (so the value depends only on (seed, partition, row)).
     */
    Object generate(long row, long totalRows, long seed, Random rng);

    /**
     * Whether a value this column generates might equal a real one, so that the sampler should draw again when it
     * knows the real values ({@link RealValues}); false when fresh values are guaranteed by construction.
     */
    default boolean mayRepeatRealValues() {
        return true;
    }

    /** Rows of the column while fitting. */
    long fittedRows();

    /** Null rows of the column while fitting: sampling draws nulls independently at the rate nulls / rows. */
    long fittedNulls();

    /** Whether this synthetic value is null: drawn at the fitted rate nulls / rows (no draw when there were none). */
    default boolean drawsNull(Random rng) {
        long nulls = fittedNulls();
        return nulls > 0 && rng.nextDouble() < (double) nulls / fittedRows();
    }

    /** A value drawn without a row index (the learned features carry nothing for a generated column). */
    @Override
    default Object decode(double[] z, int offset, Random rng) {
        return generate(0, 1, 0, rng);
    }

    /**
     * The log-probability of the value's null indicator under the model: ln(nulls / rows) for null, ln(1 − nulls /
     * rows) for any non-null value ({@link #OUT_OF_DOMAIN_LOG_PROB} for a state the column never had). The content of a
     * generated value is not modelled (sampling makes fresh values, independent of the other columns, never learned
     * from the real ones), so a column's density is measured against its null indicator only, as a probability.
     */
    @Override
    default double logDensityCorrection(Object value, double[] features, int offset) {
        long rows = fittedRows();
        long nulls = fittedNulls();
        long n = value == null ? nulls : rows - nulls;
        return n > 0 ? Math.log((double) n / rows) : OUT_OF_DOMAIN_LOG_PROB;
    }

    @Override
    default int width() {
        return 0;
    }

    @Override
    default java.util.List<String> featureNames() {
        return java.util.List.of();
    }

    @Override
    default void encode(Object value, double[] out, int offset, Random rng) {
        // not learned
    }
}
