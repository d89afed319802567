package io.flowsynth.flow.conditioner;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A conditioner network evaluated in plain ND4J: hidden layers h_{j+1} = φ(h_j W_j + b_j) with φ = relu or tanh, then linear heads
 * read from the last hidden layer (affine layers: raw log-scale and shift; spline layers: widths, heights and
 * derivatives). Weights are {@code [in, out]}, biases {@code [1, out]}. MADE conditioners pass weights already
 * multiplied by their masks. This is the inference twin of the graph that {@code io.flowsynth.flow.nn.FlowOutputLayer}
 * trains; it sits below both the transforms and that DL4J adapter, and imports nothing of flowsynth.
 */
public final class Mlp {
    private final List<INDArray> weights;
    private final List<INDArray> biases;
    private final List<INDArray> headWeights;
    private final List<INDArray> headBiases;
    private final boolean relu;

    /** @param activation relu or tanh ({@link io.flowsynth.flow.FlowSpec#activation()}) */
    public Mlp(String activation, List<INDArray> weights, List<INDArray> biases, List<INDArray> headWeights,
               List<INDArray> headBiases) {
        if (!"relu".equals(activation) && !"tanh".equals(activation)) {
            throw new IllegalArgumentException("Unknown activation '" + activation + "'");
        }
        this.relu = "relu".equals(activation);
        if (weights.size() != biases.size() || weights.isEmpty()) {
            throw new IllegalArgumentException("An MLP needs as many biases as weights, and at least one layer");
        }
        if (headWeights.size() != headBiases.size() || headWeights.isEmpty()) {
            throw new IllegalArgumentException("An MLP needs at least one head, with one bias per head weight");
        }
        this.weights = List.copyOf(weights);
        this.biases = List.copyOf(biases);
        this.headWeights = List.copyOf(headWeights);
        this.headBiases = List.copyOf(headBiases);
    }

    /** The two-headed conditioner of an affine layer: heads (raw scale, shift). */
    public Mlp(String activation, List<INDArray> weights, List<INDArray> biases, INDArray scaleWeight,
               INDArray scaleBias, INDArray shiftWeight, INDArray shiftBias) {
        this(activation, weights, biases, List.of(scaleWeight, shiftWeight), List.of(scaleBias, shiftBias));
    }

    /** Returns one {@code [batch, out_h]} array per head, in the order of the heads. */
    public INDArray[] apply(INDArray x) {
        INDArray h = x;
        for (int j = 0; j < weights.size(); j++) {
            INDArray pre = h.mmul(weights.get(j)).addiRowVector(biases.get(j));
            h = relu ? Transforms.max(pre, 0, false) : Transforms.tanh(pre, false);
        }
        INDArray[] out = new INDArray[headWeights.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = h.mmul(headWeights.get(i)).addiRowVector(headBiases.get(i));
        }
        return out;
    }
}
