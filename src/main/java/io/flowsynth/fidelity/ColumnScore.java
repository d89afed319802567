package io.flowsynth.fidelity;

import java.util.Objects;

/**
 * The column-shape score of one column: {@code metric} is {@link Metrics#KS_COMPLEMENT} or
 * {@link Metrics#TV_COMPLEMENT}, {@code kind} a {@link ColumnKind#label()}, null rates are fractions of the sampled
 * rows of each side (NaN for a side with no rows).
 */
public record ColumnScore(String name, String kind, String metric, double score, double realNullRate,
                          double syntheticNullRate) {
    public ColumnScore {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(metric, "metric");
    }
}
