package io.flowsynth.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A normalizing flow: a bijection f from data to noise and a standard normal base, so that
 * log p(x) = log N(f(x); 0, I) + log|det Df(x)| (Dinh et al. 2017; Papamakarios et al. 2021).
 * Sampling is x = f⁻¹(z) with z ~ N(0, I).
 */
public final class Flow {
    private final Transform transform;
    private final StandardNormal base;

    public Flow(Transform transform) {
        this.transform = transform;
        this.base = new StandardNormal(transform.features());
    }

    public Transform transform() {
        return transform;
    }

    public int features() {
        return transform.features();
    }

    /** Per-row exact log density of the rows of {@code x} {@code [batch]}. */
    public INDArray logProb(INDArray x) {
        TransformResult r = transform.forward(x);
        return base.logProb(r.output()).addi(r.logAbsDet());
    }

    /** Maps base noise {@code z} to data rows: x = f⁻¹(z). */
    public INDArray inverse(INDArray z) {
        return transform.inverse(z).output();
    }
}
