package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * A plain-language reading of the privacy numbers for the data owner, from DCROverfittingProtection (p) and the
 * exact-copy rate in excess of the holdout's own rate against train (e, the level of duplicates natural to the data):
 * <ul>
 *   <li>{@code low}: p ≥ 0.9 and e ≤ 0.1 %;</li>
 *   <li>{@code moderate}: p ≥ 0.7 and e ≤ 1 %;</li>
 *   <li>{@code high}: otherwise;</li>
 *   <li>{@code unknown}: no holdout, so p cannot be measured (the text still gives the copy rate).</li>
 * </ul>
 * These thresholds are a reading aid, not a guarantee; gates ({@link QualityGates}) are what automation should use.
 */
public record PrivacyVerdict(String level, String text) {
    public static final double LOW_PROTECTION = 0.9;
    public static final double MODERATE_PROTECTION = 0.7;
    public static final double LOW_EXCESS_COPIES = 0.001;
    public static final double MODERATE_EXCESS_COPIES = 0.01;

    /** Reads the {@code privacy} object of {@code fidelity.json}. */
    public static PrivacyVerdict of(JsonNode privacy) {
        double protection = number(privacy.path("dcr_overfitting_protection"));
        double copies = number(privacy.path("exact_copy_rate"));
        double holdoutCopies = number(privacy.path("holdout_exact_copy_rate"));
        double median = number(privacy.path("median_dcr_synthetic_to_train"));
        String copyText = Double.isNaN(copies) ? "" : String.format(Locale.ROOT,
                " %s of synthetic rows are exact copies of a training row", percent(copies));
        if (Double.isNaN(protection)) {
            return new PrivacyVerdict("unknown", "Not measured: overfitting could not be measured because no holdout of real rows "
                    + "was given (use --holdout, or run, which keeps one aside)." + (copyText.isEmpty() ? "" : copyText + ".")
                    + (Double.isNaN(median) ? "" : String.format(Locale.ROOT,
                    " The median distance from a synthetic row to the closest real row is %.3f (0 = identical, "
                            + "1 = different in every column).", median)));
        }
        double excess = copies - (Double.isNaN(holdoutCopies) ? 0 : holdoutCopies);
        String numbers = String.format(Locale.ROOT, " (DCROverfittingProtection %.2f;%s, against %s among real rows "
                + "the model never saw).", protection, copyText, percent(holdoutCopies));
        if (protection >= LOW_PROTECTION && excess <= LOW_EXCESS_COPIES) {
            return new PrivacyVerdict("low", "Low risk: synthetic rows are about as close to the training rows as "
                    + "to real rows the model never saw, so the model does not appear to copy or memorize its "
                    + "training data" + numbers);
        }
        if (protection >= MODERATE_PROTECTION && excess <= MODERATE_EXCESS_COPIES) {
            return new PrivacyVerdict("moderate", "Some risk: synthetic rows are somewhat closer to the training "
                    + "rows than to unseen real rows. Review the closest rows before releasing the table" + numbers);
        }
        return new PrivacyVerdict("high", "High risk: synthetic rows are clearly closer to the training rows than to "
                + "unseen real rows, or copy them, so the model may be leaking real records. Do not release this "
                + "table as is" + numbers);
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
