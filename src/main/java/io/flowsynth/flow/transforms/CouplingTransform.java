package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Transform;
import io.flowsynth.flow.TransformResult;
import io.flowsynth.flow.conditioner.Mlp;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A coupling layer (Dinh et al. 2017; Durkan et al. 2019) as a template: with m the mask of the conditioning
 * features, θ = MLP(x⊙m) and y = m⊙x + (1−m)⊙g(x; θ) for a pluggable {@link ElementwiseBijection} g.
 * log|det J| = Σ_i (1−m_i)·log g'(x_i); the Jacobian is block lower-triangular (conditioning features first).
 */
public class CouplingTransform implements Transform {
    private final int features;
    private final Mlp conditioner;
    private final ElementwiseBijection bijection;
    private final INDArray mask;
    private final INDArray transformedMask;

    /**
     * @param mask {@code [features]} or {@code [1, features]}: 1 for the features the layer conditions on and leaves
     *             unchanged, else 0
     */
    public CouplingTransform(INDArray mask, Mlp conditioner, ElementwiseBijection bijection) {
        this.features = (int) mask.length();
        this.mask = mask.reshape(1, features);
        this.transformedMask = this.mask.rsub(1.0);
        this.conditioner = conditioner;
        this.bijection = bijection;
    }

    @Override
    public int features() {
        return features;
    }

    private TransformResult apply(INDArray in, boolean forward) {
        INDArray[] theta = conditioner.apply(in.mulRowVector(mask));
        INDArray[] r = forward ? bijection.forward(in, theta) : bijection.inverse(in, theta);
        INDArray out = in.mulRowVector(mask).addi(r[0].muliRowVector(transformedMask));
        return new TransformResult(out, r[1].muliRowVector(transformedMask).sum(1));
    }

    @Override
    public TransformResult forward(INDArray x) {
        return apply(x, true);
    }

    @Override
    public TransformResult inverse(INDArray y) {
        return apply(y, false);
    }
}
