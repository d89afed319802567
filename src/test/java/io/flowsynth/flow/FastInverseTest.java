package io.flowsynth.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.transforms.Flows;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The compiled RealNVP inverse ({@link io.flowsynth.flow.transforms.AffineCouplingSampler}) computes the same
 * x = f⁻¹(z) as composing the parts' inverses, for both conditioner forms, odd and even widths, trained-looking
 * (non-zero) ActNorms and heads, and batch sizes that change between calls.
 */
class FastInverseTest {
    private static Map<String, INDArray> params(FlowSpec spec, long seed) {
        return params(spec, seed, 0.4);
    }

    /** Every parameter of {@code spec} drawn from N(0, scale²) (trained-looking, non-zero). */
    static Map<String, INDArray> params(FlowSpec spec, long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, INDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : spec.paramShapes().entrySet()) {
            long[] s = e.getValue();
            float[] v = new float[(int) (s[0] * s[1])];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rng.nextGaussian() * scale);
            }
            p.put(e.getKey(), Nd4j.createFromArray(v).reshape(s[0], s[1]));
        }
        return p;
    }

    @ParameterizedTest(name = "{0}/{1}, D={2}, hidden layers {3}, copula layer {4}")
    @CsvSource({"relu, sigmoid, 7, 2, false", "tanh, clamp, 6, 2, false", "relu, sigmoid, 1, 1, false",
            "tanh, sigmoid, 5, 3, false", "relu, sigmoid, 7, 2, true", "tanh, clamp, 1, 1, true"})
    void compiledInverseMatchesTheComposedInverse(String activation, String scale, int d, int hiddenLayers,
                                                  boolean copula) {
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, d, 4, 16, hiddenLayers, 11).withConditioner(activation, scale)
                .withCopulaLayer(copula);
        Flow flow = Flows.build(spec, params(spec, 5));
        assertThat(flow.fastInverse()).isNotNull();
        FastInverse.Evaluator fast = flow.fastInverse().newEvaluator();
        SplittableRandom rng = new SplittableRandom(9);
        for (int rows : new int[]{33, 33, 1, 200}) {
            float[] z = new float[rows * d];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (rng.nextGaussian() * 1.5);
            }
            INDArray expected = flow.inverse(Nd4j.createFromArray(z).reshape(rows, d).castTo(DataType.FLOAT));
            fast.inverseInPlace(z, rows);
            float[] want = expected.reshape(-1).toFloatVector();
            double worst = 0;
            for (int i = 0; i < z.length; i++) {
                assertThat(Float.isFinite(z[i])).isTrue();
                worst = Math.max(worst, Math.abs(z[i] - want[i]) / (1 + Math.abs(want[i])));
            }
            // float rounding through 4 layers (and the copula layer's triangular inverses, which amplify it)
            assertThat(worst).as("rows %d", rows).isLessThan(copula ? 1e-3 : 1e-4);
        }
    }

    @org.junit.jupiter.api.Test
    void sampleIsReproducibleFromTheSeedAndOnlyRealnvpIsCompiled() {
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, 4, 2, 8, 2, 3);
        Flow flow = Flows.build(spec, params(spec, 1));
        float[] a = flow.sample(50, 0.8, new SplittableRandom(4), false);
        float[] b = flow.sample(50, 0.8, new SplittableRandom(4), false);
        assertThat(a).containsExactly(b);
        FlowSpec maf = new FlowSpec(FlowType.MAF, 4, 2, 8, 2, 3);
        assertThat(Flows.build(maf, params(maf, 1)).fastInverse()).isNull();
    }
}
