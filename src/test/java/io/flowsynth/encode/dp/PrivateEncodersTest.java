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
        // the argument is the noise σ per bin: more budget, less noise, more bins
        assertThat(PrivateEncoders.histogramBins(3_000, 33)).isEqualTo(PrivateEncoders.LOG_GRID_MIN_TARGET);
        int mid = PrivateEncoders.histogramBins(100_000, 33);
        assertThat(mid).isBetween(PrivateEncoders.LOG_GRID_MIN_TARGET + 1, PrivateEncoders.LOG_GRID_BINS - 1);
        assertThat(PrivateEncoders.histogramBins(10_000_000, 1.0)).isEqualTo(PrivateEncoders.LOG_GRID_BINS);
        assertThat(PrivateEncoders.histogramBins(1_000_000, 33)).isGreaterThan(mid);
        assertThat(PrivateEncoders.histogramBins(100_000, 10)).isGreaterThan(mid);
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
    void roundValuesThatManyRowsShareStayPointMasses() {
        // a loan amount: 40 % exactly 1,000, 15 % 500, the rest spread over 100 … 5,000
        PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(3.0, Double.NaN, 0.5, 1.0), Map.of("amount", "0,8192"), NoiseSource.fixed(5));
        int n = 20_000;
        dp.releaseRowCount(n);
        ColumnPlan amount = new ColumnPlan(0, "amount", ColumnType.of(ColumnType.Base.INT), null);
        dp.prepare(List.of(amount));
        dp.plan(List.of(amount));
        Random r = new Random(2);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            values[i] = u < 0.4 ? 1000 : u < 0.55 ? 500 : 100 + r.nextInt(4901);
        }
        double[] candidates = dp.pointCandidates(amount);
        assertThat(candidates).contains(0, 500, 1000, 1100).doesNotContain(1050);
        long[] counts = new long[candidates.length];
        for (double v : values) {
            int b = DpMechanisms.pointBin(candidates, v);
            if (b >= 0) {
                counts[b]++;
            }
        }
        dp.releasePoints(amount, candidates, counts);
        // a float column's candidates are the doubles its float values become (1.1f is not 1.1)
        PrivateEncoders fdp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(3.0, Double.NaN, 0.5, 1.0), Map.of("rate", "0,4"), NoiseSource.fixed(5));
        fdp.releaseRowCount(n);
        ColumnPlan rate = new ColumnPlan(0, "rate", ColumnType.of(ColumnType.Base.FLOAT), null);
        fdp.prepare(List.of(rate));
        fdp.plan(List.of(rate));
        double[] rates = fdp.pointCandidates(rate);
        assertThat(DpMechanisms.pointBin(rates, (double) 1.1f)).isNotNegative();
        assertThat(DpMechanisms.pointBin(rates, 1.1)).isNegative();
        // 1,000 and 500 pass; a spread value's ~4 rows per round value do not
        assertThat(dp.histogramPoints(amount)).containsExactly(500, 1000);
        double[] edges = dp.gridEdges(amount);
        double[] points = dp.histogramPoints(amount);
        long[] grid = new long[edges.length - 1 + points.length];
        for (double v : values) {
            int p = DpMechanisms.pointBin(points, v);
            grid[p >= 0 ? edges.length - 1 + p : DpMechanisms.edgeBin(edges, v)]++;
        }
        dp.quantile(amount, new long[]{n, 0, 0, 0, 0}, grid, null);
        QuantileEncoder e = (QuantileEncoder) amount.encoder;
        double[] k = e.knots();
        double[] u = e.probabilities();
        double jump1000 = 0;
        double jump500 = 0;
        for (int j = 0; j + 1 < k.length; j++) {
            if (k[j] == k[j + 1]) {
                jump1000 += k[j] == 1000 ? u[j + 1] - u[j] : 0;
                jump500 += k[j] == 500 ? u[j + 1] - u[j] : 0;
            }
        }
        assertThat(jump1000).isCloseTo(0.4, within(0.01));
        assertThat(jump500).isCloseTo(0.15, within(0.01));
        // the rest keeps its spread: the CDF halfway between the points
        assertThat(linearCdf(k, u, 2999)).isCloseTo(0.55 + 0.45 * 2899.0 / 4900, within(0.03));
        // the budget: the round values' share, the histogram the rest (no range, no precision: an int with bounds)
        EncoderReleases.Release[] rel = dp.releases().of("amount").toArray(EncoderReleases.Release[]::new);
        assertThat(rel).extracting(EncoderReleases.Release::statistic).containsExactly("round_values", "histogram");
        assertThat(rel[0].rho() / (rel[0].rho() + rel[1].rho())).isCloseTo(PrivateEncoders.POINT_SHARE, within(1e-9));
    }

    @Test
    void pointMassesCutTheirGridBinsIntoPieces() {
        // whole numbers: bins 0 … 9 and 10 … 19, points 5 and 10; counts {bin 0, bin 1, point 5, point 10}
        List<double[]> s = PrivateEncoders.segments(new double[]{-0.5, 9.5, 19.5}, new double[]{5, 10},
                new double[]{9, 20, 3, 4}, true);
        assertThat(s).hasSize(5);
        assertThat(s.get(0)).containsExactly(0, 4, 5.0);
        assertThat(s.get(1)).containsExactly(5, 5, 3);
        assertThat(s.get(2)).containsExactly(6, 9, 4.0);
        assertThat(s.get(3)).containsExactly(10, 10, 4);
        assertThat(s.get(4)).containsExactly(11, 19, 20);
        // reals: pieces by length; a point at the top edge belongs to the last bin; no points: the bins unchanged
        List<double[]> r = PrivateEncoders.segments(new double[]{0, 1, 2}, new double[]{0.5, 2}, new double[]{8, 6,
                1, 2}, false);
        assertThat(r).extracting(q -> q[0]).containsExactly(0.0, 0.5, 0.5, 1.0, 2.0);
        assertThat(r).extracting(q -> q[2]).containsExactly(4.0, 1.0, 4.0, 6.0, 2.0);
        assertThat(PrivateEncoders.segments(new double[]{0, 1, 2}, new double[0], new double[]{8, 6}, false))
                .extracting(q -> q[2]).containsExactly(8.0, 6.0);
    }

    /** The DP fit of one column without a bounds setting, its row count released and its budget planned. */
    private static PrivateEncoders oneColumn(PrivacySettings privacy, long rows, ColumnPlan column, long seed) {
        PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(), privacy, Map.of(),
                NoiseSource.fixed(seed));
        dp.releaseRowCount(rows);
        dp.prepare(List.of(column));
        dp.plan(List.of(column));
        return dp;
    }

    /** Zoom-grid counts ({@link DpMechanisms#zoomBin}) of {@code n} values drawn from {@code value}. */
    private static long[] zoomCounts(int n, java.util.function.DoubleSupplier value) {
        long[] zoom = new long[DpMechanisms.RANGE_BINS * DpMechanisms.ZOOM_SUBBINS];
        for (int i = 0; i < n; i++) {
            zoom[DpMechanisms.zoomBin(value.getAsDouble())]++;
        }
        return zoom;
    }

    @Test
    void aRangeHeldByOneOctaveIsNarrowedWithinIt() {
        ColumnPlan lon = new ColumnPlan(0, "longitude", ColumnType.of(ColumnType.Base.DOUBLE), null);
        PrivateEncoders dp = oneColumn(new PrivacySettings(40.0, Double.NaN, 0.5, 1.0), 2000, lon, 3);
        Random r = new Random(1);
        long[] zoom = zoomCounts(1940, () -> -93.6 + 0.1 * r.nextDouble());
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
    void aNarrowZoomedRangeIsRefinedOnceMoreAndEveryReleaseIsAccounted() {
        // a latitude of 41.99 … 42.06 next to a column with public bounds: both spend all of ρ_c, the latitude in
        // four Gaussian releases (range, zoom, refinement, histogram), each in the ledger the accountant sums
        PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(3.0, Double.NaN, 0.8, 1.0), Map.of("x", "0,100"), NoiseSource.fixed(6));
        long n = dp.releaseRowCount(2300);
        ColumnPlan lat = new ColumnPlan(0, "latitude", ColumnType.of(ColumnType.Base.DOUBLE), null);
        ColumnPlan x = new ColumnPlan(1, "x", ColumnType.of(ColumnType.Base.DOUBLE), null);
        dp.prepare(List.of(lat, x));
        dp.plan(List.of(lat, x));
        double[] values = new double[2300];
        long[] zoom = new long[DpMechanisms.RANGE_BINS * DpMechanisms.ZOOM_SUBBINS];
        Random r = new Random(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = 41.99 + 0.07 * r.nextDouble();
            zoom[DpMechanisms.zoomBin(values[i])]++;
        }
        dp.releaseRange(lat, zoom);
        assertThat(dp.needsRefinement(lat)).isTrue();
        assertThat(dp.needsRefinement(x)).isFalse();
        double[] zoomed = dp.bounds(lat);
        long[] sub = new long[DpMechanisms.REFINE_SUBBINS];
        for (double v : values) {
            sub[DpMechanisms.refineBin(v, zoomed[0], zoomed[1])]++;
        }
        dp.releaseRefinement(lat, sub);
        assertThat(dp.needsRefinement(lat)).isFalse();
        double[] b = dp.bounds(lat);
        assertThat(b[0]).isLessThanOrEqualTo(41.99).isGreaterThan(41.75);
        assertThat(b[1]).isGreaterThanOrEqualTo(42.06).isLessThan(42.25);
        assertThat(b[1] - b[0]).isLessThan((zoomed[1] - zoomed[0]) / 2);
        assertThatThrownBy(() -> dp.releaseRefinement(lat, sub)).isInstanceOf(IllegalStateException.class);

        for (ColumnPlan p : List.of(lat, x)) {
            double[] edges = dp.gridEdges(p);
            long[] grid = new long[edges.length - 1];
            for (double v : values) {
                grid[DpMechanisms.edgeBin(edges, p == lat ? v : 50)]++;
            }
            dp.quantile(p, new long[]{n, 0, 0, 0, 0}, grid, new long[]{n, n, n, n, n, n, n});
        }
        EncoderReleases releases = dp.releases();
        assertThat(releases.of("latitude")).extracting(EncoderReleases.Release::statistic)
                .containsExactly("range", "range_zoom", "range_refine", "rounding_precision", "histogram");
        EncoderReleases.Release refine = releases.of("latitude").get(2);
        assertThat(refine.sensitivity()).isEqualTo(1.0);
        double rhoLat = releases.of("latitude").stream().mapToDouble(EncoderReleases.Release::rho).sum();
        double rhoX = releases.of("x").stream().mapToDouble(EncoderReleases.Release::rho).sum();
        assertThat(rhoLat).isCloseTo(rhoX, within(1e-12 * rhoX));
        assertThat(refine.rho()).isCloseTo(PrivateEncoders.REFINE_SHARE * rhoX, within(1e-12 * rhoX));
        // the accountant's curve is the sum of every entry's, the refinement's included
        for (double alpha : new double[]{2, 16}) {
            double sum = 0;
            for (EncoderReleases.Release e : releases.releases()) {
                sum += e.rdp(alpha);
            }
            int i = java.util.Arrays.binarySearch(io.flowsynth.math.RdpAccountant.DEFAULT_ORDERS, alpha);
            assertThat(i).isNotNegative();
            assertThat(releases.rdp()[i]).isCloseTo(sum, within(1e-12 * sum));
            assertThat(refine.rdp(alpha)).isPositive();
        }
        assertThat(releases.accountedEpsilon()).isLessThanOrEqualTo(2.4 + 1e-9);
    }

    /** A table of integer columns c0, c1, …, its row count released and its budget planned. */
    private static List<ColumnPlan> integerTable(PrivateEncoders dp, long rows, int columns) {
        dp.releaseRowCount(rows);
        List<ColumnPlan> plans = new java.util.ArrayList<>();
        for (int c = 0; c < columns; c++) {
            plans.add(new ColumnPlan(c, "c" + c, ColumnType.of(ColumnType.Base.INT), null));
        }
        dp.prepare(plans);
        dp.plan(plans);
        return plans;
    }

    @Test
    void aZeroInflatedColumnsRangeIsReleasedAgainWhenTheFirstIsOnlyZero() {
        // an enclosed porch: 1,977 zeros, 365 areas spread over 16 … 512; the tail's octaves hold 11, 47, 112, 170, 25
        long[] zoom = new long[DpMechanisms.RANGE_BINS * DpMechanisms.ZOOM_SUBBINS];
        zoom[DpMechanisms.zoomBin(0)] = 1977;
        int[] tail = {11, 47, 112, 170, 25};
        for (int k = 0; k < tail.length; k++) {
            zoom[DpMechanisms.zoomBin(16 << k)] = tail[k];
        }
        int retried = 0;
        int reached = 0;
        for (int seed = 0; seed < 20; seed++) {
            PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                    new PrivacySettings(3.0, Double.NaN, 0.8, 1.0), Map.of(), NoiseSource.fixed(100 + seed));
            List<ColumnPlan> plans = integerTable(dp, 2331, 74);
            ColumnPlan porch = plans.get(0);
            dp.releaseRange(porch, zoom);
            List<EncoderReleases.Release> ledger = dp.releases().of("c0");
            boolean retry = ledger.stream().anyMatch(e -> e.statistic().equals("range_retry"));
            double[] b = dp.bounds(porch);
            retried += retry ? 1 : 0;
            reached += b[1] >= 256 ? 1 : 0;
            assertThat(b[0]).isBetween(-4.0, 0.0);
            assertThat(retry || b[1] >= 16).as("no retry after a range with the tail").isTrue();
            // every release of the column is in the ledger (which the accountant sums), within its share ρ_c
            double spent = ledger.stream().mapToDouble(EncoderReleases.Release::rho).sum();
            double rangeRho = ledger.get(0).rho();
            assertThat(spent).isCloseTo(rangeRho * (retry ? 1 + PrivateEncoders.ZERO_RANGE_RETRY_SHARE
                    / PrivateEncoders.RANGE_SHARE : 1), within(1e-9 * spent));
        }
        assertThat(retried).isPositive(); // the first release alone misses the tail at this budget
        assertThat(reached).isGreaterThanOrEqualTo(16);
    }

    @Test
    void onlyARangeOfZeroOrOfZeroAndOneIsReleasedAgain() {
        double z = Math.scalb(1.0, DpMechanisms.RANGE_MIN_EXPONENT);
        assertThat(PrivateEncoders.onlyZero(new double[]{-z, z}, false)).isTrue();
        assertThat(PrivateEncoders.onlyZero(new double[]{-z, 1}, false)).isFalse(); // a fraction column
        assertThat(PrivateEncoders.onlyZero(new double[]{-2, z}, true)).isTrue(); // 0 and a noisy −1
        assertThat(PrivateEncoders.onlyZero(new double[]{-z, 2}, true)).isTrue();
        assertThat(PrivateEncoders.onlyZero(new double[]{-z, 4}, true)).isFalse();
    }

    @Test
    void anAllZeroColumnStaysAtZeroAfterTheRetry() {
        long[] zoom = new long[DpMechanisms.RANGE_BINS * DpMechanisms.ZOOM_SUBBINS];
        zoom[DpMechanisms.zoomBin(0)] = 2331;
        int retried = 0;
        for (int seed = 0; seed < 20; seed++) {
            PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                    new PrivacySettings(3.0, Double.NaN, 0.8, 1.0), Map.of(), NoiseSource.fixed(200 + seed));
            ColumnPlan pool = integerTable(dp, 2331, 74).get(0);
            dp.releaseRange(pool, zoom);
            // noisy neighbours join a range 5 % of the time each: a step or two from 0 at most, no invented tail
            assertThat(dp.bounds(pool)[0]).isBetween(-4.0, 0.0);
            assertThat(dp.bounds(pool)[1]).isBetween(0.0, 4.0);
            List<String> released = dp.releases().of("c0").stream().map(EncoderReleases.Release::statistic).toList();
            assertThat(released.get(0)).isEqualTo("range");
            retried += released.contains("range_retry") ? 1 : 0;
        }
        assertThat(retried).isGreaterThanOrEqualTo(15); // unless noise took the first range two steps from 0
    }

    @Test
    void aWholeNumberColumnGetsOneBinPerIntegerOnlyWithEnoughRowsPerIntegerAgainstTheNoise() {
        // ames-like: 74 integer columns, ε = 2, 2,331 rows; years built 1904 … 2016 (113 integers, σ ≈ 27 per bin)
        // have about 21 rows per integer: an equal grid; years sold 2006 … 2010 keep one bin each
        PrivateEncoders wide = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(2.0, Double.NaN, 0.8, 1.0), Map.of("c0", "1904,2016", "c1", "2006,2010"),
                NoiseSource.fixed(1));
        List<ColumnPlan> plans = integerTable(wide, 2331, 74);
        double[] built = wide.gridEdges(plans.get(0));
        assertThat(built.length - 1).isLessThan(113).isGreaterThanOrEqualTo(16);
        assertThat(built[0]).isEqualTo(1903.5);
        assertThat(built[built.length - 1]).isEqualTo(2016.5);
        assertThat(wide.gridEdges(plans.get(1))).containsExactly(2005.5, 2006.5, 2007.5, 2008.5, 2009.5, 2010.5);
        // credit_data-like: 14 columns, 3,554 rows: loan terms 8 … 64 months (57 integers) keep one bin each
        PrivateEncoders narrow = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(3.0, Double.NaN, 0.8, 1.0), Map.of("c0", "8,64"), NoiseSource.fixed(1));
        assertThat(narrow.gridEdges(integerTable(narrow, 3554, 14).get(0))).hasSize(58);
        // credit_data's expenses (35, 45, 60, 75, 90 …) in a DP range of [32, 512]: 481 integers, one bin each at
        // ε = 10 (σ ≈ 3.5 per bin, 7 rows per integer), so 35 stays a point mass; at ε = 1 (σ ≈ 29) a coarser grid
        PrivateEncoders rich = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(10.0, Double.NaN, 0.8, 1.0), Map.of("c0", "32,512"), NoiseSource.fixed(1));
        double[] expenses = rich.gridEdges(integerTable(rich, 3554, 14).get(0));
        assertThat(expenses).hasSize(482);
        assertThat(expenses).contains(34.5, 35.5);
        PrivateEncoders poor = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(),
                new PrivacySettings(1.0, Double.NaN, 0.8, 1.0), Map.of("c0", "32,512"), NoiseSource.fixed(1));
        assertThat(poor.gridEdges(integerTable(poor, 3554, 14).get(0)).length - 1).isLessThan(481);
    }

    @Test
    void aNarrowRangeOfFewIntegersIsNotRefined() {
        // years of sale 2006 … 2010: their zoomed range holds few integers, each of which gets a histogram bin
        ColumnPlan year = new ColumnPlan(0, "year", ColumnType.of(ColumnType.Base.INT), null);
        PrivateEncoders dp = oneColumn(new PrivacySettings(10.0, Double.NaN, 0.8, 1.0), 2000, year, 2);
        Random r = new Random(1);
        dp.releaseRange(year, zoomCounts(2000, () -> 2006 + r.nextInt(5)));
        assertThat(dp.bounds(year)[1] - dp.bounds(year)[0]).isLessThanOrEqualTo(PrivateEncoders.REFINE_MIN_INTEGERS);
        assertThat(dp.needsRefinement(year)).isFalse();
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

    @Test
    void theHistogramsOfAPassTogetherHaveL2SensitivitySqrtColumns() {
        // C columns counted in one pass: adding a row adds 1 to one bin (or state) of each column's histogram, so
        // the concatenated count vector moves by exactly √C in L2 (and by C in L1, what Laplace noise had to pay)
        int columns = 74;
        Random r = new Random(6);
        double[][] edges = new double[columns][];
        long[][] before = new long[columns][];
        for (int c = 0; c < columns; c++) {
            edges[c] = DpMechanisms.logGridEdges(0, 1 << (4 + c % 10), c % 2 == 0, 32);
            before[c] = new long[edges[c].length]; // the grid's bins and a null state
        }
        long[][] after = new long[columns][];
        for (int c = 0; c < columns; c++) {
            after[c] = before[c].clone();
            boolean isNull = r.nextInt(10) == 0;
            after[c][isNull ? edges[c].length - 1 : DpMechanisms.edgeBin(edges[c], r.nextDouble() * 5000)]++;
        }
        double l2 = 0;
        double l1 = 0;
        for (int c = 0; c < columns; c++) {
            for (int b = 0; b < before[c].length; b++) {
                double d = after[c][b] - before[c][b];
                l2 += d * d;
                l1 += Math.abs(d);
            }
        }
        assertThat(Math.sqrt(l2)).isCloseTo(Math.sqrt(columns), within(1e-12));
        assertThat(l1).isEqualTo(columns);
        // and so C Gaussian releases of sensitivity 1 at σ compose in RDP exactly as one of sensitivity √C at σ
        for (double alpha : new double[]{1.5, 8, 64}) {
            double each = 0;
            for (int c = 0; c < columns; c++) {
                each += io.flowsynth.math.RdpAccountant.gaussianRdp(1, 26, alpha);
            }
            assertThat(each).isCloseTo(io.flowsynth.math.RdpAccountant.gaussianRdp(Math.sqrt(columns), 26, alpha),
                    within(1e-12));
        }
    }

    @Test
    void theEncodersReleasesComposeInRdpAsAHandComputationSays() {
        // ε = 3, encoder share 0.8, 2,331 rows (as ames): a bounded double column, a categorical column, an id column
        PrivacySettings s = new PrivacySettings(3.0, Double.NaN, 0.8, 1.0);
        PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults().withKindOverrides(Map.of("code", "id")),
                BoundsOptions.defaults(), s, Map.of("x", "0,100"), NoiseSource.fixed(2));
        long n = dp.releaseRowCount(2331);
        ColumnPlan x = new ColumnPlan(0, "x", ColumnType.of(ColumnType.Base.DOUBLE), null);
        ColumnPlan city = new ColumnPlan(1, "city", ColumnType.of(ColumnType.Base.STRING), null);
        ColumnPlan code = new ColumnPlan(2, "code", ColumnType.of(ColumnType.Base.STRING), "id");
        List<ColumnPlan> plans = List.of(x, city, code);
        dp.prepare(plans);
        dp.plan(plans);
        double[] edges = dp.gridEdges(x);
        long[] grid = new long[edges.length - 1];
        grid[grid.length / 2] = 2331;
        dp.quantile(x, new long[]{2331, 0, 0, 0, 0}, grid, new long[]{2331, 2331, 2331, 2331, 2331, 2331, 2331});
        dp.categorical(city, Map.of("Lyon", 1500.0), 0);
        dp.generated(code, 0);
        EncoderReleases r = dp.releases();

        // by hand: δ_E = 0.8/n̂², half of it to the one category threshold; the row count Laplace(1/(0.05·2.4));
        // ρ_E the largest zCDP budget within ε_E = 2.4 with it; weights 1 (x), CATEGORY_WEIGHT (city), 1 (code)
        double deltaE = 0.8 / ((double) n * n);
        double epsN = 0.05 * 2.4;
        double[] orders = io.flowsynth.math.RdpAccountant.DEFAULT_ORDERS;
        double[] rowCount = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            // Mironov 2017, Prop. 6, λ = 1/ε_n
            rowCount[i] = Math.min(epsN, Math.log(a / (2 * a - 1) * Math.exp((a - 1) * epsN)
                    + (a - 1) / (2 * a - 1) * Math.exp(-a * epsN)) / (a - 1));
        }
        double rhoE = io.flowsynth.math.RdpAccountant.rhoFor(rowCount, 2.4, deltaE / 2);
        double w = PrivateEncoders.CATEGORY_WEIGHT;
        double rhoC = rhoE / (2 + w);
        // x: bounds set (no range), a precision release of 1/16 of ρ_c (sensitivity √7) if its floor allows, the
        // histogram the rest; city: all of its w·ρ_c; code: its null count, all of ρ_c
        double spentRho = 0;
        double[] hand = rowCount.clone();
        for (EncoderReleases.Release e : r.releases()) {
            if (e.statistic().equals("row_count")) {
                assertThat(e.noise()).isCloseTo(1 / epsN, within(1e-12));
                continue;
            }
            assertThat(e.mechanism()).isEqualTo(EncoderReleases.GAUSSIAN);
            double share = e.statistic().equals("rounding_precision") ? rhoC / 16
                    : e.statistic().equals("histogram") && r.of("x").size() == 2 ? rhoC * 15 / 16
                    : e.column().equals("city") ? w * rhoC : rhoC;
            double sigma = e.sensitivity() / Math.sqrt(2 * share);
            assertThat(e.noise()).as(e.column() + " " + e.statistic()).isCloseTo(sigma, within(1e-9 * sigma));
            spentRho += e.sensitivity() * e.sensitivity() / (2 * sigma * sigma);
            for (int i = 0; i < orders.length; i++) {
                hand[i] += orders[i] * e.sensitivity() * e.sensitivity() / (2 * sigma * sigma);
            }
        }
        assertThat(spentRho).isCloseTo(rhoE, within(1e-9 * rhoE));
        assertThat(r.rdp()).containsExactly(hand, within(1e-12));
        double eps = io.flowsynth.math.RdpAccountant.epsilon(hand, deltaE / 2).epsilon();
        assertThat(r.accountedEpsilon()).isCloseTo(eps, within(1e-12));
        assertThat(eps).isLessThanOrEqualTo(2.4).isGreaterThan(2.399);
        // one category threshold: δ_c = δ_E/2, τ = 1 + σ·Φ⁻¹(1 − δ_c)
        double sigmaCity = dp.categorySigma(city);
        assertThat(dp.categoryThreshold(city)).isCloseTo(1 + sigmaCity * DpMechanisms.upperQuantile(deltaE / 2),
                within(1e-9));
        assertThat(r.thresholdDelta()).isCloseTo(deltaE / 2, within(1e-20));
        assertThat(r.of("city").get(0).delta()).isCloseTo(deltaE / 2, within(1e-20));
        // basic composition with Laplace gave each of the 3 columns ε ≈ 0.76 (noise std 1.9 rows): here σ is
        // about 4 rows; but on 74 columns it grows only as √74 (34 rows), where Laplace's std grows as 74 (46x)
        assertThat(sigmaCity).isBetween(3.0, 5.0);
    }

    @Test
    void anAutoEncoderShareIsChosenAfterTheRowCountAndEveryReleaseSpendsIt() {
        // ε = 3, encoder share auto: a wide table with few rows (74 categorical columns, 2,331 rows, as ames) gives
        // the encoders DpSgdPlan.AUTO_SHARE_NOISY_COPULA; a narrow one (14 columns, 3,554 rows) DpSgdPlan.AUTO_SHARE
        for (int[] shape : new int[][]{{74, 2331}, {14, 3554}}) {
            PrivacySettings s = new PrivacySettings(3.0, Double.NaN, PrivacySettings.AUTO, 1.0);
            PrivateEncoders dp = new PrivateEncoders(EncodeOptions.defaults(), BoundsOptions.defaults(), s, Map.of(),
                    NoiseSource.fixed(4));
            long n = dp.releaseRowCount(shape[1]);
            List<ColumnPlan> plans = new java.util.ArrayList<>();
            for (int c = 0; c < shape[0]; c++) {
                plans.add(new ColumnPlan(c, "c" + c, ColumnType.of(ColumnType.Base.STRING), null));
            }
            dp.prepare(plans);
            dp.plan(plans);
            for (ColumnPlan p : plans) {
                dp.categorical(p, Map.of("a", (double) n), 0);
            }
            EncoderReleases r = dp.releases();
            double share = io.flowsynth.privacy.DpSgdPlan.autoEncoderShare(s, n, shape[0]);
            assertThat(share).isEqualTo(shape[0] == 74 ? io.flowsynth.privacy.DpSgdPlan.AUTO_SHARE_NOISY_COPULA
                    : io.flowsynth.privacy.DpSgdPlan.AUTO_SHARE);
            // the row count's ε is a share of the nominal encoders' ε (released before the choice)
            assertThat(r.releases().get(0).statistic()).isEqualTo("row_count");
            assertThat(r.releases().get(0).epsilon()).isCloseTo(PrivateEncoders.ROW_COUNT_SHARE
                    * io.flowsynth.privacy.DpSgdPlan.AUTO_SHARE * 3.0, within(1e-12));
            // the encoders' budget is the chosen share, and their releases composed in RDP spend all of it
            assertThat(r.epsilon()).isCloseTo(share * 3.0, within(1e-12));
            assertThat(r.delta()).isCloseTo(share / ((double) n * n), within(1e-20));
            assertThat(r.accountedEpsilon()).isLessThanOrEqualTo(share * 3.0 + 1e-9).isGreaterThan(share * 3.0 - 1e-3);
        }
    }

    @Test
    void theCategoryThresholdNeverNamesAOneRowValueBeyondTheStatedDelta() {
        // the executors release a value when its count plus N(0, σ²) reaches τ; one categorical column: δ_c is all
        // of the thresholds' δ
        PrivateEncoders dp = dp(Map.of());
        ColumnPlan city = new ColumnPlan(0, "city", ColumnType.of(ColumnType.Base.STRING), null);
        dp.prepare(List.of(city));
        dp.plan(List.of(city));
        double sigma = dp.categorySigma(city);
        double tau = dp.categoryThreshold(city);
        double deltaC = PrivateEncoders.THRESHOLD_DELTA_SHARE
                * new PrivacySettings(1.0, Double.NaN, 0.2, 1.0).encoderDelta(dp.rowCount());
        assertThat(deltaC).isPositive();
        // the one-row value passes with probability 1 − Φ((τ − 1)/σ), exactly δ_c
        double z = (tau - 1) / sigma;
        assertThat(0.5 * org.apache.commons.numbers.gamma.Erfc.value(z / Math.sqrt(2)))
                .isCloseTo(deltaC, within(deltaC * 1e-6));
        // and a value of τ − 3σ rows (far more than one) is named less than 0.2 % of the time
        NoiseSource noise = NoiseSource.fixed(8);
        int named = 0;
        for (int i = 0; i < 20_000; i++) {
            named += tau - 3 * sigma + noise.gaussian(PrivateEncoders.categoryLabel(0, "v" + i), sigma) >= tau ? 1 : 0;
        }
        assertThat(named).isLessThan(40);
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
