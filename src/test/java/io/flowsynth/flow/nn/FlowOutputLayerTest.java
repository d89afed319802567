package io.flowsynth.flow.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.Flow;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.StandardNormalBase;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class FlowOutputLayerTest {

    private static MultiLayerNetwork perturbedNetwork(FlowSpec spec, DataType dt) {
        var opt = new FlowNetworks.Optimizer(1e-3, 0, dt);
        MultiLayerNetwork net = new MultiLayerNetwork(FlowNetworks.configuration(spec, opt, new NoOp()));
        net.init();
        // move the zero-initialized heads off zero so every parameter matters
        Nd4j.getRandom().setSeed(7);
        net.params().addi(Nd4j.randn(dt, net.params().shape()).muli(0.3));
        return net;
    }

    static Stream<Arguments> types() {
        return Stream.of(Arguments.of("realnvp"), Arguments.of("realnvp tanh clamp"), Arguments.of("maf"),
                Arguments.of("maf tanh clamp"), Arguments.of("spline"), Arguments.of("linear"),
                Arguments.of("realnvp context 2"), Arguments.of("maf context 2"), Arguments.of("spline context 1"));
    }

    /** "family", "family activation affine-scale" or "family context N" (N context features). */
    private static FlowSpec spec(String type, int features, int layers, int hidden, int hiddenLayers, int bins,
                                 double tailBound, long seed) {
        String[] parts = type.split(" ");
        FlowSpec spec = new FlowSpec(FlowType.parse(parts[0]), features, layers, hidden, hiddenLayers, bins, tailBound, seed);
        if (parts.length == 3 && "context".equals(parts[1])) {
            return spec.withContextFeatures(Integer.parseInt(parts[2]));
        }
        return parts.length == 3 ? spec.withConditioner(parts[1], parts[2]) : spec;
    }

    @Test
    void aConfigurationSavedBeforeTheConditionerFieldsReadsAsTanhAndClamp() {
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, 4, 2, 6, 2, 1);
        String json = FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(1e-3, 0, DataType.FLOAT)).toJson();
        assertThat(json).contains("\"activation\" : \"relu\"").contains("\"affineScale\" : \"sigmoid\"");
        String old = json.replaceAll("\"activation\" : \"relu\",?", "").replaceAll("\"affineScale\" : \"sigmoid\",?", "");
        FlowSpec read = FlowNetworks.spec(FlowNetworks.network(old));
        assertThat(read).isEqualTo(spec.withConditioner("tanh", "clamp"));
    }

    @Tag("slow")
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void gradientOfNegativeLogLikelihoodMatchesFiniteDifferencesInDouble(String type) {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            // the spline graph has ~5× the ops of the others: check it on a smaller net (each parameter costs 2 passes)
            FlowSpec spec = type.equals("spline") ? spec(type, 3, 1, 4, 1, 3, 2.0, 1)
                    : spec(type, 4, 2, 6, 2, FlowSpec.BINS_DEFAULT, FlowSpec.TAIL_BOUND_DEFAULT, 1);
            MultiLayerNetwork net = perturbedNetwork(spec, DataType.DOUBLE);
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.randn(DataType.DOUBLE, 8, spec.features());
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                    .net(net).input(x).labels(Nd4j.zeros(DataType.DOUBLE, 8, 1))
                    .epsilon(1e-6).maxRelError(1e-4).minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
            assertThat(ok).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void sameDiffGraphAndPlainNd4jFlowAgree(String type) {
        FlowSpec spec = spec(type, 5, 3, 8, 2, 5, 2.5, 9);
        MultiLayerNetwork net = perturbedNetwork(spec, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 16, 5);
        INDArray zGraph = net.output(x);
        Flow flow = FlowNetworks.flow(net);
        INDArray zPlain = flow.transform().forward(x).output();
        assertThat(zGraph.sub(zPlain).amaxNumber().doubleValue()).isLessThan(1e-10);
        // the network's score is the mean NLL without the constant (D/2) ln 2π
        double score = net.score(FlowNetworks.dataSet(x));
        double nll = -flow.logProb(x).meanNumber().doubleValue();
        assertThat(score + 0.5 * 5 * StandardNormalBase.LOG_2PI).isCloseTo(nll, org.assertj.core.data.Offset.offset(1e-9));
        // every parameter array receives a gradient
        net.setInput(x);
        net.setLabels(Nd4j.zeros(DataType.DOUBLE, 16, 1));
        net.computeGradientAndScore();
        for (String name : spec.paramShapes().keySet()) {
            INDArray g = net.gradient().getGradientFor("0_" + name);
            assertThat(g).as("gradient of %s", name).isNotNull();
            assertThat(g.norm2Number().doubleValue()).as("gradient of %s", name).isGreaterThan(0.0);
        }
        // the inverse in plain ND4J undoes the graph's forward
        assertThat(flow.inverse(zGraph).sub(x).amaxNumber().doubleValue()).isLessThan(1e-9);
        // and the flat vector a model saves (spec order, not DL4J's) rebuilds the same flow
        float[] flat = FlowNetworks.specOrder(net.getLayerWiseConfigurations().toJson(), net.params().toFloatVector());
        Flow rebuilt = io.flowsynth.flow.transforms.Flows.build(spec, FlowNetworks.unflatten(spec, flat, DataType.DOUBLE));
        assertThat(rebuilt.transform().forward(x).output().sub(zPlain).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Tag("slow")
    @Test
    void trainingLowersNllOfCorrelatedGaussianTowardsItsEntropy() {
        // x = L e with e ~ N(0, I): true NLL = (D/2) ln 2πe + ln|det L|
        int d = 3;
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, d, 4, 32, 2, 2);
        var opt = new FlowNetworks.Optimizer(3e-3, 5, DataType.FLOAT);
        MultiLayerNetwork net = new MultiLayerNetwork(FlowNetworks.configuration(spec, opt));
        net.init();
        INDArray l = Nd4j.createFromArray(new float[][]{{1, 0, 0}, {0.9f, 0.5f, 0}, {-0.5f, 0.3f, 0.4f}});
        double trueNll = 0.5 * d * Math.log(2 * Math.PI * Math.E) + Math.log(1 * 0.5 * 0.4);
        Nd4j.getRandom().setSeed(5);
        INDArray test = Nd4j.randn(DataType.FLOAT, 4000, d).mmul(l.transpose());
        double before = -FlowNetworks.flow(net).logProb(test).meanNumber().doubleValue();
        for (int step = 0; step < 600; step++) {
            INDArray batch = Nd4j.randn(DataType.FLOAT, 256, d).mmul(l.transpose());
            net.fit(FlowNetworks.dataSet(batch));
        }
        Map<String, INDArray> params = FlowNetworks.parameters(net);
        assertThat(params).hasSize(spec.paramShapes().size());
        double after = -FlowNetworks.flow(net).logProb(test).meanNumber().doubleValue();
        assertThat(after).isLessThan(before - 0.5).isLessThan(trueNll + 0.15);
    }
}
