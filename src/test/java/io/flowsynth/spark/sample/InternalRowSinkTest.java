package io.flowsynth.spark.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.encode.ColumnType;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.ExternalValues;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.encode.ValueSink;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.encode.TableEncoderEstimator;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TimeZone;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The sampler's internal rows hold exactly what Spark's own conversion of the decoders' external values holds:
 * value by value, and for whole rows decoded by fitted encoders of every type, in several time zones.
 */
class InternalRowSinkTest {
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
    private static final List<String> ZONES = List.of("UTC", "America/New_York", "Asia/Kolkata", "Europe/Moscow");

    @Test
    void externalValuesConvertLikeSparksSerializer() {
        Object[][] rows = {
            {(byte) -3, (short) 4000, 7, -5L, 1.5f, Double.NaN, new BigDecimal("1234.50"),
                new BigDecimal("-0.123456789012345678"), "ünï", true, Date.valueOf("1582-10-20"),
                Timestamp.valueOf("2021-03-28 02:30:00.123456"), null},
            {null, null, null, null, null, Double.NEGATIVE_INFINITY, null, null, null, null, Date.valueOf("2024-02-29"),
                Timestamp.valueOf("1850-06-01 12:00:00"), null},
            {(byte) 1, (short) 2, 3, 4L, -0.0f, 1e300, new BigDecimal("0.01"), BigDecimal.ONE, "", false,
                Date.valueOf("1000-03-01"), Timestamp.valueOf("1500-01-01 00:00:00"), null},
        };
        inEveryZone(() -> {
            for (Object[] values : rows) {
                InternalRowSink sink = new InternalRowSink(SCHEMA, identity(SCHEMA.size()));
                for (int i = 0; i < values.length; i++) {
                    sink.setValue(i, values[i]);
                }
                assertSameRow(SCHEMA, sparkRow(SCHEMA, values), sink.row());
            }
        });
    }

    @Test
    void primitivesGiveTheSameRowAsTheirExternalValues() {
        String[] days = {"0300-02-28", "1582-10-04", "1582-10-15", "1899-12-31", "1970-01-01", "2024-02-29", "9999-12-31"};
        String[] times = {"1000-01-01 00:00:00", "1850-06-01 12:34:56.5", "1899-12-31 23:59:59.999999",
            "1900-01-01 00:00:00", "1969-12-31 23:59:59.000001", "2021-03-28 02:30:00.123456"};
        ColumnType[] types = {ColumnType.of(ColumnType.Base.BYTE), ColumnType.of(ColumnType.Base.SHORT),
            ColumnType.of(ColumnType.Base.INT), ColumnType.of(ColumnType.Base.LONG), ColumnType.of(ColumnType.Base.FLOAT),
            ColumnType.of(ColumnType.Base.DOUBLE), ColumnType.decimal(12, 2), ColumnType.decimal(30, 18),
            ColumnType.of(ColumnType.Base.STRING), ColumnType.of(ColumnType.Base.BOOLEAN),
            ColumnType.of(ColumnType.Base.DATE), ColumnType.of(ColumnType.Base.TIMESTAMP)};
        inEveryZone(() -> {
            for (int k = 0; k < Math.max(days.length, times.length); k++) {
                LocalDate day = LocalDate.parse(days[k % days.length]);
                Timestamp time = Timestamp.valueOf(times[k % times.length]);
                long micros = Math.floorDiv(time.getTime(), 1000L) * 1_000_000L + time.getNanos() / 1000;
                ExternalValues external = new ExternalValues(types);
                InternalRowSink sink = new InternalRowSink(SCHEMA, identity(types.length));
                ValueSink both = new Tee(external, sink);
                both.setLong(0, -128 + k);
                both.setLong(1, 30_000 + k);
                both.setLong(2, -2_000_000_000 + k);
                both.setLong(3, Long.MAX_VALUE - k);
                both.setDouble(4, 0.1 * k + 1e-9);
                both.setDouble(5, k == 2 ? Double.NaN : -0.1 * k);
                both.setUnscaledDecimal(6, k == 1 ? -999_999_999_999L : 12_345L * k);
                both.setValue(7, new BigDecimal("123456789012.123456789012345678").negate());
                both.setValue(8, "v" + k);
                both.setValue(9, k % 2 == 0);
                both.setLong(10, day.toEpochDay());
                both.setLong(11, micros);
                Object[] values = Arrays.copyOf(external.values(), SCHEMA.size());
                assertSameRow(SCHEMA, sparkRow(SCHEMA, values), sink.row());
            }
        });
    }

    @Test
    void rowsDecodedByFittedEncodersMatchSparksConversionOfTheExternalRows() {
        StructType schema = new StructType()
                .add("b", DataTypes.ByteType).add("i", DataTypes.IntegerType).add("small", DataTypes.IntegerType)
                .add("l", DataTypes.LongType).add("f", DataTypes.FloatType).add("d", DataTypes.DoubleType)
                .add("mode", DataTypes.DoubleType).add("price", DataTypes.createDecimalType(10, 2))
                .add("wide", DataTypes.createDecimalType(24, 4)).add("flag", DataTypes.BooleanType)
                .add("name", DataTypes.StringType).add("day", DataTypes.DateType).add("old", DataTypes.DateType)
                .add("at", DataTypes.TimestampType).add("then", DataTypes.TimestampType)
                .add("konst", DataTypes.StringType);
        Random rng = new Random(3);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 400; r++) {
            double u = rng.nextDouble();
            rows.add(RowFactory.create((byte) (rng.nextInt(200) - 100), rng.nextInt(100_000), rng.nextInt(4),
                    rng.nextLong() >> 20, u < 0.05 ? Float.NaN : (float) rng.nextGaussian(),
                    u < 0.1 ? null : u < 0.12 ? Double.POSITIVE_INFINITY : Math.exp(rng.nextGaussian()),
                    rng.nextBoolean() ? rng.nextGaussian() : 5 + rng.nextGaussian(),
                    BigDecimal.valueOf(rng.nextInt(1_000_000), 2), BigDecimal.valueOf(rng.nextLong() >> 8, 4),
                    u < 0.2 ? null : rng.nextDouble() < 0.7, "n" + (int) Math.abs(rng.nextGaussian() * 5),
                    Date.valueOf(LocalDate.of(2000, 1, 1).plusDays(rng.nextInt(3000))),
                    Date.valueOf(LocalDate.of(1500, 1, 1).plusDays(rng.nextInt(300_000))),
                    new Timestamp(1_600_000_000_000L + rng.nextInt(100_000_000)),
                    new Timestamp(-12_000_000_000_000L + (rng.nextLong() >>> 24)),
                    "same"));
        }
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults().withOnehotMaxCategories(4)
                .withEncoderOverrides(Map.of("mode", EncodeOptions.MODE)))
                .fit(SharedSparkSession.get().createDataFrame(rows, schema));
        inEveryZone(() -> {
            Random z = new Random(11);
            double[] features = new double[encoder.width()];
            InternalRowSink sink = new InternalRowSink(schema, encoder); // reused across rows, as in the sampler
            for (int r = 0; r < 500; r++) {
                for (int j = 0; j < features.length; j++) {
                    double v = z.nextGaussian() * 1.5;
                    features[j] = r % 50 == 7 ? Double.NaN : r % 50 == 8 ? Double.NEGATIVE_INFINITY : v;
                }
                boolean independent = r % 2 == 1;
                Object[] values = independent
                        ? encoder.decodeIndependent(features, new Random(r), r, 500, 9)
                        : encoder.decode(features, new Random(r), r, 500, 9);
                encoder.decodeInto(features, new Random(r), r, 500, 9, independent, sink);
                Object[] source = new Object[schema.size()];
                for (int j = 0; j < values.length; j++) {
                    source[schema.fieldIndex(encoder.columns().get(j).column())] = values[j];
                }
                assertSameRow(schema, sparkRow(schema, source), sink.row());
            }
        });
    }

    private static int[] identity(int n) {
        int[] map = new int[n];
        for (int i = 0; i < n; i++) {
            map[i] = i;
        }
        return map;
    }

    private static InternalRow sparkRow(StructType schema, Object[] values) {
        return ExpressionEncoder.apply(schema).createSerializer().apply(RowFactory.create(values.clone())).copy();
    }

    private static void assertSameRow(StructType schema, InternalRow expected, InternalRow actual) {
        for (int i = 0; i < schema.size(); i++) {
            Object want = expected.isNullAt(i) ? null : expected.get(i, schema.fields()[i].dataType());
            Object got = actual.isNullAt(i) ? null : actual.get(i, schema.fields()[i].dataType());
            assertThat(got).as("%s in %s", schema.fields()[i].name(), TimeZone.getDefault().getID()).isEqualTo(want);
        }
    }

    private static void inEveryZone(Runnable check) {
        TimeZone saved = TimeZone.getDefault();
        try {
            for (String zone : ZONES) {
                TimeZone.setDefault(TimeZone.getTimeZone(zone));
                check.run();
            }
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    /** Hands every value to two sinks. */
    private record Tee(ValueSink a, ValueSink b) implements ValueSink {
        @Override
        public void setNull(int column) {
            a.setNull(column);
            b.setNull(column);
        }

        @Override
        public void setLong(int column, long value) {
            a.setLong(column, value);
            b.setLong(column, value);
        }

        @Override
        public void setDouble(int column, double value) {
            a.setDouble(column, value);
            b.setDouble(column, value);
        }

        @Override
        public void setUnscaledDecimal(int column, long unscaled) {
            a.setUnscaledDecimal(column, unscaled);
            b.setUnscaledDecimal(column, unscaled);
        }

        @Override
        public void setValue(int column, Object value) {
            a.setValue(column, value);
            b.setValue(column, value);
        }
    }
}
