package io.flowsynth.spark.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowsynth.fidelity.ColumnDiagnostics;
import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The per-column diagnostics of {@link FidelityEvaluator#evaluateDetailed} on a tiny table with nulls, a category on
 * one side only, a constant column and an all-null column, against values computed by hand.
 */
class FidelityDiagnosticsTest {
    private static final double EPS = 1e-9;
    private static FidelityEvaluator.Evaluation evaluation;

    @BeforeAll
    static void evaluate() {
        StructType schema = new StructType()
                .add("x", DataTypes.DoubleType)
                .add("city", DataTypes.StringType)
                .add("k", DataTypes.LongType)
                .add("e", DataTypes.DoubleType)
                .add("day", DataTypes.DateType);
        Date d = Date.valueOf("2024-01-02");
        List<Row> real = List.of(
                RowFactory.create(1.0, "a", 7L, null, d),
                RowFactory.create(2.0, "a", 7L, null, d),
                RowFactory.create(3.0, "b", 7L, null, d),
                RowFactory.create(4.0, null, 7L, null, d),
                RowFactory.create(null, "a", 7L, null, d));
        List<Row> synthetic = List.of(
                RowFactory.create(2.0, "a", 7L, null, d),
                RowFactory.create(3.0, "c", 7L, null, d),
                RowFactory.create(4.0, "c", 7L, null, d),
                RowFactory.create(5.0, "a", 8L, null, d));
        var spark = SharedSparkSession.get();
        Dataset<Row> r = spark.createDataFrame(real, schema);
        Dataset<Row> s = spark.createDataFrame(synthetic, schema);
        evaluation = new FidelityEvaluator(1000, 5L).evaluateDetailed(r, s);
    }

    private static ColumnDiagnostics column(String name) {
        return evaluation.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void numericColumnWithNullsGetsStatisticsQuantilesAndSdmetricsDiagnostics() {
        ColumnDiagnostics x = column("x");
        assertThat(x.real().nullRate()).isCloseTo(0.2, within(EPS));
        assertThat(x.synthetic().nullRate()).isEqualTo(0.0);
        assertThat(x.real().mean()).isCloseTo(2.5, within(EPS));
        assertThat(x.real().std()).isCloseTo(Math.sqrt(1.25), within(EPS));
        assertThat(x.synthetic().mean()).isCloseTo(3.5, within(EPS));
        assertThat(x.real().quantiles()).containsExactly(1, 1, 2, 3, 4);
        assertThat(x.synthetic().quantiles()).containsExactly(2, 2, 3, 4, 5);
        assertThat(x.wasserstein()).isCloseTo(1.0, within(EPS));
        assertThat(x.wassersteinNormalized()).isCloseTo(1.0 / 3, within(EPS));
        assertThat(x.boundaryAdherence()).isCloseTo(0.75, within(EPS)); // 5 is outside [1, 4]
        assertThat(x.rangeCoverage()).isCloseTo(2.0 / 3, within(EPS));  // misses [1, 2) of [1, 4]
        assertThat(x.histogram().edges()).hasSize(FidelityEvaluator.HISTOGRAM_BINS + 1);
        assertThat(x.histogram().edges()[0]).isEqualTo(1.0);
        assertThat(x.histogram().edges()[FidelityEvaluator.HISTOGRAM_BINS]).isEqualTo(5.0);
        assertThat(sum(x.histogram().real())).isEqualTo(4);
        assertThat(sum(x.histogram().synthetic())).isEqualTo(4);
        assertThat(x.histogram().synthetic()[FidelityEvaluator.HISTOGRAM_BINS - 1]).isEqualTo(1);
    }

    @Test
    void categoryOnOneSideOnlyLowersAdherenceAndCoverage() {
        ColumnDiagnostics city = column("city");
        assertThat(city.categoryAdherence()).isCloseTo(0.5, within(EPS)); // the two "c" rows are new
        assertThat(city.categoryCoverage()).isCloseTo(0.5, within(EPS));  // "b" never appears
        assertThat(city.real().distinct()).isEqualTo(2);
        assertThat(city.synthetic().distinct()).isEqualTo(2);
        assertThat(city.topCategories()).extracting(ColumnDiagnostics.CategoryCount::value)
                .containsExactly("a", "c", "b", null);
        assertThat(city.topCategories().get(0).real()).isCloseTo(0.6, within(EPS));
        assertThat(city.topCategories().get(0).synthetic()).isCloseTo(0.5, within(EPS));
        assertThat(evaluation.report().columns().get(1).score()).isCloseTo(0.5, within(EPS)); // TV = ½(.1+.2+.2+.5)
    }

    @Test
    void constantAndAllNullColumnsGetDefinedOrExplicitlyUndefinedValues() {
        ColumnDiagnostics k = column("k");
        assertThat(k.rangeCoverage()).isEqualTo(1.0);          // synthetic [7, 8] reaches the constant 7
        assertThat(k.boundaryAdherence()).isCloseTo(0.75, within(EPS));
        assertThat(k.wasserstein()).isCloseTo(0.25, within(EPS)); // a quarter of the mass moves by 1
        assertThat(k.wassersteinNormalized()).isNaN();             // real range 0
        assertThat(k.real().std()).isEqualTo(0.0);

        ColumnDiagnostics e = column("e");
        assertThat(e.real().nullRate()).isEqualTo(1.0);
        assertThat(e.boundaryAdherence()).isNaN();
        assertThat(e.rangeCoverage()).isNaN();
        assertThat(e.wasserstein()).isNaN();
        assertThat(e.real().mean()).isNaN();
        assertThat(e.histogram()).isNull();
        JsonNode json = e.toJson();
        assertThat(json.get("range_coverage").isNull()).isTrue();
        assertThat(json.path("real").path("quantiles").path("p50").isNull()).isTrue();
        assertThat(json.has("histogram")).isFalse();
    }

    @Test
    void datetimeColumnsSayTheirUnitAndPairsCarryTheirCorrelations() {
        assertThat(column("day").unit()).isEqualTo("epoch_days");
        assertThat(column("day").real().mean()).isCloseTo(Date.valueOf("2024-01-02").toLocalDate().toEpochDay(),
                within(EPS));
        assertThat(column("x").unit()).isNull();
        assertThat(evaluation.pairs()).hasSize(evaluation.report().pairs().size());
        var xk = evaluation.pairs().stream().filter(p -> p.columnA().equals("x") && p.columnB().equals("k"))
                .findFirst().orElseThrow();
        assertThat(xk.realCorrelation()).isEqualTo(0.0);        // constant real k: r := 0
        assertThat(xk.syntheticCorrelation()).isCloseTo(0.7745966692, within(1e-9)); // x {2,3,4,5} vs k {7,7,7,8}
        var xCity = evaluation.pairs().stream().filter(p -> p.columnA().equals("x") && p.columnB().equals("city"))
                .findFirst().orElseThrow();
        assertThat(xCity.realCorrelation()).isNaN();
    }

    private static long sum(long[] counts) {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }
}
