package io.flowsynth.spark.fidelity;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The seeded sample of column pairs that the report scores on wide tables ({@code flowsynth.report.max-pairs}). */
class PairSampleTest {
    @Test
    void allPairsUpToTheCapThenADistinctSeededUniformSample() {
        assertThat(FidelityEvaluator.pairsToScore(10, 45, 1)).hasSize(45);
        List<int[]> sample = FidelityEvaluator.pairsToScore(1000, 2000, 7);
        assertThat(sample).hasSize(2000);
        Set<Long> seen = new HashSet<>();
        int previousI = -1;
        int previousJ = -1;
        long firstHalf = 0;
        for (int[] p : sample) {
            assertThat(p[0]).isBetween(0, 998);
            assertThat(p[1]).isBetween(p[0] + 1, 999);
            assertThat(seen.add(p[0] * 1000L + p[1])).isTrue();
            // sorted in (i, j) order
            assertThat(p[0] > previousI || (p[0] == previousI && p[1] > previousJ)).isTrue();
            previousI = p[0];
            previousJ = p[1];
            // pair index below half of all pairs (i < 293 covers 499,500 / 2 pairs, roughly)
            if (p[0] < 293) {
                firstHalf++;
            }
        }
        // uniform over the pairs: about half of them in the first half of the pair order (±5 sd)
        assertThat(firstHalf).isBetween(1000L - 115, 1000L + 115);
        // every column can be drawn: the last pair index maps to (998, 999)
        assertThat(FidelityEvaluator.pairsToScore(3, 2, 1)).allSatisfy(p -> assertThat(p[1]).isLessThanOrEqualTo(2));
        // reproducible from the seed, different for another seed
        assertThat(pairsOf(FidelityEvaluator.pairsToScore(1000, 2000, 7))).isEqualTo(pairsOf(sample));
        assertThat(pairsOf(FidelityEvaluator.pairsToScore(1000, 2000, 8))).isNotEqualTo(pairsOf(sample));
    }

    private static Set<Long> pairsOf(List<int[]> pairs) {
        Set<Long> s = new HashSet<>();
        pairs.forEach(p -> s.add(p[0] * 1000L + p[1]));
        return s;
    }
}
