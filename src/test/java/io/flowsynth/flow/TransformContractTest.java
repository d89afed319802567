package io.flowsynth.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.conditioner.Mlp;
import io.flowsynth.flow.transforms.AffineBijection;
import io.flowsynth.flow.transforms.AffineCouplingTransform;
import io.flowsynth.flow.transforms.PermutationTransform;
import io.flowsynth.flow.transforms.ActNormTransform;
import io.flowsynth.flow.transforms.Flows;
import io.flowsynth.flow.transforms.LuLinearTransform;
import io.flowsynth.flow.transforms.RationalQuadraticSplineCouplingTransform;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The contract every transform and every built flow passes, in float64: finite output of the right shape,
 * inverse(forward(x)) ≈ x, log-dets that cancel, log|det J| equal to a central-difference Jacobian's (both
 * directions), and the promised triangular structure.
 */
class TransformContractTest {
    private static final int D = 5;
    private static final int BATCH = 7;

    /** The Jacobian structure a family promises. */
    enum Structure { NONE, BLOCK_TRIANGULAR, LOWER_TRIANGULAR }

    static Stream<Arguments> transforms() {
        return Stream.of(
                Arguments.of("permutation", (Supplier<Transform>) () -> new PermutationTransform(new int[]{3, 0, 4, 1, 2}), Structure.NONE),
                Arguments.of("random permutation", (Supplier<Transform>) () -> PermutationTransform.random(D, 3), Structure.NONE),
                Arguments.of("reverse permutation", (Supplier<Transform>) () -> PermutationTransform.reverse(D), Structure.NONE),
                Arguments.of("actnorm", (Supplier<Transform>) TransformContractTest::actNorm, Structure.NONE),
                Arguments.of("lu linear", (Supplier<Transform>) TransformContractTest::luLinear, Structure.NONE),
                Arguments.of("affine coupling", (Supplier<Transform>) () -> coupling("relu", "sigmoid"), Structure.BLOCK_TRIANGULAR),
                Arguments.of("affine coupling (tanh, clamp)", (Supplier<Transform>) () -> coupling("tanh", "clamp"), Structure.BLOCK_TRIANGULAR),
                Arguments.of("rq spline coupling", (Supplier<Transform>) TransformContractTest::splineCoupling, Structure.BLOCK_TRIANGULAR),
                Arguments.of("maf layer", (Supplier<Transform>) TransformContractTest::mafLayer, Structure.LOWER_TRIANGULAR),
                Arguments.of("realnvp flow", (Supplier<Transform>) () -> flow("realnvp"), Structure.NONE),
                Arguments.of("legacy realnvp flow (tanh, clamp)", (Supplier<Transform>) TransformContractTest::legacyFlow, Structure.NONE),
                Arguments.of("maf flow", (Supplier<Transform>) () -> flow("maf"), Structure.NONE),
                Arguments.of("spline flow", (Supplier<Transform>) () -> flow("spline"), Structure.NONE),
                Arguments.of("linear flow", (Supplier<Transform>) () -> flow("linear"), Structure.NONE));
    }

    static Map<String, INDArray> randomParams(FlowSpec spec, long seed, double scale) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : spec.paramShapes().entrySet()) {
            params.put(e.getKey(), Nd4j.randn(DataType.DOUBLE, e.getValue()).muli(scale));
        }
        return params;
    }

    static Transform actNorm() {
        Nd4j.getRandom().setSeed(21);
        return new ActNormTransform(Nd4j.randn(DataType.DOUBLE, 1, D).muli(0.5), Nd4j.randn(DataType.DOUBLE, 1, D));
    }

    static Transform luLinear() {
        Nd4j.getRandom().setSeed(22);
        return new LuLinearTransform(Nd4j.randn(DataType.DOUBLE, D, D).muli(0.7), Nd4j.randn(DataType.DOUBLE, D, D).muli(0.7),
                Nd4j.randn(DataType.DOUBLE, 1, D).muli(0.5), new int[]{2, 4, 0, 1, 3});
    }

    static Transform coupling(String activation, String scale) {
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, D, 1, 8, 2, 3);
        Map<String, INDArray> p = randomParams(spec, 11, 0.7);
        Mlp mlp = new Mlp(activation, List.of(p.get("c0w0"), p.get("c0w1")), List.of(p.get("c0b0"), p.get("c0b1")),
                p.get("c0ws"), p.get("c0bs"), p.get("c0wt"), p.get("c0bt"));
        return new AffineCouplingTransform(Nd4j.createFromArray(spec.conditioningMask()), mlp, AffineBijection.of(scale));
    }

    static Transform legacyFlow() {
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, D, 3, 8, 2, 5, 2.0, 5).withConditioner("tanh", "clamp");
        return Flows.build(spec, randomParams(spec, 12, 0.5)).transform();
    }

    static Transform splineCoupling() {
        FlowSpec spec = new FlowSpec(FlowType.SPLINE, D, 1, 8, 2, 6, 2.5, 3);
        Map<String, INDArray> p = randomParams(spec, 13, 0.7);
        Mlp mlp = new Mlp("relu", List.of(p.get("c0w0"), p.get("c0w1")), List.of(p.get("c0b0"), p.get("c0b1")),
                List.of(p.get("c0ww"), p.get("c0wh"), p.get("c0wd")), List.of(p.get("c0bw"), p.get("c0bh"), p.get("c0bd")));
        return new RationalQuadraticSplineCouplingTransform(Nd4j.createFromArray(spec.conditioningMask()), mlp, 6, 2.5);
    }

    static Transform mafLayer() {
        // one MAF layer is the first part of a one-layer maf flow
        FlowSpec spec = new FlowSpec(FlowType.MAF, D, 1, 12, 2, 3);
        return ((CompositeTransform) Flows.build(spec, randomParams(spec, 14, 0.6)).transform()).parts().get(0);
    }

    static Transform flow(String type) {
        FlowSpec spec = new FlowSpec(FlowType.parse(type), D, 3, 8, 2, 5, 2.0, 5);
        // random relu heads at scale 0.5 give bins so extreme that the spline's quadratic-root inverse loses 1e-8 in
        // double (tanh saturates and hides it); 0.3 keeps the spline flow well inside its conditioning
        return Flows.build(spec, randomParams(spec, 12, "spline".equals(type) ? 0.3 : 0.5)).transform();
    }

    private static INDArray input() {
        Nd4j.getRandom().setSeed(99);
        return Nd4j.randn(DataType.DOUBLE, BATCH, D).muli(1.5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transforms")
    void inverseUndoesForwardAndLogDetsCancel(String name, Supplier<Transform> factory, Structure structure) {
        Transform t = factory.get();
        INDArray x = input();
        TransformResult fwd = t.forward(x);
        assertThat(fwd.output().shape()).containsExactly(BATCH, D);
        assertThat(fwd.logAbsDet().length()).isEqualTo(BATCH);
        assertThat(fwd.output().isInfinite().any() || fwd.output().isNaN().any()).isFalse();
        TransformResult inv = t.inverse(fwd.output());
        assertThat(maxAbs(inv.output().sub(x))).isLessThan(1e-6);
        assertThat(maxAbs(inv.logAbsDet().add(fwd.logAbsDet()))).isLessThan(1e-9);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transforms")
    void logAbsDetMatchesNumericalJacobianInBothDirections(String name, Supplier<Transform> factory, Structure structure) {
        Transform t = factory.get();
        INDArray x = input();
        for (boolean forward : new boolean[]{true, false}) {
            for (int row = 0; row < BATCH; row++) {
                INDArray xr = x.getRow(row, true).dup();
                double[][] jac = jacobian(t, xr, forward);
                double numeric = Math.log(Math.abs(determinant(jac)));
                TransformResult r = forward ? t.forward(xr) : t.inverse(xr);
                assertThat(r.logAbsDet().getDouble(0)).as("row %d forward=%s", row, forward)
                        .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transforms")
    void jacobianHasThePromisedTriangularStructure(String name, Supplier<Transform> factory, Structure structure) {
        Transform t = factory.get();
        double[][] jac = jacobian(t, input().getRow(0, true).dup(), true);
        int c = D / 2;
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                boolean mustBeZero = switch (structure) {
                    // conditioning outputs are the identity; a transformed output sees no other transformed input
                    case BLOCK_TRIANGULAR -> (i < c && j != i) || (i >= c && j >= c && j != i);
                    // output i sees inputs 0 … i only
                    case LOWER_TRIANGULAR -> j > i;
                    case NONE -> false;
                };
                if (mustBeZero) {
                    assertThat(jac[i][j]).as("d y%d / d x%d", i, j).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-8));
                }
                if (structure == Structure.BLOCK_TRIANGULAR && i < c && i == j) {
                    assertThat(jac[i][j]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-8));
                }
            }
        }
        if (structure == Structure.LOWER_TRIANGULAR) {
            // and genuinely autoregressive: the last output depends on the first input
            assertThat(Math.abs(jac[D - 1][0])).isGreaterThan(1e-6);
        }
    }

    @org.junit.jupiter.api.Test
    void dataInitialisedActNormStandardisesItsBatch() {
        Nd4j.getRandom().setSeed(31);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 500, D).muliRowVector(Nd4j.createFromArray(1.0, 3.0, 0.2, 5.0, 1.5))
                .addiRowVector(Nd4j.createFromArray(-2.0, 0.0, 4.0, 1.0, 10.0));
        INDArray y = ActNormTransform.initialisedFrom(x).forward(x).output();
        assertThat(maxAbs(y.mean(0))).isLessThan(1e-9);
        assertThat(maxAbs(y.std(false, 0).subi(1.0))).isLessThan(1e-9);
    }

    static double[][] jacobian(Transform t, INDArray x, boolean forward) {
        double h = 1e-5;
        double[][] jac = new double[D][D];
        for (int j = 0; j < D; j++) {
            INDArray plus = x.dup();
            INDArray minus = x.dup();
            plus.putScalar(0, j, x.getDouble(0, j) + h);
            minus.putScalar(0, j, x.getDouble(0, j) - h);
            INDArray yp = forward ? t.forward(plus).output() : t.inverse(plus).output();
            INDArray ym = forward ? t.forward(minus).output() : t.inverse(minus).output();
            for (int i = 0; i < D; i++) {
                jac[i][j] = (yp.getDouble(0, i) - ym.getDouble(0, i)) / (2 * h);
            }
        }
        return jac;
    }

    static double determinant(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double det = 1;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            if (p != c) {
                double[] tmp = m[p];
                m[p] = m[c];
                m[c] = tmp;
                det = -det;
            }
            det *= m[c][c];
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k < n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        return det;
    }

    static double maxAbs(INDArray a) {
        return a.amaxNumber().doubleValue();
    }
}
