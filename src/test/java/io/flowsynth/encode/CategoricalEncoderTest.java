package io.flowsynth.encode;

import io.flowsynth.math.StandardNormal;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CategoricalEncoderTest {
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);
    private static final ColumnType BOOLEAN = ColumnType.of(ColumnType.Base.BOOLEAN);
    private static final ColumnType SHORT = ColumnType.of(ColumnType.Base.SHORT);

    /** Zipf-like: "c0" most frequent, with nulls. */
    private static List<Object> zipf(int n, int categories, Random rng) {
        double[] w = new double[categories];
        double total = 0;
        for (int k = 0; k < categories; k++) {
            w[k] = 1.0 / (k + 1);
            total += w[k];
        }
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (rng.nextDouble() < 0.05) {
                values.add(null);
                continue;
            }
            double r = rng.nextDouble() * total;
            int k = 0;
            while (k < categories - 1 && r > w[k]) {
                r -= w[k++];
            }
            values.add("c" + k);
        }
        return values;
    }

    @Test
    void everyCategoryIncludingNullRoundTrips() {
        Random rng = new Random(1);
        List<Object> strings = zipf(5000, 30, rng);
        List<Object> booleans = new ArrayList<>(Arrays.asList(true, false, null, true, true));
        List<Object> shorts = new ArrayList<>(Arrays.asList((short) 1, (short) 2, (short) -7, null, (short) 2));
        check(Fixtures.categorical("s", STRING, strings, 1000), strings, rng);
        check(Fixtures.categorical("b", BOOLEAN, booleans, 1000), booleans, rng);
        check(Fixtures.categorical("h", SHORT, shorts, 1000), shorts, rng);
    }

    private static void check(CategoricalEncoder encoder, List<Object> values, Random rng) {
        assertThat(encoder.width()).isEqualTo(1);
        double[] z = new double[1];
        for (Object v : values) {
            encoder.encode(v, z, 0, rng);
            assertThat(z[0]).isFinite();
            assertThat(encoder.decode(z, 0, rng)).isEqualTo(v);
        }
    }

    @Test
    void categoriesAreOrderedByCountThenValue() {
        List<Object> values = Arrays.asList("b", "a", "c", "c", null);
        CategoricalEncoder encoder = Fixtures.categorical("s", STRING, values, 10);
        // order: c (2), then null, a, b (1 each, null first): intervals [0, .4) [.4, .6) [.6, .8) [.8, 1)
        assertThat(encoder.decode(new double[]{StandardNormal.inverseCdf(0.1)}, 0, new Random())).isEqualTo("c");
        assertThat(encoder.decode(new double[]{StandardNormal.inverseCdf(0.5)}, 0, new Random())).isNull();
        assertThat(encoder.decode(new double[]{StandardNormal.inverseCdf(0.7)}, 0, new Random())).isEqualTo("a");
        assertThat(encoder.decode(new double[]{StandardNormal.inverseCdf(0.9)}, 0, new Random())).isEqualTo("b");
    }

    @Test
    void encodedFeatureIsStandardNormal() {
        Random rng = new Random(3);
        List<Object> values = zipf(10_000, 8, rng);
        CategoricalEncoder encoder = Fixtures.categorical("s", STRING, values, 1000);
        double[] z = new double[values.size()];
        double[] out = new double[1];
        for (int i = 0; i < z.length; i++) {
            encoder.encode(values.get(i), out, 0, rng);
            z[i] = out[0];
        }
        assertThat(Fixtures.mean(z)).isCloseTo(0.0, within(0.03));
        assertThat(Fixtures.std(z)).isCloseTo(1.0, within(0.03));
    }

    @Test
    void decodingStandardNormalDrawsReproducesCategoryFrequenciesWithinTwoPercent() {
        Random rng = new Random(5);
        List<Object> values = zipf(20_000, 12, rng);
        CategoricalEncoder encoder = Fixtures.categorical("s", STRING, values, 1000);
        Map<Object, Integer> source = histogram(values);
        List<Object> synthetic = new ArrayList<>();
        double[] z = new double[1];
        for (int i = 0; i < 20_000; i++) {
            z[0] = rng.nextGaussian();
            synthetic.add(encoder.decode(z, 0, rng));
        }
        Map<Object, Integer> decoded = histogram(synthetic);
        for (Map.Entry<Object, Integer> e : source.entrySet()) {
            assertThat(decoded.getOrDefault(e.getKey(), 0) / 20_000.0).as("frequency of %s", e.getKey())
                    .isCloseTo(e.getValue() / 20_000.0, within(0.02));
        }
    }

    @Test
    void rareValuesShareTheOtherIntervalAndDecodeInProportionToTheirCounts() {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            values.add("top");
        }
        for (int i = 0; i < 300; i++) {
            values.add("second");
        }
        for (int i = 0; i < 75; i++) {
            values.add("rare-a");
        }
        for (int i = 0; i < 25; i++) {
            values.add("rare-b");
        }
        CategoricalEncoder encoder = Fixtures.categorical("s", STRING, values, 2);
        assertThat(encoder.categoryCount()).isEqualTo(2);
        Random rng = new Random(7);
        double[] z = new double[1];
        Map<Object, Integer> decodedRare = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            encoder.encode(i % 2 == 0 ? "rare-a" : "never-seen", z, 0, rng);
            Object v = encoder.decode(z, 0, rng);
            assertThat(v).isIn("rare-a", "rare-b");
            decodedRare.merge(v, 1, Integer::sum);
        }
        assertThat(decodedRare.get("rare-a") / 4000.0).isCloseTo(0.75, within(0.03));
    }

    @Test
    void unseenValueWithoutAnOtherIntervalEncodesAsTheMostFrequentCategory() {
        CategoricalEncoder encoder = Fixtures.categorical("s", STRING, Arrays.asList("x", "x", "y"), 10);
        Random rng = new Random(9);
        double[] z = new double[1];
        encoder.encode("zzz", z, 0, rng);
        assertThat(encoder.decode(z, 0, rng)).isEqualTo("x");
    }

    @Test
    void decodeOfExtremeOrInvalidFeaturesNeverThrows() {
        CategoricalEncoder encoder = Fixtures.categorical("s", STRING, zipf(500, 5, new Random(11)), 3);
        Random rng = new Random(12);
        for (double z : new double[]{1e6, -1e6, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN}) {
            Object v = encoder.decode(new double[]{z}, 0, rng);
            assertThat(v == null || v instanceof String).isTrue();
        }
    }

    private static Map<Object, Integer> histogram(List<Object> values) {
        Map<Object, Integer> h = new HashMap<>();
        for (Object v : values) {
            h.merge(v, 1, Integer::sum);
        }
        return h;
    }

    @Test
    void aNumbersCategoriesAreLaidOutInValueOrderAndKeepItThroughJson() throws Exception {
        // counts make the frequency order 2, 1, 3, 0; the value order is 0, 1, 2, 3
        Map<Object, Long> counts = new HashMap<>(Map.of(2L, 500L, 1L, 300L, 3L, 150L, 0L, 50L));
        CategoricalEncoder byValue = new CategoricalEncoder("cars", ColumnType.of(ColumnType.Base.INT), counts, 0,
                Map.of(), false, "cars", EncoderChoice.valueRanks(counts.keySet()), CategoricalEncoder.Protection.NONE);
        CategoricalEncoder back = CategoricalEncoder.fromJson(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(byValue.toJson().toString()));
        for (CategoricalEncoder e : List.of(byValue, back)) {
            long last = -1;
            Random rng = new Random(1);
            for (double z = -4; z <= 4; z += 0.01) { // the decoded number never falls as the feature rises
                long v = ((Number) e.decode(new double[]{z}, 0, rng)).longValue();
                assertThat(v).isGreaterThanOrEqualTo(last);
                last = v;
            }
            assertThat(last).isEqualTo(3L);
        }
        // the frequency layout (no order) zigzags: 2 first
        CategoricalEncoder byFrequency = new CategoricalEncoder("cars", ColumnType.of(ColumnType.Base.INT), counts, 0,
                Map.of());
        assertThat(((Number) byFrequency.decode(new double[]{-4}, 0, new Random(1))).longValue()).isEqualTo(2L);
    }
}
