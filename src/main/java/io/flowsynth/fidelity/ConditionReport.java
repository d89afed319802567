package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Per-condition fidelity ({@code fidelity.json} → {@code per_condition}): for the most frequent values of the context
 * columns, the SDMetrics-style quality (see {@link Metrics}) of the synthetic rows with that context value against the
 * real rows with it, over the other columns (the context columns are what is conditioned on, so they are not
 * scored), next to the same figure over all rows ({@code overall}) and the real and synthetic share of each value
 * (does the model get the context's frequency right: {@code context_frequency} is the TVComplement of the two
 * context distributions).
 *
 * <p>A context value is the tuple of the context columns' values; a continuous column contributes the quantile range
 * of the real column its value falls in ({@link Binning}), a missing value is the value {@code null}. Only values seen
 * in at least {@code minRealCount} real rows are named; the rest are counted in {@link Other} without a name. An
 * entry with fewer than {@code minRows} rows on a side has no scores ({@code status} "n/a (k synthetic rows)").
 *
 * <p>JSON form ({@link #toJson()}):
 * <pre>{"columns": [..], "scored_columns": [..], "top", "min_rows", "min_real_count",
 *  "sampled_real_rows", "sampled_synthetic_rows", "context_frequency",
 *  "overall": {"quality", "column_shapes", "column_pair_trends"},
 *  "entries": [{"values": [..], "label", "real_rows", "synthetic_rows", "real_share", "synthetic_share",
 *               "status", "quality", "column_shapes", "column_pair_trends"}],
 *  "other": {"values", "real_rows", "synthetic_rows", "real_share", "synthetic_share"},
 *  "binning": [{"column", "method", "ranges": [..]}]}</pre>
 */
public record ConditionReport(List<String> columns, List<String> scoredColumns, int top, int minRows,
                              int minRealCount, long sampledRealRows, long sampledSyntheticRows,
                              double contextFrequency, Scores overall, List<Entry> entries, Other other,
                              List<Binning> binning) {
    /** JSON key of this section in {@code fidelity.json}. */
    public static final String KEY = "per_condition";
    /** The {@code status} of an entry with scores. */
    public static final String SCORED = "scored";

    public ConditionReport {
        columns = List.copyOf(columns);
        scoredColumns = List.copyOf(scoredColumns);
        entries = List.copyOf(entries);
        binning = List.copyOf(binning);
    }

    /** Quality and its two parts; NaN where undefined (no pairs). */
    public record Scores(double quality, double columnShapes, double columnPairTrends) {
        /** The scores of column and pair score lists, averaged as the report does ({@link Metrics#quality}). */
        public static Scores of(List<Double> columnScores, List<Double> pairScores) {
            double shapes = Metrics.mean(columnScores);
            double trends = Metrics.mean(pairScores);
            return new Scores(Metrics.quality(shapes, trends), shapes, trends);
        }
    }

    /**
     * One context value: the context columns' values in column order (strings as shown, null for a missing value;
     * a continuous column's quantile range), its rows in the samples, and its scores (null when
     * {@code status} is not {@link #SCORED}).
     */
    public record Entry(List<String> values, long realRows, long syntheticRows, Scores scores, String status) {
        public Entry {
            values = Collections.unmodifiableList(new ArrayList<>(values)); // null elements allowed
        }
    }

    /** The context values not named (beyond the top, or seen in fewer than {@code minRealCount} real rows). */
    public record Other(long values, long realRows, long syntheticRows) {
    }

    /** How a continuous context column was cut: {@code method} and the range labels, in order. */
    public record Binning(String column, String method, List<String> ranges) {
        public Binning {
            ranges = List.copyOf(ranges);
        }
    }

    /** "col = value, col = value" of an entry ({@code (missing)} for null). */
    public String label(Entry entry) {
        List<String> parts = new ArrayList<>();
        for (int j = 0; j < columns.size(); j++) {
            String v = entry.values().get(j);
            parts.add(columns.get(j) + " = " + (v == null ? "(missing)" : v));
        }
        return String.join(", ", parts);
    }

    private static double share(long rows, long total) {
        return total == 0 ? Double.NaN : (double) rows / total;
    }

    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ArrayNode cols = root.putArray("columns");
        columns.forEach(cols::add);
        ArrayNode scored = root.putArray("scored_columns");
        scoredColumns.forEach(scored::add);
        root.put("top", top);
        root.put("min_rows", minRows);
        root.put("min_real_count", minRealCount);
        root.put("sampled_real_rows", sampledRealRows);
        root.put("sampled_synthetic_rows", sampledSyntheticRows);
        putNumber(root, "context_frequency", contextFrequency);
        putScores(root.putObject(ReportKeys.OVERALL), overall);
        ArrayNode list = root.putArray("entries");
        for (Entry e : entries) {
            ObjectNode node = list.addObject();
            ArrayNode values = node.putArray("values");
            e.values().forEach(v -> {
                if (v == null) {
                    values.addNull();
                } else {
                    values.add(v);
                }
            });
            node.put("label", label(e));
            node.put("real_rows", e.realRows());
            node.put("synthetic_rows", e.syntheticRows());
            putNumber(node, "real_share", share(e.realRows(), sampledRealRows));
            putNumber(node, "synthetic_share", share(e.syntheticRows(), sampledSyntheticRows));
            node.put("status", e.status());
            putScores(node, e.scores() == null ? new Scores(Double.NaN, Double.NaN, Double.NaN) : e.scores());
        }
        ObjectNode o = root.putObject("other");
        o.put("values", other.values());
        o.put("real_rows", other.realRows());
        o.put("synthetic_rows", other.syntheticRows());
        putNumber(o, "real_share", share(other.realRows(), sampledRealRows));
        putNumber(o, "synthetic_share", share(other.syntheticRows(), sampledSyntheticRows));
        ArrayNode bins = root.putArray("binning");
        for (Binning b : binning) {
            ObjectNode node = bins.addObject();
            node.put("column", b.column());
            node.put("method", b.method());
            ArrayNode ranges = node.putArray("ranges");
            b.ranges().forEach(ranges::add);
        }
        return root;
    }

    /**
     * Reads the form written by {@link #toJson()} (derived fields such as shares and labels are recomputed).
     *
     * @throws IllegalArgumentException naming the first missing or mistyped field
     */
    public static ConditionReport fromJson(JsonNode json) {
        List<Entry> entries = new ArrayList<>();
        JsonNode list = field(json, "entries", "");
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String where = "entries[" + i + "].";
            List<String> values = new ArrayList<>();
            field(node, "values", where).forEach(v -> values.add(v.isNull() ? null : v.asText()));
            String status = text(node, "status", where);
            Scores scores = SCORED.equals(status) ? scores(node, where) : null;
            entries.add(new Entry(values, integer(node, "real_rows", where), integer(node, "synthetic_rows", where),
                    scores, status));
        }
        JsonNode o = field(json, "other", "");
        List<Binning> binning = new ArrayList<>();
        JsonNode bins = field(json, "binning", "");
        for (int i = 0; i < bins.size(); i++) {
            String where = "binning[" + i + "].";
            binning.add(new Binning(text(bins.get(i), "column", where), text(bins.get(i), "method", where),
                    texts(bins.get(i), "ranges", where)));
        }
        return new ConditionReport(texts(json, "columns", ""), texts(json, "scored_columns", ""),
                (int) integer(json, "top", ""), (int) integer(json, "min_rows", ""),
                (int) integer(json, "min_real_count", ""), integer(json, "sampled_real_rows", ""),
                integer(json, "sampled_synthetic_rows", ""), number(json, "context_frequency", ""),
                scores(field(json, ReportKeys.OVERALL, ""), "overall."), entries,
                new Other(integer(o, "values", "other."), integer(o, "real_rows", "other."),
                        integer(o, "synthetic_rows", "other.")), binning);
    }

    private static void putScores(ObjectNode node, Scores s) {
        putNumber(node, ReportKeys.QUALITY, s.quality());
        putNumber(node, ReportKeys.COLUMN_SHAPES, s.columnShapes());
        putNumber(node, ReportKeys.COLUMN_PAIR_TRENDS, s.columnPairTrends());
    }

    private static Scores scores(JsonNode node, String where) {
        return new Scores(number(node, ReportKeys.QUALITY, where), number(node, ReportKeys.COLUMN_SHAPES, where),
                number(node, ReportKeys.COLUMN_PAIR_TRENDS, where));
    }

    private static void putNumber(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }

    private static JsonNode field(JsonNode node, String name, String where) {
        JsonNode value = node == null ? null : node.get(name);
        if (value == null || value.isMissingNode()) {
            throw new IllegalArgumentException("Per-condition JSON lacks field '" + where + name + "'");
        }
        return value;
    }

    private static String text(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("Per-condition JSON field '" + where + name + "' must be a string");
        }
        return value.asText();
    }

    private static List<String> texts(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (!value.isArray()) {
            throw new IllegalArgumentException("Per-condition JSON field '" + where + name + "' must be an array");
        }
        List<String> out = new ArrayList<>();
        value.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static double number(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (value.isNull()) {
            return Double.NaN;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("Per-condition JSON field '" + where + name + "' must be a number");
        }
        return value.asDouble();
    }

    private static long integer(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (!value.isIntegralNumber()) {
            throw new IllegalArgumentException("Per-condition JSON field '" + where + name + "' must be an integer");
        }
        return value.asLong();
    }
}
