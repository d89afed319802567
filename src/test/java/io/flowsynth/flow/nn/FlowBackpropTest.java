package io.flowsynth.flow.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The hand-derived gradient and training step against the SameDiff graph they replace, and finite differences. */
class FlowBackpropTest {

    static Stream<Arguments> types() {
        return Stream.of(Arguments.of("realnvp"), Arguments.of("realnvp tanh clamp"), Arguments.of("maf"),
                Arguments.of("maf tanh clamp"), Arguments.of("spline"), Arguments.of("spline tanh clamp"),
                Arguments.of("realnvp copula"), Arguments.of("maf copula"), Arguments.of("spline copula"),
                Arguments.of("realnvp context2"), Arguments.of("maf context2"), Arguments.of("spline context1"));
    }

    /**
     * "family", "family activation affine-scale", "family copula" (with the copula layer) or "family contextN" (a
     * conditional flow on N context features); odd D so the coupling
     * halves differ in size.
     */
    private static FlowSpec spec(String type, int features, int layers, int hidden, int hiddenLayers, long seed) {
        String[] parts = type.split(" ");
        FlowSpec spec = new FlowSpec(FlowType.parse(parts[0]), features, layers, hidden, hiddenLayers, seed);
        if (parts.length == 2 && "copula".equals(parts[1])) {
            return spec.withCopulaLayer(true);
        }
        if (parts.length == 2 && parts[1].startsWith("context")) {
            return spec.withContextFeatures(Integer.parseInt(parts[1].substring("context".length())));
        }
        return parts.length == 3 ? spec.withConditioner(parts[1], parts[2]) : spec;
    }

    private static MultiLayerNetwork perturbedNetwork(FlowSpec spec, DataType dt, long seed) {
        var opt = new FlowNetworks.Optimizer(1e-3, 0, dt);
        MultiLayerNetwork net = new MultiLayerNetwork(FlowNetworks.configuration(spec, opt, new NoOp()));
        net.init();
        Nd4j.getRandom().setSeed(seed);
        net.params().addi(Nd4j.randn(dt, net.params().shape()).muli(0.3));
        return net;
    }

    @Test
    void dl4jFlatLayoutIsWeightsThenBiasesEachRowMajor() {
        FlowSpec spec = spec("maf", 3, 2, 5, 2, 1);
        MultiLayerNetwork net = perturbedNetwork(spec, DataType.DOUBLE, 1);
        long n = net.numParams();
        net.setParams(Nd4j.linspace(DataType.DOUBLE, 0, n, 1).reshape(1, n));
        Map<String, Integer> offsets = FlowBackprop.dl4jOffsets(spec);
        assertThat(offsets.keySet()).containsExactlyInAnyOrderElementsOf(spec.paramShapes().keySet());
        for (Map.Entry<String, INDArray> e : net.getLayer(0).paramTable().entrySet()) {
            double[] v = e.getValue().dup('c').reshape(-1).toDoubleVector();
            for (int i = 0; i < v.length; i++) {
                assertThat(v[i]).as("%s[%d]", e.getKey(), i).isEqualTo(offsets.get(e.getKey()) + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void lossAndGradientEqualTheSameDiffGraphsInFloat(String type) {
        FlowSpec spec = spec(type, 5, 3, 12, 2, 3);
        MultiLayerNetwork net = perturbedNetwork(spec, DataType.FLOAT, 11);
        Nd4j.getRandom().setSeed(12);
        // spread so that some rows fall outside the spline's [-B, B] (its identity tails)
        INDArray x = Nd4j.randn(DataType.FLOAT, 64, spec.features()).muli(1.8);
        net.setInput(x);
        net.setLabels(Nd4j.zeros(DataType.FLOAT, 64, 1));
        net.computeGradientAndScore();
        double[] expected = net.gradient().gradient().toDoubleVector();

        FlowBackprop bp = new FlowBackprop(spec, DataType.FLOAT);
        bp.setParams(net.params().toFloatVector());
        double loss = bp.lossAndGradient(x);
        assertThat(loss / 64).isCloseTo(net.score(), org.assertj.core.data.Percentage.withPercentage(1e-4));
        double[] actual = bp.gradient().toDoubleVector();
        // DL4J's raw gradient is that of the summed loss (its updater divides by the batch size)
        double scale = norm(expected);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        // float32 rounding: the graph computes in float, this path accumulates in double (the copula layer's GEMMs
        // add some; its gradient is checked tightly against finite differences in double below)
        assertThat(worst / scale).as("max |Δgrad| / ‖grad‖").isLessThan(spec.copulaLayer() ? 1e-4 : 5e-5);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == 0) {
                assertThat(actual[i]).as("masked gradient entry %d", i).isEqualTo(0.0);
            }
        }
    }

    @Tag("slow")
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void gradientMatchesCentralFiniteDifferencesInDouble(String type) {
        FlowSpec spec = spec(type, 4, 2, 6, 2, 5);
        MultiLayerNetwork net = perturbedNetwork(spec, DataType.DOUBLE, 21);
        double[] theta = net.params().toDoubleVector();
        Nd4j.getRandom().setSeed(22);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 8, spec.features()).muli(1.8);
        FlowBackprop bp = new FlowBackprop(spec, DataType.DOUBLE);
        bp.params().assign(Nd4j.createFromArray(theta).reshape(1, theta.length));
        bp.lossAndGradient(x);
        double[] grad = bp.gradient().toDoubleVector();
        double h = 1e-6;
        int checked = 0;
        for (int i = 0; i < theta.length; i++) {
            bp.params().putScalar(0, i, theta[i] + h);
            double up = bp.loss(x);
            bp.params().putScalar(0, i, theta[i] - h);
            double down = bp.loss(x);
            bp.params().putScalar(0, i, theta[i]);
            double fd = (up - down) / (2 * h);
            double err = Math.abs(fd - grad[i]);
            assertThat(err).as("parameter %d: analytic %s, finite difference %s", i, grad[i], fd)
                    .isLessThanOrEqualTo(1e-6 + 1e-5 * Math.abs(fd));
            if (fd != 0) {
                checked++;
            }
        }
        // relu and MADE masks leave some parameters without effect on these rows
        assertThat(checked).isGreaterThan(theta.length / 3);
    }

    @Tag("slow")
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void fiftyAdamStepsFollowTheSameLossCurveAsMultiLayerNetworkFit(String type) {
        FlowSpec spec = spec(type, 5, 2, 12, 2, 7);
        // the training configuration: Adam with a decaying rate, clipping that binds at the start
        MultiLayerConfiguration conf = FlowNetworks.configuration(spec,
                new FlowNetworks.Optimizer(5e-3, 2.0, DataType.FLOAT),
                FlowNetworks.adam(new ExponentialSchedule(ScheduleType.ITERATION, 5e-3, 0.99)));
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        AnalyticTrainer fast = new AnalyticTrainer(conf);
        assertThat(AnalyticTrainer.supports(conf)).isTrue();
        fast.load(net.params().toFloatVector(), net.getUpdater().getStateViewArray().toFloatVector(), 0);
        SplittableRandom rng = new SplittableRandom(8);
        int batch = 64;
        float[] rows = new float[batch * spec.features()];
        double maxRel = 0;
        for (int step = 0; step < 50; step++) {
            // correlated, shifted data so the flow has something to learn
            for (int r = 0; r < batch; r++) {
                double common = rng.nextGaussian();
                for (int c = 0; c < spec.features(); c++) {
                    rows[r * spec.features() + c] = (float) (0.8 * common + 0.5 * rng.nextGaussian() + 0.3 * c);
                }
            }
            net.fit(FlowNetworks.dataSet(Nd4j.createFromArray(rows).reshape(batch, spec.features())));
            double expected = net.score();
            double actual = fast.fit(rows, batch);
            maxRel = Math.max(maxRel, Math.abs(actual - expected) / Math.max(1, Math.abs(expected)));
        }
        assertThat(maxRel).as("worst relative difference of the 50 losses").isLessThan(1e-3);
        assertThat(fast.iteration()).isEqualTo(net.getIterationCount());
        float[] a = fast.params();
        float[] b = net.params().toFloatVector();
        assertThat(maxAbs(a, b)).as("parameters after 50 steps").isLessThan(2e-3f);
        float[] sa = fast.state();
        float[] sb = net.getUpdater().getStateViewArray().toFloatVector();
        assertThat(sa.length).isEqualTo(sb.length);
        assertThat(maxAbs(sa, sb) / Math.max(1e-12f, maxAbs(sb, new float[sb.length])))
                .as("Adam state after 50 steps, relative").isLessThan(1e-2f);
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static float maxAbs(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
