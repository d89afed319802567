package io.flowsynth.encode.dp;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The encoders' DP mechanisms, measured over many draws. */
class DpMechanismsTest {

    @Test
    void laplaceNoiseHasScaleOneOverEpsilon() {
        NoiseSource noise = NoiseSource.fixed(7);
        for (double epsilon : new double[]{0.1, 1.0}) {
            double b = 1.0 / epsilon;
            int n = 40_000;
            double sum = 0;
            double sumAbs = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                double x = noise.laplace("draw|" + epsilon + "|" + i, b);
                sum += x;
                sumAbs += Math.abs(x);
                sumSq += x * x;
            }
            assertThat(sum / n).as("mean").isCloseTo(0.0, within(0.03 * b));
            assertThat(sumAbs / n).as("E|X| = b").isCloseTo(b, within(0.03 * b));
            assertThat(Math.sqrt(sumSq / n)).as("sd = √2·b").isCloseTo(Math.sqrt(2) * b, within(0.04 * b));
        }
    }

    @Test
    void theSameKeyAndLabelGiveTheSameDrawAndOtherKeysOthers() {
        assertThat(NoiseSource.fixed(1).laplace("x", 1)).isEqualTo(NoiseSource.fixed(1).laplace("x", 1));
        assertThat(NoiseSource.fixed(1).laplace("x", 1)).isNotEqualTo(NoiseSource.fixed(2).laplace("x", 1));
        assertThat(NoiseSource.fixed(1).laplace("x", 1)).isNotEqualTo(NoiseSource.fixed(1).laplace("y", 1));
        assertThat(NoiseSource.secure().laplace("x", 1)).isNotEqualTo(NoiseSource.secure().laplace("x", 1));
    }

    @Test
    void aValueSeenOnceCrossesTheHistogramThresholdWithProbabilityDelta() {
        double epsilon = 1.0;
        double delta = 0.05; // large, so that the rate is measurable
        double tau = DpMechanisms.laplaceThreshold(epsilon, delta);
        assertThat(tau).isCloseTo(1 + Math.log(10), within(1e-12));
        NoiseSource noise = NoiseSource.fixed(3);
        int n = 40_000;
        int passed = 0;
        for (int i = 0; i < n; i++) {
            if (1 + noise.laplace("once|" + i, 1 / epsilon) >= tau) {
                passed++;
            }
        }
        assertThat((double) passed / n).isCloseTo(delta, within(0.006));
    }

    @Test
    void theExponentialMechanismHasTheExpectedOdds() {
        SplittableRandom rng = new SplittableRandom(11);
        double epsilon = 1.0;
        double[] utility = {0.0, -2.0, -1000.0};
        int n = 40_000;
        int[] hits = new int[3];
        for (int i = 0; i < n; i++) {
            hits[DpMechanisms.exponential(utility, epsilon, rng)]++;
        }
        double p0 = Math.E / (1 + Math.E); // exp(ε·0/2) : exp(ε·(−2)/2)
        assertThat((double) hits[0] / n).isCloseTo(p0, within(0.01));
        assertThat(hits[2]).isZero();
    }

    @Test
    void quantileLevelsAreCeilLog2OfMPlusOne() {
        assertThat(DpMechanisms.quantileLevels(1)).isEqualTo(1);
        assertThat(DpMechanisms.quantileLevels(2)).isEqualTo(2);
        assertThat(DpMechanisms.quantileLevels(3)).isEqualTo(2);
        assertThat(DpMechanisms.quantileLevels(31)).isEqualTo(5);
        assertThat(DpMechanisms.quantileLevels(33)).isEqualTo(6);
    }

    @Test
    void dpQuantilesLandNearTheTrueOnesAndNeverOnAnExtremeValue() {
        Random data = new Random(5);
        int n = 100_000;
        double[] x = new double[n];
        for (int i = 0; i < n - 1; i++) {
            x[i] = 50 + 10 * data.nextGaussian();
        }
        double extreme = 987_654.321;
        x[n - 1] = extreme;
        double lo = 0;
        double hi = 128;
        int bins = 4096;
        long[] hist = new long[bins];
        for (double v : x) {
            hist[DpMechanisms.gridBin(v, lo, hi, bins)]++;
        }
        double[] sorted = x.clone();
        Arrays.sort(sorted);
        double[] p = new double[33];
        for (int j = 0; j < p.length; j++) {
            p[j] = 0.001 + 0.998 * j / 32;
        }
        for (int seed = 0; seed < 5; seed++) {
            double[] q = DpMechanisms.quantiles(hist, lo, hi, p, 0.5, new SplittableRandom(seed));
            for (int j = 0; j < p.length; j++) {
                // rank error: the share of values below the DP knot is within 0.5 % of the target probability
                int rank = Math.abs(Arrays.binarySearch(sorted, q[j]) + 1);
                assertThat((double) rank / n).as("p = %s, knot %s", p[j], q[j]).isCloseTo(p[j], within(0.005));
                assertThat(q[j]).isBetween(lo, hi).isNotEqualTo(extreme);
                if (j > 0) {
                    assertThat(q[j]).isGreaterThanOrEqualTo(q[j - 1]);
                }
            }
            assertThat(q[p.length - 1]).isLessThan(sorted[n - 2] + 1); // nowhere near the extreme
        }
    }

    @Test
    void rangeGridBinsCoverEveryValueWithinTheirEdges() {
        for (double v : new double[]{-1e20, -5e9, -3.5, -1, -0.001, 0, 0.001, 0.5, 1, 2, 3.9, 1e6, 4.6e18, 1e30}) {
            int b = DpMechanisms.rangeBin(v);
            double clamped = Math.max(-Math.scalb(1.0, DpMechanisms.RANGE_MAX_EXPONENT),
                    Math.min(Math.scalb(1.0, DpMechanisms.RANGE_MAX_EXPONENT) * 0.999, v));
            assertThat(b).isBetween(0, DpMechanisms.RANGE_BINS - 1);
            assertThat(clamped).as("value %s in bin %s", v, b)
                    .isBetween(DpMechanisms.rangeLow(b), DpMechanisms.rangeHigh(b));
        }
        for (int b = 1; b < DpMechanisms.RANGE_BINS; b++) {
            assertThat(DpMechanisms.rangeLow(b)).isEqualTo(DpMechanisms.rangeHigh(b - 1));
        }
    }

    @Test
    void theDpRangeCoversTheBulkAndLeavesOutALoneOutlier() {
        Random data = new Random(9);
        long[] counts = new long[DpMechanisms.RANGE_BINS];
        for (int i = 0; i < 10_000; i++) {
            counts[DpMechanisms.rangeBin(50 + 10 * data.nextGaussian())]++;
        }
        counts[DpMechanisms.rangeBin(987_654.321)]++;
        int tight = 0;
        for (int seed = 0; seed < 200; seed++) {
            double[] r = DpMechanisms.range(counts, 0.1, new SplittableRandom(seed));
            // the bulk [16, 128) holds 99.97 % of the values; an empty neighbour joins with probability β = 5 %
            assertThat(r[0]).isIn(2.0, 4.0, 8.0, 16.0);
            assertThat(r[1]).isIn(128.0, 256.0, 512.0, 1024.0);
            tight += r[0] == 16.0 && r[1] == 128.0 ? 1 : 0;
        }
        assertThat(tight).isGreaterThan(160); // about 0.95² of the draws
    }

    @Test
    void aWholeNumberRangeStepsFromZeroToOneOverTheFractionalBins() {
        Random data = new Random(4);
        long[] counts = new long[DpMechanisms.RANGE_BINS];
        for (int i = 0; i < 10_000; i++) {
            counts[DpMechanisms.rangeBin(i % 3 == 0 ? 0 : 1 + data.nextInt(30))]++;
        }
        for (int seed = 0; seed < 50; seed++) {
            double[] whole = DpMechanisms.range(counts, 0.5, new SplittableRandom(seed), true);
            assertThat(whole[0]).isLessThanOrEqualTo(0.0);
            assertThat(whole[1]).isIn(32.0, 64.0);
        }
    }

    @Test
    void aSignedColumnsRangeCrossesZeroThroughTheNarrowBins() {
        Random data = new Random(8);
        long[] counts = new long[DpMechanisms.RANGE_BINS];
        for (int i = 0; i < 10_000; i++) {
            counts[DpMechanisms.rangeBin(-20 + 60 * data.nextDouble())]++; // temperatures, −20 to 40
        }
        int covered = 0;
        for (int seed = 0; seed < 100; seed++) {
            double[] r = DpMechanisms.range(counts, 0.05, new SplittableRandom(seed));
            covered += r[0] <= -16 && r[1] >= 32 ? 1 : 0;
            assertThat(r[1]).isLessThanOrEqualTo(128.0);
            assertThat(r[0]).isGreaterThanOrEqualTo(-64.0);
        }
        assertThat(covered).isGreaterThan(90);
    }
}
