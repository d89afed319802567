package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Transform;
import io.flowsynth.flow.TransformResult;
import io.flowsynth.flow.conditioner.Mlp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An autoregressive layer as a template (Papamakarios, Pavlakou and Murray 2017): θ = MADE(x), where θ_i depends on
 * x_1 … x_{i−1} only, and y_i = g(x_i; θ_i) for a pluggable {@link ElementwiseBijection} g. The forward direction
 * (density) is one pass; the inverse (sampling) takes D passes, the i-th fixing x_i. The Jacobian is lower-triangular
 * with log|det J| = Σ_i log g'(x_i).
 */
public class AutoregressiveTransform implements Transform {
    private final int features;
    private final Mlp made;
    private final ElementwiseBijection bijection;

    /** @param made an MLP whose weights are already multiplied by their MADE masks ({@link MadeMasks}) */
    public AutoregressiveTransform(int features, Mlp made, ElementwiseBijection bijection) {
        this.features = features;
        this.made = made;
        this.bijection = bijection;
    }

    @Override
    public int features() {
        return features;
    }

    @Override
    public TransformResult forward(INDArray x) {
        INDArray[] r = bijection.forward(x, made.apply(x));
        return new TransformResult(r[0], r[1].sum(1));
    }

    @Override
    public TransformResult inverse(INDArray y) {
        INDArray x = Nd4j.zeros(y.dataType(), y.size(0), features);
        INDArray[] r = null;
        for (int i = 0; i < features; i++) {
            // after pass i, x_0 … x_i are exact (θ_i needs only x_<i)
            r = bijection.inverse(y, made.apply(x));
            x.putColumn(i, r[0].getColumn(i));
        }
        return new TransformResult(x, r[1].sum(1));
    }
}
