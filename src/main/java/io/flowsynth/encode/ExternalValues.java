package io.flowsynth.encode;

import java.math.BigDecimal;
import java.util.function.Consumer;

/**
 * A {@link ValueSink} that collects a row as Spark's external Java values ({@code Integer}, {@code java.sql.Date},
 * {@code BigDecimal}, …, see {@link ColumnEncoder}): the form {@link TableEncoder#decode} returns.
 */
public final class ExternalValues implements ValueSink {
    private final ColumnType[] types;
    private final Object[] values;

    /** @param types the type of each column the sink receives */
    public ExternalValues(ColumnType... types) {
        this.types = types;
        this.values = new Object[types.length];
    }

    /** The values set so far, by column; the sink's own array. */
    public Object[] values() {
        return values;
    }

    /**
     * The external value that {@code decoder} sets as column 0 of a one-column sink of {@code type}: the
     * {@code Object}-returning decoders are this around their sink form.
     */
    static Object single(ColumnType type, Consumer<ValueSink> decoder) {
        ExternalValues one = new ExternalValues(type);
        decoder.accept(one);
        return one.values[0];
    }

    @Override
    public void setNull(int column) {
        values[column] = null;
    }

    @Override
    public void setLong(int column, long value) {
        values[column] = switch (types[column].base()) {
            case BYTE -> (byte) value;
            case SHORT -> (short) value;
            case INT -> (int) value;
            case LONG -> value;
            case DATE -> ColumnValues.dateOfEpochDay(value);
            case TIMESTAMP -> ColumnValues.timestampOfMicros(value);
            default -> throw new IllegalStateException("an integral value for a " + types[column] + " column");
        };
    }

    @Override
    public void setDouble(int column, double value) {
        values[column] = switch (types[column].base()) {
            case FLOAT -> (float) value;
            case DOUBLE -> value;
            default -> throw new IllegalStateException("a floating-point value for a " + types[column] + " column");
        };
    }

    @Override
    public void setUnscaledDecimal(int column, long unscaled) {
        if (types[column].base() != ColumnType.Base.DECIMAL) {
            throw new IllegalStateException("a decimal value for a " + types[column] + " column");
        }
        values[column] = BigDecimal.valueOf(unscaled, types[column].scale());
    }

    @Override
    public void setValue(int column, Object value) {
        values[column] = value;
    }
}
