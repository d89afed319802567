package io.flowsynth.encode;

import java.io.Serializable;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spark-free description of a column's source type. {@code precision} and {@code scale} are only meaningful for
 * {@link Base#DECIMAL} and are 0 for every other base type. The text form ({@link #toString()}, {@link #parse(String)})
 * follows Spark's simple type names: {@code int}, {@code decimal(10,2)}, {@code timestamp}.
 */
public record ColumnType(Base base, int precision, int scale) implements Serializable {

    /** The source types the encoders support, with Spark's external Java classes listed in {@link ColumnEncoder}. */
    public enum Base { BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, DECIMAL, BOOLEAN, STRING, DATE, TIMESTAMP }

    /** Largest precision of a Spark decimal. */
    public static final int MAX_DECIMAL_PRECISION = 38;

    private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),\\s*(\\d+)\\)");

    public ColumnType {
        if (base == null) {
            throw new IllegalArgumentException("base type must not be null");
        }
        if (base == Base.DECIMAL) {
            if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision) {
                throw new IllegalArgumentException("invalid decimal(" + precision + "," + scale + ")");
            }
        } else if (precision != 0 || scale != 0) {
            throw new IllegalArgumentException("precision/scale only apply to decimal, got " + base);
        }
    }

    /** A non-decimal type. */
    public static ColumnType of(Base base) {
        return new ColumnType(base, 0, 0);
    }

    public static ColumnType decimal(int precision, int scale) {
        return new ColumnType(Base.DECIMAL, precision, scale);
    }

    /** byte, short, int, long. */
    public boolean isIntegral() {
        return base == Base.BYTE || base == Base.SHORT || base == Base.INT || base == Base.LONG;
    }

    /** float, double. */
    public boolean isFloatingPoint() {
        return base == Base.FLOAT || base == Base.DOUBLE;
    }

    /** integral, floating point or decimal. */
    public boolean isNumeric() {
        return isIntegral() || isFloatingPoint() || base == Base.DECIMAL;
    }

    /** date, timestamp. */
    public boolean isDatetime() {
        return base == Base.DATE || base == Base.TIMESTAMP;
    }

    /** Spark's simple name: {@code int}, {@code decimal(10,2)}, … */
    @Override
    public String toString() {
        return base == Base.DECIMAL
                ? "decimal(" + precision + "," + scale + ")"
                : base.name().toLowerCase(Locale.ROOT);
    }

    /** Inverse of {@link #toString()}. */
    public static ColumnType parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = DECIMAL.matcher(t);
        if (m.matches()) {
            return decimal(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
        for (Base b : Base.values()) {
            if (b != Base.DECIMAL && b.name().toLowerCase(Locale.ROOT).equals(t)) {
                return of(b);
            }
        }
        throw new IllegalArgumentException("unknown column type '" + text + "'");
    }
}
