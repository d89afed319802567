package io.flowsynth.flow.nn;

import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.transforms.AffineBijection;
import io.flowsynth.flow.transforms.MadeMasks;
import io.flowsynth.flow.transforms.RationalQuadraticSpline;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonInclude;

/**
 * A flow of any {@link FlowSpec} family as one DL4J SameDiff output layer, so that {@code MultiLayerNetwork.fit}
 * maximizes the log-likelihood of the rows. The graph is the exact twin of
 * {@link io.flowsynth.flow.transforms.Flows#build}: per layer an affine coupling, a MADE affine autoregressive layer or
 * a rational-quadratic spline coupling, then ActNorm, then a permutation (as a product with a constant permutation
 * matrix), after the copula layer (shift + LU) when the spec has one; or, for {@code linear}, ActNorm then an LU
 * layer. The layer's score is the summed negative log-likelihood of
 * the batch without the constant (D/2)·ln 2π per row (DL4J divides by the batch size); its activations are z = f(x).
 *
 * <p>Ops are chosen for M2.1 backprop (see STACK.md): MADE masks as products with constant masks; the spline's bin
 * lookup as a one-hot from {@code gte} + cast (no searchsorted, and {@code where}/{@code gatherNd} have no gradient),
 * per-bin values selected by one-hot multiply and a sum over the bin axis, tails by arithmetic blending.
 *
 * <p>Labels are required by DL4J's output layers but ignored: feed any {@code [batch, 1]} array. Parameters start as
 * {@link FlowSpec#paramInits()} says (hidden weights Xavier-uniform from the spec's seed, the rest zero), so the
 * untrained flow is a fixed permutation (log-det 0) and training starts from a stable point.
 */
public class FlowOutputLayer extends SameDiffOutputLayer {
    private static final String Z = "flowz";

    // DL4J writes a layer's fields as its JSON (network.json): the type stays its FlowType id, as saved models hold it
    private String type = FlowType.REALNVP.id();
    private int features;
    private int numLayers;
    private int hiddenFeatures;
    private int hiddenLayers;
    private int bins = FlowSpec.BINS_DEFAULT;
    private double tailBound = FlowSpec.TAIL_BOUND_DEFAULT;
    private long flowSeed;
    // a configuration JSON written before these fields existed describes the legacy conditioner
    private String activation = FlowSpec.ACTIVATION_LEGACY;
    private String affineScale = FlowSpec.AFFINE_SCALE_LEGACY;
    // absent from configurations written before the copula layer existed, and written only when true (a flow
    // without it keeps the network.json of those configurations)
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    private boolean copulaLayer;
    // a conditional flow's context features; written only when > 0, like copulaLayer
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    private int contextFeatures;

    /** For Jackson (DL4J serializes configurations as JSON). */
    public FlowOutputLayer() {
    }

    public FlowOutputLayer(FlowSpec spec) {
        this.type = spec.type().id();
        this.features = spec.features();
        this.numLayers = spec.numLayers();
        this.hiddenFeatures = spec.hiddenFeatures();
        this.hiddenLayers = spec.hiddenLayers();
        this.bins = spec.bins();
        this.tailBound = spec.tailBound();
        this.flowSeed = spec.seed();
        this.activation = spec.activation();
        this.affineScale = spec.affineScale();
        this.copulaLayer = spec.copulaLayer();
        this.contextFeatures = spec.contextFeatures();
    }

    public FlowSpec spec() {
        return new FlowSpec(FlowType.parse(type), features, numLayers, hiddenFeatures, hiddenLayers, bins, tailBound,
                flowSeed, activation, affineScale, copulaLayer, contextFeatures);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> p) {
        FlowSpec spec = spec();
        DataType dt = input.dataType();
        Graph g = new Graph(sd, dt, input);
        SDVariable x = input;
        if (!spec.type().layered()) {
            x = g.actNorm(x, p, 0);
            x = g.lu(x, p, spec);
        } else {
            INDArray maskArr = Nd4j.createFromArray(spec.conditioningMask()).castTo(dt).reshape(1, features);
            SDVariable mask = sd.constant("mask", maskArr);
            SDVariable transformed = sd.constant("transformedmask", maskArr.rsub(1.0));
            if (copulaLayer) {
                x = g.lu(x.add(p.get(FlowSpec.copulaShift())), p, spec);
            }
            for (int k = 0; k < numLayers; k++) {
                switch (spec.type()) {
                    case REALNVP -> x = g.affineCoupling(x, p, k, mask, transformed);
                    case MAF -> x = g.maf(x, p, k, spec);
                    case SPLINE -> x = g.splineCoupling(x, p, k, mask, transformed);
                    case LINEAR -> throw new IllegalStateException("linear has no layers");
                }
                x = g.actNorm(x, p, k);
                x = x.mmul(sd.constant("perm" + k, permutationMatrix(spec.permutation(k), dt)));
            }
        }
        SDVariable z = sd.identity(Z, x);
        // Σ_rows −log p(x) + const = ½ Σ z² − Σ log|det|
        return z.mul(z).sum().mul(0.5).sub(g.logDetSum);
    }

    /** Builds the graph layer by layer, accumulating Σ_rows log|det J| in {@link #logDetSum}. */
    private final class Graph {
        final SameDiff sd;
        final DataType dt;
        final SDVariable zeros; // [batch, D] zeros: broadcasts a per-row constant to the batch
        SDVariable logDetSum;
        SDVariable madeIn;
        SDVariable madeHidden;
        SDVariable madeOut;
        SDVariable madeTransformed; // a conditional MAF: 1 except on the context features

        Graph(SameDiff sd, DataType dt, SDVariable input) {
            this.sd = sd;
            this.dt = dt;
            this.zeros = input.mul(0.0);
        }

        void addLogDet(SDVariable total) {
            logDetSum = logDetSum == null ? total : logDetSum.add(total);
        }

        SDVariable constant(String name, double[][] values) {
            return sd.constant(name, Nd4j.createFromArray(values).castTo(dt));
        }

        SDVariable hidden(SDVariable in, Map<String, SDVariable> p, int k, boolean made) {
            SDVariable h = in;
            for (int j = 0; j < hiddenLayers; j++) {
                SDVariable w = p.get(FlowSpec.hiddenWeight(k, j));
                if (made) {
                    w = w.mul(j == 0 ? madeIn : madeHidden);
                }
                SDVariable pre = h.mmul(w).add(p.get(FlowSpec.hiddenBias(k, j)));
                h = "relu".equals(activation) ? sd.nn.relu(pre, 0.0) : sd.math.tanh(pre);
            }
            return h;
        }

        SDVariable affine(SDVariable x, SDVariable h, Map<String, SDVariable> p, int k, SDVariable outMask,
                          SDVariable transformed) {
            SDVariable ws = p.get(FlowSpec.scaleWeight(k));
            SDVariable wt = p.get(FlowSpec.shiftWeight(k));
            if (outMask != null) {
                ws = ws.mul(outMask);
                wt = wt.mul(outMask);
            }
            SDVariable rawScale = h.mmul(ws).add(p.get(FlowSpec.scaleBias(k)));
            SDVariable shift = h.mmul(wt).add(p.get(FlowSpec.shiftBias(k)));
            SDVariable s;
            if ("sigmoid".equals(affineScale)) {
                double a = AffineBijection.SIGMOID_SCALE_FLOOR;
                s = sd.math.log(sd.nn.sigmoid(rawScale).mul(2 - 2 * a).add(a));
            } else {
                double c = AffineBijection.SCALE_CLAMP;
                s = sd.math.tanh(rawScale.div(c)).mul(c);
            }
            SDVariable t = shift;
            if (transformed != null) {
                s = s.mul(transformed);
                t = t.mul(transformed);
            }
            addLogDet(s.sum());
            return x.mul(sd.math.exp(s)).add(t);
        }

        SDVariable affineCoupling(SDVariable x, Map<String, SDVariable> p, int k, SDVariable mask,
                                  SDVariable transformed) {
            return affine(x, hidden(x.mul(mask), p, k, false), p, k, null, transformed);
        }

        SDVariable maf(SDVariable x, Map<String, SDVariable> p, int k, FlowSpec spec) {
            if (madeIn == null) {
                madeIn = constant("madein", MadeMasks.input(features, hiddenFeatures));
                madeHidden = constant("madehidden", MadeMasks.hidden(features, hiddenFeatures));
                madeOut = constant("madeout", MadeMasks.output(features, hiddenFeatures));
                if (spec.conditional()) {
                    double[][] t = new double[1][features];
                    for (int i = 0; i < features; i++) {
                        t[0][i] = spec.transformed(i) ? 1 : 0;
                    }
                    madeTransformed = constant("madetransformed", t);
                }
            }
            return affine(x, hidden(x, p, k, true), p, k, madeOut, madeTransformed);
        }

        SDVariable head(SDVariable h, Map<String, SDVariable> p, int k, char part, int perFeature) {
            SDVariable raw = h.mmul(p.get(FlowSpec.splineWeight(k, part))).add(p.get(FlowSpec.splineBias(k, part)));
            return sd.reshape(raw, sd.constant(Nd4j.createFromArray(-1L, features, perFeature)));
        }

        /**
         * Cumulative sums over the bin axis of {@code [batch, D, K]} sizes (exclusive: the left knots; inclusive: the
         * right ones) as a product with a constant triangular K×K matrix. Not {@code sd.cumsum}: libnd4j's cumsum in
         * M2.1 leaks native memory on every call, forward and backward (~0.3 MB per call on a [512, 2, 8] input; the
         * spline flow's resident memory grew by hundreds of MB per training round, issue 25). Same sums, other order.
         */
        SDVariable cumulative(SDVariable sizes, int k, String name, boolean exclusive) {
            double[][] tri = new double[bins][bins];
            for (int i = 0; i < bins; i++) {
                for (int j = 0; j < bins; j++) {
                    tri[i][j] = exclusive ? (i < j ? 1 : 0) : (i <= j ? 1 : 0);
                }
            }
            SDVariable flat = sd.reshape(sizes, sd.constant(Nd4j.createFromArray(-1L, bins)));
            SDVariable summed = flat.mmul(constant("splinecum" + name + k, tri));
            return sd.reshape(summed, sd.constant(Nd4j.createFromArray(-1L, features, bins)));
        }

        /** The rational-quadratic spline of {@link RationalQuadraticSpline}, in one-hot form. */
        SDVariable splineCoupling(SDVariable x, Map<String, SDVariable> p, int k, SDVariable mask,
                                  SDVariable transformed) {
            double b = tailBound;
            SDVariable h = hidden(x.mul(mask), p, k, false);
            SDVariable widths = sd.nn.softmax(head(h, p, k, 'w', bins), 2)
                    .mul(1.0 - RationalQuadraticSpline.MIN_BIN_WIDTH * bins).add(RationalQuadraticSpline.MIN_BIN_WIDTH);
            SDVariable heights = sd.nn.softmax(head(h, p, k, 'h', bins), 2)
                    .mul(1.0 - RationalQuadraticSpline.MIN_BIN_HEIGHT * bins).add(RationalQuadraticSpline.MIN_BIN_HEIGHT);
            SDVariable derivs = sd.nn.softplus(head(h, p, k, 'd', bins - 1).add(RationalQuadraticSpline.DERIVATIVE_SHIFT))
                    .add(RationalQuadraticSpline.MIN_DERIVATIVE);
            SDVariable leftX = cumulative(widths, k, "wx", true).mul(2 * b).sub(b);
            SDVariable rightX = cumulative(widths, k, "wi", false).mul(2 * b).sub(b);
            SDVariable leftY = cumulative(heights, k, "hx", true).mul(2 * b).sub(b);
            SDVariable binW = widths.mul(2 * b);
            SDVariable binH = heights.mul(2 * b);
            SDVariable dLeft = sd.nn.pad(derivs, sd.constant(Nd4j.createFromArray(new int[][]{{0, 0}, {0, 0}, {1, 0}})), 1.0);
            SDVariable dRight = sd.nn.pad(derivs, sd.constant(Nd4j.createFromArray(new int[][]{{0, 0}, {0, 0}, {0, 1}})), 1.0);

            SDVariable x3 = sd.reshape(x, sd.constant(Nd4j.createFromArray(-1L, features, 1L)));
            SDVariable oneHot = x3.gte(leftX).castTo(dt).sub(x3.gte(rightX).castTo(dt));
            SDVariable inside = oneHot.sum(2);
            SDVariable outside = inside.rsub(1.0);
            SDVariable left = oneHot.mul(leftX).sum(2);
            SDVariable w = oneHot.mul(binW).sum(2).add(outside);
            SDVariable bottom = oneHot.mul(leftY).sum(2);
            SDVariable hk = oneHot.mul(binH).sum(2).add(outside);
            SDVariable dk = oneHot.mul(dLeft).sum(2).add(outside);
            SDVariable dk1 = oneHot.mul(dRight).sum(2).add(outside);

            SDVariable xi = sd.math.clipByValue(x, -b, b).sub(left).div(w);
            SDVariable s = hk.div(w);
            SDVariable om = xi.mul(xi.rsub(1.0));
            SDVariable den = s.add(dk1.add(dk).sub(s.mul(2.0)).mul(om));
            SDVariable ySpline = bottom.add(hk.mul(s.mul(xi).mul(xi).add(dk.mul(om))).div(den));
            SDVariable oneMinusXi = xi.rsub(1.0);
            SDVariable deriv = s.mul(s).mul(dk1.mul(xi).mul(xi).add(s.mul(om).mul(2.0))
                    .add(dk.mul(oneMinusXi).mul(oneMinusXi))).div(den.mul(den));
            SDVariable y = inside.mul(ySpline).add(outside.mul(x));
            addLogDet(inside.mul(sd.math.log(deriv)).mul(transformed).sum());
            return x.mul(mask).add(y.mul(transformed));
        }

        SDVariable actNorm(SDVariable x, Map<String, SDVariable> p, int k) {
            SDVariable s = p.get(FlowSpec.actNormLogScale(k));
            addLogDet(zeros.add(s).sum());
            return x.mul(sd.math.exp(s)).add(p.get(FlowSpec.actNormShift(k)));
        }

        /** y = x·L·U·P with L = I + strict-lower(l), U = diag(exp d) + strict-upper(u). */
        SDVariable lu(SDVariable x, Map<String, SDVariable> p, FlowSpec spec) {
            double[][] lower = new double[features][features];
            double[][] upper = new double[features][features];
            double[][] eye = new double[features][features];
            for (int i = 0; i < features; i++) {
                for (int j = 0; j < features; j++) {
                    lower[i][j] = i > j ? 1 : 0;
                    upper[i][j] = i < j ? 1 : 0;
                }
                eye[i][i] = 1;
            }
            SDVariable id = constant("lueye", eye);
            SDVariable d = p.get(FlowSpec.luLogDiagonal(0));
            SDVariable l = p.get(FlowSpec.luLower(0)).mul(constant("lulowermask", lower)).add(id);
            SDVariable u = p.get(FlowSpec.luUpper(0)).mul(constant("luuppermask", upper)).add(id.mul(sd.math.exp(d)));
            addLogDet(zeros.add(d).sum());
            return x.mmul(l.mmul(u)).mmul(sd.constant("luperm", permutationMatrix(spec.luPermutation(), dt)));
        }
    }

    /** P with P[perm[j], j] = 1, so that (xP)_j = x_{perm[j]}. */
    private INDArray permutationMatrix(int[] perm, DataType dt) {
        INDArray m = Nd4j.zeros(dt, features, features);
        for (int j = 0; j < features; j++) {
            m.putScalar(perm[j], j, 1.0);
        }
        return m;
    }

    @Override
    public String activationsVertexName() {
        return Z;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        for (Map.Entry<String, long[]> e : spec().paramShapes().entrySet()) {
            if (e.getValue()[0] == 1) {
                params.addBiasParam(e.getKey(), e.getValue());
            } else {
                params.addWeightParam(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        Random rng = new Random(flowSeed);
        FlowSpec spec = spec();
        Map<String, FlowSpec.Init> inits = spec.paramInits();
        for (Map.Entry<String, long[]> e : spec.paramShapes().entrySet()) {
            String name = e.getKey();
            INDArray arr = params.get(name);
            if (inits.get(name) == FlowSpec.Init.ZERO) {
                arr.assign(0.0);
            } else {
                long[] shape = e.getValue();
                double bound = Math.sqrt(6.0 / (shape[0] + shape[1]));
                double[] v = new double[(int) (shape[0] * shape[1])];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (2 * rng.nextDouble() - 1) * bound;
                }
                arr.assign(Nd4j.createFromArray(v).reshape(shape).castTo(arr.dataType()));
            }
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(features);
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public int getFeatures() {
        return features;
    }

    public void setFeatures(int features) {
        this.features = features;
    }

    public int getNumLayers() {
        return numLayers;
    }

    public void setNumLayers(int numLayers) {
        this.numLayers = numLayers;
    }

    public int getHiddenFeatures() {
        return hiddenFeatures;
    }

    public void setHiddenFeatures(int hiddenFeatures) {
        this.hiddenFeatures = hiddenFeatures;
    }

    public int getHiddenLayers() {
        return hiddenLayers;
    }

    public void setHiddenLayers(int hiddenLayers) {
        this.hiddenLayers = hiddenLayers;
    }

    public int getBins() {
        return bins;
    }

    public void setBins(int bins) {
        this.bins = bins;
    }

    public double getTailBound() {
        return tailBound;
    }

    public void setTailBound(double tailBound) {
        this.tailBound = tailBound;
    }

    public String getActivation() {
        return activation;
    }

    public void setActivation(String activation) {
        this.activation = activation;
    }

    public String getAffineScale() {
        return affineScale;
    }

    public void setAffineScale(String affineScale) {
        this.affineScale = affineScale;
    }

    public boolean isCopulaLayer() {
        return copulaLayer;
    }

    public void setCopulaLayer(boolean copulaLayer) {
        this.copulaLayer = copulaLayer;
    }

    public int getContextFeatures() {
        return contextFeatures;
    }

    public void setContextFeatures(int contextFeatures) {
        this.contextFeatures = contextFeatures;
    }

    public long getFlowSeed() {
        return flowSeed;
    }

    public void setFlowSeed(long flowSeed) {
        this.flowSeed = flowSeed;
    }
}
