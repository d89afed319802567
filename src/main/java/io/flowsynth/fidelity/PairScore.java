package io.flowsynth.fidelity;

import java.util.Objects;

/**
 * The pair-trend score of two columns: {@code metric} is {@link Metrics#CORRELATION_SIMILARITY} or
 * {@link Metrics#CONTINGENCY_SIMILARITY}.
 */
public record PairScore(String columnA, String columnB, String metric, double score) {
    public PairScore {
        Objects.requireNonNull(columnA, "columnA");
        Objects.requireNonNull(columnB, "columnB");
        Objects.requireNonNull(metric, "metric");
    }
}
