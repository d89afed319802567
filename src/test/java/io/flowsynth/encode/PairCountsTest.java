package io.flowsynth.encode;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The nesting pass's pair counts on codes ({@link PairCounts}): dense and sparse cells, nulls, "other", caps. */
class PairCountsTest {
    private static Map<String, Integer> index(List<String> texts) {
        Map<String, Integer> out = new HashMap<>();
        for (int k = 0; k < texts.size(); k++) {
            out.put(texts.get(k), k);
        }
        return out;
    }

    @Test
    void countsAgreeWithAPlainTextCountInBothLayoutsAndAcrossAMerge() {
        // slot 0: a child of 3 kept values (and nulls), slot 1: a parent of 2 kept values; slot 2: a child of 3,000
        List<String> child = List.of("a", "b", "c");
        List<String> parent = List.of("x", "y");
        List<String> wide = new ArrayList<>();
        for (int k = 0; k < 3000; k++) {
            wide.add("w" + k);
        }
        List<List<String>> kept = List.of(child, parent, wide);
        List<Map<String, Integer>> index = List.of(index(child), index(parent), index(wide));
        int[][] pairs = {{0, 1}, {0, 1}, {2, 1}};
        boolean[] nullChild = {true, false, false};
        long[] caps = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        String[][] rows = {{"a", "x", "w1"}, {"a", "x", "w1"}, {"b", null, "w2"}, {null, "y", "w2"}, {"c", "z", null},
            {"q", "x", "w2999"}, {"a", "y", "w1"}};
        PairCounts left = new PairCounts(pairs, kept, nullChild, caps);
        PairCounts right = new PairCounts(pairs, kept, nullChild, caps);
        for (int r = 0; r < rows.length; r++) {
            int[] codes = new int[3];
            for (int k = 0; k < 3; k++) {
                codes[k] = PairCounts.code(index.get(k), rows[r][k]);
            }
            (r % 2 == 0 ? left : right).add(codes);
        }
        PairCounts all = left.merge(right);
        assertThat(all.table(0, kept)).isEqualTo(Map.of(
                "a", Map.of("x", 2L, "y", 1L),
                "b", Map.of(CategoryNesting.NULL_TEXT, 1L),
                "c", Map.of(CategoryNesting.OTHER_TEXT, 1L),
                CategoryNesting.NULL_TEXT, Map.of("y", 1L)));
        assertThat(all.table(1, kept)).as("nulls of the child not counted").doesNotContainKey(CategoryNesting.NULL_TEXT)
                .containsOnlyKeys("a", "b", "c");
        assertThat(all.table(2, kept)).as("3,000 × 4 cells: sparse").isEqualTo(Map.of(
                "w1", Map.of("x", 2L, "y", 1L),
                "w2", Map.of(CategoryNesting.NULL_TEXT, 1L, "y", 1L),
                "w2999", Map.of("x", 1L)));
    }

    @Test
    void aCappedPairIsGivenUpOnceItHasMoreDistinctCells() {
        List<String> child = List.of("a", "b", "c");
        List<String> parent = List.of("x", "y", "z");
        List<List<String>> kept = List.of(child, parent);
        List<Map<String, Integer>> index = List.of(index(child), index(parent));
        PairCounts one = new PairCounts(new int[][]{{0, 1}}, kept, new boolean[1], new long[]{3});
        PairCounts two = new PairCounts(new int[][]{{0, 1}}, kept, new boolean[1], new long[]{3});
        one.add(new int[]{0, 0});
        one.add(new int[]{1, 1});
        two.add(new int[]{2, 2});
        two.add(new int[]{0, 0});
        assertThat(one.table(0, kept)).isNotNull();
        one.merge(two);
        assertThat(one.table(0, kept)).as("3 distinct cells: kept").isNotNull();
        PairCounts three = new PairCounts(new int[][]{{0, 1}}, kept, new boolean[1], new long[]{3});
        three.add(new int[]{2, 0});
        assertThat(one.merge(three).table(0, kept)).as("4 distinct cells after the merge").isNull();
        PairCounts single = new PairCounts(new int[][]{{0, 1}}, kept, new boolean[1], new long[]{1});
        single.add(new int[]{0, 0});
        single.add(new int[]{0, 0});
        single.add(new int[]{1, 0});
        assertThat(single.table(0, kept)).as("given up while counting").isNull();
        assertThat(PairCounts.code(index.get(0), null)).isEqualTo(PairCounts.NULL);
        assertThat(PairCounts.code(index.get(0), "nope")).isEqualTo(PairCounts.NOT_KEPT);
    }
}
