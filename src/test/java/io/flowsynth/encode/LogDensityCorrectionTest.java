package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.flowsynth.math.StandardNormal;
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

    private static final GaussianMixture TWO_MODES = new GaussianMixture(new double[]{0.3, 0.7},
            new double[]{0.0, 10.0}, new double[]{1.0, 2.0});

    private static ModeEncoder modeEncoder(ColumnType type, double unit, long[] states) {
        return new ModeEncoder("x", type.isIntegral() ? "integer" : "continuous", type, -4.5, 19.0, unit, -1, states,
                TWO_MODES, 0);
    }

    @Test
    void modeSpecificLogDensityIsTheMixtureForEveryDrawAndIntegratesToOne() {
        ModeEncoder e = modeEncoder(ColumnType.of(ColumnType.Base.DOUBLE), 0.0, new long[]{1000, 0, 0, 0, 0});
        Random rng = new Random(6);
        int n = 100_000;
        double h = (e.max() - e.min()) / n;
        double integral = 0;
        int clamped = 0;
        for (int i = 0; i < n; i++) {
            double x = e.min() + (i + 0.5) * h;
            double[] f = new double[e.width()];
            e.encode(x, f, 0, rng);
            double lp = e.logDensityCorrection(x, f, 0) + StandardNormal.logDensity(f[0])
                    + StandardNormal.logDensity(f[1]);
            if (Math.abs(f[0]) >= 4.753) {
                clamped++; // drawn a mode > 4.753 σ away (probability ~1e-6): scored at the clamp, documented
            } else {
                // direct calculation: ln Σ_k π_k N(x; μ_k, σ_k²), whichever mode the encoder drew
                assertThat(lp).as("x = %s", x).isCloseTo(Math.log(TWO_MODES.density(x)), offset(1e-9));
            }
            integral += Math.exp(lp) * h;
        }
        assertThat(clamped).isLessThan(n / 1000);
        double inside = TWO_MODES.cdf(e.max()) - TWO_MODES.cdf(e.min());
        assertThat(integral).isCloseTo(inside, offset(1e-6));
        assertThat(integral).isCloseTo(1.0, offset(1e-3));
    }

    @Test
    void modeSpecificNullStateAndValueDensityTogetherHaveMassOne() {
        ModeEncoder e = modeEncoder(ColumnType.of(ColumnType.Base.DOUBLE), 0.0, new long[]{900, 100, 0, 0, 0});
        Random rng = new Random(7);
        assertThat(Math.exp(logProbUnderIdentityFlow(e, null, rng))).isCloseTo(0.1, offset(1e-9));
        int n = 50_000;
        double h = (e.max() - e.min()) / n;
        double integral = 0;
        for (int i = 0; i < n; i++) {
            integral += Math.exp(logProbUnderIdentityFlow(e, e.min() + (i + 0.5) * h, rng)) * h;
        }
        assertThat(integral + 0.1).isCloseTo(1.0, offset(1e-3));
        // a state never seen (NaN) and a withheld extreme: finite and penalised
        double typical = logProbUnderIdentityFlow(e, 10.0, rng);
        for (Object v : new Object[]{Double.NaN, 1e6, -1e6}) {
            double lp = logProbUnderIdentityFlow(e, v, rng);
            assertThat(Double.isFinite(lp)).as("value %s", v).isTrue();
            assertThat(lp).as("value %s", v).isLessThan(typical - 10);
        }
    }

    @Test
    void modeSpecificIntegerProbabilitiesSumToTheJitterShare() {
        ModeEncoder e = modeEncoder(ColumnType.of(ColumnType.Base.LONG), 1.0, new long[]{1000, 0, 0, 0, 0});
        Random rng = new Random(8);
        double sum = 0;
        for (long v = -4; v <= 19; v++) {
            double p = 0;
            for (int rep = 0; rep < 40; rep++) {
                p += Math.exp(logProbUnderIdentityFlow(e, v, rng)) / 40;
            }
            sum += p;
        }
        // as for the quantile encoding: the jitter covers 0.9 of each unit, the identity flow spreads over all of it
        assertThat(sum).isCloseTo(QuantileEncoder.JITTER, offset(0.03));
    }

    @Test
    void generatedColumnsScoreTheirNullIndicator() {
        IdEncoder id = IdEncoder.integral("id", ColumnType.of(ColumnType.Base.LONG), 100, 20, 1, 80);
        FakeEncoder fake = new FakeEncoder("email", "email", 100, 0, "en", Map.of());
        assertThat(id.logDensityCorrection(null, new double[0], 0)).isCloseTo(Math.log(0.2), offset(1e-12));
        assertThat(id.logDensityCorrection(12345L, new double[0], 0)).isCloseTo(Math.log(0.8), offset(1e-12));
        assertThat(fake.logDensityCorrection("a@b.com", new double[0], 0)).isEqualTo(0.0);
        assertThat(fake.logDensityCorrection(null, new double[0], 0)).isEqualTo(ColumnEncoder.OUT_OF_DOMAIN_LOG_PROB);
    }
}
