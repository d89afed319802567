package io.flowsynth.encode;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Mode-specific and one-hot encodings, learned rounding precision and identifier generation, without Spark. */
class EncoderChoicesTest {
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);

    /** Knots at probabilities j/(n−1) of sorted data (an exact quantile sketch). */
    private static double[][] sketch(double[] data, int n) {
        double[] sorted = data.clone();
        Arrays.sort(sorted);
        double[] q = new double[n];
        double[] p = new double[n];
        for (int j = 0; j < n; j++) {
            p[j] = (double) j / (n - 1);
            q[j] = sorted[(int) Math.round(p[j] * (sorted.length - 1))];
        }
        return new double[][]{q, p};
    }

    private static double[] bimodal(int n, Random rng) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble() < 0.3 ? -5 + 0.5 * rng.nextGaussian() : 10 + 2 * rng.nextGaussian();
        }
        return x;
    }

    @Test
    void mixtureFittedToTheQuantileSketchFindsBothModes() {
        double[][] s = sketch(bimodal(20_000, new Random(1)), 500);
        GaussianMixture m = GaussianMixture.fitSketch(s[0], s[1], 5);
        assertThat(m.ksDistance(s[0], s[1])).isLessThan(0.01);
        assertThat(m.peaks(s[0][0], s[0][499])).isEqualTo(2);
        // the heaviest component near each mode
        double massLow = 0;
        for (int k = 0; k < m.size(); k++) {
            if (m.means()[k] < 2.5) {
                massLow += m.weights()[k];
            }
        }
        assertThat(massLow).isCloseTo(0.3, within(0.02));
        double[][] flat = sketch(new Random(2).doubles(20_000).toArray(), 500);
        assertThat(GaussianMixture.sketchPeaks(s[0], s[1])).isEqualTo(2);
        assertThat(GaussianMixture.sketchPeaks(flat[0], flat[1])).isEqualTo(1); // a flat column has no modes
        double[] lognormal = new Random(3).doubles(20_000).map(u -> Math.exp(3 * u * u)).toArray();
        double[][] skewed = sketch(lognormal, 500);
        assertThat(GaussianMixture.sketchPeaks(skewed[0], skewed[1])).isEqualTo(1);
    }

    @Test
    void modeEncoderRoundTripsRoundsToTheLearnedDecimalsAndReproducesTheMarginal() throws Exception {
        Random rng = new Random(3);
        double[] data = bimodal(20_000, rng);
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.rint(data[i] * 100) / 100;
        }
        double[][] s = sketch(data, 500);
        long[] states = {data.length, 500, 0, 0, 0};
        ModeEncoder e = new ModeEncoder("x", "continuous", DOUBLE, s[0][0], s[0][499], 0.0, 2, states,
                GaussianMixture.fitSketch(s[0], s[1], 5));
        assertThat(e.featureNames()).containsExactly("x", "x#mode", "x#null");
        double[] z = new double[3];
        for (int i = 0; i < 2000; i++) {
            e.encode(data[i], z, 0, rng);
            assertThat((Double) e.decode(z, 0, rng)).isCloseTo(data[i], within(1e-9));
        }
        e.encode(null, z, 0, rng);
        assertThat(e.decode(z, 0, rng)).isNull();
        ColumnEncoder back = TableEncoder.columnFromJson(new ObjectMapper().readTree(e.toJson().toString()));
        assertThat(back).isInstanceOf(ModeEncoder.class);
        assertThat(back.toJson()).isEqualTo(e.toJson());
        // decoding standard normal draws: values inside [min, max], at 2 decimals, bimodal shares kept
        int low = 0;
        int values = 0;
        for (int i = 0; i < 20_000; i++) {
            double[] f = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            Object v = back.decode(f, 0, rng);
            if (v == null) {
                continue;
            }
            double d = (Double) v;
            values++;
            assertThat(d).isBetween(s[0][0], s[0][499]);
            assertThat(Math.abs(d * 100 - Math.rint(d * 100))).isLessThan(1e-6);
            low += d < 2.5 ? 1 : 0;
        }
        assertThat((double) values / 20_000).isCloseTo(data.length / (data.length + 500.0), within(0.01));
        assertThat((double) low / values).isCloseTo(0.3, within(0.02));
    }

    @Test
    void quantileEncoderRestoresTheLearnedDecimalsOfDoublesAndFloats() {
        double[] knots = {0.0, 1.0, 2.5, 10.0};
        double[] p = {0.0, 0.3, 0.6, 1.0};
        QuantileEncoder d = new QuantileEncoder("d", "continuous", DOUBLE, knots, p, 0.0, 2, new long[]{10, 0, 0, 0, 0});
        QuantileEncoder f = new QuantileEncoder("f", "continuous", ColumnType.of(ColumnType.Base.FLOAT), knots, p, 0.0,
                1, new long[]{10, 0, 0, 0, 0});
        Random rng = new Random(4);
        for (int i = 0; i < 1000; i++) {
            double[] z = {rng.nextGaussian() * 2};
            double v = (Double) d.decode(z, 0, rng);
            assertThat(v * 100).isCloseTo(Math.rint(v * 100), within(1e-9));
            float g = (Float) f.decode(z, 0, rng);
            assertThat(g).isEqualTo((float) (Math.rint(g * 10.0) / 10.0));
        }
    }

    @Test
    void oneHotLayoutRoundTripsEveryOutcomeAndDecodesByArgmax() throws Exception {
        Map<Object, Long> counts = new LinkedHashMap<>();
        counts.put("a", 600L);
        counts.put("b", 300L);
        counts.put(null, 50L);
        CategoricalEncoder e = new CategoricalEncoder("c", STRING, counts, 50, Map.of("r1", 30L, "r2", 20L), true);
        assertThat(e.width()).isEqualTo(4);
        assertThat(e.featureNames()).containsExactly("c#0", "c#1", "c#2", "c#3");
        Random rng = new Random(5);
        double[] z = new double[4];
        for (Object v : new Object[]{"a", "b", null}) {
            for (int i = 0; i < 200; i++) {
                e.encode(v, z, 0, rng);
                assertThat(e.decode(z, 0, rng)).isEqualTo(v);
            }
        }
        e.encode("r2", z, 0, rng);
        assertThat(e.decode(z, 0, rng)).isIn("r1", "r2");
        assertThat(e.decode(new double[]{Double.NaN, 0.1, 3.0, -1}, 0, rng)).isNull(); // argmax 2: the null category
        CategoricalEncoder back = (CategoricalEncoder) TableEncoder.columnFromJson(
                new ObjectMapper().readTree(e.toJson().toString()));
        assertThat(back.onehot()).isTrue();
        assertThat(back.toJson()).isEqualTo(e.toJson());
    }

    @Test
    void independentDecodingOfAOneHotColumnFollowsItsFrequencies() {
        Map<Object, Long> counts = new LinkedHashMap<>();
        counts.put("a", 700L);
        counts.put("b", 200L);
        counts.put("c", 100L);
        CategoricalEncoder e = new CategoricalEncoder("c", STRING, counts, 0, Map.of(), true);
        Random rng = new Random(8);
        int a = 0;
        for (int i = 0; i < 20_000; i++) {
            double[] z = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            a += "a".equals(e.decodeIndependent(z, 0, rng)) ? 1 : 0;
        }
        assertThat(a / 20_000.0).isCloseTo(0.7, within(0.015)); // argmax of the same draws would give 1/3
    }

    @Test
    void integerIdsAreFreshUniqueAndBeyondTheObservedMaximum() {
        IdEncoder ids = IdEncoder.integral("id", ColumnType.of(ColumnType.Base.INT), 1000, 0, 1, 1000);
        Set<Object> seen = new HashSet<>();
        Random rng = new Random(6);
        for (long r = 0; r < 5000; r++) {
            Object v = ids.generate(r, 5000, 77, rng);
            assertThat(v).isInstanceOf(Integer.class);
            assertThat((Integer) v).isBetween(1001, 6100); // from the rounded fresh bound 1100: the max is not kept
            assertThat(seen.add(v)).isTrue();
        }
        IdEncoder bytes = IdEncoder.integral("b", ColumnType.of(ColumnType.Base.BYTE), 100, 0, 20, 127);
        Object b = bytes.generate(3, 100, 1, rng);
        assertThat(b).isInstanceOf(Byte.class);
        assertThat((Byte) b).isLessThan((byte) 20); // no room above 127: below the minimum
    }

    @Test
    void stringIdsKeepPrefixAndShapeAndNeverCopyARealId() {
        List<String> real = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            real.add(String.format("CUST-%05d", i * 7 + 10_000 % 99_999));
        }
        String min = real.stream().min(String::compareTo).orElseThrow();
        String max = real.stream().max(String::compareTo).orElseThrow();
        IdEncoder e = IdEncoder.string("cust", 3000, 0, min, max, "AAAA-99999", 10, "9A");
        Set<String> realSet = new HashSet<>(real);
        Set<Object> seen = new HashSet<>();
        Random rng = new Random(7);
        for (long r = 0; r < 3000; r++) {
            String v = (String) e.generate(r, 3000, 5, rng);
            assertThat(v).matches("CUST-[0-9]{5}");
            assertThat(realSet).doesNotContain(v);
            assertThat(seen.add(v)).isTrue();
        }
        // no room above the maximum in the shape: below the minimum
        IdEncoder top = IdEncoder.string("t", 100, 0, "Z-90", "Z-99", "A-99", 4, "9A");
        seen.clear();
        for (long r = 0; r < 50; r++) {
            String v = (String) top.generate(r, 50, 5, rng);
            assertThat(v).matches("[A-Z]-[0-9]{2}").isLessThan("Z-90");
            assertThat(seen.add(v)).isTrue();
        }
        // ids of different shapes: the observed classes and length, still fresh and unique
        IdEncoder mixed = IdEncoder.string("m", 100, 10, "a1", "zz99", null, 4, "9a");
        seen.clear();
        int nulls = 0;
        for (long r = 0; r < 1000; r++) {
            String v = (String) mixed.generate(r, 1000, 5, rng);
            if (v == null) {
                nulls++;
                continue;
            }
            // real ids start with a letter in [a, z] after the (empty) common prefix: fresh ones start with a digit
            assertThat(v).matches("[0-9][0-9a-z]{3}");
            assertThat(seen.add(v)).isTrue();
        }
        assertThat(nulls).isBetween(60, 140);
    }
}
