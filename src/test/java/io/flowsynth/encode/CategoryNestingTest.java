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
}
