package io.flowsynth.encode.dp;

import io.flowsynth.encode.EncoderReleases;
import io.flowsynth.config.PrivacySettings;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.ColumnPlan;
import io.flowsynth.encode.ColumnType;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.GeneratedColumn;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.error.BadInputException;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The Spark-free parts of the DP encoder fit: bounds settings and the knot count. */
class PrivateEncodersTest {

    @Test
    void boundsAreParsedWithTheColumnsType() {
        assertThat(PrivateEncoders.parseBounds("x", ColumnType.of(ColumnType.Base.DOUBLE), " -1.5, 2e3"))
                .containsExactly(-1.5, 2000.0);
        assertThat(PrivateEncoders.parseBounds("d", ColumnType.of(ColumnType.Base.DATE), "2020-01-01,2020-12-31"))
                .containsExactly(LocalDate.of(2020, 1, 1).toEpochDay(), LocalDate.of(2020, 12, 31).toEpochDay());
        assertThat(PrivateEncoders.parseBounds("t", ColumnType.of(ColumnType.Base.TIMESTAMP),
                "1970-01-01, 1970-01-01 00:00:01.5")).containsExactly(0.0, 1_500_000.0);
        assertThat(PrivateEncoders.parseBounds("t", ColumnType.of(ColumnType.Base.TIMESTAMP),
                "1970-01-02T00:00:00Z,1970-01-03")).containsExactly(86_400e6, 2 * 86_400e6);
    }

    @Test
    void badBoundsNameTheColumnAndTheValue() {
        assertThatThrownBy(() -> PrivateEncoders.parseBounds("age", ColumnType.of(ColumnType.Base.INT), "0,old"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Configuration flowsynth.columns.age.bounds: 'old' is not a finite number for column "
                        + "'age' of type int");
        assertThatThrownBy(() -> PrivateEncoders.parseBounds("age", ColumnType.of(ColumnType.Base.INT), "5"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("expected lo,hi, got '5'");
        assertThatThrownBy(() -> PrivateEncoders.parseBounds("age", ColumnType.of(ColumnType.Base.INT), "9,1"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("lo must be below hi");
        assertThatThrownBy(() -> PrivateEncoders.parseBounds("d", ColumnType.of(ColumnType.Base.DATE), "2020-13-01,x"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'2020-13-01' is not a date");
    }

    @Test
    void theHistogramBinsGrowWithRowsAndBudget() {
        assertThat(PrivateEncoders.histogramBins(3_000, 0.03)).isEqualTo(PrivateEncoders.LOG_GRID_MIN_TARGET);
        int mid = PrivateEncoders.histogramBins(100_000, 0.03);
        assertThat(mid).isBetween(PrivateEncoders.LOG_GRID_MIN_TARGET + 1, PrivateEncoders.LOG_GRID_BINS - 1);
        assertThat(PrivateEncoders.histogramBins(10_000_000, 1.0)).isEqualTo(PrivateEncoders.LOG_GRID_BINS);
        assertThat(PrivateEncoders.histogramBins(1_000_000, 0.03)).isGreaterThan(mid);
    }

    @Test
    void equalEdgesOfWholeNumbersSitBetweenIntegers() {
        double[] e = PrivateEncoders.equalEdges(2000, 2016, true, 8);
        assertThat(e[0]).isEqualTo(1999.5);
        assertThat(e[e.length - 1]).isEqualTo(2016.5);
        for (int j = 1; j < e.length; j++) {
            assertThat(e[j] - e[j - 1]).isGreaterThanOrEqualTo(1.0);
            assertThat(e[j] - Math.floor(e[j])).isEqualTo(0.5);
        }
        assertThat(PrivateEncoders.equalEdges(41.5, 42.5, false, 4)).containsExactly(41.5, 41.75, 42.0, 42.25, 42.5);
    }

    private static PrivateEncoders dp(Map<String, String> kinds) {
        PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults().withKindOverrides(kinds),
                BoundsOptions.defaults(), new PrivacySettings(1.0, Double.NaN, 0.2, 1.0), Map.of(),
                NoiseSource.fixed(5));
        dp.releaseRowCount(5000);
        return dp;
    }

    @Test
    void idAndNameColumnsComeFromFixedGeneratorsWithOnlyANoisyNullCount() {
        PrivateEncoders dp = dp(Map.of("code", "id", "n", "id", "who", "person-name"));
        ColumnPlan code = new ColumnPlan(0, "code", ColumnType.of(ColumnType.Base.STRING), "id");
        ColumnPlan n = new ColumnPlan(1, "n", ColumnType.of(ColumnType.Base.LONG), "id");
        ColumnPlan who = new ColumnPlan(2, "who", ColumnType.of(ColumnType.Base.STRING), "person-name");
        dp.prepare(List.of(code, n, who));
        dp.plan(List.of(code, n, who));
        for (ColumnPlan p : List.of(code, n, who)) {
            dp.generated(p, 0);
            GeneratedColumn g = (GeneratedColumn) p.encoder;
            assertThat(g.fittedNulls()).as(p.name).isZero(); // the floor: no phantom nulls (with probability 1e-3)
            Set<Object> seen = new HashSet<>();
            for (long r = 0; r < 3000; r++) {
                Object v = g.generate(r, 3000, 7, new Random(r));
                assertThat(v).isNotNull();
                seen.add(v);
            }
            if (p != who) {
                assertThat(seen).as(p.name).hasSize(3000);
            }
        }
        assertThat(dp.releases().of("code")).extracting(EncoderReleases.Release::statistic)
                .containsExactly("null_count");
    }

    @Test
    void categoriesAreBuiltFromTheReleasedNoisyCountsOnly() {
        PrivateEncoders dp = dp(Map.of());
        ColumnPlan city = new ColumnPlan(0, "city", ColumnType.of(ColumnType.Base.STRING), null);
        dp.prepare(List.of(city));
        dp.plan(List.of(city));
        dp.categorical(city, Map.of("Lyon", 2900.4, "Paris", 1499.6), 0);
        CategoricalEncoder e = (CategoricalEncoder) city.encoder;
        assertThat(e.categories()).containsExactly("Lyon", "Paris");
        assertThat(e.count("Lyon")).isEqualTo(2900);
        // the rest of the released row count is never named: redistributed, recorded as protected rows
        assertThat(e.protection().rows()).isEqualTo(dp.rowCount() - 2900 - 1500);
        assertThat(e.protection().minCount()).isGreaterThanOrEqualTo((int) dp.categoryThreshold(city));
    }

    @Test
    void aQuantileColumnsCdfComesFromItsNoisyLogGridHistogram() {
        PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(50.0, Double.NaN, 0.5, 1.0), Map.of("income", "0,1024"), NoiseSource.fixed(9));
        dp.releaseRowCount(20_000);
        ColumnPlan income = new ColumnPlan(0, "income", ColumnType.of(ColumnType.Base.DOUBLE), null);
        dp.prepare(List.of(income));
        dp.plan(List.of(income));
        double[] edges = dp.gridEdges(income);
        assertThat(edges).isNotNull();
        assertThat(edges[0]).isEqualTo(0.0);
        assertThat(edges[edges.length - 1]).isEqualTo(1024.0);
        // log-normal-like values: exact counts in the grid's bins
        Random r = new Random(4);
        double[] values = new double[20_000];
        long[] grid = new long[edges.length - 1];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.min(1024, Math.exp(4 + 0.6 * r.nextGaussian()));
            grid[DpMechanisms.edgeBin(edges, values[i])]++;
        }
        dp.quantile(income, new long[]{20_000, 0, 0, 0, 0}, grid, new long[]{20_000, 20_000, 20_000, 20_000,
                20_000, 20_000, 20_000});
        QuantileEncoder e = (QuantileEncoder) income.encoder;
        java.util.Arrays.sort(values);
        for (double p : new double[]{0.1, 0.25, 0.5, 0.75, 0.9}) {
            double x = values[(int) (p * values.length)];
            assertThat(linearCdf(e.knots(), e.probabilities(), x)).as("CDF at the %s quantile %s", p, x).isCloseTo(p, within(0.02));
        }
        assertThat(dp.releases().of("income")).extracting(EncoderReleases.Release::statistic)
                .contains("histogram").doesNotContain("quantiles", "value_states");
    }

    @Test
    void aRangeHeldByOneOctaveIsNarrowedWithinIt() {
        PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(40.0, Double.NaN, 0.5, 1.0), Map.of(), NoiseSource.fixed(3));
        dp.releaseRowCount(2000);
        ColumnPlan lon = new ColumnPlan(0, "longitude", ColumnType.of(ColumnType.Base.DOUBLE), null);
        dp.prepare(List.of(lon));
        dp.plan(List.of(lon));
        long[] zoom = new long[DpMechanisms.RANGE_BINS * DpMechanisms.ZOOM_SUBBINS];
        Random r = new Random(1);
        for (int i = 0; i < 1940; i++) {
            zoom[DpMechanisms.zoomBin(-93.6 + 0.1 * r.nextDouble())]++;
        }
        for (int i = 0; i < 60; i++) {
            zoom[DpMechanisms.zoomBin(-130 - r.nextDouble())]++; // a few in the next octave out
        }
        dp.releaseRange(lon, zoom);
        double[] b = dp.bounds(lon);
        assertThat(b[0]).isBetween(-96.0, -93.6);
        assertThat(b[1]).isBetween(-93.5, -91.0);
        assertThat(dp.releases().of("longitude")).extracting(EncoderReleases.Release::statistic)
                .containsExactly("range", "range_zoom");
    }

    @Test
    void spreadValuesInOneOctaveKeepTheirWholeRange() {
        PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(3.0, Double.NaN, 0.8, 1.0), Map.of(), NoiseSource.fixed(4));
        dp.releaseRowCount(2400);
        List<ColumnPlan> plans = new java.util.ArrayList<>();
        for (int c = 0; c < 74; c++) { // a wide table (as ames): a small ε per column
            plans.add(new ColumnPlan(c, "c" + c, ColumnType.of(ColumnType.Base.INT), null));
        }
        dp.prepare(plans);
        dp.plan(plans);
        long[] zoom = new long[DpMechanisms.RANGE_BINS * DpMechanisms.ZOOM_SUBBINS];
        Random r = new Random(2);
        for (int i = 0; i < 2400; i++) {
            zoom[DpMechanisms.zoomBin(1872 + r.nextInt(139))]++; // years built 1872 … 2010
        }
        dp.releaseRange(plans.get(0), zoom);
        double[] b = dp.bounds(plans.get(0));
        assertThat(b[0]).isLessThanOrEqualTo(1872.0);
        assertThat(b[1]).isGreaterThanOrEqualTo(2010.0);
    }

    /** The encoder's piecewise-linear F̂(x) between its knots. */
    private static double linearCdf(double[] knots, double[] p, double x) {
        for (int j = 0; j + 1 < knots.length; j++) {
            if (x <= knots[j + 1]) {
                return knots[j + 1] == knots[j] ? p[j + 1]
                        : p[j] + (p[j + 1] - p[j]) * (x - knots[j]) / (knots[j + 1] - knots[j]);
            }
        }
        return 1.0;
    }
}
