package io.flowsynth.flow.transforms;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * y = x·σ + t with a positive scale σ = scale(v) from the raw head value v; θ = (v, t), each {@code [batch, D]}.
 * log g'(x) = log σ. Two scale forms, both σ(0) = 1 so zero heads are the identity:
 * <ul>
 *   <li>{@link #SIGMOID}: σ = a + (2 − 2a)·sigmoid(v), a = e⁻³, so σ ∈ (e⁻³, 2 − e⁻³). Its inverse
 *       1/σ = (1 + e⁻ᵛ) / (a·(1 + e⁻ᵛ) + 2 − 2a) costs one exponential (the sampler's fast path relies on it);</li>
 *   <li>{@link #CLAMP}: σ = exp(s), s = c·tanh(v/c), c = {@link #SCALE_CLAMP}, so |log σ| &lt; 3 (models saved before
 *       the sigmoid form; a tanh and an exponential per value).</li>
 * </ul>
 */
public final class AffineBijection implements ElementwiseBijection {
    /** Bound on |log σ| of the clamp form, and −log of the sigmoid form's lower bound a. */
    public static final double SCALE_CLAMP = 3.0;
    /** a: the sigmoid form's lower bound on the scale. */
    public static final double SIGMOID_SCALE_FLOOR = Math.exp(-SCALE_CLAMP);

    public static final AffineBijection SIGMOID = new AffineBijection(true);
    public static final AffineBijection CLAMP = new AffineBijection(false);

    private final boolean sigmoid;

    private AffineBijection(boolean sigmoid) {
        this.sigmoid = sigmoid;
    }

    /** The bijection of a {@link io.flowsynth.flow.FlowSpec#affineScale()} name. */
    public static AffineBijection of(String affineScale) {
        return switch (affineScale) {
            case "sigmoid" -> SIGMOID;
            case "clamp" -> CLAMP;
            default -> throw new IllegalArgumentException("Unknown affine scale '" + affineScale + "'");
        };
    }

    /** log σ for raw head values {@code raw} (a new array). */
    INDArray logScale(INDArray raw) {
        if (sigmoid) {
            double a = SIGMOID_SCALE_FLOOR;
            return Transforms.log(Transforms.sigmoid(raw, true).muli(2 - 2 * a).addi(a), false);
        }
        return Transforms.tanh(raw.div(SCALE_CLAMP), false).muli(SCALE_CLAMP);
    }

    @Override
    public INDArray[] forward(INDArray x, INDArray[] theta) {
        INDArray s = logScale(theta[0]);
        INDArray y = x.mul(Transforms.exp(s, true)).addi(theta[1]);
        return new INDArray[]{y, s};
    }

    @Override
    public INDArray[] inverse(INDArray y, INDArray[] theta) {
        INDArray s = logScale(theta[0]);
        INDArray x = y.sub(theta[1]).muli(Transforms.exp(s.neg(), false));
        return new INDArray[]{x, s.negi()};
    }
}
