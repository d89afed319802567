package io.flowsynth.flow.transforms;

import io.flowsynth.flow.conditioner.Mlp;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rational-quadratic spline coupling (Durkan et al. 2019, "Neural Spline Flows"): the {@link CouplingTransform}
 * template with a {@link RationalQuadraticSpline} of K bins on [−B, B] and identity tails.
 */
public final class RationalQuadraticSplineCouplingTransform extends CouplingTransform {
    public static final double MIN_BIN_WIDTH = RationalQuadraticSpline.MIN_BIN_WIDTH;
    public static final double MIN_BIN_HEIGHT = RationalQuadraticSpline.MIN_BIN_HEIGHT;
    public static final double MIN_DERIVATIVE = RationalQuadraticSpline.MIN_DERIVATIVE;

    /** @param conditioner an MLP with heads (widths [D·K], heights [D·K], derivatives [D·(K−1)]) */
    public RationalQuadraticSplineCouplingTransform(INDArray mask, Mlp conditioner, int bins, double tailBound) {
        super(mask, conditioner, new RationalQuadraticSpline(bins, tailBound));
    }
}
