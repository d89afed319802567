package io.flowsynth.flow.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * DP-SGD's per-example clipping in the hand-derived path ({@link FlowBackprop#clippedGradient}) against the slow way:
 * one backward pass per row. In double, on every family the analytic path supports (and conditional flows).
 */
class PerExampleClippingTest {
    private static final int D = 5;
    private static final int N = 9;

    private static FlowSpec spec(String type) {
        String[] parts = type.split(" ");
        FlowSpec spec = new FlowSpec(FlowType.parse(parts[0]), D, 3, 12, 2, 3);
        if (parts.length == 2) {
            return spec.withContextFeatures(Integer.parseInt(parts[1].substring("context".length())));
        }
        return parts.length == 3 ? spec.withConditioner(parts[1], parts[2]) : spec;
    }

    /** A flow in double with perturbed parameters (so no gradient is trivially zero). */
    private static FlowBackprop flow(FlowSpec spec) {
        var opt = new FlowNetworks.Optimizer(1e-3, 0, DataType.FLOAT);
        MultiLayerNetwork net = new MultiLayerNetwork(FlowNetworks.configuration(spec, opt, new NoOp()));
        net.init();
        Nd4j.getRandom().setSeed(7);
        net.params().addi(Nd4j.randn(DataType.FLOAT, net.params().shape()).muli(0.3));
        FlowBackprop b = new FlowBackprop(spec, DataType.DOUBLE);
        b.setParams(net.params().toFloatVector());
        return b;
    }

    private static float[] rows(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * D];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * (i % 7 == 0 ? 3 : 1)); // some rows far out: large gradients
        }
        return x;
    }

    /** Per-row gradients the slow way: one backward pass of one row each. */
    private static double[][] perRowGradients(FlowBackprop b, float[] x, int n) {
        double[][] g = new double[n][];
        for (int r = 0; r < n; r++) {
            b.lossAndGradient(Arrays.copyOfRange(x, r * D, (r + 1) * D), 1);
            g[r] = b.gradient().toDoubleVector();
        }
        return g;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"realnvp", "realnvp tanh clamp", "maf", "maf tanh clamp", "spline", "spline tanh clamp",
            "realnvp context2", "maf context2", "spline context1"})
    void perExampleNormsAndClippedSumEqualPerRowBackwardPasses(String type) {
        FlowBackprop b = flow(spec(type));
        float[] x = rows(N, 5);
        double[][] slow = perRowGradients(b, x, N);
        double[] slowNorms = Arrays.stream(slow).mapToDouble(PerExampleClippingTest::norm).toArray();

        // norms without clipping (C far above every norm): the gradient is the plain sum
        double[] norms = new double[N];
        double loss = b.clippedGradient(x, N, N, 1e12, norms);
        for (int r = 0; r < N; r++) {
            assertThat(norms[r]).as("row %d", r).isCloseTo(slowNorms[r], org.assertj.core.data.Percentage
                    .withPercentage(1e-7));
        }
        assertThat(loss).isCloseTo(b.loss(x, N), org.assertj.core.api.Assertions.within(1e-9 * Math.abs(loss)));

        // clip at the median norm: about half the rows are scaled down
        double[] sorted = slowNorms.clone();
        Arrays.sort(sorted);
        double clip = sorted[N / 2];
        assertThat(sorted[N - 1]).isGreaterThan(clip * 1.01); // something is actually clipped
        b.clippedGradient(x, N, N, clip, null);
        double[] fast = b.gradient().toDoubleVector();
        double[] expected = new double[fast.length];
        for (int r = 0; r < N; r++) {
            double w = Math.min(1, clip / slowNorms[r]);
            double[] contribution = new double[fast.length];
            for (int i = 0; i < fast.length; i++) {
                contribution[i] = w * slow[r][i];
                expected[i] += contribution[i];
            }
            // after clipping every row's contribution has norm ≤ C
            assertThat(norm(contribution)).as("row %d", r).isLessThanOrEqualTo(clip * (1 + 1e-12));
        }
        double scale = norm(expected);
        for (int i = 0; i < fast.length; i++) {
            assertThat(Math.abs(fast[i] - expected[i])).as("parameter %d", i).isLessThan(1e-9 * scale);
        }
    }

    @Test
    void paddingRowsContributeNothing() {
        FlowBackprop b = flow(spec("spline"));
        float[] x = rows(N, 9);
        b.clippedGradient(x, N, N, 0.5, null);
        double[] plain = b.gradient().toDoubleVector();
        float[] padded = Arrays.copyOf(x, (N + 4) * D);
        float[] junk = rows(4, 10);
        System.arraycopy(junk, 0, padded, N * D, junk.length);
        double lossPadded = b.clippedGradient(padded, N + 4, N, 0.5, null);
        double[] withPadding = b.gradient().toDoubleVector();
        for (int i = 0; i < plain.length; i++) {
            assertThat(withPadding[i]).isCloseTo(plain[i], org.assertj.core.api.Assertions.within(1e-10));
        }
        assertThat(lossPadded).isCloseTo(b.loss(x, N), org.assertj.core.api.Assertions.within(1e-9));
        b.clippedGradient(padded, N + 4, 0, 0.5, null);
        assertThat(norm(b.gradient().toDoubleVector())).isZero();
    }

    @Test
    void noiseStandardDeviationScalesWithSigmaTimesClip() {
        FlowBackprop b = new FlowBackprop(spec("realnvp"), DataType.FLOAT);
        float[] x = rows(N, 3);
        SplittableRandom rng = new SplittableRandom(42);
        double[] stds = new double[2];
        double[][] sigmaClip = {{0.7, 1.0}, {2.0, 3.5}};
        for (int k = 0; k < 2; k++) {
            double sum = 0;
            double sq = 0;
            long count = 0;
            for (int draw = 0; draw < 20; draw++) {
                b.clippedGradient(x, N, 0, 1.0, null); // no rows: the sum is 0, only the noise is left
                b.addGaussianNoise(sigmaClip[k][0] * sigmaClip[k][1], rng);
                for (double v : b.gradient().toDoubleVector()) {
                    sum += v;
                    sq += v * v;
                    count++;
                }
            }
            double mean = sum / count;
            stds[k] = Math.sqrt(sq / count - mean * mean);
            double expected = sigmaClip[k][0] * sigmaClip[k][1];
            assertThat(count).isGreaterThan(10_000);
            assertThat(Math.abs(mean)).isLessThan(5 * expected / Math.sqrt(count));
            assertThat(stds[k]).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(2));
        }
        assertThat(stds[1] / stds[0]).isCloseTo(7.0 / 0.7, org.assertj.core.data.Percentage.withPercentage(3));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"realnvp", "maf", "spline"})
    void aCopulaLayerIsFrozenUnderClippingAndGetsNoNoise(String type) {
        FlowSpec spec = spec(type).withCopulaLayer(true);
        FlowBackprop b = flow(spec);
        float[] x = rows(N, 6);
        b.lossAndGradient(x, N);
        double[] plain = b.gradient().toDoubleVector();
        b.clippedGradient(x, N, N, 1e12, null); // freezes the copula layer
        double[] clipped = b.gradient().toDoubleVector();
        int frozen = 0;
        for (int i = 0; i < plain.length; i++) {
            if (clipped[i] == 0 && plain[i] != 0) {
                frozen++;
            } else {
                assertThat(clipped[i]).as("entry %d", i).isCloseTo(plain[i],
                        org.assertj.core.api.Assertions.within(1e-9 * (1 + Math.abs(plain[i]))));
            }
        }
        int d = spec.features();
        assertThat(frozen).isGreaterThan(d * d / 2).isLessThanOrEqualTo(2 * d * d + 2 * d);
        // the per-row norms now leave the copula out; noise never reaches its entries
        double[][] slow = perRowGradients(b, x, N);
        double[] norms = new double[N];
        b.clippedGradient(x, N, N, 1e12, norms);
        for (int r = 0; r < N; r++) {
            assertThat(norms[r]).isCloseTo(norm(slow[r]), org.assertj.core.data.Percentage.withPercentage(1e-7));
        }
        b.addGaussianNoise(1.0, new SplittableRandom(1));
        double[] noisy = b.gradient().toDoubleVector();
        for (int i = 0; i < plain.length; i++) {
            if (clipped[i] == 0 && plain[i] != 0) {
                assertThat(noisy[i]).isZero();
            }
        }
    }
}
