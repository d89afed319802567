package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Flow;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds a RealNVP flow (Dinh et al. 2017): {@code numLayers} × (affine coupling → ActNorm → permutation). Kept for
 * callers that name the family; {@link Flows#build} builds every family.
 */
public final class RealNvp {
    private RealNvp() {
    }

    public static Flow build(FlowSpec spec, Map<String, INDArray> params) {
        if (spec.type() != FlowType.REALNVP) {
            throw new IllegalArgumentException("Not a realnvp spec: " + spec.type());
        }
        return Flows.build(spec, params);
    }
}
