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

    @Test
    void aDiscreteFeaturesKnotsSitOnlyOnItsBoundariesAndSetEachCellsMass() {
        // feature 0: three outcomes of shares 0.5, 0.3, 0.2 dequantized over their intervals (z = Φ⁻¹(u)); feature 1
        // continuous. The "flow" has the wrong location and scale on both.
        double b1 = io.flowsynth.math.StandardNormal.inverseCdf(0.5);
        double b2 = io.flowsynth.math.StandardNormal.inverseCdf(0.8);
        java.util.function.DoubleUnaryOperator nearest = z -> Math.abs(z - b1) <= Math.abs(z - b2) ? b1 : b2;
        int rows = 20_000;
        Random r = new Random(11);
        float[] data = new float[rows * 2];
        float[] flow = new float[rows * 2];
        for (int i = 0; i < rows; i++) {
            data[2 * i] = (float) io.flowsynth.math.StandardNormal.inverseCdf(r.nextDouble());
            data[2 * i + 1] = (float) Math.exp(r.nextGaussian());
            flow[2 * i] = (float) (0.3 + 1.2 * r.nextGaussian());
            flow[2 * i + 1] = (float) r.nextGaussian();
        }
        MarginalCalibration c = MarginalCalibration.fit(flow, data, 2, 500,
                new java.util.function.DoubleUnaryOperator[]{nearest, null});
        com.fasterxml.jackson.databind.JsonNode features = c.toJson().get("features");
        com.fasterxml.jackson.databind.JsonNode to = features.get(0).get("to");
        // the two boundaries, nothing inside the cells, no outer pair (the outer cells shift with slope 1)
        assertThat(to.size()).isEqualTo(2);
        assertThat(to.get(0).asDouble()).isEqualTo(b1);
        assertThat(to.get(1).asDouble()).isEqualTo(b2);
        assertThat(features.get(1).get("to").size()).isGreaterThan(100); // the continuous feature keeps its quantiles
        // fresh flow samples get the outcomes' shares
        float[] fresh = new float[rows * 2];
        Random f = new Random(12);
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = (float) (i % 2 == 0 ? 0.3 + 1.2 * f.nextGaussian() : f.nextGaussian());
        }
        c.apply(fresh);
        int below1 = 0;
        int below2 = 0;
        for (int i = 0; i < rows; i++) {
            below1 += fresh[2 * i] < b1 ? 1 : 0;
            below2 += fresh[2 * i] < b2 ? 1 : 0;
        }
        assertThat(below1 / (double) rows).isCloseTo(0.5, offset(0.015));
        assertThat(below2 / (double) rows).isCloseTo(0.8, offset(0.015));
        // inside the middle cell the map is affine: equal steps in x give equal steps in y
        double[] y = new double[3];
        double x0 = c.toJson().get("features").get(0).get("from").get(0).asDouble();
        double x1 = c.toJson().get("features").get(0).get("from").get(1).asDouble();
        for (int k = 0; k < 3; k++) {
            double[] row = {x0 + (k + 1) * (x1 - x0) / 4, 0.0};
            c.apply(row, 1);
            y[k] = row[0];
        }
        assertThat(y[2] - y[1]).isCloseTo(y[1] - y[0], offset(1e-9));
    }

    @Test
    void aDiscreteFeaturesFarTailWithoutKeptBoundariesIsPulledWithinTheData() {
        // boundaries every 0.5 up to 1.75; beyond, none (a sparse tail whose cells round onto the bound)
        java.util.function.DoubleUnaryOperator edges = z -> {
            if (z >= 2) {
                return Double.NaN;
            }
            double e = Math.floor(z * 2) / 2 + 0.25;
            return Math.min(1.75, Math.max(-2.25, e));
        };
        int rows = 20_000;
        Random r = new Random(13);
        float[] data = new float[rows];
        float[] flow = new float[rows];
        for (int i = 0; i < rows; i++) {
            data[i] = (float) r.nextGaussian();
            flow[i] = (float) (2.5 * r.nextGaussian()); // a much wider flow
        }
        MarginalCalibration c = MarginalCalibration.fit(flow, data, 1, 200,
                new java.util.function.DoubleUnaryOperator[]{edges});
        com.fasterxml.jackson.databind.JsonNode to = c.toJson().get("features").get(0).get("to");
        double max = Double.NEGATIVE_INFINITY;
        for (float v : data) {
            max = Math.max(max, v);
        }
        // the lowest cell (below −2.25) shifts; the top is pulled onto the data's maximum
        assertThat(to.get(0).asDouble()).isEqualTo(-2.25);
        assertThat(to.get(to.size() - 1).asDouble()).isEqualTo((double) (float) max);
        double[] far = {40.0};
        c.apply(far, 1);
        assertThat(far[0]).isLessThan(max + 40); // slope 1 beyond the flow's own maximum only
        double[] inside = {c.toJson().get("features").get(0).get("from").get(to.size() - 1).asDouble() - 1e-6};
        c.apply(inside, 1);
        assertThat(inside[0]).isLessThanOrEqualTo(max);
    }

    @Test
    void twoOutcomesShiftTheirOneBoundaryWithSlopeOne() {
        double b1 = io.flowsynth.math.StandardNormal.inverseCdf(0.3);
        int rows = 20_000;
        Random r = new Random(17);
        float[] data = new float[rows];
        float[] flow = new float[rows];
        for (int i = 0; i < rows; i++) {
            data[i] = (float) io.flowsynth.math.StandardNormal.inverseCdf(r.nextDouble());
            flow[i] = (float) (0.4 + r.nextGaussian());
        }
        MarginalCalibration c = MarginalCalibration.fit(flow, data, 1, 500,
                new java.util.function.DoubleUnaryOperator[]{z -> b1});
        com.fasterxml.jackson.databind.JsonNode f = c.toJson().get("features").get(0);
        assertThat(f.get("to").size()).isEqualTo(2);
        assertThat(f.get("to").get(0).asDouble()).isEqualTo(b1);
        double[] x = {f.get("from").get(0).asDouble() - 2.0};
        c.apply(x, 1);
        assertThat(x[0]).isCloseTo(b1 - 2.0, offset(1e-9)); // a shift, no stretch
        int below = 0;
        Random g = new Random(18);
        for (int i = 0; i < rows; i++) {
            double[] y = {0.4 + g.nextGaussian()};
            c.apply(y, 1);
            below += y[0] < b1 ? 1 : 0;
        }
        assertThat(below / (double) rows).isCloseTo(0.3, offset(0.015));
    }
}
