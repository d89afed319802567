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
        ObjectNode overall = root.putObject("overall");
        putNumber(overall, "quality", quality);
        putNumber(overall, "column_shapes", columnShapes);
        putNumber(overall, "column_pair_trends", columnPairTrends);
        ArrayNode columnArray = root.putArray("columns");
        for (ColumnScore column : columns) {
            ObjectNode node = columnArray.addObject();
            node.put("name", column.name());
            node.put("kind", column.kind());
            node.put("metric", column.metric());
            putNumber(node, "score", column.score());
            putNumber(node, "real_null_rate", column.realNullRate());
            putNumber(node, "synthetic_null_rate", column.syntheticNullRate());
        }
        ArrayNode pairArray = root.putArray("pairs");
        for (PairScore pair : pairs) {
            ObjectNode node = pairArray.addObject();
            node.putArray("columns").add(pair.columnA()).add(pair.columnB());
            node.put("metric", pair.metric());
            putNumber(node, "score", pair.score());
        }
        ObjectNode rows = root.putObject("rows");
        rows.put("real", realRows);
        rows.put("synthetic", syntheticRows);
        rows.put("sampled_real", sampledRealRows);
        rows.put("sampled_synthetic", sampledSyntheticRows);
        return root;
    }

    /**
     * Reads the form written by {@link #toJson()}. The sampled row counts are optional (default: the row counts).
     *
     * @throws IllegalArgumentException naming the first missing or mistyped field
     */
    public static FidelityReport fromJson(JsonNode json) {
        JsonNode overall = field(json, "overall", "");
        List<ColumnScore> columns = new ArrayList<>();
        JsonNode columnArray = field(json, "columns", "");
        for (int i = 0; i < columnArray.size(); i++) {
            JsonNode node = columnArray.get(i);
            String where = "columns[" + i + "].";
            columns.add(new ColumnScore(text(node, "name", where), text(node, "kind", where),
                    text(node, "metric", where), number(node, "score", where),
                    number(node, "real_null_rate", where), number(node, "synthetic_null_rate", where)));
        }
        List<PairScore> pairs = new ArrayList<>();
        JsonNode pairArray = field(json, "pairs", "");
        for (int i = 0; i < pairArray.size(); i++) {
            JsonNode node = pairArray.get(i);
            String where = "pairs[" + i + "].";
            JsonNode names = field(node, "columns", where);
            if (!names.isArray() || names.size() != 2 || !names.get(0).isTextual() || !names.get(1).isTextual()) {
                throw new IllegalArgumentException("Fidelity JSON field '" + where + "columns' must be two column names");
            }
            pairs.add(new PairScore(names.get(0).asText(), names.get(1).asText(), text(node, "metric", where),
                    number(node, "score", where)));
        }
        JsonNode rows = field(json, "rows", "");
        long realRows = integer(rows, "real", "rows.");
        long syntheticRows = integer(rows, "synthetic", "rows.");
        long sampledReal = rows.has("sampled_real") ? integer(rows, "sampled_real", "rows.") : realRows;
        long sampledSynthetic = rows.has("sampled_synthetic")
                ? integer(rows, "sampled_synthetic", "rows.") : syntheticRows;
        return new FidelityReport(number(overall, "quality", "overall."),
                number(overall, "column_shapes", "overall."), number(overall, "column_pair_trends", "overall."),
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
