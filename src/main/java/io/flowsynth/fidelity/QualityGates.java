package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowsynth.error.BadInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Thresholds a scheduler can gate a release on, written {@code name=value[,name=value]...} (the CLI's
 * {@code --fail-under}) and checked against a finished {@code fidelity.json}. Known gates:
 * <table>
 *   <caption>gates</caption>
 *   <tr><th>name</th><th>fidelity.json field</th><th>fails when</th></tr>
 *   <tr><td>quality</td><td>overall.quality</td><td>below the value</td></tr>
 *   <tr><td>column-shapes</td><td>overall.column_shapes</td><td>below the value</td></tr>
 *   <tr><td>column-pair-trends</td><td>overall.column_pair_trends</td><td>below the value</td></tr>
 *   <tr><td>dcr-overfit</td><td>privacy.dcr_overfitting_protection</td><td>below the value (needs a holdout)</td></tr>
 *   <tr><td>exact-copy-rate</td><td>privacy.exact_copy_rate</td><td><b>above</b> the value (a ceiling)</td></tr>
 *   <tr><td>privacy-risk</td><td>privacy.attack_risk</td><td><b>above</b> the value (a ceiling; the largest
 *   attack risk, needs a holdout)</td></tr>
 * </table>
 * Values are in [0, 1]. A gated metric that the report could not compute ({@code null}) fails the gate.
 */
public final class QualityGates {
    /** One threshold; {@code ceiling} gates fail above the threshold, the others below. */
    public record Gate(String name, String field, double threshold, boolean ceiling) {
        String describe(double value) {
            return String.format(Locale.ROOT, "%s %s %s %s", name, Double.isNaN(value) ? "not computed"
                    : format(value), ceiling ? ">" : "<", format(threshold));
        }
    }

    private static final Map<String, String[]> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("quality", new String[]{"overall", "quality", "min"});
        KNOWN.put("column-shapes", new String[]{"overall", "column_shapes", "min"});
        KNOWN.put("column-pair-trends", new String[]{"overall", "column_pair_trends", "min"});
        KNOWN.put("dcr-overfit", new String[]{"privacy", "dcr_overfitting_protection", "min"});
        KNOWN.put("exact-copy-rate", new String[]{"privacy", "exact_copy_rate", "max"});
        KNOWN.put("privacy-risk", new String[]{"privacy", "attack_risk", "max"});
    }

    private QualityGates() {
    }

    /** Names of the known gates, in documentation order. */
    public static List<String> names() {
        return List.copyOf(KNOWN.keySet());
    }

    /**
     * Parses {@code quality=0.85,dcr-overfit=0.9}; null or blank gives no gates.
     *
     * @throws BadInputException naming {@code option} and the offending part
     */
    public static List<Gate> parse(String spec, String option) {
        List<Gate> gates = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return gates;
        }
        for (String part : spec.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("Option " + option + ": expected name=value, got '" + p + "' (gates: "
                        + String.join(", ", KNOWN.keySet()) + ")");
            }
            String name = p.substring(0, eq).trim();
            String[] known = KNOWN.get(name);
            if (known == null) {
                throw new BadInputException("Option " + option + ": unknown gate '" + name + "' (gates: "
                        + String.join(", ", KNOWN.keySet()) + ")");
            }
            double value;
            try {
                value = Double.parseDouble(p.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("Option " + option + ": gate " + name + " needs a number, got '"
                        + p.substring(eq + 1).trim() + "'");
            }
            if (!(value >= 0 && value <= 1)) {
                throw new BadInputException("Option " + option + ": gate " + name + " must be in [0, 1], got " + value);
            }
            gates.add(new Gate(name, known[0] + "." + known[1], value, known[2].equals("max")));
        }
        return gates;
    }

    /** True when a gate reads the privacy section's holdout comparison. */
    public static boolean needsHoldout(List<Gate> gates) {
        return gates.stream().anyMatch(g -> g.name().equals("dcr-overfit") || g.name().equals("privacy-risk"));
    }

    /** The missed gates as {@code "quality 0.812 < 0.85"}, in the order given; empty when all pass. */
    public static List<String> failures(List<Gate> gates, JsonNode report) {
        List<String> failed = new ArrayList<>();
        for (Gate gate : gates) {
            String[] path = gate.field().split("\\.");
            JsonNode node = report.path(path[0]).path(path[1]);
            double value = node.isNumber() ? node.asDouble() : Double.NaN;
            boolean ok = !Double.isNaN(value) && (gate.ceiling() ? value <= gate.threshold() : value >= gate.threshold());
            if (!ok) {
                failed.add(gate.describe(value));
            }
        }
        return failed;
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", ".0");
    }
}
