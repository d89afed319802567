package io.flowsynth.encode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Conversions between a column's external Java values and the two internal forms the encoders use.
 *
 * <ul>
 *   <li>A <em>key</em>: a normalized, comparable, hashable value used by categoricals and constants: {@code String},
 *       {@code Boolean}, {@code Long} (all integral types; epoch days for dates; epoch microseconds for timestamps),
 *       {@code Float}/{@code Double} (−0.0 folded into 0.0, as Spark's grouping does), {@code BigDecimal} at the type's
 *       scale. Keys have a text form for JSON and for transport from Spark.</li>
 *   <li>A <em>number</em>: the double the quantile encoder works on (epoch days for dates, epoch microseconds for
 *       timestamps). Longs beyond 2⁵³ and decimals beyond 17 digits lose precision here.</li>
 * </ul>
 */
public final class ColumnValues {
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private ColumnValues() {
    }

    /** Normalized key of {@code value}, {@code null} for null. Throws IllegalArgumentException for a wrong class. */
    public static Object key(ColumnType type, Object value) {
        if (value == null) {
            return null;
        }
        switch (type.base()) {
            case STRING:
                return expect(value, String.class, type);
            case BOOLEAN:
                return expect(value, Boolean.class, type);
            case BYTE:
            case SHORT:
            case INT:
            case LONG:
                return expect(value, Number.class, type).longValue();
            case FLOAT: {
                float f = expect(value, Number.class, type).floatValue();
                return f == 0.0f ? 0.0f : f;
            }
            case DOUBLE: {
                double d = expect(value, Number.class, type).doubleValue();
                return d == 0.0 ? 0.0 : d;
            }
            case DECIMAL:
                return toBigDecimal(value, type).setScale(type.scale(), RoundingMode.HALF_UP);
            case DATE:
                return epochDay(value, type);
            case TIMESTAMP:
                return epochMicros(value, type);
            default:
                throw new IllegalStateException("unhandled type " + type);
        }
    }

    /** The external Java value for a key (a fresh object for dates and timestamps); null for null. */
    public static Object value(ColumnType type, Object key) {
        return ExternalValues.single(type, out -> emit(type, key, out, 0));
    }

    /** {@link #value} into column {@code column} of a sink, without boxing where the sink takes primitives. */
    public static void emit(ColumnType type, Object key, ValueSink out, int column) {
        if (key == null) {
            out.setNull(column);
            return;
        }
        switch (type.base()) {
            case STRING, BOOLEAN, DECIMAL -> out.setValue(column, key);
            case FLOAT, DOUBLE -> out.setDouble(column, ((Number) key).doubleValue());
            case BYTE, SHORT, INT, LONG, DATE, TIMESTAMP -> out.setLong(column, (Long) key);
            default -> throw new IllegalStateException("unhandled type " + type);
        }
    }

    /** Text form of a key; null for null. Doubles use Java's shortest round-tripping form ("NaN", "Infinity"). */
    public static String keyToText(ColumnType type, Object key) {
        if (key == null) {
            return null;
        }
        if (key instanceof BigDecimal) {
            return ((BigDecimal) key).toPlainString();
        }
        return key.toString();
    }

    /**
     * Parses the text form of a key, also the text Spark produces by casting the column to string (for dates and
     * timestamps: the text of {@code unix_date} / {@code unix_micros}).
     */
    public static Object keyFromText(ColumnType type, String text) {
        if (text == null) {
            return null;
        }
        switch (type.base()) {
            case STRING:
                return text;
            case BOOLEAN:
                if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException("not a boolean: '" + text + "'");
                }
                return Boolean.parseBoolean(text);
            case BYTE:
            case SHORT:
            case INT:
            case LONG:
            case DATE:
            case TIMESTAMP:
                return Long.parseLong(text.trim());
            case FLOAT:
                return key(type, Float.parseFloat(text));
            case DOUBLE:
                return key(type, Double.parseDouble(text));
            case DECIMAL:
                return new BigDecimal(text.trim()).setScale(type.scale(), RoundingMode.HALF_UP);
            default:
                throw new IllegalStateException("unhandled type " + type);
        }
    }

    /** Total order on keys of one type, null first (NaN last among doubles, as {@link Double#compareTo}). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static int compareKeys(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        return ((Comparable) a).compareTo(b);
    }

    /**
     * The number the quantile encoder models: the value itself for numerics, epoch days for dates, epoch microseconds
     * for timestamps. Not for null, string or boolean.
     */
    public static double toDouble(ColumnType type, Object value) {
        switch (type.base()) {
            case BYTE:
            case SHORT:
            case INT:
            case LONG:
            case FLOAT:
            case DOUBLE:
                return expect(value, Number.class, type).doubleValue();
            case DECIMAL:
                return toBigDecimal(value, type).doubleValue();
            case DATE:
                return epochDay(value, type);
            case TIMESTAMP:
                return epochMicros(value, type);
            default:
                throw new IllegalArgumentException("type " + type + " has no numeric form");
        }
    }

    public static Date dateOfEpochDay(long epochDay) {
        return Date.valueOf(LocalDate.ofEpochDay(epochDay));
    }

    public static Timestamp timestampOfMicros(long micros) {
        Timestamp ts = new Timestamp(Math.floorDiv(micros, MICROS_PER_SECOND) * 1000L);
        ts.setNanos((int) Math.floorMod(micros, MICROS_PER_SECOND) * 1000);
        return ts;
    }

    static long epochDay(Object value, ColumnType type) {
        if (value instanceof Date) {
            return ((Date) value).toLocalDate().toEpochDay();
        }
        if (value instanceof LocalDate) {
            return ((LocalDate) value).toEpochDay();
        }
        throw wrongClass(value, type);
    }

    static long epochMicros(Object value, ColumnType type) {
        if (value instanceof Timestamp) {
            Timestamp ts = (Timestamp) value;
            return Math.floorDiv(ts.getTime(), 1000L) * MICROS_PER_SECOND + ts.getNanos() / 1000;
        }
        if (value instanceof Instant) {
            Instant i = (Instant) value;
            return i.getEpochSecond() * MICROS_PER_SECOND + i.getNano() / 1000;
        }
        throw wrongClass(value, type);
    }

    private static BigDecimal toBigDecimal(Object value, ColumnType type) {
        if (value instanceof BigDecimal) {
            return (BigDecimal) value;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isFinite(d)) {
                return BigDecimal.valueOf(d);
            }
        }
        throw wrongClass(value, type);
    }

    private static <T> T expect(Object value, Class<T> cls, ColumnType type) {
        if (!cls.isInstance(value)) {
            throw wrongClass(value, type);
        }
        return cls.cast(value);
    }

    private static IllegalArgumentException wrongClass(Object value, ColumnType type) {
        return new IllegalArgumentException(
                "expected a value of type " + type + ", got " + value.getClass().getName() + " '" + value + "'");
    }
}
