package io.flowsynth.flow;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plain sampling's stratified context levels ({@link DiscreteContext#drawnBy}, {@link DiscreteContext#stratifiedNoise}):
 * rows 0 … N − 1 hold each level or joint combination in its proportion give or take a few rows, and so does any run of
 * consecutive rows (a partition's).
 */
class StratifiedContextTest {
    /** Two discrete features: 3 levels (0.5, 0.3, 0.2) and 2 levels (0.6, 0.4). */
    private static DiscreteContext context() {
        return new DiscreteContext(new double[][]{{0, 0.5, 0.8, 1.0}, {0, 0.6, 1.0}});
    }

    @Test
    void theJointsFirstFeatureOrTheOnlyDiscreteOneDrawsTheLevels() {
        assertThat(context().drawnBy()).as("two independent features").isEqualTo(-1);
        assertThat(new DiscreteContext(new double[][]{{0, 0.5, 1.0}, null}).drawnBy()).isEqualTo(0);
        assertThat(new DiscreteContext(new double[][]{null, null}).drawnBy()).isEqualTo(-1);
        DiscreteContext joint = context().withJoint(new int[]{0, 1}, new int[][]{{0, 0}, {1, 1}, {2, 0}, {0, 1}},
                new long[]{40, 30, 20, 10});
        assertThat(joint.drawnBy()).isEqualTo(0);
    }

    @Test
    void everyCombinationComesOutInItsProportionInTheWholeTableAndInAnyRunOfRows() {
        long[] counts = {40, 30, 20, 10};
        int[][] levels = {{0, 0}, {1, 1}, {2, 0}, {0, 1}};
        DiscreteContext joint = context().withJoint(new int[]{0, 1}, levels, counts);
        int n = 10_000;
        long offset = DiscreteContext.stratifiedOffset(12345L);
        Map<List<Integer>, Integer> all = new HashMap<>();
        Map<List<Integer>, Integer> run = new HashMap<>();
        double[] z = new double[2];
        double[] c = new double[2];
        for (int row = 0; row < n; row++) {
            z[0] = DiscreteContext.stratifiedNoise(row, offset);
            joint.draw(z, c);
            List<Integer> key = List.of(joint.category(0, c[0]), joint.category(1, c[1]));
            all.merge(key, 1, Integer::sum);
            if (row >= 3_000 && row < 4_000) {
                run.merge(key, 1, Integer::sum);
            }
        }
        for (int k = 0; k < counts.length; k++) {
            List<Integer> key = List.of(levels[k][0], levels[k][1]);
            // independent draws would scatter by √(N·p·(1 − p)) ≈ 40–50 rows here
            assertThat(all.get(key)).as("combination %s of %d rows", key, n).isBetween(
                    (int) (n * counts[k] / 100) - 3, (int) (n * counts[k] / 100) + 3);
            assertThat(run.get(key)).as("combination %s in rows 3,000–3,999", key).isBetween(
                    (int) (1000 * counts[k] / 100) - 3, (int) (1000 * counts[k] / 100) + 3);
        }
        // another seed gives another sequence
        assertThat(DiscreteContext.stratifiedNoise(7, DiscreteContext.stratifiedOffset(1L)))
                .isNotEqualTo(DiscreteContext.stratifiedNoise(7, DiscreteContext.stratifiedOffset(2L)));
    }
}
