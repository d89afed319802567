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

    /** Generated values add nothing to a row's log density (they are not modelled). */
    @Override
    default double logDensityCorrection(Object value, double[] features, int offset) {
        return 0.0;
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
