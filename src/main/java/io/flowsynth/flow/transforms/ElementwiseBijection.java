package io.flowsynth.flow.transforms;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A strictly increasing scalar map y = g(x; θ) applied to every element of a {@code [batch, D]} array, with its
 * parameters θ given per element by a conditioner (the heads of an {@link io.flowsynth.flow.conditioner.Mlp}). Coupling and
 * autoregressive layers are templates over this strategy: {@link AffineBijection} (RealNVP, MAF) and
 * {@link RationalQuadraticSpline} (neural spline flows).
 */
public interface ElementwiseBijection {
    /**
     * @param x     {@code [batch, D]}
     * @param theta the conditioner's heads for these rows
     * @return {y, log g'(x)}, both {@code [batch, D]}
     */
    INDArray[] forward(INDArray x, INDArray[] theta);

    /** @return {x = g⁻¹(y), log (g⁻¹)'(y) = −log g'(x)}, both {@code [batch, D]} */
    INDArray[] inverse(INDArray y, INDArray[] theta);
}
