package io.flowsynth.spark.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DP-SGD's Poisson sampling of a partition's training rows ({@link PartitionRound#poissonSample}). */
class PoissonSampleTest {
    private static FeatureBlock block(int rows) {
        float[] train = new float[rows * 2];
        for (int r = 0; r < rows; r++) {
            train[2 * r] = r; // the row's index, to count how often each row is drawn
            train[2 * r + 1] = -r;
        }
        return new FeatureBlock(2, train, rows, new float[0], 0);
    }

    @Test
    void everyRowJoinsIndependentlyAtTheRate() {
        int rows = 2000;
        double q = 0.03;
        FeatureBlock b = block(rows);
        SplittableRandom rng = new SplittableRandom(11);
        int[] hits = new int[rows];
        int[] count = new int[1];
        float[] buffer = new float[4];
        int draws = 4000;
        double sum = 0;
        double sq = 0;
        for (int d = 0; d < draws; d++) {
            buffer = PartitionRound.poissonSample(b, rng, q, buffer, count);
            int prev = -1;
            for (int i = 0; i < count[0]; i++) {
                int r = (int) buffer[2 * i];
                assertThat(buffer[2 * i + 1]).isEqualTo(-r); // whole rows are copied
                assertThat(r).isGreaterThan(prev); // no row twice in one sample
                prev = r;
                hits[r]++;
            }
            sum += count[0];
            sq += (double) count[0] * count[0];
        }
        double mean = sum / draws;
        double var = sq / draws - mean * mean;
        // Binomial(n, q): mean nq = 60, variance nq(1 − q) = 58.2
        assertThat(mean).isCloseTo(rows * q, org.assertj.core.api.Assertions.within(0.5));
        assertThat(var).isCloseTo(rows * q * (1 - q), org.assertj.core.api.Assertions.within(6.0));
        // each row's rate (first, middle and last rows too: no edge effect)
        double expected = draws * q; // 120 ± 11
        for (int r : new int[]{0, 1, rows / 2, rows - 2, rows - 1}) {
            assertThat((double) hits[r]).as("row %d", r).isCloseTo(expected, org.assertj.core.api.Assertions.within(45.0));
        }
        long total = 0;
        for (int h : hits) {
            total += h;
        }
        assertThat((double) total).isCloseTo(sum, org.assertj.core.api.Assertions.within(0.5));
    }

    @Test
    void rateOneTakesEveryRowAndZeroNone() {
        FeatureBlock b = block(37);
        int[] count = new int[1];
        PartitionRound.poissonSample(b, new SplittableRandom(1), 1.0, new float[2], count);
        assertThat(count[0]).isEqualTo(37);
        PartitionRound.poissonSample(b, new SplittableRandom(1), 0.0, new float[2], count);
        assertThat(count[0]).isZero();
        PartitionRound.poissonSample(block(0), new SplittableRandom(1), 0.5, new float[2], count);
        assertThat(count[0]).isZero();
    }

    @Test
    void theSameSeedDrawsTheSameSample() {
        FeatureBlock b = block(500);
        int[] c1 = new int[1];
        int[] c2 = new int[1];
        float[] s1 = PartitionRound.poissonSample(b, PartitionRound.batchRandom(9, 3, 1), 0.1, new float[2], c1);
        float[] s2 = PartitionRound.poissonSample(b, PartitionRound.batchRandom(9, 3, 1), 0.1, new float[2], c2);
        assertThat(c1[0]).isEqualTo(c2[0]).isPositive();
        assertThat(java.util.Arrays.copyOf(s1, 2 * c1[0])).containsExactly(java.util.Arrays.copyOf(s2, 2 * c2[0]));
    }
}
