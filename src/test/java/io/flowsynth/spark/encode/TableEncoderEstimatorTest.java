package io.flowsynth.spark.encode;

import io.flowsynth.error.BadInputException;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.ConstantEncoder;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TableEncoderEstimatorTest {
    private static final int ROWS = 600;
    private static final StructType SCHEMA = new StructType()
            .add("b", DataTypes.ByteType)
            .add("s", DataTypes.ShortType)
            .add("i", DataTypes.IntegerType)
            .add("small", DataTypes.IntegerType)
            .add("l", DataTypes.LongType)
            .add("f", DataTypes.FloatType)
            .add("d", DataTypes.DoubleType)
            .add("price", DataTypes.createDecimalType(10, 2))
            .add("flag", DataTypes.BooleanType)
            .add("name", DataTypes.StringType)
            .add("day", DataTypes.DateType)
            .add("at", DataTypes.TimestampType)
            .add("konst", DataTypes.StringType)
            .add("empty", DataTypes.IntegerType)
            .add("a.b", DataTypes.DoubleType);

    private static Dataset<Row> table;
    private static List<Row> rows;

    @BeforeAll
    static void createTable() {
        Random rng = new Random(42);
        rows = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            double u = rng.nextDouble();
            Double d = u < 0.05 ? null : u < 0.07 ? Double.NaN : u < 0.08 ? Double.POSITIVE_INFINITY
                    : rng.nextDouble() < 0.3 ? 0.0 : Math.exp(rng.nextGaussian());
            rows.add(RowFactory.create(
                    (byte) (rng.nextInt(200) - 100),
                    rng.nextDouble() < 0.1 ? null : (short) rng.nextInt(5000),
                    rng.nextInt(100_000),
                    rng.nextInt(4),
                    rng.nextLong() >> 20,
                    rng.nextDouble() < 0.02 ? Float.NaN : (float) rng.nextGaussian(),
                    d,
                    BigDecimal.valueOf(rng.nextInt(1_000_000), 2),
                    rng.nextDouble() < 0.1 ? null : rng.nextDouble() < 0.7,
                    rng.nextDouble() < 0.1 ? null : "n" + (int) Math.abs(rng.nextGaussian() * 5),
                    Date.valueOf(LocalDate.of(2000, 1, 1).plusDays(rng.nextInt(3000))),
                    new Timestamp(1_600_000_000_000L + rng.nextInt(100_000_000)),
                    "same",
                    null,
                    rng.nextGaussian()));
        }
        SparkSession spark = SharedSparkSession.get();
        table = spark.createDataFrame(rows, SCHEMA);
    }

    @Test
    void fitsEveryTypeWithTheExpectedKindAndWidth() {
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults().withOnehotMaxCategories(8)).fit(table);
        Map<String, ColumnEncoder> byName = new java.util.HashMap<>();
        encoder.columns().forEach(c -> byName.put(c.column(), c));
        assertThat(encoder.columnNames()).containsExactly("b", "s", "i", "small", "l", "f", "d", "price", "flag",
                "name", "day", "at", "konst", "empty", "a.b");
        assertThat(encoder.columns()).extracting(ColumnEncoder::kind).containsExactly("integer", "integer", "integer",
                "categorical", "integer", "continuous", "continuous", "continuous", "categorical", "categorical",
                "datetime", "datetime", "constant", "constant", "continuous");
        // small (4 values) and flag (true, false, null) are one-hot; name (16 outcomes) uses frequency intervals
        assertThat(encoder.featureNames()).containsExactly("b", "s", "s#null", "i", "small#0", "small#1", "small#2",
                "small#3", "l", "f", "f#null", "d", "d#null", "price", "flag#0", "flag#1", "flag#2", "name", "day",
                "at", "a.b");
        assertThat(((QuantileEncoder) byName.get("at")).unit()).isEqualTo(1_000.0); // whole milliseconds
        assertThat(((QuantileEncoder) byName.get("day")).unit()).isEqualTo(1.0);
        assertThat(((QuantileEncoder) byName.get("price")).unit()).isEqualTo(0.01);
        assertThat(((CategoricalEncoder) byName.get("small")).categoryCount()).isEqualTo(4);
        assertThat(((ConstantEncoder) byName.get("konst")).value()).isEqualTo("same");
        assertThat(((ConstantEncoder) byName.get("empty")).value()).isNull();
        // extreme-value protection (default k = 5): the lower bound is a value above the 5th smallest, not the minimum
        double[] bytes = rows.stream().mapToDouble(r -> r.getByte(0)).sorted().toArray();
        assertThat(((QuantileEncoder) byName.get("b")).min()).isGreaterThan(bytes[4]).isLessThanOrEqualTo(bytes[11]);
        assertThat(((QuantileEncoder) byName.get("b")).extremeK()).isEqualTo(5);
        TableEncoder unprotected = new TableEncoderEstimator(EncodeOptions.defaults(), BoundsOptions.unprotected())
                .fit(table);
        assertThat(((QuantileEncoder) unprotected.columns().get(0)).min()).isEqualTo(bytes[0]);
    }

    @Test
    void everyRowRoundTripsThroughTheFittedEncoder() {
        // without extreme-value protection (which withholds the extremes, so they cannot round-trip) and with
        // rare-category protection off: every value, rare ones too, is kept (PrivacyProtectionTest covers it on)
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults().withMinCategoryCount(1),
                BoundsOptions.unprotected()).fit(table);
        Random rng = new Random(7);
        double[] z = new double[encoder.width()];
        int columns = SCHEMA.fields().length;
        for (Row row : table.collectAsList()) { // a 600-row test table
            Object[] values = new Object[columns];
            for (int c = 0; c < columns; c++) {
                values[c] = row.get(c);
            }
            encoder.encode(values, z, rng);
            for (double v : z) {
                assertThat(v).isFinite().isBetween(-4.8, 4.8);
            }
            Object[] back = encoder.decode(z, rng);
            for (int c = 0; c < columns; c++) {
                String name = SCHEMA.fields()[c].name();
                if (values[c] instanceof Double && Double.isFinite((Double) values[c])) {
                    assertThat((Double) back[c]).as(name).isCloseTo((Double) values[c], within(1e-9));
                } else if (values[c] instanceof Float && Float.isFinite((Float) values[c])) {
                    assertThat((Float) back[c]).as(name).isCloseTo((Float) values[c], within(1e-5f));
                } else {
                    assertThat(back[c]).as(name).isEqualTo(values[c]);
                }
            }
        }
    }

    @Test
    void keepsAtMostMaxCategoriesAndSamplesTheRestFromOther() {
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults().withMaxCategories(3)
                .withOnehotMaxCategories(0).withKindOverrides(Map.of("i", "categorical")).withMinCategoryCount(1))
                .fit(table.select("i", "name"));
        CategoricalEncoder ids = (CategoricalEncoder) encoder.columns().get(0);
        assertThat(ids.categoryCount()).isEqualTo(3);
        assertThat(ids.toJson().get("rareValues").size()).isEqualTo(3);
        CategoricalEncoder names = (CategoricalEncoder) encoder.columns().get(1);
        assertThat(names.categoryCount()).isEqualTo(4); // 3 values and null
        Random rng = new Random(9);
        for (double z = -5; z <= 5; z += 0.01) {
            assertThat(encoder.decode(new double[]{z, z}, rng)[0]).isInstanceOf(Integer.class);
        }
    }

    @Test
    void learnsDecimalsPicksModeSpecificForMultiModalColumnsDetectsIdsAndHonoursEncoderOverrides() {
        Dataset<Row> t = SharedSparkSession.get().range(2000).selectExpr(
                "round(rand(1) * 100, 2) AS cents",
                "CASE WHEN id % 3 = 0 THEN -20 + randn(2) ELSE 50 + 3 * randn(3) END AS twoModes",
                "exp(randn(4)) AS skewed",
                "concat('K-', lpad(cast(id * 3 + 1000 AS string), 6, '0')) AS key",
                "id + 1 AS rowNumber",
                "CASE WHEN id % 100 = 0 THEN 'rare' ELSE concat('c', cast(id % 4 AS string)) END AS cat",
                "CASE WHEN id % 2 = 0 THEN 'x' ELSE 'y' END AS xy");
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults().withOnehotMaxCategories(8).withMinCategoryFrequency(0.02)
                .withEncoderOverrides(Map.of("xy", "onehot", "skewed", "mode"))).fit(t);
        Map<String, ColumnEncoder> byName = new java.util.HashMap<>();
        encoder.columns().forEach(c -> byName.put(c.column(), c));
        assertThat(((QuantileEncoder) byName.get("cents")).decimals()).isEqualTo(2);
        assertThat(byName.get("twoModes")).isInstanceOf(io.flowsynth.encode.ModeEncoder.class);
        assertThat(byName.get("skewed")).isInstanceOf(io.flowsynth.encode.ModeEncoder.class); // configured
        assertThat(((io.flowsynth.encode.ModeEncoder) byName.get("skewed")).decimals()).isEqualTo(-1);
        assertThat(byName.get("key").kind()).isEqualTo("id");
        assertThat(byName.get("rowNumber").kind()).isEqualTo("id");
        CategoricalEncoder cat = (CategoricalEncoder) byName.get("cat");
        assertThat(cat.categoryCount()).isEqualTo(4); // 'rare' (1 %) is below the 2 % threshold: "other"
        assertThat(cat.onehot()).isTrue(); // 4 categories + other = 5 outcomes ≤ 8
        assertThat(((CategoricalEncoder) byName.get("xy")).onehot()).isTrue();
        EncodeOptions wrong = EncodeOptions.defaults().withEncoderOverrides(Map.of("cat", "mode"));
        assertThatThrownBy(() -> new TableEncoderEstimator(wrong).fit(t)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("Column 'cat': encoder 'mode' does not fit its kind categorical");
        TableEncoder plain = new TableEncoderEstimator(EncodeOptions.defaults().withDetectIds(false)
                .withEncoderOverrides(Map.of("twoModes", "quantile"))).fit(t.select("key", "twoModes"));
        assertThat(plain.columns()).extracting(ColumnEncoder::kind).containsExactly("categorical", "continuous");
        assertThat(plain.columns().get(1)).isInstanceOf(QuantileEncoder.class);
    }

    @Test
    void unsupportedTypeFailsWithAMessageNamingTheColumn() {
        Dataset<Row> withArray = table.selectExpr("i", "array(name, 'x') AS tags");
        assertThatThrownBy(() -> new TableEncoderEstimator(EncodeOptions.defaults()).fit(withArray))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Column 'tags': unsupported type array<string> (supported: numeric, decimal, boolean, "
                        + "string, date, timestamp); set flowsynth.encode.drop-unsupported=true to drop it");
    }

    @Test
    void dropUnsupportedAndIgnoreOverrideDropTheColumn() {
        Dataset<Row> withArray = table.selectExpr("i", "array(name, 'x') AS tags", "flag");
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults().withDropUnsupported(true)
                .withKindOverrides(Map.of("flag", "ignore"))).fit(withArray);
        assertThat(encoder.columnNames()).containsExactly("i");
        assertThat(encoder.droppedColumns()).containsExactly("tags", "flag");
    }

    @Test
    void kindOverridesAreCheckedAgainstTheSchema() {
        EncodeOptions stringAsInteger = EncodeOptions.defaults().withKindOverrides(Map.of("name", "integer"));
        assertThatThrownBy(() -> new TableEncoderEstimator(stringAsInteger).fit(table))
                .isInstanceOf(BadInputException.class).hasMessageStartingWith("Column 'name': kind override 'integer'");
        EncodeOptions missing = EncodeOptions.defaults().withKindOverrides(Map.of("nope", "categorical"));
        assertThatThrownBy(() -> new TableEncoderEstimator(missing).fit(table))
                .isInstanceOf(BadInputException.class).hasMessageStartingWith("Column 'nope':");
        assertThatThrownBy(() -> EncodeOptions.defaults().withKindOverrides(Map.of("d", "fancy")))
                .isInstanceOf(BadInputException.class).hasMessageStartingWith("Column 'd': unknown kind override");
    }

    @Test
    void degenerateFloatingColumnsBecomeCategoricalOrConstant() {
        Dataset<Row> degenerate = table.selectExpr(
                "CASE WHEN i % 3 = 0 THEN NULL ELSE 1.5D END AS one",
                "CASE WHEN i % 3 = 0 THEN NULL ELSE double('NaN') END AS nanOrNull",
                "double('NaN') AS allNan");
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults()).fit(degenerate);
        assertThat(encoder.columns()).extracting(ColumnEncoder::kind)
                .containsExactly("categorical", "categorical", "constant");
        assertThat(encoder.width()).isEqualTo(2);
        Random rng = new Random(11);
        assertThat(encoder.decode(new double[]{-3, -3}, rng)).containsExactly(1.5, Double.NaN, Double.NaN);
        double[] z = new double[2];
        encoder.encode(new Object[]{null, null, Double.NaN}, z, rng);
        assertThat(encoder.decode(z, rng)).containsExactly(null, null, Double.NaN);
    }

    @Test
    void aCodeAndItsLabelOfManyValuesAreEncodedOneWithinTheOtherAndAnUnrelatedColumnIsNot() {
        // 3,000 rows: a 100-value code, its label (one per code; more than 64 outcomes), a 100-value column unrelated
        // to both, and release dates on Fridays (80 %) and Wednesdays
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType().add("code", DataTypes.StringType).add("label", DataTypes.StringType)
                .add("noise", DataTypes.StringType).add("released", DataTypes.DateType);
        Random rng = new Random(21);
        List<Row> data = new ArrayList<>();
        LocalDate friday = LocalDate.of(2020, 1, 3);
        for (int i = 0; i < 3000; i++) {
            int c = rng.nextInt(100);
            LocalDate day = friday.plusWeeks(rng.nextInt(150)).minusDays(rng.nextDouble() < 0.8 ? 0 : 2);
            data.add(RowFactory.create(String.format("C%03d", c), "label of " + c, "n" + rng.nextInt(100),
                    Date.valueOf(day)));
        }
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults()).fit(spark.createDataFrame(data,
                schema));
        CategoricalEncoder code = (CategoricalEncoder) encoder.columns().get(0);
        CategoricalEncoder label = (CategoricalEncoder) encoder.columns().get(1);
        CategoricalEncoder noise = (CategoricalEncoder) encoder.columns().get(2);
        assertThat(code.withinParent() ^ label.withinParent()).as("one within the other").isTrue();
        CategoricalEncoder child = code.withinParent() ? code : label;
        assertThat(child.orderedBy()).isEqualTo(code.withinParent() ? "label" : "code");
        assertThat(noise.split()).isFalse();
        // every code decodes with its own label, whatever the child's feature
        Random r = new Random(5);
        double[] f = new double[encoder.width()];
        for (int i = 0; i < 500; i++) {
            encoder.encode(new Object[]{"C007", "label of 7", "n1", Date.valueOf(friday)}, f, r);
            f[encoder.offset(child == code ? 0 : 1)] = 3 * r.nextGaussian();
            Object[] row = encoder.decode(f, r);
            assertThat(row[0]).isEqualTo("C007");
            assertThat(row[1]).isEqualTo("label of 7");
        }
        QuantileEncoder released = (QuantileEncoder) encoder.columns().get(3);
        assertThat(released.weekdays()).as("the weekday profile, Monday first").isNotNull();
        assertThat(released.weekdays()[4]).isGreaterThan(2200);
        assertThat(released.weekdays()[0]).isZero();
    }

    @Test
    void numberOfSparkJobsDoesNotGrowWithTheNumberOfColumns() throws Exception {
        SparkSession spark = SharedSparkSession.get();
        JobCounter counter = new JobCounter();
        spark.sparkContext().addSparkListener(counter);
        try {
            TableEncoderEstimator estimator = new TableEncoderEstimator(EncodeOptions.defaults());
            // two categorical columns: the nesting pass (one job) runs for the narrow table too
            estimator.fit(table.select("i", "name", "flag"));
            spark.sparkContext().listenerBus().waitUntilEmpty();
            int narrow = counter.jobs.getAndSet(0);
            estimator.fit(table);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            int wide = counter.jobs.get();
            assertThat(wide).isEqualTo(narrow).isLessThanOrEqualTo(8);
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
    }

    private static final class JobCounter extends org.apache.spark.scheduler.SparkListener {
        final java.util.concurrent.atomic.AtomicInteger jobs = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart jobStart) {
            jobs.incrementAndGet();
        }
    }

    @Test
    void manyValuedCategoriesNestedInAFewValuedColumnAreLaidOutByTheirParent() {
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType().add("department", DataTypes.StringType)
                .add("product", DataTypes.StringType).add("noise", DataTypes.StringType);
        Random random = new Random(8);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            int product = (int) Math.floor(60 * Math.pow(random.nextDouble(), 2)); // skewed: product 0 most common
            // product p belongs to department p mod 3, except for 2% of rows filed elsewhere
            int department = random.nextDouble() < 0.02 ? random.nextInt(3) : product % 3;
            rows.add(RowFactory.create("D" + department, "P" + product, "N" + random.nextInt(4)));
        }
        Dataset<Row> table = spark.createDataFrame(rows, schema);
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults()).fit(table);
        CategoricalEncoder departments = (CategoricalEncoder) encoder.columns().get(0);
        CategoricalEncoder products = (CategoricalEncoder) encoder.columns().get(1);
        assertThat(products.orderedBy()).isEqualTo("department");
        assertThat(departments.orderedBy()).isNull();
        assertThat(((CategoricalEncoder) encoder.columns().get(2)).orderedBy()).isNull();
        // products come in runs by department, in the department's own interval order (a product filed under a
        // second department in at least 5 rows would have an interval of its own in that department's run)
        List<Object> order = products.categories();
        List<Object> departmentOrder = departments.categories();
        int last = -1;
        for (Object p : order) {
            int d = departmentOrder.indexOf(department(p));
            assertThat(d).as("department rank of " + p).isGreaterThanOrEqualTo(last);
            last = d;
        }
        // and the layout survives the model's JSON
        CategoricalEncoder back = (CategoricalEncoder) TableEncoder.fromJson(encoder.toJson()).columns().get(1);
        assertThat(back.categories()).containsExactlyElementsOf(order);
        assertThat(back.orderedBy()).isEqualTo("department");
        // decoding still lands every interval on its own category
        Random rng = new Random(1);
        double[] z = new double[encoder.width()];
        for (Object p : order) {
            Object[] row = {department(p), product(p), "N1"};
            encoder.encode(row, z, rng);
            assertThat(encoder.decode(z, rng)[1]).isEqualTo(product(p));
            assertThat(encoder.keptIndex(row, 1)).isEqualTo(order.indexOf(p));
        }
    }

    private static Object product(Object category) {
        return category instanceof CategoricalEncoder.SplitKey pair ? pair.child() : category;
    }

    /** A product interval's department: its pair's, else the product's own (p mod 3). */
    private static String department(Object category) {
        return category instanceof CategoricalEncoder.SplitKey pair ? pair.parent()
                : "D" + Integer.parseInt(((String) category).substring(1)) % 3;
    }

    @Test
    void aNestedCategoryRecurringUnderSeveralParentsGetsAnIntervalPerPairSeenInKRows() {
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType().add("state", DataTypes.StringType)
                .add("county", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        // 30 counties, each in one of 3 states (county c in state c mod 3, 40 rows each); "Wash" in all three states
        // (60, 30 and 3 rows: the last pair is rarer than k = 5)
        for (int c = 0; c < 30; c++) {
            for (int i = 0; i < 40; i++) {
                rows.add(RowFactory.create("S" + c % 3, "C" + c));
            }
        }
        int[] wash = {60, 30, 3};
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < wash[s]; i++) {
                rows.add(RowFactory.create("S" + s, "Wash"));
            }
        }
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults())
                .fit(spark.createDataFrame(rows, schema));
        CategoricalEncoder county = (CategoricalEncoder) encoder.columns().get(1);
        assertThat(county.orderedBy()).isEqualTo("state");
        assertThat(county.split()).isTrue();
        assertThat(county.categories()).hasSize(32)
                .contains(new CategoricalEncoder.SplitKey("Wash", "S0"), new CategoricalEncoder.SplitKey("Wash", "S1"))
                .doesNotContain(new CategoricalEncoder.SplitKey("Wash", "S2"));
        int s1 = county.categories().indexOf(new CategoricalEncoder.SplitKey("Wash", "S1"));
        int s0 = county.categories().indexOf(new CategoricalEncoder.SplitKey("Wash", "S0"));
        assertThat(encoder.keptIndex(new Object[]{"S1", "Wash"}, 1)).isEqualTo(s1);
        assertThat(encoder.keptIndex(new Object[]{"S2", "Wash"}, 1)).as("the rare pair: Wash's largest").isEqualTo(s0);
        assertThat(county.unsplit().categories()).hasSize(31).contains("Wash");
    }

    @Test
    void aStringColumnOfDatesWrittenAsTextIsLearnedAsDatesAndDecodedInItsPattern() {
        // released: dates as "Jun 12 1998" (nulls too); mixed: dates in its first rows, then a value that is not one;
        // zip: five-digit codes (leading zeros) that are no dates; note: a date followed by a long text (only its
        // first 64 characters reach the driver's check, and they are no date either)
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType().add("released", DataTypes.StringType).add("mixed", DataTypes.StringType)
                .add("zip", DataTypes.StringType).add("note", DataTypes.StringType);
        Random rng = new Random(5);
        List<Row> data = new ArrayList<>();
        for (int r = 0; r < 3000; r++) {
            LocalDate d = LocalDate.of(1980, 1, 1).plusDays(rng.nextInt(10_000));
            data.add(RowFactory.create(r % 10 == 0 ? null : io.flowsynth.encode.DateText.format(d, "MMM dd yyyy"),
                    r == 2999 ? "n/a" : d.toString(), String.format("%05d", rng.nextInt(3000)),
                    d + " " + "x".repeat(200 + r % 7)));
        }
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults())
                .fit(spark.createDataFrame(data, schema).repartition(2));
        assertThat(encoder.columns().get(0)).isInstanceOf(io.flowsynth.encode.DateTextEncoder.class);
        assertThat(((io.flowsynth.encode.DateTextEncoder) encoder.columns().get(0)).pattern())
                .isEqualTo("MMM dd yyyy");
        assertThat(encoder.columns().get(0).kind()).isEqualTo("datetime");
        assertThat(encoder.columns().get(1)).as("one value is no date").isNotInstanceOf(
                io.flowsynth.encode.DateTextEncoder.class);
        assertThat(encoder.columns().get(2)).isNotInstanceOf(io.flowsynth.encode.DateTextEncoder.class);
        assertThat(encoder.columns().get(3)).isNotInstanceOf(io.flowsynth.encode.DateTextEncoder.class);
        Random draw = new Random(3);
        double[] z = new double[encoder.width()];
        int nulls = 0;
        List<LocalDate> decoded = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            for (int f = 0; f < z.length; f++) {
                z[f] = draw.nextGaussian();
            }
            Object v = encoder.decode(z, draw)[0];
            if (v == null) {
                nulls++;
                continue;
            }
            LocalDate d = io.flowsynth.encode.DateText.parse((String) v, "MMM dd yyyy");
            assertThat(d).as("'%s' is a date in the column's pattern", v).isNotNull();
            decoded.add(d);
        }
        assertThat(nulls / 2000.0).isBetween(0.07, 0.13);
        // spread like the real dates: about uniform over 1980 .. 2007, not generated strings
        long before1994 = decoded.stream().filter(d -> d.getYear() < 1994).count();
        assertThat(before1994 / (double) decoded.size()).isBetween(0.42, 0.58);
        assertThat(decoded.stream().allMatch(d -> !d.isBefore(LocalDate.of(1980, 1, 1))
                && !d.isAfter(LocalDate.of(2007, 5, 19)))).isTrue();
    }

    @Test
    void aDateTextsFrequentDatesBecomePointMassesAndItsOnceSeenDatesDoNot() {
        // 3,000 release dates: ten "Fridays" of 6 films each (0.2 % of the rows each: as narrow as the 500 knots'
        // spacing, so the sketch alone smears them over the days around), one date of 3 films (rarer than k = 5),
        // the rest spread over 10,000 days
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType().add("released", DataTypes.StringType);
        Random rng = new Random(9);
        List<LocalDate> fridays = new ArrayList<>();
        for (int f = 0; f < 10; f++) {
            fridays.add(LocalDate.of(1990, 1, 5).plusWeeks(40L * f));
        }
        LocalDate rare = LocalDate.of(1991, 3, 6);
        List<Row> data = new ArrayList<>();
        for (int r = 0; r < 3000; r++) {
            LocalDate d = r < 60 ? fridays.get(r / 6) : r < 63 ? rare
                    : LocalDate.of(1980, 1, 1).plusDays(rng.nextInt(10_000));
            data.add(RowFactory.create(io.flowsynth.encode.DateText.format(d, "MMM dd yyyy")));
        }
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults())
                .fit(spark.createDataFrame(data, schema).repartition(2));
        io.flowsynth.encode.QuantileEncoder dates = (io.flowsynth.encode.QuantileEncoder)
                ((io.flowsynth.encode.DateTextEncoder) encoder.columns().get(0)).dates();
        double[] knots = dates.knots();
        for (LocalDate friday : fridays) {
            long ties = java.util.Arrays.stream(knots).filter(k -> k == friday.toEpochDay()).count();
            assertThat(ties).as("%s is a run of tied knots", friday).isGreaterThanOrEqualTo(2);
        }
        assertThat(java.util.Arrays.stream(knots).filter(k -> k == rare.toEpochDay()).count())
                .as("a date of 3 rows is no point mass").isLessThan(2);
        Random draw = new Random(2);
        double[] z = new double[encoder.width()];
        int onFridays = 0;
        int draws = 20_000;
        java.util.Set<LocalDate> set = new java.util.HashSet<>(fridays);
        for (int i = 0; i < draws; i++) {
            for (int f = 0; f < z.length; f++) {
                z[f] = draw.nextGaussian();
            }
            LocalDate d = io.flowsynth.encode.DateText.parse((String) encoder.decode(z, draw)[0], "MMM dd yyyy");
            onFridays += set.contains(d) ? 1 : 0;
        }
        assertThat(onFridays / (double) draws).as("the ten dates' 2 %% of the rows").isBetween(0.016, 0.026);
    }
}
