package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.flowsynth.fidelity.ReportFormat.esc;
import static io.flowsynth.fidelity.ReportFormat.fmt;
import static io.flowsynth.fidelity.ReportFormat.missing;
import static io.flowsynth.fidelity.ReportFormat.number;
import static io.flowsynth.fidelity.ReportFormat.shorten;

/**
 * The report page's "Column pair trends" section: a lower-triangular SVG heat map of 1 − pair score over the columns
 * (at most {@link #HEAT_MAX_COLUMNS}: a wider table shows the columns of its worst pairs, unscored pairs grey), each
 * cell titled with its metric, score and correlations, a colour legend, and the worst pairs repeated in a table.
 */
final class PairHeatMap {
    private static final int WORST_PAIRS = 15;
    /** Pair-trend differences at or above this are drawn in the darkest colour (good tables differ by < 0.1). */
    static final double HEAT_SATURATION = 0.25;

    private PairHeatMap() {
    }

    /** Most columns drawn in the pair heat map; a wider table shows the columns of its worst pairs. */
    static final int HEAT_MAX_COLUMNS = 30;

    /** The section: the heat map and the table of the worst pairs. */
    static void render(StringBuilder h, JsonNode report) {
        h.append("<section aria-labelledby=\"pairs\">\n<h2 id=\"pairs\">Column pair trends</h2>\n");
        List<String> allNames = new ArrayList<>();
        for (JsonNode c : report.path(ReportKeys.COLUMNS)) {
            allNames.add(c.path(ReportKeys.NAME).asText());
        }
        JsonNode pairs = report.path(ReportKeys.PAIRS);
        if (allNames.size() < 2 || !pairs.isArray() || pairs.isEmpty()) {
            h.append("<p>Fewer than two columns: no pairs.</p>\n</section>\n");
            return;
        }
        JsonNode sampling = report.path("pair_sampling");
        if (sampling.path("scored_pairs").asLong(0) < sampling.path("total_pairs").asLong(0)) {
            h.append("<p>This table has ").append(String.format(Locale.ROOT, "%,d", sampling.path("total_pairs").asLong()))
                    .append(" column pairs: the pair trends are scored on a uniform sample of ")
                    .append(String.format(Locale.ROOT, "%,d", sampling.path("scored_pairs").asLong()))
                    .append(" of them (<code>flowsynth.report.max-pairs</code>), seeded by <code>flowsynth.seed</code> = ")
                    .append(esc(sampling.path("seed").asText())).append(".</p>\n");
        }
        Map<String, JsonNode> correlations = new HashMap<>();
        for (JsonNode p : report.path("diagnostics").path("pairs")) {
            correlations.put(p.path("columns").get(0).asText() + "\u0000" + p.path("columns").get(1).asText(), p);
        }
        List<JsonNode> sorted = new ArrayList<>();
        pairs.forEach(sorted::add);
        sorted.sort((x, y) -> Double.compare(number(x.path(ReportKeys.SCORE)), number(y.path(ReportKeys.SCORE))));
        // a wide table: the columns of the worst pairs, in the table's order, so the map stays readable
        List<String> names = allNames;
        if (allNames.size() > HEAT_MAX_COLUMNS) {
            java.util.Set<String> worst = new java.util.HashSet<>();
            for (JsonNode p : sorted) {
                for (JsonNode c : p.path(ReportKeys.COLUMNS)) {
                    if (worst.size() < HEAT_MAX_COLUMNS) {
                        worst.add(c.asText());
                    }
                }
                if (worst.size() >= HEAT_MAX_COLUMNS) {
                    break;
                }
            }
            names = new ArrayList<>();
            for (String name : allNames) {
                if (worst.contains(name)) {
                    names.add(name);
                }
            }
            h.append("<p>The map shows the ").append(names.size()).append(" of ").append(allNames.size())
                    .append(" columns that occur in the pairs with the lowest scores; grey cells are pairs that were "
                            + "not scored.</p>\n");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        int n = names.size();
        int cell = Math.max(14, Math.min(34, 620 / n));
        int margin = 130;
        int top = 10;
        int size = Math.max(margin + n * cell + 10, 330);
        int height = top + n * cell + margin + 30;
        h.append("<figure>\n");
        Svg.open(h, size, height, "heat-t", "heat-d")
                .append("<title id=\"heat-t\">Pair-trend differences between "
                        + "real and synthetic data</title>\n<desc id=\"heat-d\">Lower-triangular matrix of ")
                .append(n * (n - 1) / 2).append(" column pairs of ").append(n)
                .append(" columns; darker red means a larger difference (1 − pair score). "
                        + "The worst pairs are listed in the table below.</desc>\n");
        boolean[][] drawn = new boolean[n][n];
        for (JsonNode p : sorted) {
            String a = p.path(ReportKeys.COLUMNS).get(0).asText();
            String b = p.path(ReportKeys.COLUMNS).get(1).asText();
            Integer ia = index.get(a);
            Integer ib = index.get(b);
            if (ia == null || ib == null) {
                continue;
            }
            int row = Math.max(ia, ib);
            int col = Math.min(ia, ib);
            drawn[row][col] = true;
            double diff = 1 - number(p.path(ReportKeys.SCORE));
            JsonNode corr = correlations.get(a + "\u0000" + b);
            String tip = a + " × " + b + ": " + p.path(ReportKeys.METRIC).asText() + " "
                    + fmt(p.path(ReportKeys.SCORE), 3)
                    + (corr != null && corr.path("real_correlation").isNumber() ? ", r real "
                    + fmt(corr.path("real_correlation"), 3) + ", r synthetic " + fmt(corr.path("synthetic_correlation"), 3)
                    : "");
            h.append("<rect x=\"").append(margin + col * cell).append("\" y=\"").append(top + row * cell)
                    .append("\" width=\"").append(cell - 1).append("\" height=\"").append(cell - 1)
                    .append("\" fill=\"").append(heat(diff)).append("\"><title>").append(esc(tip))
                    .append("</title></rect>\n");
        }
        for (int row = 1; row < n; row++) {
            for (int col = 0; col < row; col++) {
                if (!drawn[row][col]) {
                    h.append("<rect x=\"").append(margin + col * cell).append("\" y=\"").append(top + row * cell)
                            .append("\" width=\"").append(cell - 1).append("\" height=\"").append(cell - 1)
                            .append("\" fill=\"#ddd\"><title>").append(esc(names.get(row) + " × " + names.get(col)
                                    + ": not scored")).append("</title></rect>\n");
                }
            }
        }
        // axis labels: rows on the left, columns below the matrix (rotated)
        for (int i = 0; i < n; i++) {
            h.append("<text x=\"").append(margin - 4).append("\" y=\"").append(top + i * cell + cell / 2 + 4)
                    .append("\" font-size=\"10\" text-anchor=\"end\">").append(esc(shorten(names.get(i), 20)))
                    .append("</text>\n");
            int x = margin + i * cell + cell / 2 + 3;
            int y = top + n * cell + 4;
            h.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" font-size=\"10\" "
                    + "text-anchor=\"end\" transform=\"rotate(-90 ").append(x).append(' ').append(y).append(")\">")
                    .append(esc(shorten(names.get(i), 20))).append("</text>\n");
        }
        // colour legend
        double[] marks = {0, 0.05, 0.1, 0.15, 0.2, HEAT_SATURATION};
        int ly = top + n * cell + margin + 8;
        for (int k = 0; k < marks.length; k++) {
            int lx = margin + k * 34;
            h.append("<rect x=\"").append(lx).append("\" y=\"").append(ly).append("\" width=\"12\" height=\"12\" fill=\"")
                    .append(heat(marks[k])).append("\" stroke=\"#999\"/>\n<text x=\"").append(lx + 14).append("\" y=\"")
                    .append(ly + 10).append("\" font-size=\"9\">").append(k == marks.length - 1 ? "≥" : "")
                    .append(String.format(Locale.ROOT, "%.2f", marks[k]).replaceAll("0$", "")).append("</text>\n");
        }
        h.append("</svg>\n<figcaption>Pair-trend difference 1 − score for every column pair shown (row × column): "
                + "for two numeric columns |r<sub>real</sub> − r<sub>synthetic</sub>|/2 (Pearson), otherwise the "
                + "total-variation distance of the joint category frequencies. White = identical, dark red = "
                + "a difference of " + HEAT_SATURATION + " or more (see the legend). Hover a cell for its values."
                + "</figcaption>\n</figure>\n");
        h.append("<table>\n<caption>The ").append(Math.min(WORST_PAIRS, sorted.size()))
                .append(" pairs with the lowest scores</caption>\n<thead><tr><th scope=\"col\">Pair</th>"
                        + "<th scope=\"col\">Metric</th><th scope=\"col\">Score</th><th scope=\"col\">r real</th>"
                        + "<th scope=\"col\">r synthetic</th></tr></thead>\n<tbody>\n");
        for (JsonNode p : sorted.subList(0, Math.min(WORST_PAIRS, sorted.size()))) {
            String a = p.path(ReportKeys.COLUMNS).get(0).asText();
            String b = p.path(ReportKeys.COLUMNS).get(1).asText();
            JsonNode corr = correlations.getOrDefault(a + "\u0000" + b, missing());
            h.append("<tr><th scope=\"row\">").append(esc(a)).append(" × ").append(esc(b)).append("</th><td>")
                    .append(esc(p.path(ReportKeys.METRIC).asText())).append("</td><td>")
                    .append(fmt(p.path(ReportKeys.SCORE), 3))
                    .append("</td><td>").append(fmt(corr.path("real_correlation"), 3)).append("</td><td>")
                    .append(fmt(corr.path("synthetic_correlation"), 3)).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</section>\n");
    }

    /** White (0) to dark red ({@link #HEAT_SATURATION} and above). */
    static String heat(double v) {
        double t = Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v / HEAT_SATURATION));
        int r = (int) Math.round(255 + (165 - 255) * t);
        int g = (int) Math.round(255 + (0 - 255) * t);
        int b = (int) Math.round(255 + (38 - 255) * t);
        return String.format("#%02x%02x%02x", r, g, b);
    }
}
