package io.flowsynth.spark.fidelity;

import io.flowsynth.error.BadInputException;
import io.flowsynth.fidelity.ColumnScore;
import io.flowsynth.fidelity.FidelityReport;
import io.flowsynth.fidelity.Metrics;
import io.flowsynth.fidelity.PairScore;
import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FidelityEvaluatorTest {
    private static final double EPS = 1e-9;

    private static SparkSession spark() {
        return SharedSparkSession.get();
    }

    @Test
    void identicalTablesScoreOneEverywhere() {
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType)
                .add("price", DataTypes.DoubleType)
                .add("city", DataTypes.StringType)
                .add("member", DataTypes.BooleanType)
                .add("day", DataTypes.DateType)
                .add("seen", DataTypes.TimestampType)
                .add("constant", DataTypes.LongType)
                .add("empty", DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        Random random = new Random(7);
        String[] cities = {"Lyon", "Oslo", "Lima"};
        for (int i = 0; i < 200; i++) {
            rows.add(RowFactory.create(i, i % 10 == 0 ? null : random.nextGaussian() * 3 + i * 0.1,
                    i % 7 == 0 ? null : cities[random.nextInt(3)], random.nextBoolean(),
                    i % 9 == 0 ? null : Date.valueOf(LocalDate.of(2024, 1, 1).plusDays(random.nextInt(60))),
                    new Timestamp(1_700_000_000_000L + random.nextInt(1_000_000) * 1000L), 42L, null));
        }
        Dataset<Row> table = spark().createDataFrame(rows, schema);

        FidelityReport report = new FidelityEvaluator(1000, 1L).evaluate(table, table);

        assertThat(report.columns()).hasSize(8);
        assertThat(report.pairs()).hasSize(28);
        assertThat(report.columns()).allSatisfy(c -> assertThat(c.score()).as(c.name()).isCloseTo(1.0, within(EPS)));
        assertThat(report.pairs()).allSatisfy(p -> assertThat(p.score()).as(p.columnA() + "/" + p.columnB())
                .isCloseTo(1.0, within(EPS)));
        assertThat(report.quality()).isCloseTo(1.0, within(EPS));
        assertThat(report.realRows()).isEqualTo(200);
        assertThat(report.sampledSyntheticRows()).isEqualTo(200);
        assertThat(column(report, "price").realNullRate()).isCloseTo(0.1, within(EPS));
        assertThat(column(report, "empty").realNullRate()).isEqualTo(1.0);
        assertThat(column(report, "day").kind()).isEqualTo("datetime");
        assertThat(column(report, "member").metric()).isEqualTo(Metrics.TV_COMPLEMENT);
        assertThat(pair(report, "id", "seen").metric()).isEqualTo(Metrics.CORRELATION_SIMILARITY);
        assertThat(pair(report, "id", "city").metric()).isEqualTo(Metrics.CONTINGENCY_SIMILARITY);
    }

    @Test
    void independentlyShuffledCopyKeepsColumnShapesButLosesPairTrends() {
        StructType schema = new StructType()
                .add("x", DataTypes.DoubleType)
                .add("y", DataTypes.DoubleType)
                .add("band", DataTypes.StringType);
        Random random = new Random(11);
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<String> bands = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            double x = random.nextDouble() * 100;
            xs.add(x);
            ys.add(2 * x + random.nextGaussian());
            bands.add(x < 50 ? "low" : "high");
        }
        Dataset<Row> real = table(schema, xs, ys, bands);
        List<Double> xs2 = new ArrayList<>(xs);
        List<Double> ys2 = new ArrayList<>(ys);
        List<String> bands2 = new ArrayList<>(bands);
        Collections.shuffle(xs2, new Random(1));
        Collections.shuffle(ys2, new Random(2));
        Collections.shuffle(bands2, new Random(3));
        Dataset<Row> shuffled = table(schema, xs2, ys2, bands2);

        FidelityReport report = new FidelityEvaluator(5000, 3L).evaluate(real, shuffled);

        assertThat(report.columnShapes()).isCloseTo(1.0, within(EPS));
        assertThat(pair(report, "x", "y").score()).isLessThan(0.6);   // r ≈ 1 against r ≈ 0
        assertThat(pair(report, "x", "band").score()).isLessThan(0.7);
        assertThat(report.columnPairTrends()).isLessThan(0.7);
        assertThat(report.quality()).isLessThan(0.85);
    }

    @Test
    void smallTablesGiveTheHandComputedScores() {
        StructType schema = new StructType()
                .add("a", DataTypes.DoubleType)
                .add("b", DataTypes.StringType)
                .add("c", DataTypes.IntegerType);
        Dataset<Row> real = spark().createDataFrame(List.of(
                RowFactory.create(1.0, "x", 2),
                RowFactory.create(2.0, "x", 4),
                RowFactory.create(3.0, "y", 6),
                RowFactory.create(4.0, null, 8),
                RowFactory.create(null, "y", 1)), schema);
        // Column order differs on purpose: matching is by name.
        StructType synthSchema = new StructType()
                .add("c", DataTypes.IntegerType)
                .add("b", DataTypes.StringType)
                .add("a", DataTypes.DoubleType);
        Dataset<Row> synthetic = spark().createDataFrame(List.of(
                RowFactory.create(3, "x", 1.0),
                RowFactory.create(1, "y", 1.0),
                RowFactory.create(2, "y", 5.0),
                RowFactory.create(7, null, null)), synthSchema);

        FidelityReport report = new FidelityEvaluator(100, 0L).evaluate(real, synthetic);

        // a: real 1,2,3,4 vs synthetic 1,1,5 -> D = |1/4 - 2/3| = 5/12
        assertThat(column(report, "a").score()).isCloseTo(7 / 12.0, within(EPS));
        assertThat(column(report, "a").realNullRate()).isCloseTo(0.2, within(EPS));
        assertThat(column(report, "a").syntheticNullRate()).isCloseTo(0.25, within(EPS));
        // b: real x .4 y .4 null .2 vs synthetic x .25 y .5 null .25 -> TV = .15
        assertThat(column(report, "b").score()).isCloseTo(0.85, within(EPS));
        // c: real 1,2,4,6,8 vs synthetic 1,2,3,7 -> D = |2/5 - 3/4| = .35
        assertThat(column(report, "c").score()).isCloseTo(0.65, within(EPS));
        // (a, b): a binned on [1, 4]; only cell (bin 0, x) is shared -> 1 - 1.6/2
        assertThat(pair(report, "a", "b").score()).isCloseTo(0.2, within(EPS));
        // (a, c): real r = 1 (c = 2a), synthetic complete rows (1,3) (1,1) (5,2) have r = 0
        assertThat(pair(report, "a", "c").score()).isCloseTo(0.5, within(EPS));
        // (b, c): c binned on [1, 8]; only cell (y, bin 0) is shared -> 1 - 1.6/2
        assertThat(pair(report, "b", "c").score()).isCloseTo(0.2, within(EPS));
        assertThat(report.columnShapes()).isCloseTo(25 / 36.0, within(EPS));
        assertThat(report.columnPairTrends()).isCloseTo(0.3, within(EPS));
        assertThat(report.quality()).isCloseTo(179 / 360.0, within(EPS));
        assertThat(report.columns()).extracting(ColumnScore::name).containsExactly("a", "b", "c");
        assertThat(report.realRows()).isEqualTo(5);
        assertThat(report.syntheticRows()).isEqualTo(4);
    }

    @Test
    void missingColumnIsBadInputNamingIt() {
        Dataset<Row> real = spark().range(5).selectExpr("id", "cast(id as string) as label");
        Dataset<Row> synthetic = spark().range(5).selectExpr("id");
        assertThatThrownBy(() -> new FidelityEvaluator(10, 0L).evaluate(real, synthetic))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("'label'");
    }

    @Test
    void extraSyntheticColumnIsBadInputNamingIt() {
        Dataset<Row> real = spark().range(5).selectExpr("id");
        Dataset<Row> synthetic = spark().range(5).selectExpr("id", "id * 2 as twice");
        assertThatThrownBy(() -> new FidelityEvaluator(10, 0L).evaluate(real, synthetic))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("'twice'");
    }

    @Test
    void columnOfDifferentKindsIsBadInput() {
        Dataset<Row> real = spark().range(5).selectExpr("id as v");
        Dataset<Row> synthetic = spark().range(5).selectExpr("cast(id as string) as v");
        assertThatThrownBy(() -> new FidelityEvaluator(10, 0L).evaluate(real, synthetic))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("'v'")
                .hasMessageContaining("categorical");
    }

    @Test
    void samplesAreCappedAtMaxRowsAndDeterministic() {
        Dataset<Row> real = spark().range(0, 3000, 1, 3).selectExpr("id", "id % 5 as bucket");
        Dataset<Row> synthetic = spark().range(0, 2000, 1, 2).selectExpr("id * 1.5 as id", "id % 4 as bucket");
        FidelityEvaluator evaluator = new FidelityEvaluator(250, 42L);

        FidelityReport first = evaluator.evaluate(real, synthetic);
        FidelityReport second = evaluator.evaluate(real, synthetic);

        assertThat(first.realRows()).isEqualTo(3000);
        assertThat(first.syntheticRows()).isEqualTo(2000);
        assertThat(first.sampledRealRows()).isEqualTo(250);
        assertThat(first.sampledSyntheticRows()).isEqualTo(250);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void singleColumnQualityIsItsShapeScore() {
        Dataset<Row> real = spark().range(10).selectExpr("cast(id % 2 = 0 as boolean) as flag");
        Dataset<Row> synthetic = spark().range(10).selectExpr("cast(id < 8 as boolean) as flag");

        FidelityReport report = new FidelityEvaluator(100, 0L).evaluate(real, synthetic);

        // real true .5 false .5; synthetic true .8 false .2 -> TV = .3
        assertThat(report.pairs()).isEmpty();
        assertThat(report.quality()).isCloseTo(0.7, within(EPS));
        assertThat(report.columnPairTrends()).isNaN();
    }

    @Test
    void emptySyntheticTableScoresZeroShapesAndHasNoNullRate() {
        Dataset<Row> real = spark().range(6).selectExpr("id", "cast(id % 2 as string) as parity");
        Dataset<Row> synthetic = real.limit(0);

        FidelityReport report = new FidelityEvaluator(100, 0L).evaluate(real, synthetic);

        assertThat(report.sampledSyntheticRows()).isZero();
        assertThat(report.columns()).allSatisfy(c -> {
            assertThat(c.score()).isEqualTo(0.0);
            assertThat(c.syntheticNullRate()).isNaN();
        });
        assertThat(pair(report, "id", "parity").score()).isEqualTo(0.0);
    }

    private static Dataset<Row> table(StructType schema, List<Double> xs, List<Double> ys, List<String> bands) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            rows.add(RowFactory.create(xs.get(i), ys.get(i), bands.get(i)));
        }
        return spark().createDataFrame(rows, schema);
    }

    private static ColumnScore column(FidelityReport report, String name) {
        return report.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static PairScore pair(FidelityReport report, String a, String b) {
        return report.pairs().stream().filter(p -> p.columnA().equals(a) && p.columnB().equals(b))
                .findFirst().orElseThrow();
    }
}
