package io.flowsynth.flow.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A conditioner network evaluated in plain ND4J: tanh hidden layers h_{j+1} = tanh(h_j W_j + b_j), then two linear
 * heads (raw log-scale and shift) read from the last hidden layer. Weights are {@code [in, out]}, biases
 * {@code [1, out]}. This is the inference twin of the graph that {@link FlowOutputLayer} trains.
 */
public final class Mlp {
    private final List<INDArray> weights;
    private final List<INDArray> biases;
    private final INDArray scaleWeight;
    private final INDArray scaleBias;
    private final INDArray shiftWeight;
    private final INDArray shiftBias;

    public Mlp(List<INDArray> weights, List<INDArray> biases, INDArray scaleWeight, INDArray scaleBias,
               INDArray shiftWeight, INDArray shiftBias) {
        if (weights.size() != biases.size() || weights.isEmpty()) {
            throw new IllegalArgumentException("An MLP needs as many biases as weights, and at least one layer");
        }
        this.weights = List.copyOf(weights);
        this.biases = List.copyOf(biases);
        this.scaleWeight = scaleWeight;
        this.scaleBias = scaleBias;
        this.shiftWeight = shiftWeight;
        this.shiftBias = shiftBias;
    }

    /** Returns {raw log-scale, shift}, each {@code [batch, out]}. */
    public INDArray[] apply(INDArray x) {
        INDArray h = x;
        for (int j = 0; j < weights.size(); j++) {
            h = Transforms.tanh(h.mmul(weights.get(j)).addiRowVector(biases.get(j)), false);
        }
        INDArray rawScale = h.mmul(scaleWeight).addiRowVector(scaleBias);
        INDArray shift = h.mmul(shiftWeight).addiRowVector(shiftBias);
        return new INDArray[]{rawScale, shift};
    }
}
