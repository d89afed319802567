package io.flowsynth.flow.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.Flow;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.transforms.Flows;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.junit.jupiter.api.Tag;

/** After a short training run on a 2-d mixture, each family's density integrates to 1 over a grid (midpoint rule). */
class FlowDensityIntegratesToOneTest {

    private static INDArray mixture(int rows, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, rows, 2).muli(0.4);
        INDArray sign = Transforms.sign(Nd4j.rand(DataType.FLOAT, rows, 1).subi(0.5), false);
        x.getColumn(0).addi(sign.reshape(rows).mul(1.5));
        x.getColumn(1).addi(x.getColumn(0).mul(0.6));
        return x;
    }

    @Tag("slow")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"realnvp", "maf", "spline", "linear"})
    void densityOnAGridIntegratesToOneAfterShortTraining(String type) {
        FlowSpec spec = new FlowSpec(FlowType.parse(type), 2, 2, 16, 2, 6, 3.0, 11);
        MultiLayerNetwork net = new MultiLayerNetwork(FlowNetworks.configuration(spec,
                new FlowNetworks.Optimizer(5e-3, 5, DataType.FLOAT)));
        net.init();
        double before = net.score(FlowNetworks.dataSet(mixture(2000, 99)));
        for (int step = 0; step < 40; step++) {
            net.fit(FlowNetworks.dataSet(mixture(256, step)));
        }
        assertThat(net.score(FlowNetworks.dataSet(mixture(2000, 99)))).as("training moved").isLessThan(before - 0.05);

        Map<String, INDArray> params = new LinkedHashMap<>();
        FlowNetworks.parameters(net).forEach((k, v) -> params.put(k, v.castTo(DataType.DOUBLE)));
        Flow flow = Flows.build(spec, params);
        double lim = 8;
        int n = 320;
        double h = 2 * lim / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            INDArray rows = Nd4j.zeros(DataType.DOUBLE, n, 2);
            for (int j = 0; j < n; j++) {
                rows.putScalar(j, 0, -lim + (i + 0.5) * h);
                rows.putScalar(j, 1, -lim + (j + 0.5) * h);
            }
            total += Transforms.exp(flow.logProb(rows), false).sumNumber().doubleValue() * h * h;
        }
        assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
    }
}
