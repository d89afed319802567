package io.flowsynth.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The inverse f⁻¹ of a transform f, as a transform: its forward is f's inverse and vice versa. */
public final class InverseTransform implements Transform {
    private final Transform inner;

    public InverseTransform(Transform inner) {
        this.inner = inner;
    }

    @Override
    public int features() {
        return inner.features();
    }

    @Override
    public TransformResult forward(INDArray x) {
        return inner.inverse(x);
    }

    @Override
    public TransformResult inverse(INDArray z) {
        return inner.forward(z);
    }
}
