package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.math.StandardNormal;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Extreme-value protection and tails of the quantile encoder, without Spark (the estimator's test covers Spark). */
class ExtremeBoundsTest {
    private static final int K = 5;
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);
    private static final ColumnType LONG = ColumnType.of(ColumnType.Base.LONG);

    /** A log-normal income with three extreme values (the customer table). */
    static List<Object> incomes(int n, long seed) {
        Random rng = new Random(seed);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Math.rint(Math.exp(10.8 + 0.6 * rng.nextGaussian()) * 100) / 100);
        }
        out.set(11, 9_880_000.0);
        out.set(222, 7_650_000.0);
        out.set(3333, 5_430_000.0);
        return out;
    }

    /** Decodes z on a fine grid of u plus far beyond ±4.753 (which decode to the bounds). */
    static List<Object> decodeGrid(ColumnEncoder e) {
        List<Object> out = new ArrayList<>();
        Random rng = new Random(1);
        int n = 100_000;
        for (int i = 0; i <= n + 1; i++) {
            double z = i == n + 1 ? -12.0 : i == n ? 12.0
                    : StandardNormal.inverseCdf(1e-9 + (1 - 2e-9) * i / (double) (n - 1));
            double[] f = new double[e.width()];
            f[0] = z;
            out.add(e.decode(f, 0, rng));
        }
        return out;
    }

    static double[] sortedFinite(ColumnType type, List<Object> values) {
        return values.stream().filter(v -> v != null).mapToDouble(v -> ColumnValues.toDouble(type, v)).sorted().toArray();
    }

    /** The real values among the k smallest and k largest that are held by at most k rows. */
    static Set<Double> rareExtremes(double[] sorted, int k) {
        Set<Double> out = new HashSet<>();
        for (int i = 0; i < k; i++) {
            for (double v : new double[]{sorted[i], sorted[sorted.length - 1 - i]}) {
                long count = Arrays.stream(sorted).filter(x -> x == v).count();
                if (count <= k) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** Every number written in a text. */
    static Set<Double> numbersIn(String text) {
        Set<Double> out = new HashSet<>();
        for (String token : text.split("[^0-9.eE+\\-]+")) {
            try {
                out.add(Double.parseDouble(token));
            } catch (NumberFormatException notANumber) {
                // a word with an e in it
            }
        }
        return out;
    }

    static void assertProtected(ColumnEncoder e, ColumnType type, List<Object> real) {
        double[] r = sortedFinite(type, real);
        double kthLargest = r[r.length - K];
        double kthSmallest = r[K - 1];
        Set<Double> rare = rareExtremes(r, K);
        double[] s = sortedFinite(type, decodeGrid(e));
        assertThat(s[s.length - 1]).as("%s: synthetic max vs k-th largest", e.column()).isLessThanOrEqualTo(kthLargest);
        assertThat(s[0]).as("%s: synthetic min vs k-th smallest", e.column()).isGreaterThanOrEqualTo(kthSmallest);
        assertThat(Arrays.stream(s).filter(rare::contains).count()).as("%s: real extremes reproduced", e.column())
                .isZero();
        Set<Double> numbers = numbersIn(e.toJson().toString());
        for (double v : rare) {
            assertThat(numbers).as("%s: model JSON holds a real extreme %s", e.column(), v).doesNotContain(v);
        }
    }

    @Test
    void decodedValuesStayWithinTheKthExtremesAndNeverRepeatARealExtremeForEveryType() {
        List<Object> income = incomes(20_000, 1);
        assertProtected(Fixtures.protectedQuantile("income", "continuous", DOUBLE, income, 500, K, 0), DOUBLE, income);

        Random rng = new Random(2);
        List<Object> ages = new ArrayList<>();
        List<Object> prices = new ArrayList<>();
        List<Object> days = new ArrayList<>();
        ColumnType decimal = ColumnType.decimal(10, 2);
        ColumnType date = ColumnType.of(ColumnType.Base.DATE);
        for (int i = 0; i < 5000; i++) {
            ages.add(Math.max(18L, Math.round(45 + 14 * rng.nextGaussian())));
            prices.add(BigDecimal.valueOf(Math.round(Math.exp(3 + rng.nextGaussian()) * 100), 2));
            days.add(LocalDate.of(2015, 1, 1).plusDays(rng.nextInt(3000)));
        }
        ages.set(5, 104L);
        ages.set(6, 107L);
        ages.set(7, 111L);
        prices.set(9, new BigDecimal("99999.99"));
        days.set(3, LocalDate.of(2099, 12, 31));
        assertProtected(Fixtures.protectedQuantile("age", "integer", LONG, ages, 500, K, 0), LONG, ages);
        assertProtected(Fixtures.protectedQuantile("price", "continuous", decimal, prices, 500, K, 0), decimal, prices);
        assertProtected(Fixtures.protectedQuantile("day", "datetime", date, days, 500, K, 0), date, days);
        ColumnType timestamp = ColumnType.of(ColumnType.Base.TIMESTAMP);
        List<Object> times = new ArrayList<>();
        for (int i = 0; i < 5000; i++) { // whole seconds: the unit is 10^6 µs
            times.add(ColumnValues.timestampOfMicros((1_600_000_000L + rng.nextInt(100_000_000)) * 1_000_000L));
        }
        times.set(4, ColumnValues.timestampOfMicros(4_000_000_000L * 1_000_000L));
        assertProtected(Fixtures.protectedQuantile("at", "datetime", timestamp, times, 500, K, 0), timestamp, times);
    }

    @Test
    void modeSpecificEncodingKeepsTheSameBounds() {
        Random rng = new Random(13);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            values.add(i % 3 == 0 ? -20 + rng.nextGaussian() : 50 + 3 * rng.nextGaussian());
        }
        values.set(1, 400.0);
        values.set(2, -300.0);
        QuantileEncoder q = Fixtures.protectedQuantile("m", "continuous", DOUBLE, values, 200, K, 0);
        QuantileEncoder raw = Fixtures.quantile("m", "continuous", DOUBLE, values, 200);
        double[] probabilities = new double[200];
        for (int j = 0; j < 200; j++) {
            probabilities[j] = j / 199.0;
        }
        GaussianMixture mixture = GaussianMixture.fitSketch(raw.knots(), probabilities, 3);
        ModeEncoder e = new ModeEncoder("m", "continuous", DOUBLE, q.min(), q.max(), 0.0, -1, raw.stateCounts(),
                mixture, K);
        assertThat(e.width()).isEqualTo(2);
        double[] r = sortedFinite(DOUBLE, values);
        Set<Double> rare = rareExtremes(r, K);
        List<Double> decoded = new ArrayList<>();
        for (double z1 = -8; z1 <= 8; z1 += 0.01) {
            for (double z2 = -3; z2 <= 3; z2 += 0.5) {
                decoded.add((Double) e.decode(new double[]{z1, z2}, 0, rng));
            }
        }
        assertThat(decoded).allSatisfy(x -> assertThat(x).isBetween(r[K - 1], r[r.length - K]))
                .noneMatch(rare::contains);
        assertThat(numbersIn(e.toJson().toString())).doesNotContainAnyElementsOf(rare);
        ModeEncoder back = ModeEncoder.fromJson(e.toJson());
        assertThat(back.min()).isEqualTo(e.min());
        assertThat(back.max()).isEqualTo(e.max());
        double[] f = new double[2];
        e.encode(400.0, f, 0, rng);
        double atBound = (Double) e.decode(f, 0, rng);
        assertThat(atBound).isLessThan(e.max()).isGreaterThan(e.max() - 0.011 * (e.max() - e.min()));
    }

    @Test
    void aBoundaryValueHeldByManyRowsIsKeptAsAPointMass() {
        Random rng = new Random(3);
        List<Object> scores = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            scores.add(rng.nextDouble() < 0.3 ? 100.0 : Math.min(100.0, Math.rint(60 + 15 * rng.nextGaussian())));
        }
        QuantileEncoder e = Fixtures.protectedQuantile("score", "continuous", DOUBLE, scores, 200, K, 0);
        assertThat(e.max()).isEqualTo(100.0);
        long at100 = decodeGrid(e).stream().filter(v -> (Double) v == 100.0).count();
        assertThat(at100 / 100_000.0).isCloseTo(0.3 + 0.7 * 0.0, offset(0.03));
    }

    @Test
    void tailsFollowTheRealTailWithoutPhantomOutliers() {
        List<Object> income = incomes(20_000, 4);
        // plus a data-entry error 6× the 99.9th percentile in a second column
        Random rng = new Random(5);
        List<Object> size = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            double g = 0;
            for (int j = 0; j < 4; j++) {
                g -= Math.log(rng.nextDouble());
            }
            size.add(Math.rint(g * 2500) / 10);
        }
        double[] sorted0 = sortedFinite(DOUBLE, size);
        size.set(4321, Math.rint(6 * sorted0[(int) (0.999 * sorted0.length)] * 10) / 10);
        for (List<Object> column : List.of(income, size)) {
            double[] r = sortedFinite(DOUBLE, column);
            double lo = r[(int) Math.round(0.001 * (r.length - 1))];
            double hi = r[(int) Math.round(0.999 * (r.length - 1))];
            double max = r[r.length - 1];
            double far = hi + 0.25 * (max - hi); // the empty stretch up to the outlier
            QuantileEncoder e = Fixtures.protectedQuantile("x", "continuous", DOUBLE, column, 500, K, 0);
            // the encoder's marginal: decode z ~ N(0, 1)
            Random z = new Random(6);
            int n = 200_000;
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                s[i] = (Double) e.decode(new double[]{z.nextGaussian()}, 0, z);
            }
            long realBeyond = Arrays.stream(r).filter(x -> x < lo || x > hi).count();
            double synthBeyond = Arrays.stream(s).filter(x -> x < lo || x > hi).count() * (double) r.length / n;
            double realFar = Arrays.stream(r).filter(x -> x > far).count();
            double synthFar = Arrays.stream(s).filter(x -> x > far).count() * (double) r.length / n;
            assertThat(synthBeyond).as("values beyond the real 0.1/99.9 %% quantiles").isLessThanOrEqualTo(2.0 * realBeyond)
                    .isGreaterThanOrEqualTo(0.25 * realBeyond);
            assertThat(synthFar).as("phantom outliers in the empty stretch").isLessThanOrEqualTo(2.0 * realFar);
            double[] inner = Arrays.copyOfRange(r, K, r.length - K);
            assertThat(Fixtures.std(s) / Fixtures.std(inner)).as("std vs the real std without the k extremes")
                    .isCloseTo(1.0, offset(0.05));
        }
    }

    @Test
    void encodeDecodeRoundTripsAndTheDensityIntegratesToOneWithTails() {
        List<Object> income = incomes(20_000, 7);
        QuantileEncoder e = Fixtures.protectedQuantile("income", "continuous", DOUBLE, income, 100, K, 0);
        assertThat(e.upperTail()).isNotNull();
        assertThat(e.lowerTail()).isNotNull();
        Random rng = new Random(8);
        double lo = e.min();
        double hi = e.max();
        double[] f = new double[1];
        for (int i = 1; i < 2000; i++) {
            double x = lo + (hi - lo) * Math.pow(i / 2000.0, 3); // dense near the lower tail, reaches the upper one
            e.encode(x, f, 0, rng);
            assertThat((Double) e.decode(f, 0, rng)).isCloseTo(x, offset(1e-6 * (1 + Math.abs(x))));
        }
        // ∫ p(x) dx = 1 over [min, max] under the identity flow (on a log grid: the tail is long)
        double integral = 0;
        int n = 400_000;
        double a = Math.log(lo);
        double b = Math.log(hi);
        for (int i = 0; i < n; i++) {
            double t = a + (i + 0.5) * (b - a) / n;
            double x = Math.exp(t);
            e.encode(x, f, 0, rng);
            double lp = e.logDensityCorrection(x, f, 0) + StandardNormal.logDensity(f[0]);
            integral += Math.exp(lp) * x * (b - a) / n;
        }
        assertThat(integral).isCloseTo(1.0, offset(3e-3));
    }

    @Test
    void valuesBeyondTheBoundsEncodeIntoTheOuterTailAndScoreWithThePenalty() {
        List<Object> income = incomes(20_000, 9);
        QuantileEncoder e = Fixtures.protectedQuantile("income", "continuous", DOUBLE, income, 500, K, 0);
        Random rng = new Random(10);
        double[] f = new double[1];
        double inside = 0;
        for (int i = 0; i < 200; i++) {
            e.encode(9_880_000.0, f, 0, rng); // not the clamp: no point mass at the bound in the training data
            assertThat(f[0]).isGreaterThan(StandardNormal.inverseCdf(0.98)).isLessThan(4.753);
            double lp = e.logDensityCorrection(9_880_000.0, f, 0);
            double atBound = e.logDensityCorrection(e.max(), new double[]{f[0]}, 0);
            assertThat(lp - atBound).isCloseTo(ColumnEncoder.OUT_OF_DOMAIN_LOG_PROB, offset(1e-9));
        }
    }

    @Test
    void modelsWithoutTheNewFieldsLoadAndEncodeAsBefore() {
        List<Object> income = incomes(5000, 11);
        QuantileEncoder legacy = Fixtures.quantile("income", "continuous", DOUBLE, income, 100);
        ObjectNode json = legacy.toJson();
        assertThat(json.has("extreme_k")).isFalse();
        assertThat(json.has("upper_tail")).isFalse();
        QuantileEncoder loaded = QuantileEncoder.fromJson(json);
        assertThat(loaded.extremeK()).isEqualTo(-1);
        assertThat(loaded.max()).isEqualTo(9_880_000.0);
        double[] f = new double[1];
        loaded.encode(1e9, f, 0, new Random(1));
        assertThat(f[0]).isCloseTo(StandardNormal.inverseCdf(QuantileEncoder.squeeze(1.0)), offset(1e-12));
        assertThat((Double) loaded.decode(new double[]{12.0}, 0, new Random(1))).isEqualTo(9_880_000.0);

        QuantileEncoder fresh = Fixtures.protectedQuantile("income", "continuous", DOUBLE, income, 100, K, 0);
        QuantileEncoder back = QuantileEncoder.fromJson(fresh.toJson());
        assertThat(back.toJson()).isEqualTo(fresh.toJson());
        for (double z = -6; z <= 6; z += 0.01) {
            assertThat(back.decode(new double[]{z}, 0, null)).isEqualTo(fresh.decode(new double[]{z}, 0, null));
        }
    }

    @Test
    void quantileBoundsClipAtTheConfiguredQuantileWithoutARealValue() {
        List<Object> income = incomes(20_000, 12);
        double[] r = sortedFinite(DOUBLE, income);
        QuantileEncoder e = Fixtures.protectedQuantile("income", "continuous", DOUBLE, income, 500, K, 0.001);
        double q999 = r[(int) Math.round(0.999 * (r.length - 1))];
        assertThat(e.max()).isLessThanOrEqualTo(q999 * 1.01).isLessThan(r[r.length - K - 1]);
        assertThat(Arrays.binarySearch(r, e.max())).as("the bound is no real value").isNegative();
        assertThat(Arrays.binarySearch(r, e.min())).isNegative();
    }
}
