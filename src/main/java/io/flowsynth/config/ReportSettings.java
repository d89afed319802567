package io.flowsynth.config;

/**
 * The report settings of a configuration ({@code flowsynth.report.*}), validated.
 *
 * @param maxRows         rows per side for fidelity and likelihood
 * @param maxPairs        column pairs compared
 * @param holdoutFraction {@code run}: share of the input kept aside as a real holdout
 * @param privacyRows     rows per side for the privacy metrics
 * @param attackTargets   targets per side of the privacy attacks
 * @param conditionTop    per-condition fidelity: how many of the most frequent context values are scored
 */
public record ReportSettings(int maxRows, int maxPairs, double holdoutFraction, int privacyRows, int attackTargets,
                             int conditionTop) {
}
