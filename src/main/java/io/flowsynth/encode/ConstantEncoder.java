package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Random;

/**
 * A column with a single value, or all nulls: no features ({@code width() == 0}); decoding returns the constant (a
 * fresh object for dates and timestamps) or null. Encoding ignores its input.
 */
public final class ConstantEncoder implements ColumnEncoder {
    private static final long serialVersionUID = 1L;

    private final String column;
    private final ColumnType type;
    private final Object key; // ColumnValues key, null for an all-null column

    /** @param value the constant as an external Java value, or null */
    public ConstantEncoder(String column, ColumnType type, Object value) {
        this.column = QuantileEncoder.requireColumn(column);
        this.type = type;
        this.key = ColumnValues.key(type, value);
    }

    @Override
    public String column() {
        return column;
    }

    @Override
    public String kind() {
        return "constant";
    }

    @Override
    public ColumnType type() {
        return type;
    }

    @Override
    public int width() {
        return 0;
    }

    @Override
    public List<String> featureNames() {
        return List.of();
    }

    /** The constant as an external Java value, or null. */
    public Object value() {
        return ColumnValues.value(type, key);
    }

    @Override
    public void encode(Object value, double[] out, int offset, Random rng) {
        // no features
    }

    /** 0 for the constant (probability 1), {@link #OUT_OF_DOMAIN_LOG_PROB} for anything else. */
    @Override
    public double logDensityCorrection(Object value, double[] features, int offset) {
        Object k;
        try {
            k = ColumnValues.key(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Column '" + column + "': " + e.getMessage(), e);
        }
        return java.util.Objects.equals(k, key) ? 0.0 : OUT_OF_DOMAIN_LOG_PROB;
    }

    @Override
    public Object decode(double[] z, int offset, Random rng) {
        return value();
    }

    @Override
    public boolean decodesWithoutRandomness() {
        return true;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = jsonHeader();
        json.put("value", ColumnValues.keyToText(type, key));
        return json;
    }

    static ConstantEncoder fromJson(JsonNode json) {
        ColumnType type = ColumnType.parse(json.path("type").asText());
        JsonNode v = json.get("value");
        Object key = v == null || v.isNull() ? null : ColumnValues.keyFromText(type, v.asText());
        return new ConstantEncoder(json.path("column").asText(), type, ColumnValues.value(type, key));
    }
}
