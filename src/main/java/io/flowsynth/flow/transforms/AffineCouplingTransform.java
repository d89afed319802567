package io.flowsynth.flow.transforms;

import io.flowsynth.flow.nn.Mlp;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RealNVP affine coupling (Dinh, Sohl-Dickstein and Bengio 2017): the {@link CouplingTransform} template with the
 * {@link AffineBijection}, y = x⊙exp(s) + t on the transformed features, s soft-clamped to ±{@link #SCALE_CLAMP}.
 */
public final class AffineCouplingTransform extends CouplingTransform {
    /** Bound on the per-feature log-scale |s_i|. */
    public static final double SCALE_CLAMP = AffineBijection.SCALE_CLAMP;

    /** @param conditioner an MLP with heads (raw log-scale, shift) */
    public AffineCouplingTransform(INDArray mask, Mlp conditioner) {
        super(mask, conditioner, AffineBijection.INSTANCE);
    }
}
