package io.flowsynth.spark.sample;

import io.flowsynth.encode.ColumnValues;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.encode.ValueSink;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Writes decoded values straight into one reused Spark internal row of the source schema: primitives into Spark's
 * mutable slots (no boxing), dates as epoch days, timestamps as microseconds, decimals from their unscaled long, and
 * strings as {@code UTF8String}s converted once per distinct category. Values are exactly what Spark's conversion of
 * the external values ({@code createDataFrame}) stores: its own {@code DateTimeUtils}, {@code Decimal} and
 * {@code UTF8String} conversions, and the epoch day or microsecond as is only where that conversion is the identity
 * (dates from 1582-10-15 on, timestamps from 1900-01-01T00:00Z on, checked in every time zone of the JDK; before, the
 * Julian-calendar rebase of {@code java.sql} values applies and the external value is converted).
 *
 * <p>The row is reused: Spark copies each row the sampler hands it into its own unsafe row before asking for the next
 * (the scan of an RDD of internal rows projects every row), so one mutable row per partition is safe there and only
 * there. It spares the decoders' external values (boxing, java.sql.Date and BigDecimal round trips) and Spark's
 * conversion of them; {@code jobs/bench.sh sample} measures decoding.
 */
public final class InternalRowSink implements ValueSink {
    private static final int BYTE = 0;
    private static final int SHORT = 1;
    private static final int INT = 2;
    private static final int LONG = 3;
    private static final int FLOAT = 4;
    private static final int DOUBLE = 5;
    private static final int BOOLEAN = 6;
    private static final int STRING = 7;
    private static final int DATE = 8;
    private static final int TIMESTAMP = 9;
    private static final int DECIMAL = 10;
    /** A type no encoder learns (dropped columns): always null. */
    private static final int NULL_ONLY = 11;
    /** 1582-10-15, the first Gregorian day: from here on {@code java.sql.Date} and Spark's day numbers agree. */
    static final long FIRST_DIRECT_EPOCH_DAY = LocalDate.of(1582, 10, 15).toEpochDay();
    /** 1900-01-01T00:00Z: from here on Spark's Julian rebase of {@code java.sql.Timestamp} is the identity. */
    static final long FIRST_DIRECT_MICROS = -2_208_988_800L * 1_000_000L;
    /** Distinct strings cached per column, as UTF8String; beyond it (unique values) each is converted. */
    private static final int STRING_CACHE = 1 << 14;

    private final SpecificInternalRow row;
    /** For each sink column (an encoder column), its index in the row. */
    private final int[] target;
    /** For each row column, its kind, and for decimals precision and scale. */
    private final int[] kinds;
    private final int[] precision;
    private final int[] scale;
    private final StructField[] fields;
    private final Map<String, UTF8String>[] strings;
    /** One mutable Decimal per decimal column of precision ≤ 18, refilled for every row. */
    private final Decimal[] decimals;

    /**
     * A sink whose column j is the encoder's column j, written into a row of the source schema (columns the encoder
     * does not learn stay null).
     */
    public InternalRowSink(StructType schema, TableEncoder encoder) {
        this(schema, targets(schema, encoder));
    }

    /**
     * @param schema the row's schema (the source schema)
     * @param target for each sink column, its index in {@code schema}
     */
    @SuppressWarnings("unchecked")
    InternalRowSink(StructType schema, int[] target) {
        this.fields = schema.fields();
        this.row = new SpecificInternalRow(schema);
        this.target = target.clone();
        this.kinds = new int[fields.length];
        this.precision = new int[fields.length];
        this.scale = new int[fields.length];
        this.strings = new Map[fields.length];
        this.decimals = new Decimal[fields.length];
        for (int i = 0; i < fields.length; i++) {
            DataType t = fields[i].dataType();
            kinds[i] = kindOf(t);
            if (t instanceof DecimalType d) {
                precision[i] = d.precision();
                scale[i] = d.scale();
                decimals[i] = d.precision() <= 18 ? new Decimal() : null;
            }
            if (kinds[i] == STRING) {
                strings[i] = new HashMap<>();
            }
        }
        for (int i = 0; i < fields.length; i++) {
            row.setNullAt(i);
        }
    }

    /** For each encoder column, its index in the schema; throws when one is missing. */
    static int[] targets(StructType schema, TableEncoder encoder) {
        int[] target = new int[encoder.columns().size()];
        for (int j = 0; j < target.length; j++) {
            String name = encoder.columns().get(j).column();
            scala.Option<Object> index = schema.getFieldIndex(name);
            if (index.isEmpty()) {
                throw new IllegalStateException("The model's encoder column '" + name + "' is not in its source schema");
            }
            target[j] = (Integer) index.get();
        }
        return target;
    }

    private static int kindOf(DataType t) {
        if (t instanceof ByteType) {
            return BYTE;
        } else if (t instanceof ShortType) {
            return SHORT;
        } else if (t instanceof IntegerType) {
            return INT;
        } else if (t instanceof LongType) {
            return LONG;
        } else if (t instanceof FloatType) {
            return FLOAT;
        } else if (t instanceof DoubleType) {
            return DOUBLE;
        } else if (t instanceof BooleanType) {
            return BOOLEAN;
        } else if (t instanceof StringType) {
            return STRING;
        } else if (t instanceof DateType) {
            return DATE;
        } else if (t instanceof TimestampType) {
            return TIMESTAMP;
        } else if (t instanceof DecimalType) {
            return DECIMAL;
        }
        return NULL_ONLY;
    }

    /** The row being filled; the same object for every row. */
    public InternalRow row() {
        return row;
    }

    @Override
    public void setNull(int column) {
        row.setNullAt(target[column]);
    }

    @Override
    public void setLong(int column, long value) {
        int i = target[column];
        switch (kinds[i]) {
            case BYTE -> row.setByte(i, (byte) value);
            case SHORT -> row.setShort(i, (short) value);
            case INT -> row.setInt(i, (int) value);
            case LONG -> row.setLong(i, value);
            case DATE -> row.setInt(i, value >= FIRST_DIRECT_EPOCH_DAY
                    ? (int) value : DateTimeUtils.fromJavaDate(ColumnValues.dateOfEpochDay(value)));
            case TIMESTAMP -> row.setLong(i, value >= FIRST_DIRECT_MICROS
                    ? value : DateTimeUtils.fromJavaTimestamp(ColumnValues.timestampOfMicros(value)));
            default -> throw mismatch(i, "an integral value " + value);
        }
    }

    @Override
    public void setDouble(int column, double value) {
        int i = target[column];
        switch (kinds[i]) {
            case FLOAT -> row.setFloat(i, (float) value);
            case DOUBLE -> row.setDouble(i, value);
            default -> throw mismatch(i, "a floating-point value " + value);
        }
    }

    @Override
    public void setUnscaledDecimal(int column, long unscaled) {
        int i = target[column];
        Decimal d = decimals[i];
        if (d == null) {
            throw mismatch(i, "an unscaled decimal " + unscaled);
        }
        row.update(i, d.set(unscaled, precision[i], scale[i]));
    }

    @Override
    public void setValue(int column, Object value) {
        int i = target[column];
        if (value == null) {
            row.setNullAt(i);
            return;
        }
        switch (kinds[i]) {
            case BYTE, SHORT, INT, LONG -> setLong(column, ((Number) value).longValue());
            case FLOAT, DOUBLE -> setDouble(column, ((Number) value).doubleValue());
            case BOOLEAN -> row.setBoolean(i, (Boolean) value);
            case STRING -> row.update(i, utf8(i, (String) value));
            case DATE -> row.setInt(i, DateTimeUtils.fromJavaDate((Date) value));
            case TIMESTAMP -> row.setLong(i, DateTimeUtils.fromJavaTimestamp((Timestamp) value));
            case DECIMAL -> {
                Decimal d = Decimal.apply((BigDecimal) value);
                if (!d.changePrecision(precision[i], scale[i])) {
                    throw mismatch(i, "the decimal " + value + ", which does not fit DECIMAL(" + precision[i] + ","
                            + scale[i] + "),");
                }
                row.update(i, d);
            }
            default -> throw mismatch(i, "the value " + value);
        }
    }

    private UTF8String utf8(int i, String s) {
        Map<String, UTF8String> cache = strings[i];
        UTF8String u = cache.get(s);
        if (u == null) {
            u = UTF8String.fromString(s);
            if (cache.size() < STRING_CACHE) {
                cache.put(s, u);
            }
        }
        return u;
    }

    private IllegalStateException mismatch(int i, String what) {
        return new IllegalStateException("Decoder gave " + what + " for the " + fields[i].dataType().simpleString()
                + " column '" + fields[i].name() + "' of the source schema");
    }
}
