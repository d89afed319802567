package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A categorical column's categories laid out by the mean of the ordered column they explain most. */
class CategoryOrderTest {
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);

    @Test
    void aColumnThatExplainsANumberIsLaidOutByItsMeanAndOneThatExplainsNothingKeepsItsFrequencyOrder()
            throws Exception {
        // material's levels set year's mean: m2 (rarest) oldest, m0 (most frequent) in the middle, m1 newest;
        // noise's levels are independent of everything
        Random rng = new Random(5);
        double[] meanOf = {2.0, 6.0, -2.0};
        double[] share = {0.5, 0.3, 0.2};
        List<Object[]> rows = new ArrayList<>();
        Map<Object, Long> material = new HashMap<>();
        Map<Object, Long> noise = new HashMap<>();
        List<Double> years = new ArrayList<>();
        for (int r = 0; r < 3000; r++) {
            double u = rng.nextDouble();
            int m = u < share[0] ? 0 : u < share[0] + share[1] ? 1 : 2;
            String n = "n" + rng.nextInt(4);
            double year = meanOf[m] + rng.nextGaussian();
            rows.add(new Object[]{year, "m" + m, n});
            material.merge("m" + m, 1L, Long::sum);
            noise.merge(n, 1L, Long::sum);
            years.add(year);
        }
        TableEncoder encoder = new TableEncoder(List.of(Fixtures.quantile("year", "continuous", DOUBLE, years, 64),
                new CategoricalEncoder("material", STRING, material, 0, Map.of()),
                new CategoricalEncoder("noise", STRING, noise, 0, Map.of())));
        assertThat(((CategoricalEncoder) encoder.columns().get(1)).categories()).containsExactly("m0", "m1", "m2");
        List<Integer> candidates = CategoryOrder.candidates(encoder);
        assertThat(candidates).containsExactly(1, 2);
        assertThat(CategoryOrder.hasCompanions(encoder)).isTrue();
        ContextScores.Sums sums = ContextScores.Sums.of(encoder, candidates);
        double[] features = new double[encoder.width()];
        int[] levels = new int[candidates.size()];
        for (Object[] v : rows) {
            encoder.encode(v, features, rng);
            for (int j = 0; j < levels.length; j++) {
                levels[j] = ((CategoricalEncoder) encoder.columns().get(candidates.get(j)))
                        .keptIndex(v[candidates.get(j)]);
            }
            sums.add(levels, features);
        }
        List<CategoryOrder.Layout> layouts = CategoryOrder.layouts(encoder, candidates, sums);
        assertThat(layouts).hasSize(1);
        assertThat(layouts.get(0).column()).isEqualTo(1);
        assertThat(layouts.get(0).companion()).isEqualTo("year");
        assertThat(layouts.get(0).etaSquared()).isGreaterThan(0.5);
        TableEncoder ordered = CategoryOrder.apply(encoder, layouts);
        CategoricalEncoder laidOut = (CategoricalEncoder) ordered.columns().get(1);
        assertThat(laidOut.categories()).containsExactly("m2", "m0", "m1");
        assertThat(laidOut.orderedBy()).isEqualTo("year");
        assertThat(laidOut.count("m2")).isEqualTo(material.get("m2"));
        assertThat(ordered.columns().get(2)).isSameAs(encoder.columns().get(2));
        // the layout is saved with the model
        TableEncoder back = TableEncoder.fromJson(new ObjectMapper().readTree(ordered.toJson().toString()));
        assertThat(((CategoricalEncoder) back.columns().get(1)).categories()).containsExactly("m2", "m0", "m1");
    }

    @Test
    void aNestedColumnKeepsItsParentsBlocksAndIsOrderedWithinEach() {
        // county nests in state: k0, k1 in s0 (block 0), k2, k3 in s1 (block 1); by frequency k0 before k1, k2 before
        // k3; by latitude k1 < k0 and k3 < k2
        Map<Object, Integer> parentRank = Map.of("k0", 0, "k1", 0, "k2", 1, "k3", 1);
        CategoricalEncoder county = new CategoricalEncoder("county", STRING,
                Map.of("k0", 400L, "k1", 300L, "k2", 200L, "k3", 100L), 0, Map.of(), false, "state", parentRank);
        assertThat(county.categories()).containsExactly("k0", "k1", "k2", "k3");
        double[] latitudeOf = {1.0, 0.0, 3.0, 2.0};
        Random rng = new Random(2);
        List<Double> lats = new ArrayList<>();
        List<Object[]> rows = new ArrayList<>();
        long[] n = {400, 300, 200, 100};
        for (int k = 0; k < 4; k++) {
            for (int r = 0; r < n[k]; r++) {
                double lat = latitudeOf[k] + 0.3 * rng.nextGaussian();
                lats.add(lat);
                rows.add(new Object[]{"k" + k, lat});
            }
        }
        TableEncoder encoder = new TableEncoder(List.of(county,
                Fixtures.quantile("latitude", "continuous", DOUBLE, lats, 64)));
        List<Integer> candidates = CategoryOrder.candidates(encoder);
        assertThat(candidates).containsExactly(0);
        ContextScores.Sums sums = ContextScores.Sums.of(encoder, candidates);
        double[] features = new double[encoder.width()];
        for (Object[] v : rows) {
            encoder.encode(v, features, rng);
            sums.add(new int[]{county.keptIndex(v[0])}, features);
        }
        CategoricalEncoder laid = (CategoricalEncoder) CategoryOrder.apply(encoder,
                CategoryOrder.layouts(encoder, candidates, sums)).columns().get(0);
        assertThat(laid.categories()).containsExactly("k1", "k0", "k3", "k2");
        assertThat(laid.orderedBy()).isEqualTo("state");
    }

    @Test
    void aNestedColumnsBlocksFollowItsParentsNewLayout() {
        // county nests in state (blocks by the state's frequency rank: s0, s1, s2); the states are laid out anew by
        // their mean longitude (s2 west, then s0, then s1): the county blocks must follow, else the county feature is
        // a zigzag of the state's; within each block the counties keep their own order (by longitude too)
        Map<Object, Long> stateCounts = Map.of("s0", 900L, "s1", 600L, "s2", 300L);
        CategoricalEncoder state = new CategoricalEncoder("state", STRING, stateCounts, 0, Map.of());
        assertThat(state.categories()).containsExactly("s0", "s1", "s2");
        String[] counties = {"a", "b", "c", "d", "e", "f"};
        String[] stateOf = {"s0", "s0", "s1", "s1", "s2", "s2"};
        double[] longitudeOf = {1.2, 1.0, 2.2, 2.0, -1.0, -1.2};
        long[] n = {500, 400, 350, 250, 200, 100};
        Map<Object, Integer> parentRank = new HashMap<>();
        Map<Object, Long> countyCounts = new HashMap<>();
        for (int k = 0; k < counties.length; k++) {
            parentRank.put(counties[k], state.categories().indexOf(stateOf[k]));
            countyCounts.put(counties[k], n[k]);
        }
        // g (in s0) is kept but has no row in the sums (a sampled pass over a large table missed it)
        parentRank.put("g", state.categories().indexOf("s0"));
        countyCounts.put("g", 50L);
        CategoricalEncoder county = new CategoricalEncoder("county", STRING, countyCounts, 0, Map.of(), false,
                "state", parentRank);
        assertThat(county.categories()).containsExactly("a", "b", "g", "c", "d", "e", "f");
        Random rng = new Random(3);
        List<Double> lons = new ArrayList<>();
        List<Object[]> rows = new ArrayList<>();
        for (int k = 0; k < counties.length; k++) {
            for (int r = 0; r < n[k]; r++) {
                double lon = longitudeOf[k] + 0.02 * rng.nextGaussian();
                lons.add(lon);
                rows.add(new Object[]{counties[k], stateOf[k], lon});
            }
        }
        TableEncoder encoder = new TableEncoder(List.of(county, state,
                Fixtures.quantile("longitude", "continuous", DOUBLE, lons, 64)));
        List<Integer> candidates = CategoryOrder.candidates(encoder);
        assertThat(candidates).containsExactly(0, 1);
        ContextScores.Sums sums = ContextScores.Sums.of(encoder, candidates);
        double[] features = new double[encoder.width()];
        for (Object[] v : rows) {
            encoder.encode(v, features, rng);
            sums.add(new int[]{county.keptIndex(v[0]), state.keptIndex(v[1])}, features);
        }
        List<CategoryOrder.Layout> layouts = CategoryOrder.layouts(encoder, candidates, sums);
        assertThat(layouts).extracting(CategoryOrder.Layout::column).containsExactly(0, 1);
        TableEncoder laid = CategoryOrder.apply(encoder, layouts);
        assertThat(((CategoricalEncoder) laid.columns().get(1)).categories()).containsExactly("s2", "s0", "s1");
        CategoricalEncoder laidCounty = (CategoricalEncoder) laid.columns().get(0);
        assertThat(laidCounty.categories()).as("g last in its own state's block").containsExactly("f", "e", "b", "a",
                "g", "d", "c");
        assertThat(laidCounty.orderedBy()).isEqualTo("state");
    }

    @Test
    void aLaidOutEncoderKeepsItsOtherValuesAndProtectionAndTwoCategoriesOrOneHotAreNoCandidates() {
        CategoricalEncoder.Protection protection = new CategoricalEncoder.Protection(5, 3, 7);
        CategoricalEncoder c = new CategoricalEncoder("c", STRING, Map.of("a", 50L, "b", 30L, "d", 20L), 12,
                Map.of("e", 6L, "f", 6L), false, null, Map.of(), protection);
        CategoricalEncoder laid = c.laidOutBy("x", Map.of("d", 0, "b", 1, "a", 2));
        assertThat(laid.categories()).containsExactly("d", "b", "a");
        assertThat(laid.outcomeCount()).isEqualTo(c.outcomeCount());
        assertThat(laid.protection()).isEqualTo(protection);
        assertThat(laid.toJson().path("otherCount").asLong()).isEqualTo(12);
        assertThat(laid.toJson().path("rareValues")).hasSize(2);
        CategoricalEncoder onehot = new CategoricalEncoder("o", STRING, Map.of("a", 5L, "b", 3L, "d", 2L), 0,
                Map.of(), true);
        assertThatThrownBy(() -> onehot.laidOutBy("x", Map.of())).isInstanceOf(IllegalArgumentException.class);
        TableEncoder encoder = new TableEncoder(List.of(onehot,
                new CategoricalEncoder("two", STRING, Map.of("a", 5L, "b", 3L), 0, Map.of()), c));
        assertThat(CategoryOrder.candidates(encoder)).containsExactly(2);
        // categoricals only: nothing to lay them out by, no pass
        assertThat(CategoryOrder.hasCompanions(encoder)).isFalse();
    }
}
