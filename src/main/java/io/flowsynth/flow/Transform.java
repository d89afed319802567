package io.flowsynth.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An invertible, differentiable map of {@code features}-dimensional rows with a tractable Jacobian determinant.
 * {@code forward} maps data towards noise (x → z), {@code inverse} maps noise back to data (z → x); both return
 * log|det J| of the direction they computed, so {@code forward(x).logAbsDet == -inverse(forward(x).output).logAbsDet}.
 * Implementations are immutable and thread-safe; they work in the data type of their parameters (float or double)
 * and expect inputs of that type.
 */
public interface Transform {
    /** Dimension of the rows this transform maps. */
    int features();

    TransformResult forward(INDArray x);

    TransformResult inverse(INDArray z);
}
