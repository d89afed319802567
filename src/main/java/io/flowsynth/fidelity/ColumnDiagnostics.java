package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;

/**
 * What a data owner reads about one column besides its shape score: per-side statistics, the {@link Diagnostics}
 * metrics of its kind, and the counts to draw it (a histogram of a continuous column, the top categories of a
 * discrete one). Values of datetime columns are epoch numbers in {@code unit} ({@code epoch_days} or
 * {@code epoch_micros}); NaN is "not defined".
 *
 * <p>JSON ({@link #toJson()}), NaN as {@code null}, fields of the other kind absent:
 * <pre>{"name", "kind", "unit"?,
 *  "real": {"rows", "null_rate", "distinct"?, "min", "max", "mean", "std", "quantiles": {"p05", "p25", "p50", "p75", "p95"}},
 *  "synthetic": {…},
 *  "boundary_adherence", "range_coverage", "wasserstein", "wasserstein_normalized",           (continuous)
 *  "histogram": {"scale": "linear"|"log", "edges": [..], "real": [counts], "synthetic": [counts]} (continuous;
 *               log: log-spaced edges for skewed real values, see {@link HistogramAxis})
 *  "category_adherence", "category_coverage",                                                  (discrete)
 *  "top_categories": [{"value" (null = missing), "real", "synthetic"}],  frequencies per side  (discrete)
 *  "other_categories": {"real", "synthetic"}}                            the rest's frequencies (discrete)</pre>
 */
public record ColumnDiagnostics(String name, ColumnKind kind, String unit, SideStats real, SideStats synthetic,
                                double boundaryAdherence, double rangeCoverage, double wasserstein,
                                double wassersteinNormalized, Histogram histogram, double categoryAdherence,
                                double categoryCoverage, List<CategoryCount> topCategories, double otherReal,
                                double otherSynthetic) {

    public ColumnDiagnostics {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        topCategories = topCategories == null ? List.of() : List.copyOf(topCategories);
    }

    /**
     * One side's statistics over its sampled rows. Continuous columns: min/max/mean/std (population) and
     * {@link ContinuousProfileAccumulator#QUANTILES} of the non-null values; discrete columns: {@code distinct}
     * non-null categories (the others NaN). {@code distinct} is −1 for continuous columns.
     */
    public record SideStats(long rows, long nulls, long distinct, double min, double max, double mean, double std,
                            double[] quantiles) {
        public double nullRate() {
            return rows == 0 ? Double.NaN : (double) nulls / rows;
        }
    }

    /** Counts per bin [edges[k], edges[k+1]) of both sides. */
    public record Histogram(double[] edges, long[] real, long[] synthetic) {
    }

    /** One category (null = missing) with its frequency on each side (count / sampled rows). */
    public record CategoryCount(String value, double real, double synthetic) {
    }

    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("name", name);
        node.put("kind", kind.label());
        if (unit != null) {
            node.put("unit", unit);
        }
        side(node.putObject("real"), real);
        side(node.putObject("synthetic"), synthetic);
        if (kind.isContinuous()) {
            putNumber(node, "boundary_adherence", boundaryAdherence);
            putNumber(node, "range_coverage", rangeCoverage);
            putNumber(node, "wasserstein", wasserstein);
            putNumber(node, "wasserstein_normalized", wassersteinNormalized);
            if (histogram != null) {
                ObjectNode h = node.putObject("histogram");
                h.put("scale", HistogramAxis.scale(histogram.edges()));
                ArrayNode edges = h.putArray("edges");
                for (double e : histogram.edges()) {
                    edges.add(e);
                }
                ArrayNode r = h.putArray("real");
                for (long c : histogram.real()) {
                    r.add(c);
                }
                ArrayNode s = h.putArray("synthetic");
                for (long c : histogram.synthetic()) {
                    s.add(c);
                }
            }
        } else {
            putNumber(node, "category_adherence", categoryAdherence);
            putNumber(node, "category_coverage", categoryCoverage);
            ArrayNode top = node.putArray("top_categories");
            for (CategoryCount c : topCategories) {
                ObjectNode o = top.addObject();
                if (c.value() == null) {
                    o.putNull("value");
                } else {
                    o.put("value", c.value());
                }
                putNumber(o, "real", c.real());
                putNumber(o, "synthetic", c.synthetic());
            }
            ObjectNode other = node.putObject("other_categories");
            putNumber(other, "real", otherReal);
            putNumber(other, "synthetic", otherSynthetic);
        }
        return node;
    }

    private void side(ObjectNode node, SideStats s) {
        node.put("rows", s.rows());
        putNumber(node, "null_rate", s.nullRate());
        if (kind.isContinuous()) {
            putNumber(node, "min", s.min());
            putNumber(node, "max", s.max());
            putNumber(node, "mean", s.mean());
            putNumber(node, "std", s.std());
            ObjectNode q = node.putObject("quantiles");
            for (int i = 0; i < ContinuousProfileAccumulator.QUANTILES.length; i++) {
                putNumber(q, quantileName(ContinuousProfileAccumulator.QUANTILES[i]),
                        s.quantiles() == null ? Double.NaN : s.quantiles()[i]);
            }
        } else {
            node.put("distinct", s.distinct());
        }
    }

    /** {@code 0.05 → "p05"}, {@code 0.5 → "p50"}. */
    public static String quantileName(double p) {
        return String.format("p%02d", Math.round(p * 100));
    }

    static void putNumber(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }
}
