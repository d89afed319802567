package io.flowsynth.spark.encode;

import io.flowsynth.config.PrivacySettings;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.encode.EncoderReleases;
import io.flowsynth.encode.dp.NoiseSource;
import io.flowsynth.encode.dp.PrivateEncoders;
import io.flowsynth.error.BadInputException;
import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The differentially private encoder fit: every statistic reaches the encoders through a mechanism recorded in the
 * ledger, within the encoders' budget; a value seen 3 times is never named; no exact extreme is stored.
 */
class PrivateEncoderFitTest {
    private static final int ROWS = 3000;
    private static final double INCOME_CANARY = 987_654_321.5;
    private static Dataset<Row> table;

    @BeforeAll
    static void build() {
        SparkSession spark = SharedSparkSession.get();
        Random r = new Random(1);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            String city = i < 3 ? "Zebediah" : i % 6 < 3 ? "Lyon" : i % 6 < 5 ? "Paris" : "Nice";
            Double income = i == 10 ? Double.valueOf(INCOME_CANARY) : i % 10 == 0 ? null
                    : Double.valueOf(Math.exp(10 + 0.5 * r.nextGaussian()));
            rows.add(RowFactory.create(18 + r.nextInt(70), income, city,
                    Date.valueOf(LocalDate.of(2015, 1, 1).plusDays(r.nextInt(2000))), i % 2 == 0,
                    i % 4 == 1 ? 250.0 : Math.round(1000 + 50000 * r.nextDouble()) / 100.0, // a quarter at 250
                    new java.sql.Timestamp(1_500_000_000_000L + r.nextInt(1_000_000_000))));
        }
        table = spark.createDataFrame(rows, new StructType().add("age", DataTypes.IntegerType)
                .add("income", DataTypes.DoubleType).add("city", DataTypes.StringType)
                .add("day", DataTypes.DateType).add("flag", DataTypes.BooleanType)
                .add("price", DataTypes.DoubleType).add("at", DataTypes.TimestampType));
    }

    private static PrivacySettings privacy(double epsilon) {
        return new PrivacySettings(epsilon, Double.NaN, 0.2, 1.0);
    }

    private static TableEncoder fit(double epsilon, Map<String, String> bounds, long key) {
        return new TableEncoderEstimator(EncodeOptions.defaults(), BoundsOptions.defaults())
                .withPrivacy(privacy(epsilon), bounds, NoiseSource.fixed(key)).fit(table);
    }

    private static ColumnEncoder column(TableEncoder e, String name) {
        return e.columns().stream().filter(c -> c.column().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void atEpsilonOneOnFewRowsTheKnotsComeFromACoarseHistogramWithinTheDpRange() {
        TableEncoder e = fit(1.0, Map.of(), 1);
        EncoderReleases r = e.privacy();
        assertThat(e.releasedRowCount()).hasValue(r.rowCount());
        // ε_n = 5 % of 0.2: Laplace scale 100; 15 scales would be a 1-in-3-million draw
        assertThat(r.rowCount()).isBetween(ROWS - 1500L, ROWS + 1500L);
        assertThat(r.releases().get(0).statistic()).isEqualTo("row_count");
        assertThat(r.releases().get(0).noise()).isCloseTo(100.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(r.releases().get(0).mechanism()).isEqualTo(EncoderReleases.LAPLACE);
        assertThat(r.of("income")).extracting(EncoderReleases.Release::statistic)
                .containsExactly("range", "round_values", "histogram");
        // the releases composed in RDP use the encoders' ε (ρ_E is found to a relative 1e-6)
        assertThat(r.accountedEpsilon()).isLessThanOrEqualTo(r.epsilon()).isCloseTo(r.epsilon(),
                org.assertj.core.api.Assertions.within(1e-3));
        double[] knots = ((QuantileEncoder) column(e, "income")).knots();
        // a few bins only (the budget is small: PrivateEncoders.histogramBins), all within the DP range
        assertThat(knots.length).isBetween(2, 2 * PrivateEncoders.LOG_GRID_MIN_TARGET + 2);
        assertThat(knots[knots.length - 1]).isLessThan(1e6);
        // too little budget to tell a rounding grid from none: no precision released, every digit kept (a wrong
        // guess would round the prices to whole numbers)
        assertThat(r.of("price")).extracting(EncoderReleases.Release::statistic)
                .doesNotContain("rounding_precision");
        assertThat(((QuantileEncoder) column(e, "price")).toJson().path("decimals").asInt(-1)).isEqualTo(-1);
        assertThat(((QuantileEncoder) column(e, "at")).toJson().path("unit").asDouble()).isEqualTo(1.0);
    }

    @Test
    void aNarrowZoomedRangeIsRefinedByOneMoreCountingPass() {
        // latitudes 41.99 … 42.06: the zoom leaves half-degree sub-bins; the refinement pass counts 16 equal
        // sub-bins of them and the DP bounds close in on the values, the release in the ledger the accountant sums
        Random r = new Random(2);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(RowFactory.create(41.99 + 0.07 * r.nextDouble(), r.nextInt(5)));
        }
        Dataset<Row> t = SharedSparkSession.get().createDataFrame(rows, new StructType()
                .add("lat", DataTypes.DoubleType).add("k", DataTypes.IntegerType));
        TableEncoder e = new TableEncoderEstimator(EncodeOptions.defaults(), BoundsOptions.defaults())
                .withPrivacy(privacy(20.0), Map.of(), NoiseSource.fixed(4)).fit(t);
        EncoderReleases released = e.privacy();
        assertThat(released.of("lat")).extracting(EncoderReleases.Release::statistic)
                .containsExactly("range", "range_zoom", "range_refine", "round_values", "rounding_precision", "histogram");
        assertThat(released.of("k")).extracting(EncoderReleases.Release::statistic).doesNotContain("range_refine");
        assertThat(released.accountedEpsilon()).isLessThanOrEqualTo(released.epsilon());
        double[] knots = ((QuantileEncoder) column(e, "lat")).knots();
        assertThat(knots[0]).isBetween(41.8, 41.99);
        assertThat(knots[knots.length - 1]).isBetween(42.06, 42.25);
    }

    @Test
    void everyStatisticIsReleasedByAMechanismWithinTheEncoderBudget() {
        TableEncoder e = fit(20.0, Map.of(), 1);
        EncoderReleases r = e.privacy();
        assertThat(r).isNotNull();
        assertThat(r.rowCount()).isBetween(ROWS - 100L, ROWS + 100L); // Laplace scale 5
        assertThat(r.epsilon()).isEqualTo(4.0);
        assertThat(r.delta()).isCloseTo(0.2 / ((double) r.rowCount() * r.rowCount()), org.assertj.core.api.Assertions.withinPercentage(1e-9));
        assertThat(r.accountedEpsilon()).isLessThanOrEqualTo(r.epsilon()).isGreaterThan(0.999 * r.epsilon());
        // half the encoders' δ for the category thresholds, half for the RDP conversion
        assertThat(r.thresholdDelta()).isCloseTo(r.delta() / 2, org.assertj.core.api.Assertions.withinPercentage(1e-9));
        assertThat(r.conversionDelta()).isCloseTo(r.delta() / 2, org.assertj.core.api.Assertions.withinPercentage(1e-9));
        assertThat(r.releases()).allSatisfy(x -> assertThat(x.mechanism()).isIn(EncoderReleases.GAUSSIAN,
                x == r.releases().get(0) ? EncoderReleases.LAPLACE : EncoderReleases.GAUSSIAN));
        for (String c : List.of("age", "income", "city", "day", "flag", "price")) {
            assertThat(r.of(c)).as(c).isNotEmpty();
        }
        // Gaussian noise composed in RDP leaves the budget for a rounding precision here (Laplace did not)
        assertThat(r.of("income")).extracting(EncoderReleases.Release::statistic)
                .containsExactly("range", "round_values", "rounding_precision", "histogram");
        assertThat(r.of("city")).extracting(EncoderReleases.Release::mechanism)
                .containsExactly(EncoderReleases.GAUSSIAN);
        // the integer column's DP range [16, 128] holds more than 20 integers: an integer quantile column
        assertThat(column(e, "age").kind()).isEqualTo("integer");
        assertThat(column(e, "flag")).isInstanceOf(CategoricalEncoder.class);
        CategoricalEncoder city = (CategoricalEncoder) column(e, "city");
        assertThat(city.categories()).contains("Lyon", "Paris").doesNotContain("Zebediah");
        QuantileEncoder income = (QuantileEncoder) column(e, "income");
        double[] knots = income.knots();
        assertThat(knots[knots.length - 1]).isLessThan(1e6); // the canary is far outside the DP range
        // a round value a quarter of the rows share stays a point mass: tied knots at 250 a quarter apart
        QuantileEncoder price = (QuantileEncoder) column(e, "price");
        double mass = 0;
        for (int j = 0; j + 1 < price.knots().length; j++) {
            if (price.knots()[j] == 250.0 && price.knots()[j + 1] == 250.0) {
                mass += price.probabilities()[j + 1] - price.probabilities()[j];
            }
        }
        assertThat(mass).isCloseTo(0.25, org.assertj.core.api.Assertions.within(0.03));
        assertThat(r.of("price").get(0).statistic()).isEqualTo("range");
        assertThat(r.of("price").get(1).detail()).contains("kept as point masses").doesNotContain(" 0 kept");
        String json = e.toJson().toString();
        assertThat(json).doesNotContain("Zebediah").doesNotContain("987654321");
        assertThat(TableEncoder.fromJson(e.toJson()).privacy()).isEqualTo(r);
    }

    @Test
    void theRoundingPrecisionIsReleasedWhenTheBudgetAllows() {
        TableEncoder e = fit(100.0, Map.of(), 5);
        assertThat(e.privacy().of("income")).extracting(EncoderReleases.Release::statistic)
                .containsExactly("range", "round_values", "rounding_precision", "histogram");
        // a price in cents: its released rounding precision is 2 decimals; the log-normal income (about 22,000,
        // every digit used) keeps at least 4 decimals, the double precision's tolerance making finer ones moot
        assertThat(((QuantileEncoder) column(e, "price")).toJson().path("decimals").asInt()).isEqualTo(2);
        assertThat(((QuantileEncoder) column(e, "income")).toJson().path("decimals").asInt(-1))
                .satisfiesAnyOf(d -> assertThat(d).isEqualTo(-1), d -> assertThat(d).isGreaterThanOrEqualTo(4));
        // timestamps in whole milliseconds: a released unit of 1 ms
        assertThat(((QuantileEncoder) column(e, "at")).toJson().path("unit").asDouble()).isEqualTo(1000.0);
    }

    @Test
    void aCategorySeenThreeTimesIsNeverNamedAtEpsilonOne() {
        for (long key = 10; key < 12; key++) {
            CategoricalEncoder city = (CategoricalEncoder) column(fit(1.0, Map.of(), key), "city");
            assertThat(city.categories()).doesNotContain("Zebediah");
            assertThat(city.toJson().toString()).doesNotContain("Zebediah");
        }
    }

    @Test
    void boundsSettingsReplaceTheDpRangeAndClampTheKnots() {
        TableEncoder e = fit(20.0, Map.of("income", "0, 200000", "day", "2014-01-01,2022-12-31"), 2);
        assertThat(e.privacy().of("income")).extracting(EncoderReleases.Release::statistic)
                .containsExactly("round_values", "rounding_precision", "histogram");
        double[] knots = ((QuantileEncoder) column(e, "income")).knots();
        assertThat(knots[0]).isGreaterThanOrEqualTo(0);
        assertThat(knots[knots.length - 1]).isLessThanOrEqualTo(200_000);
        double[] days = ((QuantileEncoder) column(e, "day")).knots();
        assertThat(days[0]).isGreaterThanOrEqualTo(LocalDate.of(2014, 1, 1).toEpochDay());
        assertThat(days[days.length - 1]).isLessThanOrEqualTo(LocalDate.of(2022, 12, 31).toEpochDay());
    }

    @Test
    void badBoundsAndTheTextKindStopTheFitNamingTheColumn() {
        assertThatThrownBy(() -> fit(1.0, Map.of("day", "2014-01-01,soon"), 3))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("flowsynth.columns.day.bounds").hasMessageContaining("'soon'");
        assertThatThrownBy(() -> fit(1.0, Map.of("city", "0,1"), 3))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.columns.city.bounds");
        assertThatThrownBy(() -> new TableEncoderEstimator(EncodeOptions.defaults().withKindOverrides(
                Map.of("city", "text")), BoundsOptions.defaults())
                .withPrivacy(privacy(1.0), Map.of(), NoiseSource.fixed(4)).fit(table))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("Column 'city': kind text cannot be fitted under differential privacy");
    }
}
