package io.flowsynth.config;

import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;

/**
 * The flow settings of a configuration ({@code flowsynth.flow.*}), validated: what a {@link FlowSpec} needs besides
 * the table's width and size, which are known only once the encoders are fitted.
 *
 * @param type           flow family ({@link ConfigKeys#FLOW_TYPE})
 * @param layers         coupling/autoregressive layers; 0 = auto ({@link AutoSizing#layers})
 * @param hiddenFeatures width of the conditioners' hidden layers; 0 = auto ({@link AutoSizing#hiddenFeatures})
 * @param hiddenLayers   hidden layers of each conditioner (≥ 1)
 * @param bins           spline bins (2 … {@value ConfigResolver#MAX_BINS})
 * @param tailBound      spline interval half-width
 * @param activation     hidden activation of the conditioners
 * @param affineScale    how an affine layer's raw head becomes its scale
 * @param copulaInit     start at the Gaussian copula of the training rows ({@link ConfigKeys#FLOW_COPULA_INIT}):
 *                       realnvp/maf/spline get the copula layer ({@link FlowSpec#copulaLayer()}), linear starts at
 *                       its fitted Gaussian
 */
public record FlowSettings(FlowType type, int layers, int hiddenFeatures, int hiddenLayers, int bins, double tailBound,
                           String activation, String affineScale, boolean copulaInit) {

    /** True when the hidden width is left to {@link AutoSizing} (0 or {@code auto}). */
    public boolean hiddenFeaturesAuto() {
        return hiddenFeatures == 0;
    }

    /** The spec of a flow over {@code features} features fitted on {@code rows} rows, auto sizes resolved. */
    public FlowSpec spec(int features, long rows, long seed) {
        return new FlowSpec(type, features, AutoSizing.layers(layers, rows),
                AutoSizing.hiddenFeatures(hiddenFeatures, rows, features), hiddenLayers, bins, tailBound, seed,
                activation, affineScale).withCopulaLayer(copulaInit);
    }
}
