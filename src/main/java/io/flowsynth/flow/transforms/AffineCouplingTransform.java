package io.flowsynth.flow.transforms;

import io.flowsynth.flow.conditioner.Mlp;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RealNVP affine coupling (Dinh, Sohl-Dickstein and Bengio 2017): the {@link CouplingTransform} template with an
 * {@link AffineBijection}, y = x⊙σ + t on the transformed features.
 */
public final class AffineCouplingTransform extends CouplingTransform {
    /** @param conditioner an MLP with heads (raw scale, shift) */
    public AffineCouplingTransform(INDArray mask, Mlp conditioner, AffineBijection bijection) {
        super(mask, conditioner, bijection);
    }
}
