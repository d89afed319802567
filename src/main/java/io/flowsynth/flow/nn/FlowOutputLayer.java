package io.flowsynth.flow.nn;

import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.transforms.AffineCouplingTransform;
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

/**
 * A RealNVP flow as one DL4J SameDiff output layer, so that {@code MultiLayerNetwork.fit} maximizes the
 * log-likelihood of the rows. The graph is the exact twin of {@link io.flowsynth.flow.transforms.RealNvp}: per layer
 * an affine coupling (tanh MLP conditioner on x⊙m, soft-clamped log-scale) then a permutation (as a product with a
 * constant permutation matrix). The layer's score is the summed negative log-likelihood of the batch without the
 * constant (D/2)·ln 2π per row (DL4J divides by the batch size); its activations are z = f(x).
 *
 * <p>Labels are required by DL4J's output layers but ignored: feed any {@code [batch, 1]} array.
 * Hidden weights start Xavier-uniform from the spec's seed; the scale and shift heads start at zero, so the untrained
 * flow is a permutation (log-det 0) and training starts from a stable point.
 */
public class FlowOutputLayer extends SameDiffOutputLayer {
    private static final String Z = "flowz";

    private int features;
    private int numLayers;
    private int hiddenFeatures;
    private int hiddenLayers;
    private long flowSeed;

    /** For Jackson (DL4J serializes configurations as JSON). */
    public FlowOutputLayer() {
    }

    public FlowOutputLayer(FlowSpec spec) {
        this.features = spec.features();
        this.numLayers = spec.numLayers();
        this.hiddenFeatures = spec.hiddenFeatures();
        this.hiddenLayers = spec.hiddenLayers();
        this.flowSeed = spec.seed();
    }

    public FlowSpec spec() {
        return new FlowSpec("realnvp", features, numLayers, hiddenFeatures, hiddenLayers, flowSeed);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, SDVariable labels, Map<String, SDVariable> p) {
        FlowSpec spec = spec();
        DataType dt = input.dataType();
        INDArray maskArr = Nd4j.createFromArray(spec.conditioningMask()).castTo(dt).reshape(1, features);
        SDVariable mask = sd.constant("mask", maskArr);
        SDVariable transformed = sd.constant("transformedmask", maskArr.rsub(1.0));
        SDVariable x = input;
        SDVariable logDetSum = null;
        for (int k = 0; k < numLayers; k++) {
            SDVariable h = x.mul(mask);
            for (int j = 0; j < hiddenLayers; j++) {
                h = sd.math.tanh(h.mmul(p.get(FlowSpec.hiddenWeight(k, j))).add(p.get(FlowSpec.hiddenBias(k, j))));
            }
            SDVariable rawScale = h.mmul(p.get(FlowSpec.scaleWeight(k))).add(p.get(FlowSpec.scaleBias(k)));
            SDVariable shift = h.mmul(p.get(FlowSpec.shiftWeight(k))).add(p.get(FlowSpec.shiftBias(k)));
            double c = AffineCouplingTransform.SCALE_CLAMP;
            SDVariable s = sd.math.tanh(rawScale.div(c)).mul(c).mul(transformed);
            SDVariable t = shift.mul(transformed);
            x = x.mul(sd.math.exp(s)).add(t);
            SDVariable layerLogDet = s.sum();
            logDetSum = logDetSum == null ? layerLogDet : logDetSum.add(layerLogDet);
            x = x.mmul(sd.constant("perm" + k, permutationMatrix(spec.permutation(k), dt)));
        }
        SDVariable z = sd.identity(Z, x);
        // Σ_rows −log p(x) + const = ½ Σ z² − Σ log|det|
        return z.mul(z).sum().mul(0.5).sub(logDetSum);
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
            String name = e.getKey();
            if (name.contains("b")) {
                params.addBiasParam(name, e.getValue());
            } else {
                params.addWeightParam(name, e.getValue());
            }
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        Random rng = new Random(flowSeed);
        for (Map.Entry<String, long[]> e : spec().paramShapes().entrySet()) {
            String name = e.getKey();
            INDArray arr = params.get(name);
            boolean head = name.endsWith("s") || name.endsWith("t");
            if (name.contains("b") || head) {
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

    public long getFlowSeed() {
        return flowSeed;
    }

    public void setFlowSeed(long flowSeed) {
        this.flowSeed = flowSeed;
    }
}
