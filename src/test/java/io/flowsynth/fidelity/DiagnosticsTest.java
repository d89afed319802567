package io.flowsynth.fidelity;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Each diagnostic against values computed by hand on tiny columns. */
class DiagnosticsTest {
    private static final double EPS = 1e-12;

    @Test
    void boundaryAdherenceCountsSyntheticNullsAsValidOnlyWhenTheRealColumnHasNulls() {
        // 5 synthetic rows: 3 inside the real range, 1 outside, 1 null
        assertThat(Diagnostics.boundaryAdherence(5, 3, 1, 10, 2)).isCloseTo(0.8, within(EPS));
        assertThat(Diagnostics.boundaryAdherence(5, 3, 1, 10, 0)).isCloseTo(0.6, within(EPS));
        assertThat(Diagnostics.boundaryAdherence(5, 3, 1, 0, 10)).isNaN(); // all-null real column: no boundaries
        assertThat(Diagnostics.boundaryAdherence(0, 0, 0, 10, 0)).isNaN();
    }

    @Test
    void rangeCoverageFollowsSdmetricsAndHandlesConstantAndEmptyColumns() {
        assertThat(Diagnostics.rangeCoverage(0, 10, 2, 9)).isCloseTo(0.7, within(EPS)); // misses 0.2 + 0.1
        assertThat(Diagnostics.rangeCoverage(0, 10, -5, 20)).isEqualTo(1.0);           // beyond: not penalized
        assertThat(Diagnostics.rangeCoverage(0, 10, 20, 30)).isEqualTo(0.0);           // 1 − 2 floored at 0
        assertThat(Diagnostics.rangeCoverage(5, 5, 4, 6)).isEqualTo(1.0);              // constant, reached
        assertThat(Diagnostics.rangeCoverage(5, 5, 6, 7)).isEqualTo(0.0);              // constant, missed
        assertThat(Diagnostics.rangeCoverage(0, 10, Double.NaN, Double.NaN)).isEqualTo(0.0);
        assertThat(Diagnostics.rangeCoverage(Double.NaN, Double.NaN, 1, 2)).isNaN();
    }

    @Test
    void categoryMetricsAndNormalizedWasserstein() {
        assertThat(Diagnostics.categoryCoverage(5, 3)).isCloseTo(0.6, within(EPS));
        assertThat(Diagnostics.categoryCoverage(0, 0)).isNaN();
        assertThat(Diagnostics.categoryAdherence(4, 3)).isCloseTo(0.75, within(EPS));
        assertThat(Diagnostics.normalizedWasserstein(2.0, 0, 8)).isCloseTo(0.25, within(EPS));
        assertThat(Diagnostics.normalizedWasserstein(0.0, 3, 3)).isEqualTo(0.0);
        assertThat(Diagnostics.normalizedWasserstein(1.0, 3, 3)).isNaN();
    }

    @Test
    void continuousProfileGivesWassersteinQuantilesHistogramAndInRangeCounts() {
        // real {1, 2, 3, 4}, synthetic {2, 3, 4, 5}: a shift by 1, so W1 = 1
        ContinuousProfileAccumulator p = new ContinuousProfileAccumulator(4, 4, 1, 4,
                Metrics.equalWidthEdges(1, 5, 4));
        p.add(1, 1, 0);
        p.add(2, 1, 1);
        p.add(3, 1, 1);
        p.add(4, 1, 1);
        p.add(5, 0, 1);
        assertThat(p.wasserstein()).isCloseTo(1.0, within(EPS));
        // Q(p) = smallest x with F(x) >= p: p05 → 1, p25 → 1, p50 → 2 (lower middle), p75 → 3, p95 → 4
        assertThat(p.realQuantiles()).containsExactly(1, 1, 2, 3, 4);
        assertThat(p.syntheticQuantiles()).containsExactly(2, 2, 3, 4, 5);
        assertThat(p.realHistogram()).containsExactly(1, 1, 1, 1);
        assertThat(p.syntheticHistogram()).containsExactly(0, 1, 1, 2); // 5 falls into the closed last bin
        assertThat(p.syntheticInRange()).isEqualTo(3);
    }

    @Test
    void wassersteinWeighsUnequalSampleSizesAndIsUndefinedForAnEmptySide() {
        // real {0, 0, 10} (F = 2/3 on [0, 10)), synthetic {0} (F = 1): W1 = (1 − 2/3)·10
        ContinuousProfileAccumulator p = new ContinuousProfileAccumulator(3, 1, 0, 10, null);
        p.add(0, 2, 1);
        p.add(10, 1, 0);
        assertThat(p.wasserstein()).isCloseTo(10.0 / 3, within(EPS));
        ContinuousProfileAccumulator empty = new ContinuousProfileAccumulator(2, 0, 0, 1, null);
        empty.add(0, 1, 0);
        empty.add(1, 1, 0);
        assertThat(empty.wasserstein()).isNaN();
        assertThat(empty.syntheticQuantiles()).containsOnly(Double.NaN);
    }

    @Test
    void categoryProfileCountsAdherenceCoverageAndKeepsCategoriesFrequentOnEitherSide() {
        // real (4 rows): a a b null; synthetic (3 rows): a c c
        CategoryProfileAccumulator p = new CategoryProfileAccumulator(4, 3, 3);
        p.add("a", 2, 1);
        p.add("b", 1, 0);
        p.add(null, 1, 0);
        p.add("c", 0, 2);
        assertThat(p.categoryAdherence()).isCloseTo(1.0 / 3, within(EPS)); // only "a" is a real category
        assertThat(p.categoryCoverage()).isCloseTo(0.5, within(EPS));      // a of {a, b}
        assertThat(p.realDistinct()).isEqualTo(2);
        assertThat(p.syntheticDistinct()).isEqualTo(2);
        List<ColumnDiagnostics.CategoryCount> top = p.topCategories();
        assertThat(top).extracting(ColumnDiagnostics.CategoryCount::value).containsExactly("c", "a", "b");
        assertThat(top.get(0).real()).isEqualTo(0.0);
        assertThat(top.get(0).synthetic()).isCloseTo(2.0 / 3, within(EPS));
        assertThat(p.otherReal()).isCloseTo(0.25, within(EPS));   // the null row
        assertThat(p.otherSynthetic()).isCloseTo(0.0, within(EPS));
    }

    @Test
    void aCategoryRarerThanTheThresholdInTheRealSampleIsNeverNamed() {
        // real (12 rows): a×6, lonely×1, b×5; synthetic (10 rows): a×5, b×5; threshold 5
        CategoryProfileAccumulator p = new CategoryProfileAccumulator(12, 10, 12, 5);
        p.add("a", 6, 5);
        p.add("lonely", 1, 0);
        p.add("b", 5, 5);
        assertThat(p.topCategories()).extracting(ColumnDiagnostics.CategoryCount::value).containsExactly("a", "b");
        assertThat(p.otherReal()).isCloseTo(1.0 / 12, within(EPS)); // the rare row counts under "other"
        assertThat(p.realDistinct()).isEqualTo(3);
        assertThat(p.categoryCoverage()).isCloseTo(2.0 / 3, within(EPS));
        // without the threshold it would be named
        CategoryProfileAccumulator open = new CategoryProfileAccumulator(12, 10, 12);
        open.add("lonely", 1, 0);
        assertThat(open.topCategories()).extracting(ColumnDiagnostics.CategoryCount::value).containsExactly("lonely");
    }
}
