package io.flowsynth.flow.nn;

import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.transforms.AffineBijection;
import io.flowsynth.flow.transforms.MadeMasks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The negative log-likelihood of a flow and its gradient, derived by hand: the same function and the same parameter
 * vector as {@link FlowOutputLayer}'s SameDiff graph, computed as a few matrix products per layer (ND4J GEMMs into
 * buffers allocated once per batch size) and one fused element-wise pass per layer and direction (bias + activation;
 * the affine scale, shift, log-det, ActNorm and permutation; and their derivatives), instead of hundreds of graph ops.
 *
 * <p>Families: {@code realnvp} (affine coupling), {@code maf} (MADE affine autoregressive) and {@code spline}
 * (rational-quadratic spline coupling, per element in {@link SplineElement}), with either activation and either
 * affine scale form ({@link #supports}); not {@code linear}. The loss of a batch is
 * Σ_rows [½‖z‖² − log|det J|] (the NLL without the constant (D/2)·ln 2π), and {@link #lossAndGradient} leaves its
 * gradient in {@link #gradient()}, both in DL4J's flat parameter layout ({@link #dl4jOffsets}), so parameters and Adam
 * state move between this and a {@code MultiLayerNetwork} unchanged.
 *
 * <p>Backward pass, per layer in reverse, with g = ∂L/∂(layer output) (∂L/∂z = z at the top):
 * <ul>
 *   <li>permutation: g is un-permuted; ActNorm y₂ = y·eˢ + b: ∂b = Σ_rows g, ∂s = Σ_rows g·(y₂ − b) − n, ∂y = g·eˢ;</li>
 *   <li>affine y = x·σ(v) + t on transformed features: ∂t = ∂y, ∂x = ∂y·σ, and ∂v = (∂y·x − 1/σ)·σ'(v) (the −1/σ from
 *       −log σ in the log-det), with σ' = (2 − 2a)·sg·(1 − sg) for the sigmoid form and, for the clamp form
 *       σ = exp(c·tanh(v/c)), ∂v = (∂y·x·σ − 1)·(1 − tanh²);</li>
 *   <li>heads and hidden layers: the usual products (∂W = hᵀ·δ, ∂h = δ·Wᵀ, δ = ∂h ⊙ φ'), masks applied to the
 *       gradients of masked weights (the coupling's conditioning mask on the first layer, MADE masks for maf).</li>
 * </ul>
 * For DP-SGD, {@link #clippedGradient} gives the sum of per-row gradients each clipped to a norm bound, from per-row
 * norms computed alongside an ordinary backward pass (no backward pass per row), and {@link #addGaussianNoise} its
 * noise. Not thread-safe: one instance per thread.
 */
public final class FlowBackprop {
    private static final double SIGMOID_A = AffineBijection.SIGMOID_SCALE_FLOOR;
    private static final double CLAMP = AffineBijection.SCALE_CLAMP;

    private final FlowSpec spec;
    private final DataType dt;
    private final int d;
    private final int hidden;
    private final int depth;
    private final boolean relu;
    private final boolean sigmoid;
    private final boolean spline;
    private final int bins;
    private final SplineElement element;
    private final double[][] splineBiasGrad;
    private final INDArray params;
    private final INDArray gradient;
    private final Buf p;
    private final Buf g;
    private final Layer[] layers;
    private final Map<Integer, Buffers> buffers = new LinkedHashMap<>();
    private final double[] accA;
    private final double[] accB;
    private final double[] accC;
    private final double[] accD;
    private final double[] accH;
    private final Copula copula;
    /** Set by {@link #clippedGradient}: the copula layer is frozen (DP-SGD), its gradient 0. */
    private boolean copulaFrozen;
    /** DP-SGD (see {@link #clippedGradient}): per-row loss weights of a backward pass; null = all 1. */
    private double[] rowWeight;
    /** DP-SGD: per-row squared gradient norms, accumulated by a backward pass; null = not computed. */
    private double[] rowSq;
    /** DP-SGD: per-row losses, written by a forward pass; null = not computed. */
    private double[] rowLoss;
    /** 0/1 masks of masked weights as {@code [in, out]} arrays (for the per-row norms of masked weights). */
    private final Map<double[], INDArray> maskArrays = new java.util.IdentityHashMap<>();

    /**
     * The copula layer u = (x + b)·L·U·P before the first layer ({@link FlowSpec#copulaLayer()}): W = L·U·P is rebuilt
     * from the parameters before every pass; backward, with G = ∂L/∂u: ∂W = (x + b)ᵀ·G, ∂b = (Σ_rows G)·Wᵀ,
     * ∂M = ∂W with P's column order undone (M = L·U), ∂L = ∂M·Uᵀ (strictly lower part), ∂U = Lᵀ·∂M (strictly upper
     * part), ∂d_i = ∂U_ii·exp(d_i) − n (the −n from −n·Σd in the log-det).
     */
    private static final class Copula {
        int shiftOff;
        int lowerOff;
        int upperOff;
        int diagOff;
        int[] perm;
        INDArray lower;   // L
        INDArray upper;   // U
        INDArray product; // M = L·U
        INDArray weight;  // W = M·P
        INDArray dWeight;
        INDArray dProduct;
        INDArray dLower;
        INDArray dUpper;
        double logDet;
    }

    /** One coupling/autoregressive layer with its ActNorm and permutation. */
    private static final class Layer {
        int[] perm;
        boolean[] transformed;
        INDArray[] w;       // hidden weights as used (masked copies or parameter views)
        double[][] wMask;   // per hidden weight: row-major 0/1 mask, or null
        int[] wOff;
        int[] bOff;
        INDArray[] dw;      // gradient views
        INDArray ws;
        INDArray wt;
        double[] headMask;
        int wsOff;
        int wtOff;
        int bsOff;
        int btOff;
        INDArray dws;
        INDArray dwt;
        int asOff;
        int abOff;
        double[] e = null;
        // spline heads: widths, heights, derivatives
        INDArray[] sw;
        INDArray[] dsw;
        int[] swOff;
        int[] sbOff;
    }

    /** Scratch and forward caches for one batch size. */
    private final class Buffers {
        final int n;
        final INDArray[] x;      // input of layer k (x[0] the rows, x[L] = z), [n, D]
        final Buf[] xb;
        final INDArray[][] h;    // hidden activations [n, H]
        final Buf[][] hb;
        final INDArray[] sigma;  // σ per layer, [n, D]
        final Buf[] sb;
        final INDArray[] aux;    // sigmoid(v) or tanh(v/c) per layer
        final Buf[] ab;
        final INDArray raw;
        final INDArray shift;
        final Buf rawB;
        final Buf shiftB;
        final INDArray[] grad;   // ping-pong ∂L/∂x, [n, D]
        final Buf[] gradB;
        final INDArray[] dh;     // ping-pong ∂L/∂h, [n, H]
        final Buf[] dhB;
        final float[] heapH;     // float only: heap copies of an [n, H] buffer for vectorizable loops
        final float[] heapD;
        final INDArray[][] su;   // spline: raw head values per layer and head, then their gradients
        final Buf[][] sub;
        final INDArray in;       // copula layer: the rows, then (rows + b) in place, [n, D]
        final Buf inB;
        // DP-SGD scratch, allocated on first use: a∘a by column count, (a∘a)·M by column count, weighted ∂L/∂z
        final Map<Long, INDArray> squares = new java.util.HashMap<>();
        final Map<Long, INDArray> maskedSquares = new java.util.HashMap<>();
        INDArray weightedTop;

        Buffers(int n) {
            this.n = n;
            in = copula == null ? null : Nd4j.create(dt, n, d);
            inB = in == null ? null : Buf.of(in);
            int layersCount = layers.length;
            x = new INDArray[layersCount + 1];
            xb = new Buf[layersCount + 1];
            for (int k = 0; k <= layersCount; k++) {
                x[k] = Nd4j.create(dt, n, d);
                xb[k] = Buf.of(x[k]);
            }
            h = new INDArray[layersCount][depth];
            hb = new Buf[layersCount][depth];
            sigma = new INDArray[layersCount];
            sb = new Buf[layersCount];
            aux = new INDArray[layersCount];
            ab = new Buf[layersCount];
            for (int k = 0; k < layersCount; k++) {
                for (int j = 0; j < depth; j++) {
                    h[k][j] = Nd4j.create(dt, n, hidden);
                    hb[k][j] = Buf.of(h[k][j]);
                }
                sigma[k] = Nd4j.create(dt, n, d);
                sb[k] = Buf.of(sigma[k]);
                aux[k] = Nd4j.create(dt, n, d);
                ab[k] = Buf.of(aux[k]);
            }
            raw = Nd4j.create(dt, n, d);
            shift = Nd4j.create(dt, n, d);
            rawB = Buf.of(raw);
            shiftB = Buf.of(shift);
            grad = new INDArray[]{Nd4j.create(dt, n, d), Nd4j.create(dt, n, d)};
            gradB = new Buf[]{Buf.of(grad[0]), Buf.of(grad[1])};
            dh = new INDArray[]{Nd4j.create(dt, n, hidden), Nd4j.create(dt, n, hidden)};
            dhB = new Buf[]{Buf.of(dh[0]), Buf.of(dh[1])};
            heapH = dt == DataType.FLOAT ? new float[n * hidden] : null;
            heapD = dt == DataType.FLOAT ? new float[n * hidden] : null;
            su = new INDArray[spline ? layersCount : 0][3];
            sub = new Buf[spline ? layersCount : 0][3];
            for (int k = 0; k < su.length; k++) {
                for (int m = 0; m < 3; m++) {
                    su[k][m] = Nd4j.create(dt, n, (long) d * (m == 2 ? bins - 1 : bins));
                    sub[k][m] = Buf.of(su[k][m]);
                }
            }
        }
    }

    /** Whether a spec's family has a hand-derived gradient here. */
    public static boolean supports(FlowSpec spec) {
        return spec.type().layered();
    }

    /**
     * Offsets of every parameter in DL4J's flat vector of {@link FlowOutputLayer}: the weight parameters (first
     * dimension ≠ 1) in {@link FlowSpec#paramShapes()} order, then the bias parameters (first dimension 1) in that
     * order, each row-major. (The layer registers them as weights and biases; DL4J lays weights first.)
     */
    public static Map<String, Integer> dl4jOffsets(FlowSpec spec) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int off = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (Map.Entry<String, long[]> e : spec.paramShapes().entrySet()) {
                boolean bias = e.getValue()[0] == 1;
                if (bias == (pass == 1)) {
                    out.put(e.getKey(), off);
                    off += (int) (e.getValue()[0] * e.getValue()[1]);
                }
            }
        }
        return out;
    }

    /** @param dataType FLOAT for training; DOUBLE for gradient checks */
    public FlowBackprop(FlowSpec spec, DataType dataType) {
        if (!supports(spec)) {
            throw new IllegalArgumentException("No hand-derived gradient for flow type '" + spec.type() + "'");
        }
        this.spec = spec;
        this.dt = dataType;
        this.d = spec.features();
        this.hidden = spec.hiddenFeatures();
        this.depth = spec.hiddenLayers();
        this.relu = "relu".equals(spec.activation());
        this.sigmoid = "sigmoid".equals(spec.affineScale());
        boolean maf = spec.type() == FlowType.MAF;
        this.spline = spec.type() == FlowType.SPLINE;
        this.bins = spec.bins();
        this.element = spline ? new SplineElement(bins, spec.tailBound()) : null;
        this.splineBiasGrad = spline ? new double[][]{new double[d * bins], new double[d * bins],
                new double[d * (bins - 1)]} : null;
        int count = (int) spec.parameterCount();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.params = Nd4j.create(dt, 1, count);
            this.gradient = Nd4j.create(dt, 1, count);
            this.p = Buf.of(params);
            this.g = Buf.of(gradient);
            Map<String, Integer> off = dl4jOffsets(spec);
            Map<String, long[]> shapes = spec.paramShapes();
            int cond = spec.conditioningFeatures();
            double[][] madeIn = maf ? MadeMasks.input(d, hidden) : null;
            double[][] madeHidden = maf ? MadeMasks.hidden(d, hidden) : null;
            double[][] madeOut = maf ? MadeMasks.output(d, hidden) : null;
            layers = new Layer[spec.numLayers()];
            for (int k = 0; k < layers.length; k++) {
                Layer l = new Layer();
                l.perm = spec.permutation(k);
                l.transformed = new boolean[d];
                for (int i = 0; i < d; i++) {
                    l.transformed[i] = spec.transformed(i);
                }
                l.w = new INDArray[depth];
                l.wMask = new double[depth][];
                l.wOff = new int[depth];
                l.bOff = new int[depth];
                l.dw = new INDArray[depth];
                for (int j = 0; j < depth; j++) {
                    String name = FlowSpec.hiddenWeight(k, j);
                    long[] s = shapes.get(name);
                    l.wOff[j] = off.get(name);
                    l.bOff[j] = off.get(FlowSpec.hiddenBias(k, j));
                    l.dw[j] = view(gradient, l.wOff[j], s);
                    if (maf) {
                        l.wMask[j] = flat(j == 0 ? madeIn : madeHidden);
                    } else if (j == 0) {
                        // a coupling's conditioner sees x·m: rows of the transformed features never act
                        double[] m = new double[d * hidden];
                        for (int i = 0; i < cond; i++) {
                            java.util.Arrays.fill(m, i * hidden, (i + 1) * hidden, 1.0);
                        }
                        l.wMask[j] = m;
                    }
                    l.w[j] = l.wMask[j] == null ? view(params, l.wOff[j], s) : Nd4j.create(dt, s[0], s[1]);
                }
                l.asOff = off.get(FlowSpec.actNormLogScale(k));
                l.abOff = off.get(FlowSpec.actNormShift(k));
                l.e = new double[d];
                layers[k] = l;
                if (spline) {
                    char[] parts = {'w', 'h', 'd'};
                    l.sw = new INDArray[3];
                    l.dsw = new INDArray[3];
                    l.swOff = new int[3];
                    l.sbOff = new int[3];
                    for (int m = 0; m < 3; m++) {
                        String name = FlowSpec.splineWeight(k, parts[m]);
                        l.swOff[m] = off.get(name);
                        l.sbOff[m] = off.get(FlowSpec.splineBias(k, parts[m]));
                        l.sw[m] = view(params, l.swOff[m], shapes.get(name));
                        l.dsw[m] = view(gradient, l.swOff[m], shapes.get(name));
                    }
                    continue;
                }
                long[] head = shapes.get(FlowSpec.scaleWeight(k));
                l.wsOff = off.get(FlowSpec.scaleWeight(k));
                l.wtOff = off.get(FlowSpec.shiftWeight(k));
                l.bsOff = off.get(FlowSpec.scaleBias(k));
                l.btOff = off.get(FlowSpec.shiftBias(k));
                l.headMask = maf ? flat(madeOut) : null;
                l.ws = maf ? Nd4j.create(dt, head[0], head[1]) : view(params, l.wsOff, head);
                l.wt = maf ? Nd4j.create(dt, head[0], head[1]) : view(params, l.wtOff, head);
                l.dws = view(gradient, l.wsOff, head);
                l.dwt = view(gradient, l.wtOff, head);
            }
        }
        accA = new double[d];
        accB = new double[d];
        accC = new double[d];
        accD = new double[d];
        accH = new double[hidden];
        this.copula = spec.copulaLayer() ? copula(spec, dl4jOffsets(spec)) : null;
    }

    private Copula copula(FlowSpec spec, Map<String, Integer> off) {
        Copula c = new Copula();
        c.shiftOff = off.get(FlowSpec.copulaShift());
        c.lowerOff = off.get(FlowSpec.luLower(0));
        c.upperOff = off.get(FlowSpec.luUpper(0));
        c.diagOff = off.get(FlowSpec.luLogDiagonal(0));
        c.perm = spec.luPermutation();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            c.lower = Nd4j.create(dt, d, d);
            c.upper = Nd4j.create(dt, d, d);
            c.product = Nd4j.create(dt, d, d);
            c.weight = Nd4j.create(dt, d, d);
            c.dWeight = Nd4j.create(dt, d, d);
            c.dProduct = Nd4j.create(dt, d, d);
            c.dLower = Nd4j.create(dt, d, d);
            c.dUpper = Nd4j.create(dt, d, d);
        }
        return c;
    }

    private static double[] flat(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        }
        return out;
    }

    private INDArray view(INDArray flat, int offset, long[] shape) {
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + shape[0] * shape[1]))
                .reshape('c', shape[0], shape[1]);
    }

    public FlowSpec spec() {
        return spec;
    }

    /** The parameters, {@code [1, N]} in DL4J's flat layout; write them in place (e.g. {@code assign}). */
    public INDArray params() {
        return params;
    }

    /** The gradient of the last {@link #lossAndGradient} call (of the summed loss), same layout as {@link #params()}. */
    public INDArray gradient() {
        return gradient;
    }

    public void setParams(float[] flat) {
        if (flat.length != params.length()) {
            throw new IllegalArgumentException("Parameter vector has " + flat.length + " values; the flow needs "
                    + params.length());
        }
        if (dt == DataType.FLOAT) {
            params.data().asNioFloat().put(flat, 0, flat.length);
        } else {
            for (int i = 0; i < flat.length; i++) {
                p.set(i, flat[i]);
            }
        }
    }

    private Buffers buffers(int n) {
        Buffers b = buffers.get(n);
        if (b == null) {
            if (buffers.size() >= 3) {
                buffers.clear();
            }
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                b = new Buffers(n);
            }
            buffers.put(n, b);
        }
        return b;
    }

    /** Σ_rows NLL (without the constant) of the {@code n} rows of {@code rows} (row-major, n × D). */
    public double loss(float[] rows, int n) {
        Buffers b = load(rows, n);
        prepareWeights();
        return forward(b);
    }

    /** Σ_rows NLL (without the constant) of {@code x} {@code [n, D]}. */
    public double loss(INDArray x) {
        Buffers b = load(x);
        prepareWeights();
        return forward(b);
    }

    /** The summed NLL of the rows, leaving its gradient in {@link #gradient()}. */
    public double lossAndGradient(float[] rows, int n) {
        Buffers b = load(rows, n);
        prepareWeights();
        double loss = forward(b);
        backward(b);
        return loss;
    }

    public double lossAndGradient(INDArray x) {
        Buffers b = load(x);
        prepareWeights();
        double loss = forward(b);
        backward(b);
        return loss;
    }

    private Buffers load(float[] rows, int n) {
        Buffers b = buffers(n);
        INDArray target = copula == null ? b.x[0] : b.in;
        if (dt == DataType.FLOAT) {
            target.data().asNioFloat().put(rows, 0, n * d);
        } else {
            Buf t = copula == null ? b.xb[0] : b.inB;
            for (int i = 0; i < n * d; i++) {
                t.set(i, rows[i]);
            }
        }
        return b;
    }

    private Buffers load(INDArray x) {
        if (x.rank() != 2 || x.size(1) != d) {
            throw new IllegalArgumentException("Expected rows of " + d + " features, got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        Buffers b = buffers((int) x.size(0));
        (copula == null ? b.x[0] : b.in).assign(x);
        return b;
    }

    /** Masked weights as the graph uses them: W ⊙ M into their own buffers. */
    private void prepareWeights() {
        if (copula != null) {
            prepareCopula(copula);
        }
        for (Layer l : layers) {
            for (int j = 0; j < depth; j++) {
                if (l.wMask[j] != null) {
                    masked(l.wOff[j], l.wMask[j], l.w[j]);
                }
            }
            if (l.headMask != null) {
                masked(l.wsOff, l.headMask, l.ws);
                masked(l.wtOff, l.headMask, l.wt);
            }
            for (int i = 0; i < d; i++) {
                l.e[i] = Math.exp(p.get(l.asOff + i));
            }
        }
    }

    /** L, U and W = L·U·P of the copula layer from the parameters. */
    private void prepareCopula(Copula c) {
        Buf lb = Buf.of(c.lower);
        Buf ub = Buf.of(c.upper);
        c.logDet = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                int idx = i * d + j;
                lb.set(idx, i > j ? p.get(c.lowerOff + idx) : i == j ? 1.0 : 0.0);
                ub.set(idx, i < j ? p.get(c.upperOff + idx) : 0.0);
            }
            double di = p.get(c.diagOff + i);
            ub.set(i * d + i, Math.exp(di));
            c.logDet += di;
        }
        Nd4j.gemm(c.lower, c.upper, c.product, false, false, 1.0, 0.0);
        Buf m = Buf.of(c.product);
        Buf w = Buf.of(c.weight);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                w.set(i * d + j, m.get(i * d + c.perm[j]));
            }
        }
    }

    /** u = (x + b)·W into x[0] (the rows + b kept in {@code b.in}); returns the layer's Σ_rows log|det|. */
    private double copulaForward(Buffers b, Copula c) {
        Buf in = b.inB;
        double[] shift = accA;
        for (int i = 0; i < d; i++) {
            shift[i] = p.get(c.shiftOff + i);
        }
        for (int r = 0, idx = 0; r < b.n; r++) {
            for (int i = 0; i < d; i++, idx++) {
                in.set(idx, in.get(idx) + shift[i]);
            }
        }
        Nd4j.gemm(b.in, c.weight, b.x[0], false, false, 1.0, 0.0);
        return b.n * c.logDet;
    }

    /** The copula layer's gradient from G = ∂L/∂u ({@code gu}, [n, D]). */
    private void copulaBackward(Buffers b, Copula c, INDArray gu, Buf guB) {
        int n = b.n;
        Nd4j.gemm(b.in, gu, c.dWeight, true, false, 1.0, 0.0);
        double[] colSum = accA;
        java.util.Arrays.fill(colSum, 0);
        for (int r = 0, idx = 0; r < n; r++) {
            for (int j = 0; j < d; j++, idx++) {
                colSum[j] += guB.get(idx);
            }
        }
        Buf w = Buf.of(c.weight);
        for (int i = 0; i < d; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += w.get(i * d + j) * colSum[j];
            }
            g.set(c.shiftOff + i, s);
        }
        Buf dw = Buf.of(c.dWeight);
        Buf dm = Buf.of(c.dProduct);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                dm.set(i * d + c.perm[j], dw.get(i * d + j));
            }
        }
        Nd4j.gemm(c.dProduct, c.upper, c.dLower, false, true, 1.0, 0.0);
        Nd4j.gemm(c.lower, c.dProduct, c.dUpper, true, false, 1.0, 0.0);
        Buf dl = Buf.of(c.dLower);
        Buf du = Buf.of(c.dUpper);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                int idx = i * d + j;
                g.set(c.lowerOff + idx, i > j ? dl.get(idx) : 0.0);
                g.set(c.upperOff + idx, i < j ? du.get(idx) : 0.0);
            }
            g.set(c.diagOff + i, du.get(i * d + i) * Math.exp(p.get(c.diagOff + i)) - n);
        }
    }

    private void masked(int offset, double[] mask, INDArray out) {
        Buf o = Buf.of(out);
        for (int i = 0; i < mask.length; i++) {
            o.set(i, mask[i] == 0 ? 0.0 : p.get(offset + i));
        }
    }

    private double forward(Buffers b) {
        int n = b.n;
        double logDet = copula == null ? 0 : copulaForward(b, copula);
        for (int k = 0; k < layers.length; k++) {
            Layer l = layers[k];
            INDArray in = b.x[k];
            for (int j = 0; j < depth; j++) {
                Nd4j.gemm(j == 0 ? in : b.h[k][j - 1], l.w[j], b.h[k][j], false, false, 1.0, 0.0);
                Buf hb = b.hb[k][j];
                int bo = l.bOff[j];
                for (int o = 0; o < hidden; o++) {
                    accH[o] = p.get(bo + o);
                }
                if (b.heapH != null) {
                    biasActivationFloat(b, b.h[k][j]);
                    continue;
                }
                for (int r = 0, idx = 0; r < n; r++) {
                    for (int o = 0; o < hidden; o++, idx++) {
                        double v = hb.get(idx) + accH[o];
                        hb.set(idx, relu ? (v > 0 ? v : 0.0) : Math.tanh(v));
                    }
                }
            }
            INDArray last = b.h[k][depth - 1];
            if (spline) {
                logDet += splineForward(b, k, l, last);
                continue;
            }
            Nd4j.gemm(last, l.ws, b.raw, false, false, 1.0, 0.0);
            Nd4j.gemm(last, l.wt, b.shift, false, false, 1.0, 0.0);
            double[] bs = accA;
            double[] bt = accB;
            double[] an = accC;
            double rowLogScale = 0;
            for (int i = 0; i < d; i++) {
                bs[i] = p.get(l.bsOff + i);
                bt[i] = p.get(l.btOff + i);
                an[i] = p.get(l.abOff + i);
                logDet += n * p.get(l.asOff + i);
                rowLogScale += p.get(l.asOff + i);
            }
            Buf xin = b.xb[k];
            Buf out = b.xb[k + 1];
            Buf raw = b.rawB;
            Buf sh = b.shiftB;
            Buf sg = b.sb[k];
            Buf aux = b.ab[k];
            int[] perm = l.perm;
            boolean[] tr = l.transformed;
            double[] e = l.e;
            for (int r = 0; r < n; r++) {
                int row = r * d;
                double rowLogDet = rowLogScale;
                for (int j = 0; j < d; j++) {
                    int i = perm[j];
                    int idx = row + i;
                    double x = xin.get(idx);
                    double y;
                    if (tr[i]) {
                        double v = raw.get(idx) + bs[i];
                        double s;
                        double scale;
                        if (sigmoid) {
                            double sv = 1.0 / (1.0 + Math.exp(-v));
                            scale = SIGMOID_A + (2 - 2 * SIGMOID_A) * sv;
                            s = Math.log(scale);
                            aux.set(idx, sv);
                        } else {
                            double th = Math.tanh(v / CLAMP);
                            s = CLAMP * th;
                            scale = Math.exp(s);
                            aux.set(idx, th);
                        }
                        sg.set(idx, scale);
                        logDet += s;
                        rowLogDet += s;
                        y = x * scale + sh.get(idx) + bt[i];
                    } else {
                        y = x;
                    }
                    out.set(row + j, y * e[i] + an[i]);
                }
                if (rowLoss != null) {
                    rowLoss[r] -= rowLogDet;
                }
            }
        }
        Buf z = b.xb[layers.length];
        double sq = 0;
        for (int r = 0, i = 0; r < n; r++) {
            double rowSquares = 0;
            for (int c = 0; c < d; c++, i++) {
                double v = z.get(i);
                rowSquares += v * v;
            }
            sq += rowSquares;
            if (rowLoss != null) {
                rowLoss[r] += 0.5 * rowSquares;
            }
        }
        return 0.5 * sq - logDet;
    }

    /** Heads, spline, ActNorm and permutation of spline layer k; returns its Σ log|det|. */
    private double splineForward(Buffers b, int k, Layer l, INDArray last) {
        int n = b.n;
        double logDet = 0;
        for (int m = 0; m < 3; m++) {
            Nd4j.gemm(last, l.sw[m], b.su[k][m], false, false, 1.0, 0.0);
        }
        double[] an = accC;
        double rowLogScale = 0;
        for (int i = 0; i < d; i++) {
            an[i] = p.get(l.abOff + i);
            logDet += n * p.get(l.asOff + i);
            rowLogScale += p.get(l.asOff + i);
        }
        Buf xin = b.xb[k];
        Buf out = b.xb[k + 1];
        Buf uw = b.sub[k][0];
        Buf uh = b.sub[k][1];
        Buf ud = b.sub[k][2];
        int kw = bins * d;
        int kd = (bins - 1) * d;
        for (int r = 0; r < n; r++) {
            int row = r * d;
            double rowLogDet = rowLogScale;
            for (int j = 0; j < d; j++) {
                int i = l.perm[j];
                double x = xin.get(row + i);
                double y = x;
                if (l.transformed[i]) {
                    int wo = r * kw + i * bins;
                    int dof = r * kd + i * (bins - 1);
                    for (int c = 0; c < bins; c++) {
                        uw.set(wo + c, uw.get(wo + c) + p.get(l.sbOff[0] + i * bins + c));
                        uh.set(wo + c, uh.get(wo + c) + p.get(l.sbOff[1] + i * bins + c));
                    }
                    for (int c = 0; c < bins - 1; c++) {
                        ud.set(dof + c, ud.get(dof + c) + p.get(l.sbOff[2] + i * (bins - 1) + c));
                    }
                    element.forward(x, uw, wo, uh, wo, ud, dof);
                    y = element.y;
                    logDet += element.logDeriv;
                    rowLogDet += element.logDeriv;
                }
                out.set(row + j, y * l.e[i] + an[i]);
            }
            if (rowLoss != null) {
                rowLoss[r] -= rowLogDet;
            }
        }
        return logDet;
    }

    private void backward(Buffers b) {
        int n = b.n;
        INDArray gOut = b.x[layers.length]; // ∂L/∂z = z
        Buf gOutB = b.xb[layers.length];
        double weightSum = n;
        if (rowWeight != null) { // ∂(Σ w_r L_r)/∂z_r = w_r z_r, in grad[1] (layer L − 1 writes grad[0])
            weightSum = 0;
            Buf wz = b.gradB[1];
            for (int r = 0, idx = 0; r < n; r++) {
                double w = rowWeight[r];
                weightSum += w;
                for (int c = 0; c < d; c++, idx++) {
                    wz.set(idx, w * gOutB.get(idx));
                }
            }
            gOut = b.grad[1];
            gOutB = wz;
        }
        int ping = 0;
        for (int k = layers.length - 1; k >= 0; k--) {
            Layer l = layers[k];
            INDArray gIn = b.grad[ping];
            Buf gInB = b.gradB[ping];
            Buf xin = b.xb[k];
            Buf out = b.xb[k + 1];
            Buf draw = b.rawB;
            Buf dsh = b.shiftB;
            Buf sg = b.sb[k];
            Buf aux = b.ab[k];
            if (spline) {
                splineBackward(b, k, l, gOutB, gInB, weightSum);
            } else {
                double[] das = accA;
                double[] dab = accB;
                double[] dbs = accC;
                double[] dbt = accD;
                java.util.Arrays.fill(das, 0);
                java.util.Arrays.fill(dab, 0);
                java.util.Arrays.fill(dbs, 0);
                java.util.Arrays.fill(dbt, 0);
                int[] perm = l.perm;
                boolean[] tr = l.transformed;
                double[] e = l.e;
                double[] an = new double[d];
                for (int i = 0; i < d; i++) {
                    an[i] = p.get(l.abOff + i);
                }
                for (int r = 0; r < n; r++) {
                    int row = r * d;
                    double w = rowWeight == null ? 1.0 : rowWeight[r];
                    double rs = 0; // this row's squared gradient of the ActNorm and the heads' biases
                    for (int j = 0; j < d; j++) {
                        int i = perm[j];
                        double gv = gOutB.get(row + j);
                        dab[i] += gv;
                        double gs = gv * (out.get(row + j) - an[i]);
                        das[i] += gs;
                        if (rowSq != null) {
                            rs += (gs - w) * (gs - w) + gv * gv;
                        }
                        double dy = gv * e[i];
                        int idx = row + i;
                        if (tr[i]) {
                            double x = xin.get(idx);
                            double scale = sg.get(idx);
                            double a = aux.get(idx);
                            double dv = sigmoid
                                    ? (dy * x - w / scale) * (2 - 2 * SIGMOID_A) * a * (1 - a)
                                    : (dy * x * scale - w) * (1 - a * a);
                            draw.set(idx, dv);
                            dsh.set(idx, dy);
                            gInB.set(idx, dy * scale);
                            dbs[i] += dv;
                            dbt[i] += dy;
                            if (rowSq != null) {
                                rs += dv * dv + dy * dy;
                            }
                        } else {
                            draw.set(idx, 0.0);
                            dsh.set(idx, 0.0);
                            gInB.set(idx, dy);
                        }
                    }
                    if (rowSq != null) {
                        rowSq[r] += rs;
                    }
                }
                for (int i = 0; i < d; i++) {
                    g.set(l.asOff + i, das[i] - weightSum);
                    g.set(l.abOff + i, dab[i]);
                    g.set(l.bsOff + i, dbs[i]);
                    g.set(l.btOff + i, dbt[i]);
                }
                INDArray last = b.h[k][depth - 1];
                if (rowSq != null) {
                    outerSquares(b, last, b.raw, l.headMask, false);
                    outerSquares(b, last, b.shift, l.headMask, false);
                }
                Nd4j.gemm(last, b.raw, l.dws, true, false, 1.0, 0.0);
                Nd4j.gemm(last, b.shift, l.dwt, true, false, 1.0, 0.0);
                if (l.headMask != null) {
                    maskGradient(l.wsOff, l.headMask);
                    maskGradient(l.wtOff, l.headMask);
                }
                Nd4j.gemm(b.raw, l.ws, b.dh[0], false, true, 1.0, 0.0);
                Nd4j.gemm(b.shift, l.wt, b.dh[0], false, true, 1.0, 1.0);
            }
            int dhi = 0;
            for (int j = depth - 1; j >= 0; j--) {
                Buf dhB = b.dhB[dhi];
                Buf hb = b.hb[k][j];
                double[] db = accH;
                java.util.Arrays.fill(db, 0);
                if (b.heapH != null) {
                    activationBackwardFloat(b, b.h[k][j], b.dh[dhi]);
                } else {
                    for (int r = 0, idx = 0; r < n; r++) {
                        for (int o = 0; o < hidden; o++, idx++) {
                            double hv = hb.get(idx);
                            double dv = dhB.get(idx) * (relu ? (hv > 0 ? 1.0 : 0.0) : 1 - hv * hv);
                            dhB.set(idx, dv);
                            db[o] += dv;
                        }
                    }
                }
                for (int o = 0; o < hidden; o++) {
                    g.set(l.bOff[j] + o, db[o]);
                }
                if (rowSq != null) {
                    outerSquares(b, j == 0 ? b.x[k] : b.h[k][j - 1], b.dh[dhi], l.wMask[j], true);
                }
                Nd4j.gemm(j == 0 ? b.x[k] : b.h[k][j - 1], b.dh[dhi], l.dw[j], true, false, 1.0, 0.0);
                if (l.wMask[j] != null) {
                    maskGradient(l.wOff[j], l.wMask[j]);
                }
                if (j > 0) {
                    Nd4j.gemm(b.dh[dhi], l.w[j], b.dh[1 - dhi], false, true, 1.0, 0.0);
                    dhi = 1 - dhi;
                } else if (k > 0 || copula != null) {
                    // ∂L/∂x through the conditioner (layer 0's input gradient is used only by a copula layer)
                    Nd4j.gemm(b.dh[dhi], l.w[0], gIn, false, true, 1.0, 1.0);
                }
            }
            gOut = gIn;
            gOutB = gInB;
            ping = 1 - ping;
        }
        if (copula != null && !copulaFrozen) {
            copulaBackward(b, copula, gOut, gOutB);
        } else if (copula != null) {
            zeroCopulaGradient(copula);
        }
    }

    /** The copula layer's gradient entries set to 0 (it is frozen under DP-SGD: {@link #clippedGradient}). */
    private void zeroCopulaGradient(Copula c) {
        for (int i = 0; i < d; i++) {
            g.set(c.shiftOff + i, 0.0);
            g.set(c.diagOff + i, 0.0);
        }
        for (int i = 0; i < d * d; i++) {
            g.set(c.lowerOff + i, 0.0);
            g.set(c.upperOff + i, 0.0);
        }
    }

    /** Whether parameter {@code i} belongs to the copula layer. */
    private boolean inCopula(int i) {
        Copula c = copula;
        return c != null && ((i >= c.shiftOff && i < c.shiftOff + d) || (i >= c.diagOff && i < c.diagOff + d)
                || (i >= c.lowerOff && i < c.lowerOff + d * d) || (i >= c.upperOff && i < c.upperOff + d * d));
    }

    /** ActNorm, permutation, spline and heads of spline layer k, backward: leaves ∂L/∂h in {@code b.dh[0]}. */
    private void splineBackward(Buffers b, int k, Layer l, Buf gOutB, Buf gInB, double weightSum) {
        int n = b.n;
        double[] das = accA;
        double[] dab = accB;
        double[] an = accC;
        java.util.Arrays.fill(das, 0);
        java.util.Arrays.fill(dab, 0);
        for (double[] a : splineBiasGrad) {
            java.util.Arrays.fill(a, 0);
        }
        for (int i = 0; i < d; i++) {
            an[i] = p.get(l.abOff + i);
        }
        Buf xin = b.xb[k];
        Buf out = b.xb[k + 1];
        Buf uw = b.sub[k][0];
        Buf uh = b.sub[k][1];
        Buf ud = b.sub[k][2];
        int kw = bins * d;
        int kd = (bins - 1) * d;
        double[] gbw = splineBiasGrad[0];
        double[] gbh = splineBiasGrad[1];
        double[] gbd = splineBiasGrad[2];
        double[] headSq = rowSq == null ? null : new double[n];
        for (int r = 0; r < n; r++) {
            int row = r * d;
            double w = rowWeight == null ? 1.0 : rowWeight[r];
            double rs = 0; // this row's squared gradient of the ActNorm
            double hs = 0; // … and of the spline heads' raw values (= their biases' per-row gradient)
            for (int j = 0; j < d; j++) {
                int i = l.perm[j];
                double gv = gOutB.get(row + j);
                dab[i] += gv;
                double gs = gv * (out.get(row + j) - an[i]);
                das[i] += gs;
                if (rowSq != null) {
                    rs += (gs - w) * (gs - w) + gv * gv;
                }
                double dy = gv * l.e[i];
                int wo = r * kw + i * bins;
                int dof = r * kd + i * (bins - 1);
                if (l.transformed[i]) {
                    element.forward(xin.get(row + i), uw, wo, uh, wo, ud, dof);
                    gInB.set(row + i, element.backward(dy, w, uw, wo, uh, wo, ud, dof));
                    for (int c = 0; c < bins; c++) {
                        double gw = uw.get(wo + c);
                        double gh = uh.get(wo + c);
                        gbw[i * bins + c] += gw;
                        gbh[i * bins + c] += gh;
                        hs += gw * gw + gh * gh;
                    }
                    for (int c = 0; c < bins - 1; c++) {
                        double gd = ud.get(dof + c);
                        gbd[i * (bins - 1) + c] += gd;
                        hs += gd * gd;
                    }
                } else {
                    gInB.set(row + i, dy);
                    for (int c = 0; c < bins; c++) {
                        uw.set(wo + c, 0.0);
                        uh.set(wo + c, 0.0);
                    }
                    for (int c = 0; c < bins - 1; c++) {
                        ud.set(dof + c, 0.0);
                    }
                }
            }
            if (rowSq != null) {
                rowSq[r] += rs + hs;
                headSq[r] = hs;
            }
        }
        for (int i = 0; i < d; i++) {
            g.set(l.asOff + i, das[i] - weightSum);
            g.set(l.abOff + i, dab[i]);
        }
        for (int m = 0; m < 3; m++) {
            double[] gb = splineBiasGrad[m];
            for (int c = 0; c < gb.length; c++) {
                g.set(l.sbOff[m] + c, gb[c]);
            }
        }
        INDArray last = b.h[k][depth - 1];
        if (rowSq != null) { // the heads' weights: per row ‖h_r‖² · Σ (raw gradients)²
            Buf hb = b.hb[k][depth - 1];
            for (int r = 0, idx = 0; r < n; r++) {
                double hh = 0;
                for (int o = 0; o < hidden; o++, idx++) {
                    double v = hb.get(idx);
                    hh += v * v;
                }
                rowSq[r] += hh * headSq[r];
            }
        }
        for (int m = 0; m < 3; m++) {
            Nd4j.gemm(last, b.su[k][m], l.dsw[m], true, false, 1.0, 0.0);
            Nd4j.gemm(b.su[k][m], l.sw[m], b.dh[0], false, true, 1.0, m == 0 ? 0.0 : 1.0);
        }
    }

    /** h = φ(h + b) with b in {@code accH}, on a heap copy (float): one bulk copy each way, a loop the JIT vectorizes. */
    private void biasActivationFloat(Buffers b, INDArray h) {
        float[] a = b.heapH;
        int n = b.n;
        float[] bias = new float[hidden];
        for (int o = 0; o < hidden; o++) {
            bias[o] = (float) accH[o];
        }
        java.nio.FloatBuffer fb = h.data().asNioFloat();
        fb.get(0, a, 0, n * hidden);
        for (int r = 0; r < n; r++) {
            int row = r * hidden;
            if (relu) {
                for (int o = 0; o < hidden; o++) {
                    a[row + o] = Math.max(a[row + o] + bias[o], 0f);
                }
            } else {
                for (int o = 0; o < hidden; o++) {
                    a[row + o] = (float) Math.tanh(a[row + o] + bias[o]);
                }
            }
        }
        fb.put(0, a, 0, n * hidden);
    }

    /** δ = ∂h ⊙ φ'(h) in place in {@code dh}, and its column sums into {@code accH} (float, heap copies). */
    private void activationBackwardFloat(Buffers b, INDArray h, INDArray dh) {
        float[] hv = b.heapH;
        float[] dv = b.heapD;
        int n = b.n;
        h.data().asNioFloat().get(0, hv, 0, n * hidden);
        java.nio.FloatBuffer dfb = dh.data().asNioFloat();
        dfb.get(0, dv, 0, n * hidden);
        double[] db = accH;
        for (int r = 0; r < n; r++) {
            int row = r * hidden;
            if (relu) {
                for (int o = 0; o < hidden; o++) {
                    float v = hv[row + o] > 0f ? dv[row + o] : 0f;
                    dv[row + o] = v;
                    db[o] += v;
                }
            } else {
                for (int o = 0; o < hidden; o++) {
                    float x = hv[row + o];
                    float v = dv[row + o] * (1f - x * x);
                    dv[row + o] = v;
                    db[o] += v;
                }
            }
        }
        dfb.put(0, dv, 0, n * hidden);
    }

    private void maskGradient(int offset, double[] mask) {
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) {
                g.set(offset + i, 0.0);
            }
        }
    }

    /**
     * DP-SGD's clipped gradient (Abadi et al. 2016): leaves Σ_{r &lt; real} min(1, C/‖g_r‖)·g_r in {@link #gradient()},
     * where g_r is the gradient of row r's loss alone, without a backward pass per row. A first forward and backward
     * pass computes every row's ‖g_r‖² from quantities the backward pass has anyway (the "ghost norm" of Goodfellow
     * 2015 and Li et al. 2022): a dense layer's per-row weight gradient is the outer product a_r δ_rᵀ, so its squared
     * norm is ‖a_r‖²·‖δ_r‖², or (a_r∘a_r)ᵀ·M·(δ_r∘δ_r) for a weight used through a 0/1 mask M (MADE, a coupling's
     * conditioning mask) — one extra product per masked weight; biases, ActNorm, spline and affine heads add their
     * per-row gradients' squares directly. A copula layer is frozen from the first call on (its gradient 0: under DP it
     * is the DP copula release the flow starts from, {@code AveragingTrainer.startAtPrivateCopula}, and not trained).
     * A second pass then backpropagates the weighted loss Σ_r w_r·L_r with
     * w_r = min(1, C/‖g_r‖) (w_r = 0 for the padding rows {@code real … n−1}), whose gradient is exactly the sum of the
     * clipped per-row gradients.
     *
     * @param rows  row-major n × D; rows {@code real … n−1} are padding (any finite values; they contribute nothing)
     * @param norms receives ‖g_r‖ for the real rows (length ≥ real), or null
     * @return Σ_{r &lt; real} L_r (the real rows' summed NLL without the constant)
     */
    public double clippedGradient(float[] rows, int n, int real, double clip, double[] norms) {
        copulaFrozen = true; // a DP fit's copula layer is its DP release: fixed, never trained on the rows
        if (real < 0 || real > n || !(clip > 0)) {
            throw new IllegalArgumentException("Need 0 ≤ real ≤ n and clip > 0; got real " + real + ", n " + n
                    + ", clip " + clip);
        }
        Buffers b = load(rows, n);
        prepareWeights();
        double[] sq = new double[n];
        double[] loss = new double[n];
        rowSq = sq;
        rowLoss = loss;
        try {
            forward(b);
            backward(b);
        } finally {
            rowSq = null;
            rowLoss = null;
        }
        double[] w = new double[n];
        double lossSum = 0;
        for (int r = 0; r < real; r++) {
            double norm = Math.sqrt(sq[r]);
            if (norms != null) {
                norms[r] = norm;
            }
            w[r] = norm > clip ? clip / norm : 1.0;
            lossSum += loss[r];
        }
        rowWeight = w;
        try {
            if (copula != null) {
                b = load(rows, n); // the copula's forward shifted the rows in place
            }
            forward(b); // the first backward pass overwrote some forward caches (the spline heads')
            backward(b);
        } finally {
            rowWeight = null;
        }
        return lossSum;
    }

    /**
     * Adds N(0, std²) to every entry of {@link #gradient()} (DP-SGD's noise; std = σ·C) but the copula layer's, which
     * DP-SGD does not train (its gradient stays 0, so Adam leaves it where its DP release put it).
     */
    public void addGaussianNoise(double std, java.util.random.RandomGenerator rng) {
        for (int i = 0, m = (int) gradient.length(); i < m; i++) {
            double z = std * rng.nextGaussian();
            if (!inCopula(i)) {
                g.set(i, g.get(i) + z);
            }
        }
    }

    /**
     * Adds every row's squared norm of the gradient of a weight used as a·W (W masked by {@code mask}, or not) to
     * {@code rowSq}: the per-row gradient is a_r δ_rᵀ (⊙ M); with {@code bias}, also its bias's, ‖δ_r‖².
     */
    private void outerSquares(Buffers b, INDArray a, INDArray delta, double[] mask, boolean bias) {
        int n = b.n;
        int in = (int) a.size(1);
        int out = (int) delta.size(1);
        Buf ab = Buf.of(a);
        Buf db = Buf.of(delta);
        if (mask == null) {
            for (int r = 0; r < n; r++) {
                double aa = 0;
                for (int c = 0, idx = r * in; c < in; c++, idx++) {
                    double v = ab.get(idx);
                    aa += v * v;
                }
                double dd = 0;
                for (int c = 0, idx = r * out; c < out; c++, idx++) {
                    double v = db.get(idx);
                    dd += v * v;
                }
                rowSq[r] += (aa + (bias ? 1 : 0)) * dd;
            }
            return;
        }
        INDArray m = maskArrays.computeIfAbsent(mask, k -> {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Nd4j.createFromArray(k).castTo(dt).reshape('c', in, out);
            }
        });
        INDArray a2 = b.squares.computeIfAbsent((long) in, k -> scratch(n, in));
        INDArray t = b.maskedSquares.computeIfAbsent((long) out, k -> scratch(n, out));
        Buf a2b = Buf.of(a2);
        for (int i = 0, len = n * in; i < len; i++) {
            double v = ab.get(i);
            a2b.set(i, v * v);
        }
        Nd4j.gemm(a2, m, t, false, false, 1.0, 0.0);
        Buf tb = Buf.of(t);
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int c = 0, idx = r * out; c < out; c++, idx++) {
                double v = db.get(idx);
                s += (tb.get(idx) + (bias ? 1 : 0)) * v * v;
            }
            rowSq[r] += s;
        }
    }

    private INDArray scratch(int rows, int cols) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.create(dt, rows, cols);
        }
    }

    /** The names of the parameters in DL4J's flat order (for messages and tests). */
    public List<String> dl4jOrder() {
        return List.copyOf(dl4jOffsets(spec).keySet());
    }
}
