package io.flowsynth.flow.transforms;

import io.flowsynth.flow.FastInverse;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The inverse of a RealNVP flow ({@link Flows#build} of a {@code realnvp} spec) compiled for sampling: the same map
 * x = f⁻¹(z), computed as a few matrix products and elementwise ops per layer on buffers allocated once.
 *
 * <p>What is folded away ahead of time, exactly (up to float rounding):
 * <ul>
 *   <li>the permutations: the state keeps one column order and every layer's weights are permuted to it instead, so
 *       no column is ever moved until the final copy out;</li>
 *   <li>the ActNorms: each is a per-feature affine map, carried as a pending per-column (multiplier, offset) that the
 *       next coupling folds into its first weight matrix (conditioning features) and into its shift head
 *       (transformed features); the last one is applied while copying out;</li>
 *   <li>the coupling masks: the first weight matrix has zero rows for the transformed features, and both heads have
 *       zero columns for the conditioning features, which makes the update the identity there (t = 0, scale 1);</li>
 *   <li>the two heads: one product with a {@code [H, 2D]} matrix, whose output is column-major so that its
 *       scale and shift halves are contiguous;</li>
 *   <li>the signs and constants of the scale form (the sigmoid form's inverse scale is
 *       1/σ = 1/(a + (2 − 2a)/(1 + e⁻ᵛ)): one exponential and four scalar passes).</li>
 * </ul>
 * The log-determinant is never computed. {@code FastInverseTest} checks the result against the composed inverse.
 */
public final class AffineCouplingSampler implements FastInverse {
    private final int d;
    private final boolean relu;
    private final boolean sigmoid;
    private final List<Layer> layers = new ArrayList<>();
    /** Storage column of logical output feature i. */
    private final int[] outColumn;
    private final float[] outScale;
    private final float[] outShift;

    /** One coupling layer, in the order the inverse runs them (last flow layer first). */
    private record Layer(INDArray firstWeight, INDArray firstBias, List<INDArray> weights, List<INDArray> biases,
                         INDArray headWeight, INDArray headBias) {
    }

    /** @param params the flow's parameters by name ({@link FlowSpec#paramShapes()}), any floating type */
    public AffineCouplingSampler(FlowSpec spec, Map<String, INDArray> params) {
        if (spec.type() != FlowType.REALNVP) {
            throw new IllegalArgumentException("The compiled sampler inverts realnvp flows, not " + spec.type());
        }
        this.d = spec.features();
        this.relu = "relu".equals(spec.activation());
        this.sigmoid = "sigmoid".equals(spec.affineScale());
        int h = spec.hiddenFeatures();
        int cond = spec.conditioningFeatures();
        int[] column = new int[d];
        double[] mul = new double[d];
        double[] add = new double[d];
        for (int i = 0; i < d; i++) {
            column[i] = i;
            mul[i] = 1;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int k = spec.numLayers() - 1; k >= 0; k--) {
                // permutation k: forward y_j = x_perm[j], so logical input perm[j] lives where output j lived
                int[] perm = spec.permutation(k);
                int[] next = new int[d];
                for (int j = 0; j < d; j++) {
                    next[perm[j]] = column[j];
                }
                column = next;
                // ActNorm k inverse: x_i = (y_i − b_i)·exp(−s_i), pending on column[i]
                double[] s = values(params.get(FlowSpec.actNormLogScale(k)));
                double[] b = values(params.get(FlowSpec.actNormShift(k)));
                for (int i = 0; i < d; i++) {
                    int c = column[i];
                    double e = Math.exp(-s[i]);
                    add[c] = (add[c] - b[i]) * e;
                    mul[c] *= e;
                }
                layers.add(layer(spec, params, k, column, mul, add, h, cond));
                // a transformed column now holds its true value up to its pending multiplier
                for (int i = cond; i < d; i++) {
                    add[column[i]] = 0;
                }
            }
        }
        this.outColumn = column;
        this.outScale = new float[d];
        this.outShift = new float[d];
        for (int i = 0; i < d; i++) {
            outScale[i] = (float) mul[column[i]];
            outShift[i] = (float) add[column[i]];
        }
    }

    private Layer layer(FlowSpec spec, Map<String, INDArray> p, int k, int[] column, double[] mul, double[] add,
                        int h, int cond) {
        double[][] w0 = matrix(p.get(FlowSpec.hiddenWeight(k, 0)));
        double[] b0 = values(p.get(FlowSpec.hiddenBias(k, 0)));
        double[][] first = new double[d][h];
        double[] firstBias = b0.clone();
        for (int i = 0; i < cond; i++) {
            int c = column[i];
            for (int o = 0; o < h; o++) {
                first[c][o] = mul[c] * w0[i][o];
                firstBias[o] += add[c] * w0[i][o];
            }
        }
        List<INDArray> weights = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        for (int j = 1; j < spec.hiddenLayers(); j++) {
            weights.add(floats(matrix(p.get(FlowSpec.hiddenWeight(k, j))), 'c'));
            biases.add(floats(new double[][]{values(p.get(FlowSpec.hiddenBias(k, j)))}, 'c'));
        }
        double[][] ws = matrix(p.get(FlowSpec.scaleWeight(k)));
        double[] bs = values(p.get(FlowSpec.scaleBias(k)));
        double[][] wt = matrix(p.get(FlowSpec.shiftWeight(k)));
        double[] bt = values(p.get(FlowSpec.shiftBias(k)));
        // columns [0, D): the value the scale pass starts from, per storage column; [D, 2D): the shift t' with
        // (y − t)·r = m·(S − t')·r for y = m·S + a, i.e. t' = (t − a)/m
        double vScale = sigmoid ? -1 : 1 / AffineBijection.SCALE_CLAMP;
        double[][] head = new double[h][2 * d];
        double[] headBias = new double[2 * d];
        for (int i = cond; i < d; i++) {
            int c = column[i];
            for (int o = 0; o < h; o++) {
                head[o][c] = vScale * ws[o][i];
                head[o][d + c] = wt[o][i] / mul[c];
            }
            headBias[c] = vScale * bs[i];
            headBias[d + c] = (bt[i] - add[c]) / mul[c];
        }
        return new Layer(floats(first, 'f'), floats(new double[][]{firstBias}, 'c'), weights, biases,
                floats(head, 'c'), floats(new double[][]{headBias}, 'c'));
    }

    @Override
    public FastInverse.Evaluator newEvaluator() {
        return new Evaluator();
    }

    /** Scratch buffers for one batch size; reallocated when the batch size changes. */
    private final class Evaluator implements FastInverse.Evaluator {
        private int rows = -1;
        private INDArray state;   // [rows, D], column-major
        private INDArray[] hidden; // [rows, H] each
        private INDArray theta;   // [rows, 2D], column-major
        private INDArray scale;   // view: columns [0, D) of theta
        private INDArray shift;   // view: columns [D, 2D) of theta
        private float[] transposed;

        private void allocate(int n) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                Layer l0 = layers.get(0);
                state = Nd4j.create(DataType.FLOAT, new long[]{n, d}, 'f');
                hidden = new INDArray[l0.weights().size() + 1];
                for (int j = 0; j < hidden.length; j++) {
                    hidden[j] = Nd4j.create(DataType.FLOAT, new long[]{n, l0.firstWeight().size(1)}, 'c');
                }
                theta = Nd4j.create(DataType.FLOAT, new long[]{n, 2L * d}, 'f');
                scale = theta.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d));
                shift = theta.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d));
                transposed = new float[n * d];
                rows = n;
            }
        }

        @Override
        public void inverseInPlace(float[] z, int n) {
            if (n != rows) {
                allocate(n);
            }
            float[] t = transposed;
            for (int r = 0; r < n; r++) {
                int base = r * d;
                for (int j = 0; j < d; j++) {
                    t[j * n + r] = z[base + j];
                }
            }
            FloatBuffer in = state.data().asNioFloat();
            in.clear();
            in.put(t, 0, n * d);
            for (Layer l : layers) {
                INDArray h = activate(Nd4j.gemm(state, l.firstWeight(), hidden[0], false, false, 1.0, 0.0)
                        .addiRowVector(l.firstBias()));
                for (int j = 0; j < l.weights().size(); j++) {
                    h = activate(Nd4j.gemm(h, l.weights().get(j), hidden[j + 1], false, false, 1.0, 0.0)
                            .addiRowVector(l.biases().get(j)));
                }
                Nd4j.gemm(h, l.headWeight(), theta, false, false, 1.0, 0.0).addiRowVector(l.headBias());
                if (sigmoid) {
                    // scale holds −v: 1/σ = 1/(a + (2 − 2a)/(1 + e^(−v)))
                    double a = AffineBijection.SIGMOID_SCALE_FLOOR;
                    Transforms.exp(scale, false).addi(1.0).rdivi(2 - 2 * a).addi(a).rdivi(1.0);
                } else {
                    // scale holds v/c: 1/σ = exp(−c·tanh(v/c))
                    Transforms.exp(Transforms.tanh(scale, false).muli(-AffineBijection.SCALE_CLAMP), false);
                }
                state.subi(shift).muli(scale);
            }
            FloatBuffer out = state.data().asNioFloat();
            out.clear();
            out.get(t, 0, n * d);
            for (int i = 0; i < d; i++) {
                int from = outColumn[i] * n;
                float m = outScale[i];
                float a = outShift[i];
                for (int r = 0; r < n; r++) {
                    z[r * d + i] = t[from + r] * m + a;
                }
            }
        }

        private INDArray activate(INDArray pre) {
            return relu ? Transforms.max(pre, 0, false) : Transforms.tanh(pre, false);
        }
    }

    private static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
    }

    private static double[][] matrix(INDArray a) {
        return a.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    private static INDArray floats(double[][] v, char order) {
        return Nd4j.createFromArray(v).castTo(DataType.FLOAT).dup(order);
    }
}
