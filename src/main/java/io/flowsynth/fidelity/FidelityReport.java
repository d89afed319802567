package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * How closely a synthetic table follows a real one, after SDMetrics' single-table quality report:
 * {@code columnShapes} is the mean column score, {@code columnPairTrends} the mean pair score (NaN when there are no
 * pairs, written as JSON {@code null}), and {@code quality} their mean (the column shapes alone without pairs).
 * {@code realRows}/{@code syntheticRows} are the tables' row counts; {@code sampledRealRows}/{@code
 * sampledSyntheticRows} the rows the scores were computed on.
 *
 * <p>JSON form ({@link #toJson()}):
 * <pre>{"overall": {"quality", "column_shapes", "column_pair_trends"},
 *  "columns": [{"name", "kind", "metric", "score", "real_null_rate", "synthetic_null_rate"}],
 *  "pairs": [{"columns": [a, b], "metric", "score"}],
 *  "rows": {"real", "synthetic", "sampled_real", "sampled_synthetic"}}</pre>
 */
public record FidelityReport(double quality, double columnShapes, double columnPairTrends,
                             List<ColumnScore> columns, List<PairScore> pairs, long realRows, long syntheticRows,
                             long sampledRealRows, long sampledSyntheticRows) {

    public FidelityReport {
        columns = List.copyOf(columns);
        pairs = List.copyOf(pairs);
    }

    /** A report whose scores were computed on all rows (sampled rows = rows). */
    public FidelityReport(double quality, double columnShapes, double columnPairTrends, List<ColumnScore> columns,
                          List<PairScore> pairs, long realRows, long syntheticRows) {
        this(quality, columnShapes, columnPairTrends, columns, pairs, realRows, syntheticRows, realRows, syntheticRows);
    }

    /** Builds the report from its scores, computing the averages with {@link Metrics#mean} and {@link Metrics#quality}. */
    public static FidelityReport of(List<ColumnScore> columns, List<PairScore> pairs, long realRows, long syntheticRows,
                                    long sampledRealRows, long sampledSyntheticRows) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("A fidelity report needs at least one column score");
        }
        double shapes = Metrics.mean(columns.stream().map(ColumnScore::score).toList());
        double trends = Metrics.mean(pairs.stream().map(PairScore::score).toList());
        return new FidelityReport(Metrics.quality(shapes, trends), shapes, trends, columns, pairs,
                realRows, syntheticRows, sampledRealRows, sampledSyntheticRows);
    }

    /** This report as the JSON object written to {@code fidelity.json}; NaN numbers become {@code null}. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ObjectNode overall = root.putObject(ReportKeys.OVERALL);
        putNumber(overall, ReportKeys.QUALITY, quality);
        putNumber(overall, ReportKeys.COLUMN_SHAPES, columnShapes);
        putNumber(overall, ReportKeys.COLUMN_PAIR_TRENDS, columnPairTrends);
        ArrayNode columnArray = root.putArray(ReportKeys.COLUMNS);
        for (ColumnScore column : columns) {
            ObjectNode node = columnArray.addObject();
            node.put(ReportKeys.NAME, column.name());
            node.put(ReportKeys.KIND, column.kind());
            node.put(ReportKeys.METRIC, column.metric());
            putNumber(node, ReportKeys.SCORE, column.score());
            putNumber(node, ReportKeys.REAL_NULL_RATE, column.realNullRate());
            putNumber(node, ReportKeys.SYNTHETIC_NULL_RATE, column.syntheticNullRate());
        }
        ArrayNode pairArray = root.putArray(ReportKeys.PAIRS);
        for (PairScore pair : pairs) {
            ObjectNode node = pairArray.addObject();
            node.putArray(ReportKeys.COLUMNS).add(pair.columnA()).add(pair.columnB());
            node.put(ReportKeys.METRIC, pair.metric());
            putNumber(node, ReportKeys.SCORE, pair.score());
        }
        ObjectNode rows = root.putObject(ReportKeys.ROWS);
        rows.put(ReportKeys.REAL, realRows);
        rows.put(ReportKeys.SYNTHETIC, syntheticRows);
        rows.put(ReportKeys.SAMPLED_REAL, sampledRealRows);
        rows.put(ReportKeys.SAMPLED_SYNTHETIC, sampledSyntheticRows);
        return root;
    }

    /**
     * Reads the form written by {@link #toJson()}. The sampled row counts are optional (default: the row counts).
     *
     * @throws IllegalArgumentException naming the first missing or mistyped field
     */
    public static FidelityReport fromJson(JsonNode json) {
        JsonNode overall = field(json, ReportKeys.OVERALL, "");
        List<ColumnScore> columns = new ArrayList<>();
        JsonNode columnArray = field(json, ReportKeys.COLUMNS, "");
        for (int i = 0; i < columnArray.size(); i++) {
            JsonNode node = columnArray.get(i);
            String where = "columns[" + i + "].";
            columns.add(new ColumnScore(text(node, ReportKeys.NAME, where), text(node, ReportKeys.KIND, where),
                    text(node, ReportKeys.METRIC, where), number(node, ReportKeys.SCORE, where),
                    number(node, ReportKeys.REAL_NULL_RATE, where),
                    number(node, ReportKeys.SYNTHETIC_NULL_RATE, where)));
        }
        List<PairScore> pairs = new ArrayList<>();
        JsonNode pairArray = field(json, ReportKeys.PAIRS, "");
        for (int i = 0; i < pairArray.size(); i++) {
            JsonNode node = pairArray.get(i);
            String where = "pairs[" + i + "].";
            JsonNode names = field(node, ReportKeys.COLUMNS, where);
            if (!names.isArray() || names.size() != 2 || !names.get(0).isTextual() || !names.get(1).isTextual()) {
                throw new IllegalArgumentException("Fidelity JSON field '" + where + "columns' must be two column names");
            }
            pairs.add(new PairScore(names.get(0).asText(), names.get(1).asText(), text(node, ReportKeys.METRIC, where),
                    number(node, ReportKeys.SCORE, where)));
        }
        JsonNode rows = field(json, ReportKeys.ROWS, "");
        long realRows = integer(rows, ReportKeys.REAL, "rows.");
        long syntheticRows = integer(rows, ReportKeys.SYNTHETIC, "rows.");
        long sampledReal = rows.has(ReportKeys.SAMPLED_REAL) ? integer(rows, ReportKeys.SAMPLED_REAL, "rows.")
                : realRows;
        long sampledSynthetic = rows.has(ReportKeys.SAMPLED_SYNTHETIC)
                ? integer(rows, ReportKeys.SAMPLED_SYNTHETIC, "rows.") : syntheticRows;
        return new FidelityReport(number(overall, ReportKeys.QUALITY, "overall."),
                number(overall, ReportKeys.COLUMN_SHAPES, "overall."),
                number(overall, ReportKeys.COLUMN_PAIR_TRENDS, "overall."),
                columns, pairs, realRows, syntheticRows, sampledReal, sampledSynthetic);
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
            throw new IllegalArgumentException("Fidelity JSON lacks field '" + where + name + "'");
        }
        return value;
    }

    private static String text(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("Fidelity JSON field '" + where + name + "' must be a string, got "
                    + value.getNodeType());
        }
        return value.asText();
    }

    private static double number(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (value.isNull()) {
            return Double.NaN;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("Fidelity JSON field '" + where + name + "' must be a number, got "
                    + value.getNodeType());
        }
        return value.asDouble();
    }

    private static long integer(JsonNode node, String name, String where) {
        JsonNode value = field(node, name, where);
        if (!value.isIntegralNumber()) {
            throw new IllegalArgumentException("Fidelity JSON field '" + where + name + "' must be an integer, got "
                    + value);
        }
        return value.asLong();
    }
}
