package io.flowsynth.encode;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.encode.CategoricalEncoder.SplitKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A nested column split by its parent ({@link CategoricalEncoder#split()}, {@link CategoryNesting#split}): one
 * interval per (category, parent) pair seen in at least k rows, the row's parent choosing the interval, decoding the
 * category alone. Without Spark.
 */
class SplitNestingTest {
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);

    /** State-like parent: s0 (500 rows), s1 (300), s2 (200). */
    private static CategoricalEncoder parent() {
        return new CategoricalEncoder("state", STRING, Map.of("s0", 500L, "s1", 300L, "s2", 200L), 0, Map.of());
    }

    /**
     * County-like child: "wash" in s0 (80 rows), s1 (40) and s2 (3: rarer than k = 5); "c1" only in s1 (260);
     * "c2" only in s2 (197); "c0" only in s0 (420).
     */
    private static CategoryNesting.Nesting nesting() {
        Map<Object, Map<String, Long>> pairs = new HashMap<>();
        pairs.put("wash", Map.of("s0", 80L, "s1", 40L, "s2", 3L));
        pairs.put("c0", Map.of("s0", 420L));
        pairs.put("c1", Map.of("s1", 260L));
        pairs.put("c2", Map.of("s2", 197L));
        Map<String, Integer> ranks = Map.of("s0", 0, "s1", 1, "s2", 2, CategoryNesting.OTHER_TEXT, 3);
        Map<Object, Integer> groups = Map.of("wash", 0, "c0", 0, "c1", 1, "c2", 2);
        return new CategoryNesting.Nesting(0, 1, 0.96, groups, pairs, ranks);
    }

    private static Map<Object, Long> kept() {
        return Map.of("wash", 123L, "c0", 420L, "c1", 260L, "c2", 197L);
    }

    private static CategoricalEncoder splitChild() {
        CategoryNesting.Split split = CategoryNesting.split(nesting(), kept(), 5);
        return new CategoricalEncoder("county", STRING, split.categories(), 0, Map.of(), false, "state",
                split.groups(), CategoricalEncoder.Protection.NONE, true);
    }

    @Test
    void aCategorySeenUnderSeveralParentsGetsOneIntervalPerPairSeenInAtLeastKRows() {
        CategoryNesting.Split split = CategoryNesting.split(nesting(), kept(), 5);
        assertThat(split).isNotNull();
        // wash/s2 (3 rows) is rarer than k: its rows count to wash's modal pair (s0)
        assertThat(split.categories()).containsOnly(
                Map.entry(new SplitKey("wash", "s0"), 83L), Map.entry(new SplitKey("wash", "s1"), 40L),
                Map.entry(new SplitKey("c0", "s0"), 420L), Map.entry(new SplitKey("c1", "s1"), 260L),
                Map.entry(new SplitKey("c2", "s2"), 197L));
        assertThat(split.groups()).containsEntry(new SplitKey("wash", "s1"), 1)
                .containsEntry(new SplitKey("wash", "s0"), 0).containsEntry(new SplitKey("c2", "s2"), 2);
        assertThat(split.extraPairs(kept().size())).isEqualTo(1);
        // 3 of the 1,000 kept rows are in a rarer pair (wash/s2): encoded within the parent's block
        assertThat(split.rows()).isEqualTo(1000);
        assertThat(split.movedRows()).isEqualTo(3);
        assertThat(split.withinParent()).isTrue();
        // at k = 50, wash/s1 (40 rows) and c1/s2 (45) are rarer too (c0/s1, 60, is a pair of its own): 88 rows
        // moved, more than 5 %: not within the parent's block
        Map<Object, Map<String, Long>> pairs = new HashMap<>(nesting().pairs());
        pairs.put("c1", Map.of("s1", 215L, "s2", 45L));
        pairs.put("c0", Map.of("s0", 360L, "s1", 60L));
        CategoryNesting.Nesting many = new CategoryNesting.Nesting(0, 1, 0.9, nesting().groups(), pairs,
                nesting().parentRanks());
        CategoryNesting.Split coarse = CategoryNesting.split(many, kept(), 50);
        assertThat(coarse.movedRows()).isEqualTo(88);
        assertThat(coarse.withinParent()).isFalse();
        // at k = 50 no category has a second pair: the plain nested layout stays
        assertThat(CategoryNesting.split(nesting(), kept(), 50)).isNull();
    }

    @Test
    void aCategoryWhosePairsAreAllRarerThanKNamesNoParentInTheModel() throws Exception {
        // "lone" is kept (7 rows) but seen under s1 in 4 rows and s2 in 3, each rarer than k = 5
        Map<Object, Map<String, Long>> pairs = new HashMap<>(nesting().pairs());
        pairs.put("lone", Map.of("s1", 4L, "s2", 3L));
        Map<Object, Integer> groups = new HashMap<>(nesting().groups());
        groups.put("lone", 1);
        CategoryNesting.Nesting n = new CategoryNesting.Nesting(0, 1, 0.96, groups, pairs, nesting().parentRanks());
        Map<Object, Long> kept = new HashMap<>(kept());
        kept.put("lone", 7L);
        CategoryNesting.Split split = CategoryNesting.split(n, kept, 5);
        assertThat(split.categories()).containsEntry(new SplitKey("lone", CategoryNesting.OTHER_TEXT), 7L)
                .doesNotContainKeys(new SplitKey("lone", "s1"), new SplitKey("lone", "s2"));
        assertThat(split.groups()).containsEntry(new SplitKey("lone", CategoryNesting.OTHER_TEXT), 3);
        assertThat(split.movedRows()).as("wash/s2 and all of lone").isEqualTo(3 + 7);
        CategoricalEncoder child = new CategoricalEncoder("county", STRING, split.categories(), 0, Map.of(), false,
                "state", split.groups(), CategoricalEncoder.Protection.NONE, true);
        String json = new TableEncoder(List.of(child, parent())).toJson().toString();
        assertThat(json).contains("lone");
        com.fasterxml.jackson.databind.JsonNode lone = null;
        for (com.fasterxml.jackson.databind.JsonNode c : new ObjectMapper().readTree(child.toJson().toString())
                .path("categories")) {
            if (c.toString().contains("\"lone\"")) {
                lone = c;
            }
        }
        assertThat(lone).isNotNull();
        assertThat(lone.path("parent").asText()).isEqualTo(CategoryNesting.OTHER_TEXT);
        assertThat(lone.path("group").asInt()).isEqualTo(3);
        // still encoded and decoded as itself when not within the parent's block
        TableEncoder table = new TableEncoder(List.of(child, parent()));
        double[] f = new double[table.width()];
        Random rng = new Random(3);
        table.encode(new Object[]{"lone", "s1"}, f, rng);
        assertThat(table.decode(f, rng)[0]).isEqualTo("lone");
        // the same rule in the chosen nesting's layout: its most frequent pair is rarer than k, so it is ranked last
        CategoricalEncoder[] plain = {
                new CategoricalEncoder("county", STRING, kept, 0, Map.of()), parent()};
        List<ColumnPlan> cats = List.of(new ColumnPlan(0, "county", STRING, null), new ColumnPlan(1, "state", STRING, null));
        Map<String, Map<String, Long>> counts = new HashMap<>();
        for (Map.Entry<Object, Map<String, Long>> e : pairs.entrySet()) {
            counts.put((String) e.getKey(), e.getValue());
        }
        List<CategoryNesting.Nesting> chosen = CategoryNesting.choose(List.<int[]>of(new int[]{0, 1}),
                List.of(counts), cats, plain, new long[2], 1000, new int[]{5, 5});
        assertThat(chosen).hasSize(1);
        assertThat(chosen.get(0).groups()).containsEntry("lone", 3).containsEntry("c1", 1);
    }

    @Test
    void theRowsParentChoosesTheIntervalAndDecodingGivesTheCategoryAlone() {
        CategoricalEncoder child = splitChild();
        TableEncoder table = new TableEncoder(List.of(child, parent()));
        assertThat(child.split()).isTrue();
        assertThat(child.outcomeCount()).isEqualTo(5);
        Random rng = new Random(3);
        double[] f = new double[table.width()];
        int washS1 = child.categories().indexOf(new SplitKey("wash", "s1"));
        int washS0 = child.categories().indexOf(new SplitKey("wash", "s0"));
        assertThat(washS1).isNotEqualTo(washS0).isNotNegative();
        for (int i = 0; i < 50; i++) {
            table.encode(new Object[]{"wash", "s1"}, f, rng);
            assertThat(table.keptIndex(new Object[]{"wash", "s1"}, 0)).isEqualTo(washS1);
            assertThat(table.decode(f, rng)).containsExactly("wash", "s1");
            assertThat(intervalOf(child, f[0])).isEqualTo(washS1);
            table.encode(new Object[]{"wash", "s2"}, f, rng);
            assertThat(intervalOf(child, f[0])).as("a rare pair is encoded as the category's largest pair")
                    .isEqualTo(washS0);
            assertThat(table.decode(f, rng)).containsExactly("wash", "s2");
        }
        assertThat(table.keptIndex(new Object[]{"wash", "s2"}, 0)).isEqualTo(washS0);
        assertThat(child.keptIndex("wash")).as("a category without its parent: its largest pair").isEqualTo(washS0);
        assertThat(child.isKept("nowhere")).isFalse();
        // the log-density correction uses the row's own interval: its frequency is wash/s1's, not wash/s0's
        table.encode(new Object[]{"wash", "s1"}, f, rng);
        double inOwn = table.logDensityCorrection(new Object[]{"wash", "s1"}, f);
        assertThat(inOwn).isFinite();
        assertThat(table.logDensityCorrection(new Object[]{"wash", "s1"}, f))
                .isNotEqualTo(new TableEncoder(List.of(child.unsplit(), parent()))
                        .logDensityCorrection(new Object[]{"wash", "s1"}, f));
    }

    @Test
    void aProtectedValuesRowGoesToAKeptPairOfItsOwnParentInProportionToTheirCounts() {
        CategoryNesting.Split split = CategoryNesting.split(nesting(), kept(), 5);
        CategoricalEncoder child = new CategoricalEncoder("county", STRING, split.categories(), 0, Map.of(), false,
                "state", split.groups(), new CategoricalEncoder.Protection(5, 40, 90), true);
        TableEncoder table = new TableEncoder(List.of(child, parent()));
        Random rng = new Random(11);
        double[] f = new double[table.width()];
        int washS1 = child.categories().indexOf(new SplitKey("wash", "s1"));
        int c1 = child.categories().indexOf(new SplitKey("c1", "s1"));
        int c2 = child.categories().indexOf(new SplitKey("c2", "s2"));
        Map<Integer, Integer> drawn = new HashMap<>();
        int draws = 6000;
        for (int i = 0; i < draws; i++) {
            // a once-seen county of s1: one of s1's kept pairs, wash/s1 (40 rows) or c1/s1 (260)
            table.encode(new Object[]{"once", "s1"}, f, rng);
            drawn.merge(intervalOf(child, f[0]), 1, Integer::sum);
            // s2 holds one kept pair
            table.encode(new Object[]{"once", "s2"}, f, rng);
            assertThat(intervalOf(child, f[0])).isEqualTo(c2);
        }
        assertThat(drawn.keySet()).containsExactlyInAnyOrder(washS1, c1);
        assertThat(drawn.get(washS1) / (double) draws).isCloseTo(40.0 / 300.0, org.assertj.core.data.Offset.offset(0.015));
        // a parent without kept pairs of its own (one the parent does not keep): over all pairs
        Map<Integer, Integer> anywhere = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            table.encode(new Object[]{"once", "s9"}, f, rng);
            anywhere.merge(intervalOf(child, f[0]), 1, Integer::sum);
        }
        assertThat(anywhere).hasSize(child.categoryCount());
    }

    @Test
    void aColumnEncodedWithinItsParentsBlockNeverDecodesUnderAnotherParent() throws Exception {
        CategoryNesting.Split split = CategoryNesting.split(nesting(), kept(), 5);
        CategoricalEncoder child = new CategoricalEncoder("county", STRING, split.categories(), 0, Map.of(), false,
                "state", split.groups(), new CategoricalEncoder.Protection(5, 10, 20), true).withWithinParent(true);
        TableEncoder table = new TableEncoder(List.of(child, parent()));
        assertThat(((CategoricalEncoder) table.columns().get(0)).withinParent()).isTrue();
        Random rng = new Random(5);
        double[] f = new double[table.width()];
        // every kept pair round-trips, and a once-seen county of s1 comes back as one of s1's kept counties
        Object[][] rows = {{"wash", "s0"}, {"wash", "s1"}, {"c0", "s0"}, {"c1", "s1"}, {"c2", "s2"}};
        for (int i = 0; i < 200; i++) {
            for (Object[] row : rows) {
                table.encode(row, f, rng);
                assertThat(table.decode(f, rng)).containsExactly(row);
            }
            table.encode(new Object[]{"once", "s1"}, f, rng);
            assertThat(table.decode(f, rng)[0]).isIn("wash", "c1");
        }
        // any feature value of the child with the parent's feature at s1 decodes to s1's counties, in proportion
        table.encode(new Object[]{"c1", "s1"}, f, rng);
        Map<Object, Integer> seen = new HashMap<>();
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            f[0] = rng.nextGaussian();
            Object[] row = table.decode(f, rng);
            assertThat(row[1]).isEqualTo("s1");
            seen.merge(row[0], 1, Integer::sum);
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrder("wash", "c1");
        assertThat(seen.get("wash") / (double) draws).isCloseTo(40.0 / 300.0,
                org.assertj.core.data.Offset.offset(0.01));
        // the density correction is the pair's share of its parent's block: ln(40 / 300) − ln φ(z)
        table.encode(new Object[]{"wash", "s1"}, f, rng);
        double expected = Math.log(40.0 / 300.0) - io.flowsynth.math.StandardNormal.logDensity(f[0]);
        double parentTerm = parent().logDensityCorrection("s1", f, 1);
        assertThat(table.logDensityCorrection(new Object[]{"wash", "s1"}, f) - parentTerm)
                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
        // saved and loaded, it is still encoded within its parent
        TableEncoder back = TableEncoder.fromJson(new ObjectMapper().readTree(table.toJson().toString()));
        assertThat(((CategoricalEncoder) back.columns().get(0)).withinParent()).isTrue();
        table.encode(new Object[]{"c2", "s2"}, f, rng);
        assertThat(back.decode(f, rng)).containsExactly("c2", "s2");
        // as a context column (one interval per category) it is a plain column again
        assertThat(child.unsplit().withinParent()).isFalse();
    }

    /** The interval whose bounds hold Φ(z). */
    private static int intervalOf(CategoricalEncoder c, double z) {
        double u = io.flowsynth.math.StandardNormal.cdf(z);
        double[] bounds = c.intervalBounds();
        for (int k = 0; k + 1 < bounds.length; k++) {
            if (u >= bounds[k] && u < bounds[k + 1]) {
                return k;
            }
        }
        return -1;
    }

    @Test
    void eachParentsBlockHoldsItsPairsSoTheFeatureIsMonotoneInTheParent() {
        CategoricalEncoder child = splitChild();
        List<Integer> groups = new ArrayList<>();
        for (int k = 0; k < child.categoryCount(); k++) {
            groups.add(child.group(k));
        }
        assertThat(groups).isSorted();
        assertThat(groups).containsExactly(0, 0, 1, 1, 2);
    }

    @Test
    void aSplitEncoderSurvivesJsonAndUnsplitsToOneIntervalPerCategory() throws Exception {
        CategoricalEncoder child = splitChild();
        TableEncoder table = new TableEncoder(List.of(child, parent()));
        TableEncoder back = TableEncoder.fromJson(new ObjectMapper().readTree(table.toJson().toString()));
        CategoricalEncoder read = (CategoricalEncoder) back.columns().get(0);
        assertThat(read.split()).isTrue();
        assertThat(read.categories()).isEqualTo(child.categories());
        assertThat(read.toJson()).isEqualTo(child.toJson());
        CategoricalEncoder plain = child.unsplit();
        assertThat(plain.split()).isFalse();
        assertThat(plain.categories()).containsExactlyInAnyOrder("wash", "c0", "c1", "c2");
        assertThat(plain.count("wash")).isEqualTo(123L);
        assertThat(plain.orderedBy()).isEqualTo("state");
    }

    @Test
    void onlyANestedFrequencyColumnIsSplitAndItsParentMustBeCategorical() {
        CategoryNesting.Split split = CategoryNesting.split(nesting(), kept(), 5);
        assertThatThrownBy(() -> new CategoricalEncoder("county", STRING, split.categories(), 0, Map.of(), false,
                null, Map.of(), CategoricalEncoder.Protection.NONE, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested");
        assertThatThrownBy(() -> new TableEncoder(List.of(splitChild())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("split by 'state'");
    }

    @Test
    void aFunctionalChildWithNullsRoundTripsWithinItsParentAndDrawsItsOwnParentsCategories() {
        // code → label: c0, c1 → A; c2 → B; null code → null label; c1 also under B in 3 rows (rarer than k = 5)
        Map<Object, Map<String, Long>> pairs = new HashMap<>();
        pairs.put("c0", Map.of("A", 60L));
        pairs.put("c1", Map.of("A", 40L, "B", 3L));
        pairs.put("c2", Map.of("B", 100L));
        pairs.put(null, Map.of(CategoryNesting.NULL_TEXT, 20L));
        Map<Object, Long> labels = new HashMap<>();
        labels.put("A", 100L);
        labels.put("B", 103L);
        labels.put(null, 20L);
        CategoricalEncoder label = new CategoricalEncoder("label", STRING, labels, 0, Map.of());
        Map<String, Integer> ranks = new HashMap<>();
        for (int r = 0; r < label.categories().size(); r++) {
            Object key = label.categories().get(r);
            ranks.put(key == null ? CategoryNesting.NULL_TEXT : (String) key, r);
        }
        Map<Object, Integer> groups = new HashMap<>();
        groups.put("c0", ranks.get("A"));
        groups.put("c1", ranks.get("A"));
        groups.put("c2", ranks.get("B"));
        groups.put(null, ranks.get(CategoryNesting.NULL_TEXT));
        CategoryNesting.Nesting n = new CategoryNesting.Nesting(0, 1, 0.99, groups, pairs, ranks, 0.95);
        Map<Object, Long> kept = new HashMap<>();
        kept.put("c0", 60L);
        kept.put("c1", 43L);
        kept.put("c2", 100L);
        kept.put(null, 20L);
        CategoryNesting.Split split = CategoryNesting.split(n, kept, 5, true);
        assertThat(split.movedRows()).as("c1's 3 rows under B").isEqualTo(3);
        CategoricalEncoder code = new CategoricalEncoder("code", STRING, split.categories(), 0, Map.of(), false,
                "label", split.groups(), new CategoricalEncoder.Protection(5, 1, 2), true).withWithinParent(true);
        TableEncoder table = new TableEncoder(List.of(code, label));
        assertThat(((CategoricalEncoder) table.columns().get(0)).withinParent()).isTrue();
        Random rng = new Random(11);
        double[] f = new double[table.width()];
        Object[][] rows = {{"c0", "A"}, {"c1", "A"}, {"c2", "B"}, {null, null}};
        for (int i = 0; i < 200; i++) {
            for (Object[] row : rows) {
                table.encode(row, f, rng);
                assertThat(table.decode(f, rng)).containsExactly(row);
            }
            // a rare pair's row (c1 under B) and a once-seen code under B come back as B's code
            table.encode(new Object[]{"c1", "B"}, f, rng);
            assertThat(table.decode(f, rng)).containsExactly("c2", "B");
            table.encode(new Object[]{"once", "B"}, f, rng);
            assertThat(table.decode(f, rng)).containsExactly("c2", "B");
        }
        // whatever the child's feature, a null label gives a null code and label A one of A's codes
        table.encode(new Object[]{null, null}, f, rng);
        for (int i = 0; i < 1000; i++) {
            f[0] = 3 * rng.nextGaussian();
            assertThat(table.decode(f, rng)).containsExactly(null, null);
        }
        table.encode(new Object[]{"c0", "A"}, f, rng);
        for (int i = 0; i < 1000; i++) {
            f[0] = 3 * rng.nextGaussian();
            assertThat(table.decode(f, rng)[0]).isIn("c0", "c1");
        }
    }
}
