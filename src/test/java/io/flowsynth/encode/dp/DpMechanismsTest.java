package io.flowsynth.encode.dp;

import org.junit.jupiter.api.Test;

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
    void gaussianNoiseHasStdSigma() {
        NoiseSource noise = NoiseSource.fixed(11);
        for (double sigma : new double[]{1.0, 26.0}) {
            int n = 40_000;
            double sum = 0;
            double sumSq = 0;
            int beyond = 0;
            for (int i = 0; i < n; i++) {
                double x = noise.gaussian("draw|" + sigma + "|" + i, sigma);
                sum += x;
                sumSq += x * x;
                beyond += x > 1.6448536 * sigma ? 1 : 0;
            }
            assertThat(sum / n).as("mean").isCloseTo(0.0, within(0.02 * sigma));
            assertThat(Math.sqrt(sumSq / n)).as("sd").isCloseTo(sigma, within(0.02 * sigma));
            assertThat((double) beyond / n).as("upper 5 %").isCloseTo(0.05, within(0.005));
        }
    }

    @Test
    void upperQuantileInvertsTheNormalTail() {
        assertThat(DpMechanisms.upperQuantile(0.5)).isCloseTo(0.0, within(1e-12));
        assertThat(DpMechanisms.upperQuantile(0.05)).isCloseTo(1.6448536269514722, within(1e-9));
        assertThat(DpMechanisms.upperQuantile(1e-3)).isCloseTo(3.090232306167813, within(1e-9));
        assertThat(DpMechanisms.upperQuantile(1e-10)).isCloseTo(6.361340902404056, within(1e-8));
    }

    @Test
    void aValueSeenOnceCrossesTheGaussianThresholdWithProbabilityDelta() {
        double sigma = 5.0;
        double delta = 0.05; // large, so that the rate is measurable
        double tau = DpMechanisms.gaussianThreshold(sigma, delta);
        assertThat(tau).isCloseTo(1 + 5 * 1.6448536269514722, within(1e-9));
        NoiseSource noise = NoiseSource.fixed(3);
        int n = 40_000;
        int passed = 0;
        for (int i = 0; i < n; i++) {
            if (1 + noise.gaussian("once|" + i, sigma) >= tau) {
                passed++;
            }
        }
        assertThat((double) passed / n).isCloseTo(delta, within(0.005));
    }

    @Test
    void aOneRowValueIsNamedWithTheStatedDeltaAtARealisticSigma() {
        // the stated δ_c of a realistic release (σ = 26, δ_c = 1e-8): τ = 1 + σ·Φ⁻¹(1 − δ_c) ≈ 146 rows; a value
        // of c rows passes with probability 1 − Φ((τ − c)/σ), exactly δ_c for one row; measured on a larger δ_c
        double sigma = 26;
        double tau = DpMechanisms.gaussianThreshold(sigma, 1e-8);
        assertThat(tau).isCloseTo(1 + sigma * 5.612001243305505, within(1e-6));
        double delta = 1e-3;
        double t = DpMechanisms.gaussianThreshold(sigma, delta);
        NoiseSource noise = NoiseSource.fixed(5);
        int n = 200_000;
        int passed = 0;
        for (int i = 0; i < n; i++) {
            if (1 + noise.gaussian("rare|" + i, sigma) >= t) {
                passed++;
            }
        }
        // binomial(200,000, 1e-3): mean 200, sd 14
        assertThat(passed).isBetween(150, 250);
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
        int wide = 0;
        for (int seed = 0; seed < 400; seed++) {
            double[] r = DpMechanisms.range(counts, 10.0, new SplittableRandom(seed));
            // the bulk [16, 128) holds 99.97 % of the values; an empty neighbour joins with probability β = 5 %
            // (a side crossing 0 or several empty bins joining: about 0.15 % of the draws, measured over 2,000)
            wide += r[0] >= 2.0 && r[1] <= 1024.0 ? 0 : 1;
            assertThat(r[1]).as("the outlier near 10^6 stays out").isLessThan(1e5);
            tight += r[0] == 16.0 && r[1] == 128.0 ? 1 : 0;
        }
        assertThat(wide).isLessThanOrEqualTo(4);
        assertThat(tight).isGreaterThan(320); // about 0.95² of the draws
    }

    @Test
    void aWholeNumberRangeStepsFromZeroToOneOverTheFractionalBins() {
        Random data = new Random(4);
        long[] counts = new long[DpMechanisms.RANGE_BINS];
        for (int i = 0; i < 10_000; i++) {
            counts[DpMechanisms.rangeBin(i % 3 == 0 ? 0 : 1 + data.nextInt(30))]++;
        }
        for (int seed = 0; seed < 50; seed++) {
            double[] whole = DpMechanisms.range(counts, 2.0, new SplittableRandom(seed), true);
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
        int wide = 0;
        for (int seed = 0; seed < 200; seed++) {
            double[] r = DpMechanisms.range(counts, 20.0, new SplittableRandom(seed));
            covered += r[0] <= -16 && r[1] >= 32 ? 1 : 0;
            // two empty bins joining on one side (β² = 0.25 % per side) or a window beyond: about 0.8 % (measured)
            wide += r[1] <= 128.0 && r[0] >= -64.0 ? 0 : 1;
            assertThat(r[1]).isLessThanOrEqualTo(512.0);
            assertThat(r[0]).isGreaterThanOrEqualTo(-256.0);
        }
        assertThat(covered).isGreaterThan(180);
        assertThat(wide).isLessThanOrEqualTo(5);
    }

    @Test
    void theLogGridIsFineNearZeroAndCoarseFarOut() {
        double[] e = DpMechanisms.logGridEdges(0.0, 64.0, false, 48);
        // bin around 0, then octaves [2^k, 2^k+1) within: each split into the same number of sub-bins
        assertThat(e[0]).isEqualTo(0.0);
        assertThat(e[e.length - 1]).isEqualTo(64.0);
        for (int j = 1; j < e.length; j++) {
            assertThat(e[j]).isGreaterThan(e[j - 1]);
        }
        assertThat(e).contains(16.0, 32.0);
        assertThat(e.length - 1).isBetween(24, 64);
        // whole numbers: half-integer edges, 0 alone, no bin narrower than 1
        double[] w = DpMechanisms.logGridEdges(-0.00390625, 64.0, true, 64);
        assertThat(w[0]).isEqualTo(-0.5);
        assertThat(w[1]).isEqualTo(0.5);
        assertThat(w[w.length - 1]).isEqualTo(64.5);
        for (int j = 1; j < w.length; j++) {
            assertThat(w[j] - w[j - 1]).isGreaterThanOrEqualTo(1.0);
            assertThat(w[j] - Math.floor(w[j])).isEqualTo(0.5);
        }
        // a range within one octave away from 0 gives a coarse grid (the caller uses equal bins there)
        assertThat(DpMechanisms.logGridEdges(1024, 2048, true, 64).length - 1).isLessThanOrEqualTo(32);
    }

    @Test
    void edgeBinsPutEveryValueBetweenItsEdgesAndClampTheRest() {
        double[] e = {-0.5, 0.5, 1.5, 3.5, 7.5};
        assertThat(DpMechanisms.edgeBin(e, -3)).isZero();
        assertThat(DpMechanisms.edgeBin(e, 0)).isZero();
        assertThat(DpMechanisms.edgeBin(e, 0.5)).isEqualTo(1);
        assertThat(DpMechanisms.edgeBin(e, 3)).isEqualTo(2);
        assertThat(DpMechanisms.edgeBin(e, 7.5)).isEqualTo(3);
        assertThat(DpMechanisms.edgeBin(e, 1e9)).isEqualTo(3);
    }

    @Test
    void theIsotonicCdfIsMonotoneAndKeepsTheTotal() {
        double[] f = DpMechanisms.isotonicCumulative(new double[]{5, -3, 2, 10, -4, 0});
        assertThat(f[0]).isZero();
        for (int j = 1; j < f.length; j++) {
            assertThat(f[j]).isGreaterThanOrEqualTo(f[j - 1]);
        }
        // cumulative sums 5, 2, 4, 14, 10, 10: pools (5, 2) → 3.5 and (14, 10, 10) → 34/3
        assertThat(f).containsExactly(new double[]{0, 3.5, 3.5, 4, 34.0 / 3, 34.0 / 3, 34.0 / 3}, within(1e-9));
        // noisy counts of a known histogram: the fitted CDF stays near the true one; clamping every bin would not
        SplittableRandom rng = new SplittableRandom(3);
        int bins = 64;
        double[] truth = new double[bins];
        for (int b = 0; b < 16; b++) {
            truth[b] = 250; // 4,000 rows in the first quarter, the rest empty
        }
        double worstIsotonic = 0;
        double worstClamped = 0;
        for (int r = 0; r < 200; r++) {
            double[] noisy = new double[bins];
            for (int b = 0; b < bins; b++) {
                noisy[b] = truth[b] + NoiseSource.gaussian(rng, 30);
            }
            double[] iso = DpMechanisms.isotonicCumulative(noisy);
            double clamped = 0;
            for (double v : noisy) {
                clamped += Math.max(0, v);
            }
            worstIsotonic = Math.max(worstIsotonic, Math.abs(iso[bins] - 4000));
            worstClamped = Math.max(worstClamped, clamped - 4000);
        }
        assertThat(worstIsotonic).isLessThan(worstClamped);
    }

    @Test
    void aFarBinHoldingManyRowsJoinsTheRangeAndALoneFarValueDoesNot() {
        SplittableRandom rng = new SplittableRandom(11);
        long[] counts = new long[DpMechanisms.RANGE_BINS];
        counts[DpMechanisms.rangeBin(0)] = 3000; // zero-inflated: most values 0
        counts[DpMechanisms.rangeBin(3000)] = 1500; // the rest in the thousands, nothing between
        counts[DpMechanisms.rangeBin(5e9)] = 1; // one far outlier
        for (int r = 0; r < 50; r++) {
            double[] range = DpMechanisms.range(counts, 2.0, rng, true);
            assertThat(range[0]).isLessThanOrEqualTo(0.0);
            assertThat(range[1]).isBetween(4096.0, 16384.0); // the bulk's bin, maybe a noisy neighbour; never 5e9
        }
    }

    @Test
    void aZeroInflatedColumnsSpreadBulkJoinsTheRange() {
        // 3,000 zeros; 900 values spread over 256 … 8,192 (no bin alone reaches the far threshold)
        Random data = new Random(2);
        long[] counts = new long[DpMechanisms.RANGE_BINS];
        counts[DpMechanisms.rangeBin(0)] = 3000;
        for (int i = 0; i < 900; i++) {
            counts[DpMechanisms.rangeBin(Math.rint(Math.exp(Math.log(256) + data.nextDouble() * Math.log(32))))]++;
        }
        int reached = 0;
        for (int seed = 0; seed < 50; seed++) {
            double[] r = DpMechanisms.range(counts, 20.0, new SplittableRandom(seed), true);
            assertThat(r[0]).isLessThanOrEqualTo(0.0).isGreaterThanOrEqualTo(-4.0); // a noisy neighbour at most
            assertThat(r[1]).isLessThanOrEqualTo(65536.0);
            reached += r[1] >= 4096 ? 1 : 0;
        }
        assertThat(reached).isGreaterThan(40);
    }

    @Test
    void aOneOctaveRangeIsNarrowedAroundItsValues() {
        // years of sale 2006 … 2010: the power-of-two range is [1024, 2048]; the zoom narrows it to a few sub-bins
        long[] zoomCounts = new long[DpMechanisms.RANGE_BINS * DpMechanisms.ZOOM_SUBBINS];
        Random data = new Random(5);
        for (int i = 0; i < 2000; i++) {
            zoomCounts[DpMechanisms.zoomBin(2006 + data.nextInt(5))]++;
        }
        double[] r = DpMechanisms.range(DpMechanisms.octaveCounts(zoomCounts), 10.0, new SplittableRandom(1), true);
        assertThat(r).containsExactly(1024.0, 2048.0);
        for (int seed = 0; seed < 20; seed++) {
            double[] z = DpMechanisms.zoom(zoomCounts, DpMechanisms.rangeBin(2006), 10.0, new SplittableRandom(seed),
                    true);
            assertThat(z[0]).isLessThanOrEqualTo(2006).isGreaterThanOrEqualTo(1984);
            assertThat(z[1]).isGreaterThanOrEqualTo(2010).isLessThanOrEqualTo(2032);
        }
    }

    @Test
    void aRefinementCountsEachValueInOneSubBinOfTheRangeAtMost() {
        // one value changes one sub-bin by 1 or none (outside the range): L2 sensitivity 1
        assertThat(DpMechanisms.refineBin(41.5, 41.5, 42.5)).isZero();
        assertThat(DpMechanisms.refineBin(42.5, 41.5, 42.5)).isEqualTo(DpMechanisms.REFINE_SUBBINS - 1);
        assertThat(DpMechanisms.refineBin(42.0, 41.5, 42.5)).isEqualTo(DpMechanisms.REFINE_SUBBINS / 2);
        assertThat(DpMechanisms.refineBin(41.49, 41.5, 42.5)).isEqualTo(-1);
        assertThat(DpMechanisms.refineBin(42.51, 41.5, 42.5)).isEqualTo(-1);
        assertThat(DpMechanisms.refineBin(Double.NaN, 41.5, 42.5)).isEqualTo(-1);
    }

    @Test
    void aNarrowRangeIsRefinedAroundItsValues() {
        // latitudes 41.99 … 42.06: the zoom leaves [41.5, 42.5] (two half-degree sub-bins of [32, 64)); 16 equal
        // sub-bins of it (1/16 degree) narrow it to the values, and the count of all is returned for the keep rule
        long[] counts = new long[DpMechanisms.REFINE_SUBBINS];
        Random data = new Random(3);
        for (int i = 0; i < 2300; i++) {
            counts[DpMechanisms.refineBin(41.99 + 0.07 * data.nextDouble(), 41.5, 42.5)]++;
        }
        for (int seed = 0; seed < 20; seed++) {
            double[] r = DpMechanisms.narrow(counts, 41.5, 42.5, 30.0, DpMechanisms.REFINE_BETA,
                    new SplittableRandom(seed), false);
            assertThat(r[0]).isLessThanOrEqualTo(41.99).isGreaterThanOrEqualTo(41.75); // a few empty sub-bins at most
            assertThat(r[1]).isGreaterThanOrEqualTo(42.06).isLessThanOrEqualTo(42.25);
            assertThat(r[1] - r[0]).isLessThan(0.5);
            assertThat(r[2]).isGreaterThan(0.8 * r[3]);
            assertThat(r[3]).isCloseTo(2300, within(6 * 30.0 * 4)); // 16 bins' noise: std 30·4
        }
    }

    @Test
    void roundValuesAreZeroAndTwoSignificantDigitsInTheTopDecades() {
        double[] amounts = DpMechanisms.roundValues(64, 8192, true);
        assertThat(amounts).contains(64, 99, 100, 110, 990, 1000, 1200, 8100)
                .doesNotContain(63, 101, 1050, 8200, 0);
        assertThat(amounts).hasSize(36 + 90 + 72);
        for (int i = 1; i < amounts.length; i++) {
            assertThat(amounts[i]).isGreaterThan(amounts[i - 1]);
        }
        // three decades below the top one only: 1e-3 … 4 for a range reaching 4; the doubles a parser gives
        double[] small = DpMechanisms.roundValues(-0.004, 4, false);
        assertThat(small).contains(0.0, 0.01, 0.5, 1.1, 2.5, 4.0).doesNotContain(0.001, 0.0105, 4.1, -0.01);
        assertThat(DpMechanisms.pointBin(small, Double.parseDouble("1.1"))).isGreaterThanOrEqualTo(0);
        assertThat(DpMechanisms.pointBin(small, -0.0)).isEqualTo(DpMechanisms.pointBin(small, 0.0)).isZero();
        assertThat(DpMechanisms.pointBin(small, 1.15)).isEqualTo(-1);
        // signed ranges: both sides; whole numbers: integers only
        assertThat(DpMechanisms.roundValues(-300, 50, true)).contains(-300, -250, -10, -1, 0, 5, 10, 50)
                .doesNotContain(-305, -301, 0.5, 51);
    }
}
