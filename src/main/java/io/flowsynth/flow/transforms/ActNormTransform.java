package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Transform;
import io.flowsynth.flow.TransformResult;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Activation normalization (Kingma and Dhariwal 2018, "Glow"): a per-feature affine map y = x⊙exp(s) + b with
 * log|det J| = Σ_i s_i for every row.
 *
 * <p>Initialization: Glow sets s and b from the first batch so that y has zero mean and unit variance
 * ({@link #initialisedFrom}). In flowsynth's training every layer starts as the identity (zero heads) and the encoded
 * features are standard normal marginally by construction (quantile-normal and frequency-interval encoders), so the
 * data-dependent initialization is s = 0, b = 0 up to sampling noise; the trained layer therefore starts at zero
 * ({@link io.flowsynth.flow.FlowSpec.Init#ZERO}) and needs no extra pass over the data.
 */
public final class ActNormTransform implements Transform {
    private final INDArray logScale;
    private final INDArray shift;

    /** @param logScale s {@code [1, D]}; @param shift b {@code [1, D]} */
    public ActNormTransform(INDArray logScale, INDArray shift) {
        if (logScale.length() != shift.length()) {
            throw new IllegalArgumentException("ActNorm needs one log-scale and one shift per feature");
        }
        this.logScale = logScale.reshape(1, logScale.length());
        this.shift = shift.reshape(1, shift.length());
    }

    /** The data-initialised layer: maps {@code x}'s columns to mean 0 and standard deviation 1. */
    public static ActNormTransform initialisedFrom(INDArray x) {
        INDArray mean = x.mean(0).reshape(1, x.size(1));
        INDArray std = x.std(false, 0).reshape(1, x.size(1));
        INDArray s = Transforms.log(Transforms.max(std, 1e-6, true), false).negi();
        INDArray b = mean.mul(Transforms.exp(s, true)).negi();
        return new ActNormTransform(s, b);
    }

    @Override
    public int features() {
        return (int) logScale.length();
    }

    private INDArray logDet(INDArray rows) {
        return Nd4j.zeros(rows.dataType(), rows.size(0)).addi(logScale.sumNumber().doubleValue());
    }

    @Override
    public TransformResult forward(INDArray x) {
        INDArray y = x.mulRowVector(Transforms.exp(logScale, true)).addiRowVector(shift);
        return new TransformResult(y, logDet(x));
    }

    @Override
    public TransformResult inverse(INDArray y) {
        INDArray x = y.subRowVector(shift).muliRowVector(Transforms.exp(logScale.neg(), false));
        return new TransformResult(x, logDet(y).negi());
    }
}
