package io.flowsynth.spark;

import io.flowsynth.encode.ColumnType;
import io.flowsynth.fidelity.ColumnKind;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

import java.util.Optional;

/**
 * The one mapping of Spark data types to flowsynth's Spark-free column types, used by the encoders' estimator and by
 * the fidelity report, so the two cannot disagree about a column.
 *
 * <p>{@code TIMESTAMP_NTZ} (a local date-time without a time zone) is a date/time for both, but the encoders do not
 * support it yet: their timestamps are instants (epoch microseconds in UTC), and reading a local date-time as one
 * would shift it by the session's time zone (and by an hour across a daylight-saving gap), so {@link #columnType}
 * returns empty for it and {@code fit} refuses (or, with {@code flowsynth.encode.drop-unsupported}, drops) such a
 * column, naming the cast that makes it supported. The report compares it as a date/time: both of its sides are read
 * the same way, so the comparison holds whatever the session's time zone.
 */
public final class SparkTypes {
    private SparkTypes() {
    }

    /** The Spark-free type of a Spark data type, empty when the encoders do not support it. */
    public static Optional<ColumnType> columnType(DataType t) {
        if (t instanceof ByteType) {
            return Optional.of(ColumnType.of(ColumnType.Base.BYTE));
        } else if (t instanceof ShortType) {
            return Optional.of(ColumnType.of(ColumnType.Base.SHORT));
        } else if (t instanceof IntegerType) {
            return Optional.of(ColumnType.of(ColumnType.Base.INT));
        } else if (t instanceof LongType) {
            return Optional.of(ColumnType.of(ColumnType.Base.LONG));
        } else if (t instanceof FloatType) {
            return Optional.of(ColumnType.of(ColumnType.Base.FLOAT));
        } else if (t instanceof DoubleType) {
            return Optional.of(ColumnType.of(ColumnType.Base.DOUBLE));
        } else if (t instanceof DecimalType) {
            DecimalType d = (DecimalType) t;
            return Optional.of(ColumnType.decimal(d.precision(), d.scale()));
        } else if (t instanceof BooleanType) {
            return Optional.of(ColumnType.of(ColumnType.Base.BOOLEAN));
        } else if (t instanceof StringType) {
            return Optional.of(ColumnType.of(ColumnType.Base.STRING));
        } else if (t instanceof DateType) {
            return Optional.of(ColumnType.of(ColumnType.Base.DATE));
        } else if (t instanceof TimestampType) {
            return Optional.of(ColumnType.of(ColumnType.Base.TIMESTAMP));
        }
        return Optional.empty();
    }

    /** Whether the type is a local date-time without time zone ({@code TIMESTAMP_NTZ}); see the class comment. */
    public static boolean isLocalDateTime(DataType t) {
        return t instanceof TimestampNTZType;
    }

    /**
     * The fidelity report's kind of a Spark data type, or null if the report does not support it: from
     * {@link #columnType} (numbers are numerical, dates and timestamps datetime, strings categorical, booleans
     * boolean), and {@code TIMESTAMP_NTZ} datetime.
     */
    public static ColumnKind reportKind(DataType t) {
        if (isLocalDateTime(t)) {
            return ColumnKind.DATETIME;
        }
        Optional<ColumnType> type = columnType(t);
        if (type.isEmpty()) {
            return null;
        }
        ColumnType c = type.get();
        if (c.isNumeric()) {
            return ColumnKind.NUMERICAL;
        } else if (c.isDatetime()) {
            return ColumnKind.DATETIME;
        } else if (c.base() == ColumnType.Base.STRING) {
            return ColumnKind.CATEGORICAL;
        }
        return c.base() == ColumnType.Base.BOOLEAN ? ColumnKind.BOOLEAN : null;
    }
}
