package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * A plain-language reading of the privacy numbers for the data owner. Three signals, the worst one decides:
 * <ol>
 *   <li><b>Distance</b>: DCROverfittingProtection (p) and the exact-copy rate in excess of the holdout's own rate
 *   against train (e, the level of duplicates natural to the data). The copy rate is the model's own: when the
 *   exact-copy guard ran, the copies of its first draw (which it dropped), since a model that draws copies also
 *   draws near-copies the guard does not catch. {@code low}: p ≥ 0.9 and e ≤ 0.1 %; {@code moderate}: p ≥ 0.7 and
 *   e ≤ 1 %; {@code high} otherwise.</li>
 *   <li><b>Attacks</b> (singling-out, linkability, inference per column; see {@code AttackRisk}): the largest lower
 *   end L of the risks' 95 % intervals, so that the noise of a few hundred targets raises no alarm but a real leak
 *   does. {@code high}: L ≥ {@value #HIGH_ATTACK_RISK}; {@code moderate}: L ≥ {@value #MODERATE_ATTACK_RISK};
 *   {@code low} otherwise.</li>
 *   <li><b>Rare values</b>: training values seen exactly once (in a categorical column) that the synthetic table
 *   publishes and no holdout row has (r, {@code rare_values.published_not_in_holdout}): each points at one real person.
 *   {@code high}: r ≥ {@value #HIGH_RARE_VALUES}; {@code moderate}: r ≥ 1.</li>
 * </ol>
 * {@code unknown}: no holdout, so neither p nor the attacks can be measured (the text still gives the copy rate).
 * These thresholds are a reading aid, not a guarantee; gates ({@link QualityGates}) are what automation should use.
 */
public record PrivacyVerdict(String level, String text) {
    public static final double LOW_PROTECTION = 0.9;
    public static final double MODERATE_PROTECTION = 0.7;
    public static final double LOW_EXCESS_COPIES = 0.001;
    public static final double MODERATE_EXCESS_COPIES = 0.01;
    public static final double HIGH_ATTACK_RISK = 0.2;
    public static final double MODERATE_ATTACK_RISK = 0.05;
    public static final long HIGH_RARE_VALUES = 10;

    /** The strongest attack: its name and the lower end of its risk interval (NaN when no attack was measured). */
    public record Strongest(String attack, double riskLow, double risk) {
    }

    /** The attack whose risk interval has the largest lower end, from the {@code privacy} object. */
    public static Strongest strongestAttack(JsonNode privacy) {
        Strongest best = new Strongest(null, Double.NaN, Double.NaN);
        best = better(best, "singling-out (univariate)", privacy.path("singling_out").path("univariate"));
        best = better(best, "singling-out (multivariate)", privacy.path("singling_out").path("multivariate"));
        best = better(best, "linkability", privacy.path("linkability"));
        for (JsonNode c : privacy.path("inference").path("columns")) {
            best = better(best, "inference of '" + c.path("column").asText() + "'", c);
        }
        return best;
    }

    private static Strongest better(Strongest best, String name, JsonNode attack) {
        double low = number(attack.path("risk_interval").path(0));
        if (Double.isNaN(low) || (!Double.isNaN(best.riskLow()) && low <= best.riskLow())) {
            return best;
        }
        return new Strongest(name, low, number(attack.path("risk")));
    }

    /** Reads the {@code privacy} object of {@code fidelity.json}. */
    public static PrivacyVerdict of(JsonNode privacy) {
        double protection = number(privacy.path("dcr_overfitting_protection"));
        double copies = number(privacy.path("exact_copy_rate"));
        double holdoutCopies = number(privacy.path("holdout_exact_copy_rate"));
        double median = number(privacy.path("median_dcr_synthetic_to_train"));
        JsonNode guard = privacy.path("exact_copy_guard");
        double rows = number(privacy.path("synthetic_rows"));
        double modelCopies = copies;
        String guardText = "";
        if (guard.path("enabled").asBoolean(false) && rows > 0) {
            double first = number(guard.path("first_draw_copies"));
            if (!Double.isNaN(first)) {
                modelCopies = Math.max(Double.isNaN(copies) ? 0 : copies, first / rows);
                guardText = String.format(Locale.ROOT, " The exact-copy guard dropped and redrew %s of the model's "
                        + "first draw (%.0f rows), so none is published.", percent(first / rows), first);
            }
        }
        String copyText = Double.isNaN(copies) ? "" : String.format(Locale.ROOT,
                " %s of synthetic rows are exact copies of a training row", percent(copies));
        if (Double.isNaN(protection)) {
            return new PrivacyVerdict("unknown", "Not measured: overfitting could not be measured because no holdout of real rows "
                    + "was given (use --holdout, or run, which keeps one aside)." + (copyText.isEmpty() ? "" : copyText + ".")
                    + (Double.isNaN(median) ? "" : String.format(Locale.ROOT,
                    " The median distance from a synthetic row to the closest real row is %.3f (0 = identical, "
                            + "1 = different in every column).", median)) + guardText);
        }
        double excess = modelCopies - (Double.isNaN(holdoutCopies) ? 0 : holdoutCopies);
        Strongest attack = strongestAttack(privacy);
        String attackText = attack.attack() == null ? "" : String.format(Locale.ROOT, " Strongest attack: %s, risk "
                + "%.2f (95%% interval from %.2f).", attack.attack(), attack.risk(), attack.riskLow());
        String numbers = String.format(Locale.ROOT, " (DCROverfittingProtection %.2f;%s, against %s among real rows "
                + "the model never saw).", protection, copyText, percent(holdoutCopies)) + attackText + guardText;
        double l = Double.isNaN(attack.riskLow()) ? 0 : attack.riskLow();
        long rare = Math.max(0, privacy.path("rare_values").path("published_not_in_holdout").asLong(0));
        if (rare > 0) {
            numbers += String.format(Locale.ROOT, " %d training value%s seen once (and in no holdout row) %s "
                    + "published.", rare, rare == 1 ? "" : "s", rare == 1 ? "is" : "are");
        }
        if (rare >= HIGH_RARE_VALUES) {
            return new PrivacyVerdict("high", "High risk: the synthetic table publishes values that occur only once "
                    + "among the training rows, each of which points at one real person. Do not release this table "
                    + "as is" + numbers);
        }
        if (l >= HIGH_ATTACK_RISK) {
            return new PrivacyVerdict("high", "High risk: an attacker holding the synthetic table learns clearly more "
                    + "about the training rows than about real rows the model never saw, so the model leaks real "
                    + "records. Do not release this table as is" + numbers);
        }
        if (protection < MODERATE_PROTECTION || excess > MODERATE_EXCESS_COPIES) {
            return new PrivacyVerdict("high", "High risk: synthetic rows are clearly closer to the training rows than to "
                    + "unseen real rows, or copy them, so the model may be leaking real records. Do not release this "
                    + "table as is" + numbers);
        }
        if (protection >= LOW_PROTECTION && excess <= LOW_EXCESS_COPIES && l < MODERATE_ATTACK_RISK && rare == 0) {
            return new PrivacyVerdict("low", "Low risk: synthetic rows are about as close to the training rows as "
                    + "to real rows the model never saw, and the attacks succeed about as well on unseen rows as on "
                    + "training rows, so the model does not appear to copy or memorize its training data" + numbers);
        }
        return new PrivacyVerdict("moderate", "Some risk: synthetic rows are somewhat closer to the training "
                + "rows than to unseen real rows, an attack does somewhat better on training rows, or a value seen "
                + "once in training is published. Review the closest rows, the attack results and the rare values "
                + "before releasing the table" + numbers);
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
