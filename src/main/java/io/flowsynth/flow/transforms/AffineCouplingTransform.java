package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Transform;
import io.flowsynth.flow.TransformResult;
import io.flowsynth.flow.nn.Mlp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * RealNVP affine coupling (Dinh, Sohl-Dickstein and Bengio 2017). With m the mask of the conditioning features
 * (the first {@code conditioning} ones), the conditioner reads x⊙m and the other features are scaled and shifted:
 * y = x⊙exp(s) + t with s = (1−m)⊙c·tanh(ŝ/c) and t = (1−m)⊙t̂, where (ŝ, t̂) = MLP(x⊙m). The soft clamp c =
 * {@link #SCALE_CLAMP} bounds the log-scale. log|det J| = Σ_i s_i; the Jacobian is lower block-triangular.
 */
public final class AffineCouplingTransform implements Transform {
    /** Bound on the per-feature log-scale |s_i|. */
    public static final double SCALE_CLAMP = 3.0;

    private final int features;
    private final Mlp conditioner;
    private final INDArray mask;
    private final INDArray transformedMask;

    /**
     * @param mask {@code [1, features]}, 1 for the features the layer conditions on and leaves unchanged, else 0
     */
    public AffineCouplingTransform(INDArray mask, Mlp conditioner) {
        this.features = (int) mask.length();
        this.mask = mask.reshape(1, features);
        this.transformedMask = this.mask.rsub(1.0);
        this.conditioner = conditioner;
    }

    @Override
    public int features() {
        return features;
    }

    private INDArray[] scaleAndShift(INDArray conditioningInput) {
        INDArray[] raw = conditioner.apply(conditioningInput.mulRowVector(mask));
        INDArray s = Transforms.tanh(raw[0].divi(SCALE_CLAMP), false).muli(SCALE_CLAMP).muliRowVector(transformedMask);
        INDArray t = raw[1].muliRowVector(transformedMask);
        return new INDArray[]{s, t};
    }

    @Override
    public TransformResult forward(INDArray x) {
        INDArray[] st = scaleAndShift(x);
        INDArray y = x.mul(Transforms.exp(st[0], true)).addi(st[1]);
        return new TransformResult(y, st[0].sum(1));
    }

    @Override
    public TransformResult inverse(INDArray y) {
        INDArray[] st = scaleAndShift(y);
        INDArray x = y.sub(st[1]).muli(Transforms.exp(st[0].neg(), false));
        return new TransformResult(x, st[0].sum(1).negi());
    }
}
