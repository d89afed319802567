package io.flowsynth.encode;

/**
 * Receives a decoded row column by column without boxing: the sampler's hot path writes primitives straight into
 * its engine's row, while {@link ExternalValues} turns the same calls into Spark's external Java values. Each call
 * sets column {@code column} (an index among the {@link TableEncoder}'s columns) of the current row; every decoder sets
 * its column exactly once per row, to a value of the column's {@link ColumnType} in one of these forms.
 */
public interface ValueSink {

    /** The column is null. */
    void setNull(int column);

    /**
     * An integral value: byte, short, int or long (within the type's range); a date as days since 1970-01-01
     * (proleptic Gregorian, as {@link java.time.LocalDate#toEpochDay()}); a timestamp as microseconds since
     * 1970-01-01T00:00Z.
     */
    void setLong(int column, long value);

    /** A float column's value (the sink rounds it to float) or a double column's. */
    void setDouble(int column, double value);

    /** A decimal of precision ≤ 18 as its unscaled value at the column's scale (within the precision). */
    void setUnscaledDecimal(int column, long unscaled);

    /**
     * Any value as Spark's external Java value ({@code String, Boolean, BigDecimal}, or any of the forms listed in
     * {@link ColumnEncoder}); null for null.
     */
    void setValue(int column, Object value);
}
