package io.flowsynth.flow.transforms;

import io.flowsynth.flow.conditioner.Mlp;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MAF layer (Papamakarios et al. 2017): the {@link AutoregressiveTransform} template with the
 * {@link AffineBijection}: y_i = x_i·σ_i + t_i, (σ_i, t_i) from MADE(x_<i).
 */
public final class MaskedAffineAutoregressiveTransform extends AutoregressiveTransform {
    /** @param made MADE with heads (raw scale, shift), weights already masked ({@link MadeMasks}) */
    public MaskedAffineAutoregressiveTransform(int features, Mlp made, AffineBijection bijection) {
        super(features, made, bijection);
    }

    /** A conditional MAF: {@code transformed} is 0 on the context features (see {@link AutoregressiveTransform}). */
    public MaskedAffineAutoregressiveTransform(int features, Mlp made, AffineBijection bijection,
                                               INDArray transformed) {
        super(features, made, bijection, transformed);
    }
}
