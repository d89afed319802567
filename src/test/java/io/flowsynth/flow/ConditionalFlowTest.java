package io.flowsynth.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.flow.transforms.Flows;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A conditional flow leaves its context features to the ActNorms alone, so that sampling can invert it with the
 * context fixed and score p(rest | context) exactly: checked on random (trained-looking) parameters of every layered
 * family, with and without a marginal calibration.
 */
class ConditionalFlowTest {
    private static Map<String, INDArray> params(FlowSpec spec, long seed, double spread) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, INDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : spec.paramShapes().entrySet()) {
            long[] s = e.getValue();
            double[] v = new double[(int) (s[0] * s[1])];
            for (int i = 0; i < v.length; i++) {
                v[i] = rng.nextGaussian() * spread;
            }
            p.put(e.getKey(), Nd4j.createFromArray(v).reshape(s[0], s[1]));
        }
        return p;
    }

    private static Map<String, INDArray> floats(Map<String, INDArray> p) {
        Map<String, INDArray> f = new LinkedHashMap<>();
        p.forEach((k, v) -> f.put(k, v.castTo(DataType.FLOAT)));
        return f;
    }

    private static FlowSpec spec(String type, int features, int context) {
        return new FlowSpec(FlowType.parse(type), features, 4, 16, 2, 8, 3.0, 5).withContextFeatures(context);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"realnvp", "maf", "spline"})
    void contextNoiseDependsOnTheContextAloneAndSamplingKeepsIt(String type) {
        FlowSpec spec = spec(type, 5, 2);
        Map<String, INDArray> p = params(spec, 3, 0.4);
        Flow flow = Flows.build(spec, p);
        double[][] toNoise = spec.contextToNoise(p);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 20, 5).muli(1.5);
        INDArray z = flow.transform().forward(x).output();
        INDArray other = x.dup();
        other.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5))
                .assign(Nd4j.randn(DataType.DOUBLE, 20, 3));
        INDArray zOther = flow.transform().forward(other).output();
        for (int r = 0; r < 20; r++) {
            for (int i = 0; i < 2; i++) {
                double want = toNoise[0][i] * x.getDouble(r, i) + toNoise[1][i];
                assertThat(z.getDouble(r, i)).isCloseTo(want, Offset.offset(1e-9));
                assertThat(zOther.getDouble(r, i)).isCloseTo(want, Offset.offset(1e-9));
            }
        }
        // sampling given the context: the context comes back, and the flow maps the sample to the rest's noise
        // sampling computes in float, as the sampler does
        ConditionalFlow cf = new ConditionalFlow(Flows.build(spec, floats(p)), toNoise);
        SplittableRandom rng = new SplittableRandom(4);
        float[] noise = new float[20 * 5];
        float[] context = new float[20 * 2];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < context.length; i++) {
            context[i] = (float) (rng.nextGaussian() * 2);
        }
        float[] restNoise = noise.clone();
        float[] sample = cf.sampleGiven(noise, context, 20);
        // the same draw in double: z = [scale·c + shift, the rest's noise], x = f⁻¹(z)
        INDArray zFull = Nd4j.create(DataType.DOUBLE, 20, 5);
        for (int r = 0; r < 20; r++) {
            for (int i = 0; i < 5; i++) {
                zFull.putScalar(r, i, i < 2 ? toNoise[0][i] * context[r * 2 + i] + toNoise[1][i] : restNoise[r * 5 + i]);
            }
        }
        INDArray expected = flow.inverse(zFull);
        for (int r = 0; r < 20; r++) {
            for (int i = 0; i < 5; i++) {
                if (i < 2) {
                    assertThat(sample[r * 5 + i]).isEqualTo(context[r * 2 + i]);
                }
                double want = expected.getDouble(r, i);
                assertThat((double) sample[r * 5 + i]).as("row %d feature %d", r, i)
                        .isCloseTo(want, Offset.offset(1e-3 * (1 + Math.abs(want))));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"realnvp", "maf", "spline", "realnvp calibrated", "maf calibrated"})
    void theConditionalDensityIntegratesToOneForEachContext(String variant) {
        String[] parts = variant.split(" ");
        FlowSpec spec = spec(parts[0], 3, 1);
        Map<String, INDArray> p = params(spec, 8, 0.25);
        Flow flow = Flows.build(spec, p);
        if (parts.length > 1) {
            // a calibration that moves every marginal: the data look like the flow's samples stretched and shifted
            float[] own = Flows.build(spec, floats(p)).sample(4000, 1.0, new SplittableRandom(2), false);
            float[] data = own.clone();
            for (int i = 0; i < data.length; i++) {
                data[i] = data[i] * 1.3f + 0.2f + (i % 3 == 1 ? 0.1f * data[i] * data[i] : 0f);
            }
            flow = flow.withCalibration(MarginalCalibration.fit(own, data, 3, 40));
        }
        ConditionalFlow cf = new ConditionalFlow(flow, spec.contextToNoise(p));
        // midpoint rule; the spline's density has kinks at its knots, so it needs the finer grid
        double h = parts[0].equals("spline") ? 0.05 : 0.1;
        int n = (int) Math.round(14 / h); // [-7, 7)²
        for (double c : new double[]{-1.5, 2.0}) {
            INDArray grid = Nd4j.create(DataType.DOUBLE, (long) n * n, 3);
            int row = 0;
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    grid.putScalar(row, 0, c);
                    grid.putScalar(row, 1, -7 + (a + 0.5) * h);
                    grid.putScalar(row, 2, -7 + (b + 0.5) * h);
                    row++;
                }
            }
            double mass = Nd4j.math().exp(cf.logProbRest(grid)).sumNumber().doubleValue() * h * h;
            assertThat(mass).as("∫ p(rest | c = %s)", c).isCloseTo(1.0, Offset.offset(0.01));
        }
    }

    /**
     * A categorical context feature is fed at one value per level: every value of a level's interval samples and
     * scores alike, plain sampling draws the levels with their frequencies, log p(c) is ln f, and p(rest | c) still
     * integrates to one.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"realnvp", "maf"})
    void aDiscreteContextFeedsOneValuePerLevelAndDrawsLevelsWithTheirFrequencies(String type) {
        FlowSpec spec = spec(type, 3, 1);
        Map<String, INDArray> p = params(spec, 11, 0.3);
        double[] bounds = {0, 0.6, 0.9, 1.0};
        DiscreteContext discrete = new DiscreteContext(new double[][]{bounds});
        ConditionalFlow cf = new ConditionalFlow(Flows.build(spec, floats(p)), spec.contextToNoise(p), discrete);
        // two values inside level 1's interval (Φ⁻¹(0.62) and Φ⁻¹(0.88)) sample the same rows from the same noise
        float[] noise = new float[4 * 3];
        SplittableRandom rng = new SplittableRandom(6);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) rng.nextGaussian();
        }
        float[] low = cf.sampleGiven(noise.clone(), new float[]{0.3055f, 0.3055f, 0.3055f, 0.3055f}, 4);
        float[] high = cf.sampleGiven(noise.clone(), new float[]{1.175f, 1.175f, 1.175f, 1.175f}, 4);
        for (int r = 0; r < 4; r++) {
            for (int i = 1; i < 3; i++) {
                assertThat(high[r * 3 + i]).as("row %d feature %d", r, i).isEqualTo(low[r * 3 + i]);
            }
        }
        // plain sampling: levels with their frequencies 0.6, 0.3, 0.1
        int n = 20_000;
        float[] z = new float[n * 3];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rng.nextGaussian();
        }
        float[] x = cf.sampleFrom(z, n);
        int[] counts = new int[3];
        for (int r = 0; r < n; r++) {
            double u = io.flowsynth.math.StandardNormal.cdf(x[r * 3]);
            counts[u < 0.6 ? 0 : u < 0.9 ? 1 : 2]++;
        }
        assertThat(counts[0] / (double) n).isCloseTo(0.6, Offset.offset(0.015));
        assertThat(counts[1] / (double) n).isCloseTo(0.3, Offset.offset(0.015));
        assertThat(counts[2] / (double) n).isCloseTo(0.1, Offset.offset(0.01));
        assertThat(cf.logProbContext(new double[]{1.175, 0, 0})).isCloseTo(Math.log(0.3), Offset.offset(1e-9));
        // ∫ p(rest | c) = 1 for a value inside level 2's interval
        double h = 0.1;
        int m = 140;
        INDArray grid = Nd4j.create(DataType.FLOAT, (long) m * m, 3);
        int row = 0;
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                grid.putScalar(row, 0, 1.5);
                grid.putScalar(row, 1, -7 + (a + 0.5) * h);
                grid.putScalar(row, 2, -7 + (b + 0.5) * h);
                row++;
            }
        }
        double mass = Nd4j.math().exp(cf.logProbRest(grid).castTo(DataType.DOUBLE)).sumNumber().doubleValue() * h * h;
        assertThat(mass).isCloseTo(1.0, Offset.offset(0.01));
    }

    @Test
    void aJointDrawsItsFeaturesTogetherInItsProportions() {
        // two discrete features of 2 and 3 categories; the joint holds three of the six combinations
        DiscreteContext d = new DiscreteContext(new double[][]{{0, 0.5, 1}, {0, 0.2, 0.6, 1}})
                .withJoint(new int[]{0, 1}, new int[][]{{0, 2}, {1, 0}, {1, 1}}, new long[]{50, 30, 20});
        SplittableRandom rng = new SplittableRandom(9);
        java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
        int n = 20_000;
        double[] c = new double[2];
        for (int i = 0; i < n; i++) {
            d.draw(new double[]{rng.nextGaussian(), rng.nextGaussian()}, c);
            seen.merge(d.category(0, c[0]) + "," + d.category(1, c[1]), 1, Integer::sum);
        }
        assertThat(seen.keySet()).containsExactly("0,2", "1,0", "1,1");
        assertThat(seen.get("0,2") / (double) n).isCloseTo(0.5, Offset.offset(0.015));
        assertThat(seen.get("1,1") / (double) n).isCloseTo(0.2, Offset.offset(0.015));
        assertThat(d.logProbDiscrete(new double[]{d.snap(0, 1.0), d.snap(1, -2.0)})).as("combination (1, 0)")
                .isCloseTo(Math.log(0.3), Offset.offset(1e-12));
        // a combination left out of the joint scores as its frequencies' product
        assertThat(d.logProbDiscrete(new double[]{-1.0, -2.0})).isCloseTo(Math.log(0.5 * 0.2), Offset.offset(1e-12));
    }

    @Test
    void aChildIsDrawnGivenItsParentsCategoryFromItsPairsAndScoredByThem() {
        // a joint of features 0 (2 categories) and 1 (3); feature 2 (3 categories: 0.5, 0.3, 0.2) a child of 0:
        // under category 0 pairs (0, 0) 60 and (0, 2) 20, under category 1 no pair (its own frequencies)
        DiscreteContext d = new DiscreteContext(new double[][]{{0, 0.5, 1}, {0, 0.2, 0.6, 1}, {0, 0.5, 0.8, 1}})
                .withJoint(new int[]{0, 1}, new int[][]{{0, 2}, {1, 0}, {1, 1}}, new long[]{50, 30, 20})
                .withChild(2, 0, new int[][]{{0, 0}, {0, 2}}, new long[]{60, 20});
        assertThat(d.drawnBy()).as("the joint's first feature still picks the levels").isEqualTo(0);
        SplittableRandom rng = new SplittableRandom(5);
        java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
        int n = 40_000;
        double[] c = new double[3];
        for (int i = 0; i < n; i++) {
            d.draw(new double[]{rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()}, c);
            seen.merge(d.category(0, c[0]) + "," + d.category(2, c[2]), 1, Integer::sum);
        }
        assertThat(seen.keySet()).as("under parent 0 only its stored pairs").containsExactly("0,0", "0,2", "1,0",
                "1,1", "1,2");
        assertThat(seen.get("0,0") / (double) n).isCloseTo(0.5 * 0.75, Offset.offset(0.01));
        assertThat(seen.get("1,1") / (double) n).isCloseTo(0.5 * 0.3, Offset.offset(0.01));
        double[] row = {d.snap(0, -1.0), d.snap(1, 1.0), d.snap(2, 1.5)}; // categories 0, 2, 2
        assertThat(d.logProbDiscrete(row)).isCloseTo(Math.log(0.5) + Math.log(0.25), Offset.offset(1e-12));
        row[2] = d.snap(2, 0.0); // pair (0, 1) not stored: the child's own frequency
        assertThat(d.logProbDiscrete(row)).isCloseTo(Math.log(0.5) + Math.log(0.3), Offset.offset(1e-12));
        assertThatThrownBy(() -> new DiscreteContext(new double[][]{{0, 0.5, 1}, {0, 0.5, 1}})
                .withChild(1, 0, new int[][]{{0, 0}}, new long[]{5})).as("a parent drawn before it")
                .hasMessageContaining("parent");
        assertThatThrownBy(() -> d.withChild(1, 0, new int[][]{{0, 0}}, new long[]{5})).as("a joint feature")
                .hasMessageContaining("joint");
    }

    @Test
    void levelIndicatorsFollowTheirDiscreteFeatureWhereverItIsSetAndCarryNoProbability() {
        // feature 0: 3 categories with 3 indicators (features 1-3), feature 4 continuous
        double[] bounds = {0, 0.5, 0.9, 1};
        DiscreteContext d = new DiscreteContext(new double[][]{bounds, null, null, null, null}, new int[]{3, 0, 0, 0, 0});
        double[] row = {1.5, 7, 7, 7, 0.3};
        d.snapRow(row); // Φ(1.5) = 0.93: the third category
        assertThat(row).containsExactly(d.snap(0, 1.5), 0, 0, 1, 0.3);
        float[] rows = {-1f, 0f, 0f, 0f, 2f, 0.5f, 0f, 0f, 0f, 2f};
        d.snapRows(rows, 2, 5);
        assertThat(new float[]{rows[1], rows[2], rows[3], rows[6], rows[7], rows[8]})
                .containsExactly(1f, 0f, 0f, 0f, 1f, 0f);
        double[] c = new double[5];
        d.draw(new double[]{0.0, 0, 0, 0, 0}, c); // Φ(0) = 0.5: the second category
        assertThat(new double[]{c[1], c[2], c[3]}).containsExactly(0, 1, 0);
        assertThat(d.discrete(2)).isTrue();
        assertThat(d.discrete(4)).isFalse();
        assertThat(d.logProbDiscrete(row)).isCloseTo(Math.log(0.1), Offset.offset(1e-12));
        assertThatThrownBy(() -> new DiscreteContext(new double[][]{bounds, null, null}, new int[]{3, 0, 0}))
                .hasMessageContaining("indicators");
        assertThatThrownBy(() -> new DiscreteContext(new double[][]{bounds, null, null, null}, new int[]{2, 0, 0, 0}))
                .hasMessageContaining("indicators");
    }

    @Test
    void aConditionalSpecKeepsItsContextInPlaceAndInItsJson() {
        FlowSpec spec = spec("realnvp", 6, 2);
        for (int k = 0; k < 4; k++) {
            int[] perm = spec.permutation(k);
            assertThat(perm[0]).isZero();
            assertThat(perm[1]).isEqualTo(1);
        }
        assertThat(spec.conditioningFeatures()).isEqualTo(4);
        assertThat(spec.transformed(1)).isFalse();
        assertThat(spec("maf", 6, 2).transformed(2)).isTrue();
        assertThat(FlowSpec.fromJson(spec.toJson())).isEqualTo(spec);
        assertThat(spec.withContextFeatures(0).toJson().has("context_features")).isFalse();
        // an unconditional spec keeps the permutations of models saved before the field existed
        FlowSpec plain = spec.withContextFeatures(0);
        assertThat(plain.permutation(1)).hasSize(6);
        assertThatThrownBy(() -> new FlowSpec(FlowType.LINEAR, 4, 1, 8, 1, 1).withContextFeatures(1))
                .hasMessageContaining("layered flow type");
        assertThatThrownBy(() -> spec.withContextFeatures(6)).hasMessageContaining("context features < features");
    }
}
