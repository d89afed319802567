package io.flowsynth.fidelity;

/**
 * The Pearson coefficients behind a CorrelationSimilarity pair score (NaN for contingency pairs), as computed by
 * {@link Metrics#pearsonFromMoments} on each side's complete rows.
 */
public record PairDiagnostics(String columnA, String columnB, double realCorrelation, double syntheticCorrelation) {
}
