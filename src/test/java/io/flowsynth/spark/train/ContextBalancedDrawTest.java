package io.flowsynth.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Mini-batch rows of a block with context groups are drawn by group mass, then uniformly within the group. */
class ContextBalancedDrawTest {
    private static FeatureBlock block(int[] ends, double[] mass) {
        int rows = ends[ends.length - 1];
        float[] train = new float[rows];
        for (int r = 0; r < rows; r++) {
            train[r] = r; // one feature: the row's own index
        }
        return new FeatureBlock(1, train, rows, new float[0], 0, ends, mass);
    }

    @Test
    void groupsAreDrawnInProportionToTheirMassAndRowsUniformlyWithin() {
        // group 0: rows 0–89 (weight 1), group 1: rows 90–99 (weight 3) → masses 90 and 30: shares 0.75 and 0.25
        FeatureBlock b = block(new int[]{90, 100}, new double[]{90, 120});
        SplittableRandom rng = new SplittableRandom(1);
        int n = 200_000;
        int[] perRow = new int[100];
        float[] batch = new float[n];
        PartitionRound.drawBatch(b, rng, batch, n);
        for (float v : batch) {
            perRow[(int) v]++;
        }
        int second = 0;
        for (int r = 90; r < 100; r++) {
            second += perRow[r];
            assertThat(perRow[r] / (double) n).as("row %d", r).isCloseTo(0.025, Offset.offset(0.003));
        }
        assertThat(second / (double) n).isCloseTo(0.25, Offset.offset(0.005));
        assertThat(perRow[0] / (double) n).isCloseTo(0.75 / 90, Offset.offset(0.001));
    }

    @Test
    void aBlockWithoutGroupsDrawsUniformlyAndGroupsMustCoverItsRows() {
        FeatureBlock plain = new FeatureBlock(1, new float[]{0, 1, 2, 3}, 4, new float[0], 0);
        SplittableRandom rng = new SplittableRandom(2);
        int[] seen = new int[4];
        for (int i = 0; i < 40_000; i++) {
            seen[PartitionRound.drawRow(plain, rng)]++;
        }
        for (int s : seen) {
            assertThat(s / 40_000.0).isCloseTo(0.25, Offset.offset(0.01));
        }
        assertThatThrownBy(() -> block(new int[]{3, 5}, new double[]{3}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FeatureBlock(1, new float[]{0, 1, 2}, 3, new float[0], 0, new int[]{2},
                new double[]{2})).isInstanceOf(IllegalArgumentException.class);
    }
}
