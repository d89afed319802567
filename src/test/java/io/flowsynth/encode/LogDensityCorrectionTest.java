package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * With the "identity flow" p(z) = Π φ(z_i), log p(value) = Σ ln φ(z_i) + correction must be the encoder's own
 * marginal model: a density that integrates to 1 for continuous columns, probabilities summing to 1 for discrete ones.
 */
class LogDensityCorrectionTest {
    private static double logProbUnderIdentityFlow(ColumnEncoder e, Object value, Random rng) {
        double[] f = new double[e.width()];
        e.encode(value, f, 0, rng);
        double lp = e.logDensityCorrection(value, f, 0);
        for (double z : f) {
            lp += StandardNormal.logDensity(z);
        }
        return lp;
    }

    @Test
    void continuousColumnDensityIntegratesToOne() {
        Random data = new Random(1);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            values.add(Math.exp(data.nextGaussian()));
        }
        QuantileEncoder e = Fixtures.quantile("x", "continuous", ColumnType.of(ColumnType.Base.DOUBLE), values, 100);
        Random rng = new Random(2);
        double lo = e.min();
        double hi = e.max();
        int n = 200_000;
        double h = (hi - lo) / n;
        double integral = 0;
        for (int i = 0; i < n; i++) {
            double x = lo + (i + 0.5) * h;
            double lp = logProbUnderIdentityFlow(e, x, rng);
            assertThat(Double.isFinite(lp)).isTrue();
            integral += Math.exp(lp) * h;
        }
        assertThat(integral).isCloseTo(1.0, offset(2e-3));
    }

    @Test
    void integerAndCategoricalProbabilitiesSumToOne() {
        Random data = new Random(3);
        List<Object> ints = new ArrayList<>();
        List<Object> cats = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            ints.add((long) (data.nextGaussian() * 40 + 100));
            cats.add(i % 10 == 0 ? null : "c" + (int) Math.floor(Math.abs(data.nextGaussian()) * 3));
        }
        QuantileEncoder ie = Fixtures.quantile("n", "integer", ColumnType.of(ColumnType.Base.LONG), ints, 60);
        Random rng = new Random(4);
        double sum = 0;
        for (long v = (long) ie.min(); v <= (long) ie.max(); v++) {
            double p = 0;
            for (int rep = 0; rep < 20; rep++) { // average over the dequantization noise
                p += Math.exp(logProbUnderIdentityFlow(ie, v, rng)) / 20;
            }
            sum += p;
        }
        // a lower bound: the jitter covers JITTER = 0.9 of each unit, so an identity flow that spreads the value's
        // mass over the whole unit loses exactly that share (a trained flow concentrates it where the jitter lands)
        assertThat(sum).isCloseTo(QuantileEncoder.JITTER, offset(0.03));

        CategoricalEncoder ce = Fixtures.categorical("c", ColumnType.of(ColumnType.Base.STRING), cats, 100);
        double total = 0;
        List<Object> all = new ArrayList<>(Arrays.asList((Object) null));
        for (int k = 0; k < 40; k++) {
            all.add("c" + k);
        }
        for (Object v : all) {
            if (ce.frequency(v) > 0) {
                total += Math.exp(logProbUnderIdentityFlow(ce, v, rng));
            }
        }
        assertThat(total).isCloseTo(1.0, offset(1e-9));
    }

    @Test
    void valuesOutsideTheFittedDomainGetAFinitePenaltyNeverNaN() {
        Random rng = new Random(5);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            values.add(rng.nextGaussian());
        }
        QuantileEncoder q = Fixtures.quantile("x", "continuous", ColumnType.of(ColumnType.Base.DOUBLE), values, 50);
        double inside = logProbUnderIdentityFlow(q, q.max(), rng);
        for (Object v : new Object[]{q.max() + 100.0, q.min() - 1e9, null, Double.NaN, Double.POSITIVE_INFINITY}) {
            double lp = logProbUnderIdentityFlow(q, v, rng);
            assertThat(Double.isFinite(lp)).as("value %s", v).isTrue();
            assertThat(lp).as("value %s", v).isLessThan(inside - 5);
        }
        Map<Object, Long> cats = new HashMap<>(Map.of("a", 70L, "b", 30L));
        CategoricalEncoder c = new CategoricalEncoder("c", ColumnType.of(ColumnType.Base.STRING), cats, 0, Map.of());
        double seen = logProbUnderIdentityFlow(c, "a", rng);
        double unseen = logProbUnderIdentityFlow(c, "zzz", rng);
        assertThat(unseen).isLessThan(seen - 13).isGreaterThan(Double.NEGATIVE_INFINITY);
        ConstantEncoder k = new ConstantEncoder("k", ColumnType.of(ColumnType.Base.STRING), "same");
        assertThat(k.logDensityCorrection("same", new double[0], 0)).isEqualTo(0.0);
        assertThat(k.logDensityCorrection("other", new double[0], 0)).isEqualTo(ColumnEncoder.OUT_OF_DOMAIN_LOG_PROB);
    }
}
