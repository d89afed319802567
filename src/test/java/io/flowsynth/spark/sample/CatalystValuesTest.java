package io.flowsynth.spark.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The sampler's internal rows hold exactly what Spark's own conversion of the same external row holds. */
class CatalystValuesTest {
    private static final StructType SCHEMA = new StructType(new StructField[]{
        DataTypes.createStructField("b", DataTypes.ByteType, true),
        DataTypes.createStructField("s", DataTypes.ShortType, true),
        DataTypes.createStructField("i", DataTypes.IntegerType, true),
        DataTypes.createStructField("l", DataTypes.LongType, true),
        DataTypes.createStructField("f", DataTypes.FloatType, true),
        DataTypes.createStructField("d", DataTypes.DoubleType, true),
        DataTypes.createStructField("m", DataTypes.createDecimalType(12, 2), true),
        DataTypes.createStructField("w", DataTypes.createDecimalType(30, 18), true),
        DataTypes.createStructField("t", DataTypes.StringType, true),
        DataTypes.createStructField("z", DataTypes.BooleanType, true),
        DataTypes.createStructField("day", DataTypes.DateType, true),
        DataTypes.createStructField("at", DataTypes.TimestampType, true),
        DataTypes.createStructField("ignored", DataTypes.createArrayType(DataTypes.IntegerType), true),
    });

    @Test
    void internalValuesEqualSparksConversionOfTheSameRow() {
        Object[][] rows = {
            {(byte) -3, (short) 4000, 7, -5L, 1.5f, Double.NaN, new BigDecimal("1234.50"),
                new BigDecimal("-0.123456789012345678"), "ünï", true, Date.valueOf("1582-10-20"),
                Timestamp.valueOf("2021-03-28 02:30:00.123456"), null},
            {null, null, null, null, null, Double.NEGATIVE_INFINITY, null, null, null, null, Date.valueOf("2024-02-29"),
                null, null},
        };
        ExpressionEncoder.Serializer<org.apache.spark.sql.Row> spark = ExpressionEncoder.apply(SCHEMA).createSerializer();
        CatalystValues mine = new CatalystValues(SCHEMA);
        for (Object[] values : rows) {
            InternalRow expected = spark.apply(RowFactory.create(values.clone())).copy();
            Object[] converted = values.clone();
            mine.toInternal(converted);
            InternalRow actual = new GenericInternalRow(converted);
            for (int i = 0; i < SCHEMA.size(); i++) {
                Object want = expected.isNullAt(i) ? null : expected.get(i, SCHEMA.fields()[i].dataType());
                Object got = actual.isNullAt(i) ? null : actual.get(i, SCHEMA.fields()[i].dataType());
                assertThat(got).as(SCHEMA.fields()[i].name()).isEqualTo(want);
            }
        }
    }
}
