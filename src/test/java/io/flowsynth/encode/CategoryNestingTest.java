package io.flowsynth.encode;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Candidate pairs and the choice of nested categorical columns ({@link CategoryNesting}), without Spark. */
class CategoryNestingTest {
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);

    /** A categorical column with {@code levels} categories "p0", "p1", … of {@code rows / levels} rows each. */
    private static CategoricalEncoder column(String name, int levels, long rows) {
        Map<Object, Long> categories = new HashMap<>();
        for (int i = 0; i < levels; i++) {
            categories.put(name + i, rows / levels);
        }
        return new CategoricalEncoder(name, STRING, categories, 0, Map.of());
    }

    private static List<ColumnPlan> plans(CategoricalEncoder[] columns) {
        List<ColumnPlan> plans = new ArrayList<>();
        for (int i = 0; i < columns.length; i++) {
            plans.add(new ColumnPlan(i, columns[i].column(), STRING, null));
        }
        return plans;
    }

    @Test
    void candidateParentsAreTheNearestFewValuedColumnsAndOnlyManyValuedColumnsAreChildren() {
        // column 0: 30 categories; then 10 small columns; a one-hot column of 30 categories last
        CategoricalEncoder[] columns = new CategoricalEncoder[12];
        columns[0] = column("c", 30, 3000);
        for (int i = 1; i <= 10; i++) {
            columns[i] = column("s" + i, 3, 3000);
        }
        columns[11] = column("o", 30, 3000);
        long[] others = new long[12];
        boolean[] onehots = new boolean[12];
        onehots[11] = true;
        List<int[]> pairs = CategoryNesting.candidatePairs(columns, others, onehots);
        assertThat(pairs).as("only column 0 is a child; its %d nearest parents", CategoryNesting.NEST_MAX_PARENTS)
                .hasSize(CategoryNesting.NEST_MAX_PARENTS);
        for (int k = 0; k < pairs.size(); k++) {
            assertThat(pairs.get(k)).containsExactly(0, k + 1);
        }
        columns[0] = column("c", CategoryNesting.NEST_MIN_CHILD_CATEGORIES - 1, 3000);
        assertThat(CategoryNesting.candidatePairs(columns, others, onehots)).as("too few categories").isEmpty();
    }

    /** Counts of child category → parent value, each child category mostly in parent {@code i % 3}. */
    private static Map<String, Map<String, Long>> counts(int children, double purity, int rowsPerCategory) {
        Map<String, Map<String, Long>> table = new HashMap<>();
        for (int i = 0; i < children; i++) {
            Map<String, Long> parents = new HashMap<>();
            long inMode = Math.round(purity * rowsPerCategory);
            parents.put("p" + (i % 3), inMode);
            if (inMode < rowsPerCategory) {
                parents.put("p" + ((i + 1) % 3), rowsPerCategory - inMode);
            }
            table.put("c" + i, parents);
        }
        return table;
    }

    @Test
    void aChildMostlyWithinOneParentValueNestsAndGetsItsParentsRanks() {
        CategoricalEncoder[] columns = {column("c", 30, 3000), column("p", 3, 3000)};
        List<int[]> pairs = CategoryNesting.candidatePairs(columns, new long[2], new boolean[2]);
        assertThat(pairs).hasSize(1);
        List<CategoryNesting.Nesting> nested = CategoryNesting.choose(pairs, List.of(counts(30, 0.95, 100)),
                plans(columns), columns, new long[2], 3000);
        assertThat(nested).hasSize(1);
        CategoryNesting.Nesting n = nested.get(0);
        assertThat(n.child()).isZero();
        assertThat(n.parent()).isEqualTo(1);
        assertThat(n.purity()).isCloseTo(0.95, org.assertj.core.api.Assertions.within(1e-12));
        List<Object> parentOrder = columns[1].categories();
        for (int i = 0; i < 30; i++) {
            assertThat(n.groups()).as("c%d's parent rank", i).containsEntry("c" + i, parentOrder.indexOf("p" + (i % 3)));
        }
        // purity 0.5 beats the parent's largest category (1/3) by less than NEST_MIN_GAIN: no nesting
        assertThat(CategoryNesting.choose(pairs, List.of(counts(30, 0.5, 100)), plans(columns), columns,
                new long[2], 3000)).isEmpty();
    }

    @Test
    void aColumnUsedAsAParentIsNotReorderedItselfAndTheChildWithMoreCategoriesChoosesFirst() {
        // c (40 categories) nests best in d (30), d in p (3): c chooses first (more categories) and takes d, so d,
        // now a parent, keeps its own order
        CategoricalEncoder[] columns = {column("c", 40, 4000), column("p", 3, 4000), column("d", 30, 4000)};
        List<int[]> pairs = CategoryNesting.candidatePairs(columns, new long[3], new boolean[3]);
        assertThat(pairs).extracting(pair -> pair[0] + "<" + pair[1]).containsExactly("0<1", "0<2", "2<1");
        List<Map<String, Map<String, Long>>> table = new ArrayList<>();
        for (int[] pair : pairs) {
            table.add(counts(pair[0] == 0 ? 40 : 30, pair[1] == 2 ? 0.95 : 0.9, 100));
        }
        List<CategoryNesting.Nesting> nested = CategoryNesting.choose(pairs, table, plans(columns), columns,
                new long[3], 4000);
        assertThat(nested).hasSize(1);
        assertThat(nested.get(0).child()).isZero();
        assertThat(nested.get(0).parent()).isEqualTo(2);
        assertThat(CategoryNesting.textSet(columns[1], STRING)).containsExactlyInAnyOrder("p0", "p1", "p2");
    }

    @Test
    void functionalCandidatesAreTheNearestNonOneHotColumnsOfAnySizeLessTheNestingPairs() {
        // a 30-level code, its 30-level label, a 3-level column, a one-hot column
        CategoricalEncoder[] columns = {column("code", 30, 3000), column("label", 30, 3000), column("p", 3, 3000),
                column("o", 4, 3000)};
        boolean[] onehots = {false, false, false, true};
        List<int[]> nesting = CategoryNesting.candidatePairs(columns, new long[4], onehots);
        assertThat(nesting).extracting(pair -> pair[0] + "<" + pair[1]).containsExactly("0<2", "0<3", "1<2", "1<3");
        List<int[]> functional = CategoryNesting.functionalPairs(columns, new long[4], onehots, nesting);
        // equal sizes are candidates both ways; the nesting pairs and the one-hot column are not; nor is a one-hot
        // column a child
        assertThat(functional).extracting(pair -> pair[0] + "<" + pair[1])
                .containsExactly("0<1", "1<0", "2<1", "2<0");
        assertThat(functional).allMatch(CategoryNesting::functional);
        assertThat(nesting).noneMatch(CategoryNesting::functional);
        // a child with an "other" bucket (values beyond the kept ones) is no functional candidate; as a parent it is
        long[] others = {0, 0, 40, 0};
        assertThat(CategoryNesting.functionalPairs(columns, others, onehots, nesting))
                .extracting(pair -> pair[0] + "<" + pair[1]).containsExactly("0<1", "1<0");
    }

    /** Counts of a code (30 values, one null group) whose label is a function of it except {@code noise} rows. */
    private static Map<String, Map<String, Long>> codeLabel(int labels, long noise) {
        Map<String, Map<String, Long>> table = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            Map<String, Long> parents = new HashMap<>();
            parents.put("label" + (i % labels), 100L);
            if (noise > 0) {
                parents.put("label" + ((i + 1) % labels), noise);
            }
            table.put("code" + i, parents);
        }
        table.put(CategoryNesting.NULL_TEXT, new HashMap<>(Map.of(CategoryNesting.NULL_TEXT, 50L)));
        return table;
    }

    @Test
    void lambdaIsTheShareOfGuessingErrorsTheParentRemoves() {
        assertThat(CategoryNesting.lambda(codeLabel(30, 0))).isEqualTo(1.0);
        // two columns independent of each other: knowing the parent does not help
        Map<String, Map<String, Long>> independent = new HashMap<>();
        for (int c = 0; c < 3; c++) {
            Map<String, Long> parents = new HashMap<>();
            for (int p = 0; p < 4; p++) {
                parents.put("p" + p, 10L * (c + 1));
            }
            independent.put("c" + c, parents);
        }
        assertThat(CategoryNesting.lambda(independent)).isZero();
        // a constant child: nothing to guess
        assertThat(CategoryNesting.lambda(Map.of("c", Map.of("p0", 5L, "p1", 7L)))).isZero();
        // 30 codes of 100 rows in 30 labels, plus 4 rows each under the next label (rarer than k = 5: moved)
        Map<String, Map<String, Long>> noisy = codeLabel(30, 4);
        assertThat(CategoryNesting.movedRows(noisy, 5)).isEqualTo(120);
        assertThat(CategoryNesting.movedRows(noisy, 4)).isZero();
    }

    @Test
    void aChildItsParentDeterminesIsChosenAsFunctionalWithItsNullCategory() {
        CategoricalEncoder[] columns = {column("code", 30, 3000), column("label", 30, 3000)};
        List<int[]> pairs = CategoryNesting.functionalPairs(columns, new long[2], new boolean[2], List.of());
        List<Map<String, Map<String, Long>>> table = new ArrayList<>();
        for (int[] pair : pairs) {
            table.add(codeLabel(30, 0)); // both ways a function (the same counts stand for either direction)
        }
        List<CategoryNesting.Nesting> nested = CategoryNesting.choose(pairs, table, plans(columns), columns,
                new long[2], 3050, new int[]{5, 5});
        assertThat(nested).as("one direction only: the parent is not nested itself").hasSize(1);
        CategoryNesting.Nesting n = nested.get(0);
        assertThat(n.functional()).isTrue();
        assertThat(n.lambda()).isEqualTo(1.0);
        assertThat(n.child()).isZero();
        assertThat(n.groups()).containsKey(null);
        CategoryNesting.Split split = CategoryNesting.split(n, Map.of("code0", 100L, "code1", 100L), 5, true);
        assertThat(split).as("a functional nesting is always split, one pair per category here").isNotNull();
        assertThat(split.extraPairs(2)).isZero();
        assertThat(split.withinParent()).isTrue();
        assertThat(CategoryNesting.split(n, Map.of("code0", 100L, "code1", 100L), 5, false)).isNull();
        // λ below the threshold, or too many rows in rarer pairs (6 of 106 per code under k = 10): not chosen
        Map<String, Map<String, Long>> weak = codeLabel(2, 0);
        assertThat(CategoryNesting.lambda(weak)).isLessThan(CategoryNesting.FUNCTIONAL_MIN_LAMBDA);
        assertThat(CategoryNesting.choose(pairs, List.of(weak, weak), plans(columns), columns, new long[2], 3050,
                new int[]{5, 5})).isEmpty();
        Map<String, Map<String, Long>> noisy = codeLabel(30, 6);
        assertThat(CategoryNesting.choose(pairs, List.of(noisy, noisy), plans(columns), columns, new long[2], 3230,
                new int[]{10, 10})).isEmpty();
        assertThat(CategoryNesting.choose(pairs, List.of(noisy, noisy), plans(columns), columns, new long[2], 3230,
                new int[]{5, 5})).hasSize(1);
    }

    @Test
    void aFunctionalCandidateGivenUpWhileCountingIsNotChosen() {
        CategoricalEncoder[] columns = {column("code", 30, 3000), column("label", 30, 3000)};
        List<int[]> pairs = CategoryNesting.functionalPairs(columns, new long[2], new boolean[2], List.of());
        List<Map<String, Map<String, Long>>> table = new ArrayList<>();
        table.add(null); // code within label: too many distinct pairs
        table.add(codeLabel(30, 0));
        List<CategoryNesting.Nesting> nested = CategoryNesting.choose(pairs, table, plans(columns), columns,
                new long[2], 3050, new int[]{5, 5});
        assertThat(nested).hasSize(1);
        assertThat(nested.get(0).child()).isEqualTo(pairs.get(1)[0]);
        assertThat(CategoryNesting.functionalMaxPairs(10)).isEqualTo(CategoryNesting.FUNCTIONAL_MIN_MAX_PAIRS);
        assertThat(CategoryNesting.functionalMaxPairs(5000)).isEqualTo(4L * 5001);
    }
}
