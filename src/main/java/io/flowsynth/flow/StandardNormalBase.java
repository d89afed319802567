package io.flowsynth.flow;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The base distribution N(0, I) of a flow: log p(z) = −½‖z‖² − (D/2)·ln 2π, per row of a batch. (The scalar φ, Φ and
 * Φ⁻¹ of the column encoders are {@code io.flowsynth.math.StandardNormal}.)
 */
public final class StandardNormalBase {
    public static final double LOG_2PI = Math.log(2 * Math.PI);
    private final int features;

    public StandardNormalBase(int features) {
        this.features = features;
    }

    public int features() {
        return features;
    }

    /** Per-row log density {@code [batch]}. */
    public INDArray logProb(INDArray z) {
        INDArray sq = Transforms.pow(z, 2, true).sum(1);
        return sq.muli(-0.5).subi(0.5 * features * LOG_2PI);
    }
}
