package io.flowsynth.flow.transforms;

import io.flowsynth.flow.nn.Mlp;

/**
 * MAF layer (Papamakarios et al. 2017): the {@link AutoregressiveTransform} template with the
 * {@link AffineBijection}: y_i = x_i·exp(s_i) + t_i, (s_i, t_i) = MADE(x_<i), s soft-clamped.
 */
public final class MaskedAffineAutoregressiveTransform extends AutoregressiveTransform {
    /** @param made MADE with heads (raw log-scale, shift), weights already masked ({@link MadeMasks}) */
    public MaskedAffineAutoregressiveTransform(int features, Mlp made) {
        super(features, made, AffineBijection.INSTANCE);
    }
}
