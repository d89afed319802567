package io.flowsynth.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.flow.transforms.Flows;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class MarginalCalibrationTest {

    /** Two features: N(0,1) from the "flow", log-normal and a two-point mixture from the "data". */
    private static float[] flowSamples(int rows, long seed) {
        Random r = new Random(seed);
        float[] x = new float[rows * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static float[] dataSamples(int rows, long seed) {
        Random r = new Random(seed);
        float[] x = new float[rows * 2];
        for (int i = 0; i < rows; i++) {
            x[2 * i] = (float) Math.exp(r.nextGaussian());
            x[2 * i + 1] = (float) ((r.nextDouble() < 0.3 ? -2 : 1.5) + 0.3 * r.nextGaussian());
        }
        return x;
    }

    private static double ks(float[] a, float[] b, int feature, int features) {
        double[] x = column(a, feature, features);
        double[] y = column(b, feature, features);
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < x.length && j < y.length) {
            if (x[i] <= y[j]) {
                i++;
            } else {
                j++;
            }
            d = Math.max(d, Math.abs(i / (double) x.length - j / (double) y.length));
        }
        return d;
    }

    private static double[] column(float[] a, int feature, int features) {
        double[] c = new double[a.length / features];
        for (int r = 0; r < c.length; r++) {
            c[r] = a[r * features + feature];
        }
        return c;
    }

    @Test
    void mapsFreshFlowSamplesOntoTheDataMarginals() {
        MarginalCalibration c = MarginalCalibration.fit(flowSamples(40_000, 1), dataSamples(40_000, 2), 2, 200);
        float[] fresh = flowSamples(40_000, 3);
        float[] target = dataSamples(40_000, 4);
        assertThat(ks(fresh, target, 0, 2)).as("uncalibrated KS").isGreaterThan(0.3);
        c.apply(fresh);
        assertThat(ks(fresh, target, 0, 2)).isLessThan(0.02);
        assertThat(ks(fresh, target, 1, 2)).isLessThan(0.02);
    }

    @Test
    void invertUndoesApplyAndReturnsTheInverseLogDerivative() {
        MarginalCalibration c = MarginalCalibration.fit(flowSamples(20_000, 1), dataSamples(20_000, 2), 2, 100);
        for (double[] x : new double[][]{{0.1, -0.3}, {-2.5, 2.2}, {6.0, -7.0}}) {
            float[] y = {(float) x[0], (float) x[1]};
            c.apply(y);
            double[] back = {y[0], y[1]};
            double logDet = c.invert(back);
            assertThat(back[0]).isCloseTo(x[0], offset(1e-5));
            assertThat(back[1]).isCloseTo(x[1], offset(1e-5));
            // numerical log-derivative of g⁻¹ at y, feature by feature
            double expected = 0;
            for (int j = 0; j < 2; j++) {
                double h = 1e-6;
                double[] lo = {y[0], y[1]};
                double[] hi = {y[0], y[1]};
                lo[j] -= h;
                hi[j] += h;
                c.invert(lo);
                c.invert(hi);
                expected += Math.log((hi[j] - lo[j]) / (2 * h));
            }
            assertThat(logDet).isCloseTo(expected, offset(1e-3));
        }
    }

    @Tag("slow")
    @Test
    void calibratedFlowDensityStillIntegratesToOne() {
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, 2, 2, 8, 1, 4, 3.0, 5);
        MultiLayerNetwork net = new MultiLayerNetwork(FlowNetworks.configuration(spec,
                new FlowNetworks.Optimizer(1e-3, 5, DataType.FLOAT)));
        net.init();
        Map<String, INDArray> params = new LinkedHashMap<>();
        FlowNetworks.parameters(net).forEach((k, v) -> params.put(k, v.castTo(DataType.DOUBLE)));
        Flow flow = Flows.build(spec, params);
        float[] samples = flow.inverse(Nd4j.randn(DataType.DOUBLE, 20_000, 2)).castTo(DataType.FLOAT)
                .reshape(-1).toFloatVector();
        Flow calibrated = flow.withCalibration(MarginalCalibration.fit(samples, dataSamples(20_000, 7), 2, 50));
        double lo = -12;
        double hi = 18;
        int n = 600;
        double h = (hi - lo) / n;
        double total = 0;
        for (int i = 0; i < n; i++) {
            INDArray rows = Nd4j.zeros(DataType.DOUBLE, n, 2);
            for (int j = 0; j < n; j++) {
                rows.putScalar(j, 0, lo + (i + 0.5) * h);
                rows.putScalar(j, 1, lo + (j + 0.5) * h);
            }
            total += Transforms.exp(calibrated.logProb(rows), false).sumNumber().doubleValue() * h * h;
        }
        assertThat(total).isCloseTo(1.0, offset(0.02));
    }

    @Test
    void pointMassesAndTiesAreDroppedNotFatalAndNaNPassesThrough() {
        float[] flow = flowSamples(5_000, 1);
        float[] data = new float[10_000];
        for (int i = 0; i < 5_000; i++) {
            data[2 * i] = i % 2 == 0 ? 0f : i;
            data[2 * i + 1] = 3f;
        }
        MarginalCalibration c = MarginalCalibration.fit(flow, data, 2, 64);
        float[] x = {-1f, 0f, 0f, 0f, 1f, 0f, Float.NaN, 0f};
        c.apply(x);
        assertThat(x[0]).isLessThanOrEqualTo(x[2]);
        assertThat(x[2]).isLessThanOrEqualTo(x[4]);
        assertThat(x[1]).as("a constant feature shifts onto its value").isCloseTo(3f, offset(0.1f));
        assertThat(x[6]).isNaN();
    }

    @Test
    void jsonRoundTripKeepsTheMap() throws Exception {
        MarginalCalibration c = MarginalCalibration.fit(flowSamples(5_000, 1), dataSamples(5_000, 2), 2, 30);
        MarginalCalibration back = MarginalCalibration.fromJson(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.toJson().toString()));
        float[] a = flowSamples(100, 9);
        float[] b = a.clone();
        c.apply(a);
        back.apply(b);
        assertThat(b).containsExactly(a);
        assertThatThrownBy(() -> MarginalCalibration.fit(new float[]{1f}, new float[]{1f, 2f}, 1, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void guidedLookupAgreesExactlyWithAPlainSearchOverTheKnots() {
        MarginalCalibration c = MarginalCalibration.fit(flowSamples(20_000, 1), dataSamples(20_000, 2), 2, 300);
        com.fasterxml.jackson.databind.JsonNode json = c.toJson().get("features");
        Random r = new Random(12);
        float[] x = new float[2 * 50_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 * r.nextGaussian());
        }
        for (int k = 0; k < 300 && 2 * k + 1 < x.length; k++) { // the knots themselves
            x[2 * k] = (float) json.get(0).get("from").get(Math.min(k, json.get(0).get("from").size() - 1)).asDouble();
        }
        float[] y = x.clone();
        c.apply(y);
        for (int i = 0; i < x.length; i++) {
            com.fasterxml.jackson.databind.JsonNode f = json.get(i % 2);
            double[] from = new double[f.get("from").size()];
            double[] to = new double[from.length];
            for (int k = 0; k < from.length; k++) {
                from[k] = f.get("from").get(k).asDouble();
                to[k] = f.get("to").get(k).asDouble();
            }
            double v = x[i];
            double expected;
            if (v <= from[0]) {
                expected = to[0] + (v - from[0]);
            } else if (v >= from[from.length - 1]) {
                expected = to[to.length - 1] + (v - from[from.length - 1]);
            } else {
                int k = Arrays.binarySearch(from, v);
                k = k >= 0 ? k : -k - 2;
                expected = to[k] + (v - from[k]) / (from[k + 1] - from[k]) * (to[k + 1] - to[k]);
            }
            assertThat(y[i]).as("value %s of feature %d", v, i % 2).isEqualTo((float) expected);
        }
    }
}
