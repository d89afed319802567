package io.flowsynth.flow.transforms;

import io.flowsynth.flow.CompositeTransform;
import io.flowsynth.flow.Flow;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.Transform;
import io.flowsynth.flow.nn.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a RealNVP flow (Dinh et al. 2017): {@code numLayers} × (affine coupling → permutation), from a
 * {@link FlowSpec} and its named parameters (as trained by {@link io.flowsynth.flow.nn.FlowOutputLayer}).
 */
public final class RealNvp {
    private RealNvp() {
    }

    /**
     * @param params every parameter of {@link FlowSpec#paramShapes()} by name, all of one data type (which the flow
     *               then computes in)
     */
    public static Flow build(FlowSpec spec, Map<String, INDArray> params) {
        DataType dt = params.values().iterator().next().dataType();
        INDArray mask = Nd4j.createFromArray(spec.conditioningMask()).castTo(dt).reshape(1, spec.features());
        List<Transform> parts = new ArrayList<>();
        for (int k = 0; k < spec.numLayers(); k++) {
            List<INDArray> w = new ArrayList<>();
            List<INDArray> b = new ArrayList<>();
            for (int j = 0; j < spec.hiddenLayers(); j++) {
                w.add(require(params, FlowSpec.hiddenWeight(k, j), dt));
                b.add(require(params, FlowSpec.hiddenBias(k, j), dt));
            }
            Mlp mlp = new Mlp(w, b,
                    require(params, FlowSpec.scaleWeight(k), dt), require(params, FlowSpec.scaleBias(k), dt),
                    require(params, FlowSpec.shiftWeight(k), dt), require(params, FlowSpec.shiftBias(k), dt));
            parts.add(new AffineCouplingTransform(mask, mlp));
            parts.add(new PermutationTransform(spec.permutation(k)));
        }
        return new Flow(new CompositeTransform(parts));
    }

    private static INDArray require(Map<String, INDArray> params, String name, DataType dt) {
        INDArray a = params.get(name);
        if (a == null) {
            throw new IllegalArgumentException("Missing flow parameter '" + name + "'");
        }
        if (a.dataType() != dt) {
            throw new IllegalArgumentException("Flow parameter '" + name + "' is " + a.dataType() + ", expected " + dt);
        }
        return a;
    }
}
