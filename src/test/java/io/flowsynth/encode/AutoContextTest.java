package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which categorical columns an unconditional fit conditions on: most explaining first, while their joint covers the rows. */
class AutoContextTest {
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);

    private static CategoricalEncoder cat(String name, Map<Object, Long> counts) {
        return new CategoricalEncoder(name, STRING, counts, 0, Map.of());
    }

    @Test
    void candidatesAreFewOutcomeCategoricalsAndAColumnJoinsWhileTheKeptCombinationsCoverTheRows() {
        // 1,000 rows: a (2 levels) and b (3 levels) independent-ish; c (4 levels) splits every (a, b) so that most
        // combinations of all three are rarer than 5 rows; x is numeric
        CategoricalEncoder a = cat("a", Map.of("a0", 600L, "a1", 400L));
        CategoricalEncoder b = cat("b", Map.of("b0", 500L, "b1", 300L, "b2", 200L));
        CategoricalEncoder c = cat("c", Map.of("c0", 400L, "c1", 300L, "c2", 200L, "c3", 100L));
        QuantileEncoder x = Fixtures.quantile("x", "continuous", DOUBLE, List.of(1.0, 2.0, 3.0, 4.0), 4);
        // a whole-number column of few values, encoded as categories: its order matters, it is no candidate
        CategoricalEncoder count = new CategoricalEncoder("n", ColumnType.of(ColumnType.Base.INT),
                Map.of(1, 500L, 2, 500L), 0, Map.of());
        TableEncoder encoder = new TableEncoder(List.of(x, c, b, a, count));
        List<Integer> candidates = AutoContext.candidates(encoder);
        assertThat(candidates).containsExactly(3, 2, 1); // a, b, c: fewest outcomes first, no numeric column
        List<Object[]> values = new ArrayList<>();
        List<Long> rows = new ArrayList<>();
        // (a, b) combinations all common; with c, 2 % of the rows sit in combinations of fewer than 5 rows
        long[][] ab = {{300, 180, 120}, {200, 120, 80}};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                long n = ab[i][j];
                long rare = i == 1 && j == 2 ? 20 : 0; // 20 rows in 5 combinations of 4 rows
                for (int k = 0; k < 4; k++) {
                    long share = k == 3 && rare > 0 ? 4 : (n - (rare > 0 ? 4 : 0)) / 3;
                    values.add(new Object[]{"a" + i, "b" + j, "c" + k});
                    rows.add(share);
                }
            }
        }
        long total = rows.stream().mapToLong(Long::longValue).sum();
        assertThat(AutoContext.choose(encoder, candidates, values, rows, total, 5)).containsExactly("a", "b", "c");
        // a threshold that makes c's split leave more than 1 % of the rows in rare combinations: c stays out
        assertThat(AutoContext.choose(encoder, candidates, values, rows, total, 30)).containsExactly("a", "b");
        // a value that is not kept counts for no combination
        List<Object[]> unseen = new ArrayList<>(values);
        unseen.replaceAll(v -> v[0].equals("a1") ? new Object[]{"a9", v[1], v[2]} : v);
        assertThat(AutoContext.choose(encoder, candidates, unseen, rows, total, 5)).doesNotContain("a");
        // a table of these categoricals only: the one with the most outcomes stays for the flow
        TableEncoder cats = new TableEncoder(List.of(c, b, a));
        assertThat(AutoContext.choose(cats, AutoContext.candidates(cats), values, rows, total, 5))
                .containsExactly("a", "b");
    }

    @Test
    void aColumnTheChosenOnesNearlyDetermineJoinsDespiteAFewRowsInRareCombinationsAndAWeakOneDoesNot() {
        // g: 4 genres. t follows g closely: 485 rows of one type per genre and 21 rows in seven combinations of 3.
        // u is independent of g: 160 rows of each of u0–u2 per genre and 32 rows of u3, u4 in combinations of 4.
        // Either leaves more than 1 % of the rows (but less than 3 %) in combinations rarer than k = 5.
        CategoricalEncoder g = cat("g", Map.of("g0", 490L, "g1", 490L, "g2", 490L, "g3", 490L));
        CategoricalEncoder t = cat("t", Map.of("t0", 976L, "t1", 494L, "t2", 491L));
        CategoricalEncoder u = cat("u", Map.of("u0", 640L, "u1", 640L, "u2", 640L, "u3", 16L, "u4", 16L));
        QuantileEncoder x = Fixtures.quantile("x", "continuous", DOUBLE, List.of(1.0, 2.0, 3.0, 4.0), 4);
        for (CategoricalEncoder second : List.of(t, u)) {
            TableEncoder encoder = new TableEncoder(List.of(x, g, second));
            List<Integer> candidates = List.of(1, 2); // g first (as ranked), then the second column
            List<Object[]> values = new ArrayList<>();
            List<Long> rows = new ArrayList<>();
            boolean dependent = second == t;
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < (dependent ? 3 : 5); k++) {
                    long n = dependent ? (k == i % 3 ? 485 : (i == 0 && k == 2 ? 0 : 3)) : (k < 3 ? 160 : 4);
                    if (n > 0) {
                        values.add(new Object[]{"g" + i, (dependent ? "t" : "u") + k});
                        rows.add(n);
                    }
                }
            }
            long total = rows.stream().mapToLong(Long::longValue).sum();
            long rare = rows.stream().filter(r -> r < 5).mapToLong(Long::longValue).sum();
            assertThat(rare).as("rows in rare combinations").isGreaterThan(total / 100)
                    .isLessThanOrEqualTo((long) (AutoContext.MAX_UNCOVERED_FOR_DEPENDENCE * total));
            // the coverage rule alone keeps either out
            assertThat(AutoContext.choose(encoder, candidates, values, rows, total, 5, 0)).containsExactly("g");
            assertThat(AutoContext.choose(encoder, candidates, values, rows, total, 5, 20))
                    .as(dependent ? "nearly determined by g" : "independent of g")
                    .isEqualTo(dependent ? List.of("g", second.column()) : List.of("g"));
        }
    }

    @Test
    void aColumnTooRareWithAllTheJointsColumnsJoinsAsAChildOfTheOneItDependsOnMost() {
        // a (2 levels) and b (5 levels) independent, 2,000 rows; c (2 levels) follows a (c = a in 95 % of rows) but
        // its combinations with (a, b) spread the 5 % other rows over ten combinations of 10 or fewer: rare at k = 12.
        // Its pairs with a are all common.
        CategoricalEncoder a = cat("a", Map.of("a0", 1000L, "a1", 1000L));
        CategoricalEncoder b = cat("b", Map.of("b0", 400L, "b1", 400L, "b2", 400L, "b3", 400L, "b4", 400L));
        CategoricalEncoder c = cat("c", Map.of("c0", 1000L, "c1", 1000L));
        QuantileEncoder x = Fixtures.quantile("x", "continuous", DOUBLE, List.of(1.0, 2.0, 3.0, 4.0), 4);
        TableEncoder encoder = new TableEncoder(List.of(x, a, b, c));
        List<Integer> candidates = List.of(1, 2, 3); // as ranked
        List<Object[]> values = new ArrayList<>();
        List<Long> rows = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 5; j++) {
                values.add(new Object[]{"a" + i, "b" + j, "c" + i});
                rows.add(190L);
                values.add(new Object[]{"a" + i, "b" + j, "c" + (1 - i)});
                rows.add(10L);
            }
        }
        long total = rows.stream().mapToLong(Long::longValue).sum();
        assertThat(AutoContext.choose(encoder, candidates, values, rows, total, 12, 20)).containsExactly("a", "b");
        AutoContext.Choice choice = AutoContext.choose(encoder, candidates, values, rows, total, 12, 20, true);
        assertThat(choice.columns()).containsExactly("a", "b", "c");
        assertThat(choice.parents()).containsExactly(Map.entry("c", "a"));
        // its pairs then hold a's level: (a0, c0) 950, (a0, c1) 50, ...
        ContextJoint.Child child = ContextJoint.Child.of(encoder, 3, 1, 2, 0, values, rows, 12);
        assertThat(child.counts()).containsExactly(950, 50, 50, 950);
        ContextJoint joint = ContextJoint.of(encoder, new int[]{1, 2}, values.stream().map(v -> new Object[]{v[0], v[1]})
                .toList(), rows, 12, List.of(child));
        ContextJoint back = ContextJoint.fromJson(joint.toJson());
        assertThat(back.children()).hasSize(1);
        assertThat(back.children().get(0).parent()).isEqualTo(1);
        assertThat(back.children().get(0).pairs()).isDeepEqualTo(child.pairs());
        assertThat(ContextJoint.fromJson(ContextJoint.of(encoder, new int[]{1, 2}, values.stream()
                .map(v -> new Object[]{v[0], v[1]}).toList(), rows, 12).toJson()).children()).isEmpty();
    }

    @Test
    void dependenceIsTheTotalVariationFromTheProductOfTheMarginals() {
        // two columns as kept levels per group: a copy of each other (TV 1/2 for two even levels), and independent
        int[][] copy = {{0, 0}, {1, 1}};
        assertThat(AutoContext.dependence(copy, List.of(50L, 50L), List.of(0), 1)).isCloseTo(0.5, within(1e-12));
        int[][] product = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
        assertThat(AutoContext.dependence(product, List.of(20L, 20L, 30L, 30L), List.of(0), 1))
                .isCloseTo(0.0, within(1e-12));
    }

    @Test
    void onASmallTableTwoCombinationsJustUnderTheThresholdMayBeLeftOut() {
        // about 300 rows: a (3 levels) and s (3 outcomes, a few nulls): 1 % of the rows is 3, less than one
        // combination of k − 1 = 4 rows; two such combinations (8 rows) may be left out, three (12 rows) may not
        CategoricalEncoder a = cat("a", Map.of("a0", 100L, "a1", 100L, "a2", 100L));
        java.util.Map<Object, Long> sexes = new java.util.HashMap<>(Map.of("f", 140L, "m", 150L));
        sexes.put(null, 12L);
        CategoricalEncoder s = cat("s", sexes);
        QuantileEncoder x = Fixtures.quantile("x", "continuous", DOUBLE, List.of(1.0, 2.0, 3.0, 4.0), 4);
        TableEncoder encoder = new TableEncoder(List.of(a, s, x));
        List<Integer> candidates = AutoContext.candidates(encoder);
        for (int rare = 2; rare <= 3; rare++) {
            List<Object[]> values = new ArrayList<>();
            List<Long> rows = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                values.add(new Object[]{"a" + i, "f"});
                rows.add(46L);
                values.add(new Object[]{"a" + i, "m"});
                rows.add(50L);
                if (i < rare) {
                    values.add(new Object[]{"a" + i, null});
                    rows.add(4L);
                }
            }
            long total = rows.stream().mapToLong(Long::longValue).sum();
            assertThat(AutoContext.choose(encoder, candidates, values, rows, total, 5))
                    .as("nulls in %d rare combinations", rare)
                    .isEqualTo(rare <= AutoContext.MIN_UNCOVERED_COMBINATIONS ? List.of("a", "s") : List.of("a"));
        }
        assertThat(AutoContext.uncoveredAllowance(300, 5)).isEqualTo(8.0);
        assertThat(AutoContext.uncoveredAllowance(100_000, 5)).isCloseTo(1000.0, within(1e-6));
    }

    @Test
    void candidatesAreRankedByWhatTheyExplainOfTheOtherColumnsAndOneThatExplainsNothingIsLeftOut() {
        // x's mean follows a's level (η² about 0.8); b is drawn independently of everything (adjusted η² about 0)
        Random rng = new Random(3);
        List<Object[]> rows = new ArrayList<>();
        Map<Object, Long> aCounts = new java.util.HashMap<>();
        Map<Object, Long> bCounts = new java.util.HashMap<>();
        List<Double> xs = new ArrayList<>();
        for (int r = 0; r < 2000; r++) {
            String a = "a" + rng.nextInt(4);
            String b = "b" + rng.nextInt(3);
            double x = 3 * (a.charAt(1) - '0') + rng.nextGaussian();
            rows.add(new Object[]{x, a, b});
            aCounts.merge(a, 1L, Long::sum);
            bCounts.merge(b, 1L, Long::sum);
            xs.add(x);
        }
        QuantileEncoder x = Fixtures.quantile("x", "continuous", DOUBLE, xs, 64);
        TableEncoder encoder = new TableEncoder(List.of(x, cat("a", aCounts), cat("b", bCounts)));
        List<Integer> candidates = AutoContext.candidates(encoder);
        assertThat(candidates).containsExactly(2, 1); // b (3 outcomes), a (4)
        ContextScores.Sums sums = ContextScores.Sums.of(encoder, candidates);
        ContextScores.Sums half = ContextScores.Sums.of(encoder, candidates); // merged: as from two partitions
        double[] features = new double[encoder.width()];
        int[] levels = new int[candidates.size()];
        for (int r = 0; r < rows.size(); r++) {
            Object[] v = rows.get(r);
            encoder.encode(v, features, rng);
            for (int j = 0; j < levels.length; j++) {
                levels[j] = ((CategoricalEncoder) encoder.columns().get(candidates.get(j)))
                        .keptIndex(v[candidates.get(j)]);
            }
            (r % 2 == 0 ? sums : half).add(levels, features);
        }
        sums.merge(half);
        assertThat(sums.rows()).isEqualTo(2000);
        double[] scores = ContextScores.scores(encoder, candidates, sums);
        // a explains most of x (and nothing of b): the mean over its two other columns is about 0.8 / 2
        assertThat(scores[1]).isBetween(0.3, 0.5);
        assertThat(scores[0]).isLessThan(AutoContext.MIN_SCORE);
        assertThat(AutoContext.rank(encoder, candidates, scores)).containsExactly(1);
        // ranked by score, not by outcomes
        assertThat(AutoContext.rank(encoder, candidates, new double[]{0.1, 0.2})).containsExactly(1, 2);
    }

    @Test
    void aWideTableScoresTheCandidatesWhoseSumsFitAndOnFewerRows() {
        // 1,000 categoricals of 64 outcomes, one feature each: 1,000 × 65 × 1,000 sums would pass the per-task budget
        List<ColumnEncoder> columns = new ArrayList<>();
        for (int c = 0; c < 1000; c++) {
            Map<Object, Long> counts = new java.util.HashMap<>();
            for (int k = 0; k < 64; k++) {
                counts.put("v" + k, 10L + k);
            }
            columns.add(cat(String.format("c%03d", c), counts));
        }
        TableEncoder wide = new TableEncoder(columns);
        List<Integer> candidates = AutoContext.candidates(wide);
        assertThat(candidates).hasSize(1000);
        int scored = ContextScores.scoredCandidates(wide, candidates);
        assertThat((long) scored * 65 * wide.width()).isLessThanOrEqualTo(ContextScores.MAX_CELLS);
        assertThat((long) (scored + 1) * 65 * wide.width()).isGreaterThan(ContextScores.MAX_CELLS);
        // rows: all 200,000 for a narrow table, fewer (never under 10,000) when candidates × features is large
        assertThat(ContextScores.scoredRows(5, 20, 200_000)).isEqualTo(200_000);
        assertThat(ContextScores.scoredRows(scored, wide.width(), 200_000)).isBetween(10_000L, 199_999L);
        assertThat(ContextScores.scoredRows(10_000, 10_000, 200_000)).isEqualTo(10_000);
    }
}
