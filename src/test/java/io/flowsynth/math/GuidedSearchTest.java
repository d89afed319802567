package io.flowsynth.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GuidedSearchTest {
    private static int plainFloor(double[] xs, int n, double v) {
        int i = -1;
        for (int k = 0; k < n; k++) {
            if (xs[k] <= v) {
                i = k;
            }
        }
        return i;
    }

    @Test
    void agreesWithAPlainScanOnSkewedTiedAndTinyArrays() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rng.nextInt(trial % 3 == 0 ? 3 : 400);
            double[] xs = new double[n + 1];
            for (int i = 0; i < n; i++) {
                // heavy-tailed spacing, and ties: quantile knots of skewed columns look like this
                xs[i] = rng.nextInt(4) == 0 && i > 0 ? xs[i - 1] : Math.exp(3 * rng.nextGaussian());
            }
            Arrays.sort(xs, 0, n);
            xs[n] = Double.MAX_VALUE; // an entry past n is never searched
            GuidedSearch s = new GuidedSearch(xs, n);
            for (int q = 0; q < 200; q++) {
                double v = q % 4 == 0 ? xs[rng.nextInt(n)] : Math.exp(3.5 * rng.nextGaussian()) * (q % 7 == 0 ? -1 : 1);
                assertThat(s.floor(v)).as("n=%d v=%s", n, v).isEqualTo(plainFloor(xs, n, v));
            }
            assertThat(s.floor(Double.NaN)).isEqualTo(-1);
            assertThat(s.floor(Double.POSITIVE_INFINITY)).isEqualTo(n - 1);
        }
    }
}
