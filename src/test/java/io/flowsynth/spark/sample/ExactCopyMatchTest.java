package io.flowsynth.spark.sample;

import io.flowsynth.spark.SharedSparkSession;
import java.math.BigDecimal;
import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact-copy guard's matching (a join on two row hashes, every candidate compared exactly) finds exactly the rows
 * that Spark's null-safe equality on every column finds: nulls in any position, NaN, -0.0 against 0.0, and a wide
 * table in which every non-copy differs from a training row in one column only. Run also with every row hashing alike
 * (so the exact comparison alone decides) and with real hashes.
 */
class ExactCopyMatchTest {
    private static final StructType NARROW = new StructType().add("d", DataTypes.DoubleType)
            .add("f", DataTypes.FloatType).add("s", DataTypes.StringType).add("i", DataTypes.IntegerType)
            .add("j", DataTypes.IntegerType).add("dt", DataTypes.DateType)
            .add("dec", DataTypes.createDecimalType(10, 2));

    private static Row row(Object... v) {
        return RowFactory.create(v);
    }

    private static Dataset<Row> indexed(SparkSession spark, List<Row> rows, StructType schema) {
        List<Row> out = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            Object[] v = Arrays.copyOf(toArray(rows.get(r)), schema.size() + 1);
            v[schema.size()] = (long) r;
            out.add(RowFactory.create(v));
        }
        return spark.createDataFrame(out, schema.add(SyntheticSampler.ROW_INDEX, DataTypes.LongType, false))
                .repartition(3);
    }

    private static Object[] toArray(Row r) {
        Object[] v = new Object[r.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.get(i);
        }
        return v;
    }

    private static Set<Long> copies(Dataset<Row> train, Dataset<Row> synthetic, StructType schema, boolean collide) {
        Map<String, DataType> types = new HashMap<>();
        for (StructField f : schema.fields()) {
            types.put(f.name(), f.dataType());
        }
        ExactCopyGuard guard = new ExactCopyGuard(schema.fieldNames(), types, train, 1, train.count(), collide);
        Set<Long> out = new HashSet<>();
        for (Row r : guard.copies(synthetic, synthetic.count(), 3).collectAsList()) {
            assertThat(out.add(r.getLong(0))).as("each copy once").isTrue();
        }
        return out;
    }

    /** What the guard matched before it joined on hashes: a left-semi join on {@code <=>} of every column. */
    private static Set<Long> nullSafeJoin(Dataset<Row> train, Dataset<Row> synthetic, String[] names) {
        Column on = null;
        for (String n : names) {
            Column eq = synthetic.col(n).eqNullSafe(train.col(n));
            on = on == null ? eq : on.and(eq);
        }
        Set<Long> out = new HashSet<>();
        for (Row r : synthetic.join(train, on, "left_semi").select(col(SyntheticSampler.ROW_INDEX)).collectAsList()) {
            out.add(r.getLong(0));
        }
        return out;
    }

    @Test
    void nullsNanAndSignedZerosMatchAsSparksNullSafeEquality() {
        SparkSession spark = SharedSparkSession.get();
        Date day = Date.valueOf("2020-01-01");
        BigDecimal one = new BigDecimal("1.00");
        List<Row> train = List.of(
                row(0.0, 1.5f, "a", 1, 2, day, one),
                row(Double.NaN, Float.NaN, null, null, null, null, null),
                row(null, 2f, "b", null, 5, null, new BigDecimal("2.50")),
                row(1.0, 0.0f, "c", 3, 4, day, one),
                row(2.0, 2f, "e", 3, 4, day, one));
        List<Row> synthetic = List.of(
                row(-0.0, 1.5f, "a", 1, 2, day, one),                          // 0: copy (-0.0 = 0.0)
                row(Double.NaN, Float.NaN, null, null, null, null, null),      // 1: copy (NaN = NaN, null = null)
                row(null, 2f, "b", null, 5, null, new BigDecimal("2.50")),     // 2: copy
                row(null, 2f, "b", 5, null, null, new BigDecimal("2.50")),     // 3: the null moved to another column
                row(1.0, -0.0f, "c", 3, 4, day, one),                          // 4: copy (float -0.0 = 0.0)
                row(1.0, Float.NaN, "c", 3, 4, day, one),                      // 5: NaN is not 0.0
                row(Double.NaN, 1.5f, "a", 1, 2, day, one),                    // 6: NaN is not 0.0
                row(0.0, 1.5f, "a", 1, 2, Date.valueOf("2020-01-02"), one),    // 7: another day
                row(0.0, 1.5f, "a", 1, 2, day, new BigDecimal("1.01")),        // 8: another decimal
                row(0.0, 1.5f, null, 1, 2, day, one),                          // 9: null for "a"
                row(2.0, 2f, "e", 3, 4, day, one),                             // 10: copy
                row(2.0, 2f, "e", 4, 3, day, one));                            // 11: two values swapped
        Dataset<Row> t = spark.createDataFrame(train, NARROW).repartition(2);
        Dataset<Row> s = indexed(spark, synthetic, NARROW);
        Set<Long> expected = Set.of(0L, 1L, 2L, 4L, 10L);
        assertThat(copies(t, s, NARROW, false)).isEqualTo(expected);
        assertThat(copies(t, s, NARROW, true)).isEqualTo(expected);
        assertThat(nullSafeJoin(t, s, NARROW.fieldNames())).isEqualTo(expected);
        assertThat(ExactCopyGuard.countEqualRows(s, t, NARROW.fieldNames())).isEqualTo(expected.size());
    }

    @Test
    void onAWideTableOnlyRowsEqualInEveryColumnAreCopies() {
        SparkSession spark = SharedSparkSession.get();
        int columns = 300;
        StructType schema = new StructType();
        for (int c = 0; c < columns; c++) {
            schema = schema.add("c" + c, c % 3 == 0 ? DataTypes.DoubleType : c % 3 == 1 ? DataTypes.StringType
                    : DataTypes.LongType);
        }
        Random rng = new Random(3);
        List<Row> train = new ArrayList<>();
        for (int r = 0; r < 120; r++) {
            Object[] v = new Object[columns];
            for (int c = 0; c < columns; c++) {
                v[c] = rng.nextInt(5) == 0 ? null : value(c, rng.nextInt(3));
            }
            train.add(RowFactory.create(v));
        }
        List<Row> synthetic = new ArrayList<>();
        Set<Long> expected = new HashSet<>();
        for (int r = 0; r < 160; r++) {
            Object[] v = toArray(train.get(rng.nextInt(train.size())));
            if (r % 2 == 0) {
                expected.add((long) r);
                for (int c = 0; c < columns; c += 3) {
                    if (v[c] != null && (Double) v[c] == 0.0) {
                        v[c] = -0.0; // still equal
                    }
                }
            } else {
                int c = rng.nextInt(columns);
                // one column differs: a value becomes null, a null becomes a value, or a value changes
                v[c] = v[c] == null ? value(c, 0) : rng.nextBoolean() ? null : value(c, 7);
            }
            synthetic.add(RowFactory.create(v));
        }
        Dataset<Row> t = spark.createDataFrame(train, schema).repartition(2);
        Dataset<Row> s = indexed(spark, synthetic, schema);
        assertThat(copies(t, s, schema, false)).isEqualTo(expected);
        assertThat(copies(t, s, schema, true)).isEqualTo(expected);
    }

    private static Object value(int column, int k) {
        return switch (column % 3) {
            case 0 -> (double) k;
            case 1 -> "v" + k;
            default -> (long) k;
        };
    }

    @Test
    void exactComparisonFollowsNullSafeEquality() {
        assertThat(ExactCopyGuard.sameValues(row(-0.0, null, "a"), row(0.0, null, "a"))).isTrue();
        assertThat(ExactCopyGuard.sameValues(row(Double.NaN), row(Double.NaN))).isTrue();
        assertThat(ExactCopyGuard.sameValues(row(Double.NaN), row(0.0))).isFalse();
        assertThat(ExactCopyGuard.sameValues(row(null, 1), row(1, null))).isFalse();
        assertThat(ExactCopyGuard.sameValues(row(new BigDecimal("1.0")), row(new BigDecimal("1.00")))).isTrue();
        assertThat(ExactCopyGuard.sameValues(row(-0.0f), row(0.0f))).isTrue();
        assertThat(ExactCopyGuard.sameValues(row("a"), row("b"))).isFalse();
    }
}
