package io.flowsynth.flow.transforms;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * y = x·exp(s) + t with a soft-clamped log-scale s = c·tanh(ŝ/c), c = {@link #SCALE_CLAMP}; θ = (ŝ, t), each
 * {@code [batch, D]}. log g'(x) = s.
 */
public final class AffineBijection implements ElementwiseBijection {
    /** Bound on the per-feature log-scale |s_i|. */
    public static final double SCALE_CLAMP = 3.0;

    public static final AffineBijection INSTANCE = new AffineBijection();

    private AffineBijection() {
    }

    static INDArray logScale(INDArray raw) {
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
