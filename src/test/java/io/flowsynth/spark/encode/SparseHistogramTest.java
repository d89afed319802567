package io.flowsynth.spark.encode;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The sparse partition histograms of the DP encoder passes merge to the dense sums. */
class SparseHistogramTest {

    @Test
    void mergedSparseHistogramsEqualTheDenseSum() {
        SplittableRandom rng = new SplittableRandom(4);
        int bins = 500;
        long[][] total = new long[2][bins];
        PrivateEncoderFit.Sparse merged = null;
        for (int part = 0; part < 5; part++) {
            long[][] dense = new long[2][bins];
            for (int j = 0; j < 2; j++) {
                for (int k = 0; k < 30; k++) {
                    int b = rng.nextInt(j == 0 ? 40 : bins); // column 0 fills few bins, column 1 many
                    dense[j][b] += 1 + rng.nextInt(3);
                }
                for (int b = 0; b < bins; b++) {
                    total[j][b] += dense[j][b];
                }
            }
            PrivateEncoderFit.Sparse s = PrivateEncoderFit.Sparse.of(dense);
            assertThat(s.bins[0].length).isLessThanOrEqualTo(30);
            merged = merged == null ? s : merged.merge(s);
        }
        for (int j = 0; j < 2; j++) {
            assertThat(merged.dense(j, bins)).containsExactly(total[j]);
        }
    }
}
