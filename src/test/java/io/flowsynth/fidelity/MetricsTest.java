package io.flowsynth.fidelity;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void ksStepsTiedValuesTogether() {
        // real 1,2,2,3; synthetic 2,2,2,2. After 1: |1/4 - 0| = 1/4; after 2: |3/4 - 1| = 1/4; after 3: 0.
        // Stepping the four synthetic 2s before the real 2s would wrongly give |1/4 - 1| = 3/4.
        double score = Metrics.ksComplement(new double[]{1, 2, 3}, new long[]{1, 2, 1},
                new double[]{2}, new long[]{4});
        assertThat(score).isCloseTo(0.75, within(EPS));
    }

    @Test
    void ksHandlesDifferentSampleSizes() {
        // real 1,2,2,3 (n=4); synthetic 2,2,2,4,4 (n=5): gaps 1/4, |3/4-3/5|=0.15, |1-3/5|=0.4, 0 -> D = 0.4
        double score = Metrics.ksComplement(new double[]{1, 2, 3}, new long[]{1, 2, 1},
                new double[]{2, 4}, new long[]{3, 2});
        assertThat(score).isCloseTo(0.6, within(EPS));
    }

    @Test
    void ksAcceptsRepeatedValuesInASummary() {
        double merged = Metrics.ksComplement(new double[]{1, 2, 3}, new long[]{1, 2, 1},
                new double[]{2, 4}, new long[]{3, 2});
        double split = Metrics.ksComplement(new double[]{1, 2, 2, 3}, new long[]{1, 1, 1, 1},
                new double[]{2, 2, 4}, new long[]{1, 2, 2});
        assertThat(split).isEqualTo(merged);
    }

    @Test
    void ksStreamingAccumulatorMatchesArrayForm() {
        KsAccumulator ks = new KsAccumulator(4, 5);
        ks.add(1, 0);
        ks.add(2, 3);
        ks.add(1, 0);
        ks.add(0, 2);
        assertThat(ks.complement()).isCloseTo(0.6, within(EPS));
    }

    @Test
    void ksOfIdenticalSamplesIsOne() {
        double[] values = {-1.5, 0, 2.25};
        long[] counts = {3, 1, 2};
        assertThat(Metrics.ksComplement(values, counts, values, counts)).isEqualTo(1.0);
    }

    @Test
    void ksOfDisjointSamplesIsZero() {
        assertThat(Metrics.ksComplement(new double[]{1, 2}, new long[]{1, 1}, new double[]{3}, new long[]{5}))
                .isCloseTo(0.0, within(EPS));
    }

    @Test
    void ksOfConstantColumnsIsOneWhenEqualAndZeroWhenDifferent() {
        assertThat(Metrics.ksComplement(new double[]{5}, new long[]{10}, new double[]{5}, new long[]{3}))
                .isEqualTo(1.0);
        assertThat(Metrics.ksComplement(new double[]{5}, new long[]{10}, new double[]{6}, new long[]{3}))
                .isEqualTo(0.0);
    }

    @Test
    void ksOfAllNullColumnsIsOneForBothAndZeroForOneSide() {
        double[] none = {};
        long[] noCounts = {};
        assertThat(Metrics.ksComplement(none, noCounts, none, noCounts)).isEqualTo(1.0);
        assertThat(Metrics.ksComplement(new double[]{1}, new long[]{2}, none, noCounts)).isEqualTo(0.0);
        assertThat(Metrics.ksComplement(none, noCounts, new double[]{1}, new long[]{2})).isEqualTo(0.0);
    }

    @Test
    void ksRejectsUnsortedValues() {
        assertThatThrownBy(() -> Metrics.ksComplement(new double[]{2, 1}, new long[]{1, 1},
                new double[]{1}, new long[]{1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sorted ascending");
    }

    @Test
    void ksAccumulatorRefusesToAnswerBeforeAllValuesArrive() {
        KsAccumulator ks = new KsAccumulator(3, 3);
        ks.add(1, 1);
        assertThatThrownBy(ks::statistic).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void tvCountsOneSidedCategoriesAndNullAsACategory() {
        // real a:2 b:1 null:1 (n=4) -> .5 .25 0 .25 ; synthetic a:1 c:2 null:2 (n=5) -> .2 0 .4 .4
        // |diffs| = .3 + .25 + .4 + .15 = 1.1 -> TV = .55 -> score .45
        Map<String, Long> real = new HashMap<>();
        real.put("a", 2L);
        real.put("b", 1L);
        real.put(null, 1L);
        Map<String, Long> synthetic = new HashMap<>();
        synthetic.put("a", 1L);
        synthetic.put("c", 2L);
        synthetic.put(null, 2L);
        assertThat(Metrics.tvComplement(real, synthetic)).isCloseTo(0.45, within(EPS));
    }

    @Test
    void tvOfSameFrequenciesIsOneWhateverTheSampleSizes() {
        assertThat(Metrics.tvComplement(Map.of("x", 1L, "y", 3L), Map.of("x", 10L, "y", 30L))).isEqualTo(1.0);
    }

    @Test
    void tvOfAllNullColumnsIsOne() {
        Map<String, Long> real = new HashMap<>();
        real.put(null, 4L);
        Map<String, Long> synthetic = new HashMap<>();
        synthetic.put(null, 7L);
        assertThat(Metrics.tvComplement(real, synthetic)).isEqualTo(1.0);
    }

    @Test
    void tvOfEmptySidesIsOneForBothAndZeroForOne() {
        assertThat(Metrics.tvComplement(Map.<String, Long>of(), Map.<String, Long>of())).isEqualTo(1.0);
        assertThat(Metrics.tvComplement(Map.of("a", 1L), Map.<String, Long>of())).isEqualTo(0.0);
    }

    @Test
    void correlationSimilarityIsOneMinusHalfTheGap() {
        assertThat(Metrics.correlationSimilarity(0.8, -0.4)).isCloseTo(0.4, within(EPS));
        assertThat(Metrics.correlationSimilarity(1.0, -1.0)).isEqualTo(0.0);
        assertThat(Metrics.correlationSimilarity(0.3, 0.3)).isEqualTo(1.0);
    }

    @Test
    void correlationSimilarityRejectsCoefficientsOutsideMinusOneToOne() {
        assertThatThrownBy(() -> Metrics.correlationSimilarity(1.5, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("real");
    }

    @Test
    void pearsonFromRawSumsMatchesHandComputation() {
        // x 1,2,3 ; y 2,4,7: centred sums Sxy = 5, Sxx = 2, Syy = 114/9
        long n = 3;
        double r = Metrics.pearson(n, 6, 13, 14, 69, 31);
        assertThat(r).isCloseTo(5 / Math.sqrt(2 * 114 / 9.0), within(1e-12));
    }

    @Test
    void pearsonFromMomentsMatchesRawSums() {
        // population moments of x 1,2,3 ; y 2,4,7
        double r = Metrics.pearsonFromMoments(3, 2 / 3.0, 114 / 27.0, 5 / 3.0);
        assertThat(r).isCloseTo(Metrics.pearson(3, 6, 13, 14, 69, 31), within(1e-12));
    }

    @Test
    void pearsonIsZeroForAConstantColumnOrTooFewRows() {
        assertThat(Metrics.pearsonFromMoments(10, 0.0, 2.0, 0.0)).isEqualTo(0.0);
        assertThat(Metrics.pearsonFromMoments(1, 1.0, 1.0, 1.0)).isEqualTo(0.0);
        // x constant at 1e6 (raw sums cancel), y 1,2,3
        assertThat(Metrics.pearson(3, 3e6, 6, 3e12, 14, 6e6)).isEqualTo(0.0);
        assertThat(Metrics.pearson(0, 0, 0, 0, 0, 0)).isEqualTo(0.0);
    }

    @Test
    void pearsonIsClampedToMinusOneToOne() {
        assertThat(Metrics.pearsonFromMoments(5, 1.0, 1.0, 1.0 + 1e-15)).isEqualTo(1.0);
    }

    @Test
    void equalWidthEdgesSpanTheRealRange() {
        assertThat(Metrics.equalWidthEdges(0, 10, 10))
                .containsExactly(new double[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, within(1e-12));
    }

    @Test
    void equalWidthEdgesOfAConstantColumnWidenByAHalf() {
        double[] edges = Metrics.equalWidthEdges(5, 5, 10);
        assertThat(edges[0]).isEqualTo(4.5);
        assertThat(edges[10]).isEqualTo(5.5);
        assertThat(Metrics.binIndex(edges, 5.0)).isEqualTo(5);
    }

    @Test
    void binIndexClipsOutsideValuesIntoEndBins() {
        double[] edges = Metrics.equalWidthEdges(0, 10, 10);
        assertThat(Metrics.binIndex(edges, -3)).isEqualTo(0);
        assertThat(Metrics.binIndex(edges, 0)).isEqualTo(0);
        assertThat(Metrics.binIndex(edges, 0.999)).isEqualTo(0);
        assertThat(Metrics.binIndex(edges, 1)).isEqualTo(1);
        assertThat(Metrics.binIndex(edges, 9.5)).isEqualTo(9);
        assertThat(Metrics.binIndex(edges, 10)).isEqualTo(9);
        assertThat(Metrics.binIndex(edges, 25)).isEqualTo(9);
    }

    @Test
    void contingencyBinsTheNumericColumnWithRealEdgesAndKeepsNullCells() {
        // real (a, b): (1,x) (2,x) (3,y) (4,null) (null,y); synthetic: (1,x) (1,y) (5,y) (null,null)
        // a's edges from real [1,4]: 1 -> bin 0, 2 -> 3, 3 -> 6, 4 -> 9, synthetic 5 clipped -> 9.
        // Real cells each 1/5, synthetic cells each 1/4, overlap only (0,x): |.2-.25| + 4*.2 + 3*.25 = 1.6 -> 0.2
        double[] edges = Metrics.equalWidthEdges(1, 4, Metrics.CONTINGENCY_BINS);
        Map<List<String>, Long> real = cells(edges, new Double[]{1.0, 2.0, 3.0, 4.0, null},
                new String[]{"x", "x", "y", null, "y"});
        Map<List<String>, Long> synthetic = cells(edges, new Double[]{1.0, 1.0, 5.0, null},
                new String[]{"x", "y", "y", null});
        assertThat(real).containsKeys(Arrays.asList("3", "x"), Arrays.asList("6", "y"),
                Arrays.asList("9", null), Arrays.asList(null, "y"));
        assertThat(synthetic).containsKey(Arrays.asList("9", "y"));
        assertThat(Metrics.contingencySimilarity(real, synthetic)).isCloseTo(0.2, within(EPS));
    }

    @Test
    void qualityAveragesShapesAndTrendsOrIsShapesWithoutPairs() {
        assertThat(Metrics.quality(0.7, 0.5)).isCloseTo(0.6, within(EPS));
        assertThat(Metrics.quality(0.7, Double.NaN)).isEqualTo(0.7);
        assertThat(Metrics.mean(List.of())).isNaN();
    }

    private static Map<List<String>, Long> cells(double[] edges, Double[] a, String[] b) {
        Map<List<String>, Long> counts = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            String bin = a[i] == null ? null : Integer.toString(Metrics.binIndex(edges, a[i]));
            counts.merge(Arrays.asList(bin, b[i]), 1L, Long::sum);
        }
        return counts;
    }
}
