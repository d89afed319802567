package io.flowsynth.flow.transforms;

import io.flowsynth.flow.CompositeTransform;
import io.flowsynth.flow.FastInverse;
import io.flowsynth.flow.Flow;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.Transform;
import io.flowsynth.flow.conditioner.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds the plain-ND4J flow of any {@link FlowSpec} from its named parameters (as trained by
 * {@link io.flowsynth.flow.nn.FlowOutputLayer}):
 * <ul>
 *   <li>realnvp (RealNVP, Dinh et al. 2017): numLayers × (affine coupling → ActNorm → permutation);</li>
 *   <li>maf (Papamakarios et al. 2017): numLayers × (MADE affine autoregressive → ActNorm → permutation);</li>
 *   <li>spline (neural spline flow, Durkan et al. 2019): numLayers × (RQ spline coupling → ActNorm → permutation);</li>
 *   <li>linear: ActNorm → LU linear (a Gaussian copula in the encoded space).</li>
 * </ul>
 * A spec with {@link FlowSpec#copulaLayer()} starts with a shift and an LU linear layer before the first layer.
 */
public final class Flows {
    private Flows() {
    }

    /**
     * @param params every parameter of {@link FlowSpec#paramShapes()} by name, all of one data type (which the flow
     *               then computes in)
     */
    public static Flow build(FlowSpec spec, Map<String, INDArray> params) {
        DataType dt = params.values().iterator().next().dataType();
        for (Map.Entry<String, long[]> e : spec.paramShapes().entrySet()) {
            INDArray a = params.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("Missing flow parameter '" + e.getKey() + "'");
            }
            if (a.dataType() != dt) {
                throw new IllegalArgumentException("Flow parameter '" + e.getKey() + "' is " + a.dataType()
                        + ", expected " + dt);
            }
            if (a.length() != e.getValue()[0] * e.getValue()[1]) {
                throw new IllegalArgumentException("Flow parameter '" + e.getKey() + "' has " + a.length()
                        + " values, expected " + e.getValue()[0] + "×" + e.getValue()[1]);
            }
        }
        List<Transform> parts = new ArrayList<>();
        if (!spec.type().layered()) {
            parts.add(actNorm(params, 0));
            parts.add(new LuLinearTransform(params.get(FlowSpec.luLower(0)), params.get(FlowSpec.luUpper(0)),
                    params.get(FlowSpec.luLogDiagonal(0)), spec.luPermutation()));
            return new Flow(new CompositeTransform(parts));
        }
        INDArray mask = Nd4j.createFromArray(spec.conditioningMask()).castTo(dt).reshape(1, spec.features());
        Transform copula = spec.copulaLayer() ? copulaLayer(spec, params, dt) : null;
        if (copula != null) {
            parts.add(copula);
        }
        for (int k = 0; k < spec.numLayers(); k++) {
            switch (spec.type()) {
                case REALNVP -> parts.add(new AffineCouplingTransform(mask, affineConditioner(spec, params, k, false),
                        AffineBijection.of(spec.affineScale())));
                case MAF -> parts.add(new MaskedAffineAutoregressiveTransform(spec.features(),
                        affineConditioner(spec, params, k, true), AffineBijection.of(spec.affineScale()),
                        spec.conditional() ? transformedMask(spec, dt) : null));
                case SPLINE -> parts.add(new RationalQuadraticSplineCouplingTransform(mask,
                        splineConditioner(spec, params, k), spec.bins(), spec.tailBound()));
                case LINEAR -> throw new IllegalStateException("linear has no layers");
            }
            parts.add(actNorm(params, k));
            parts.add(new PermutationTransform(spec.permutation(k)));
        }
        FastInverse fast = spec.type() == FlowType.REALNVP ? new AffineCouplingSampler(spec, params) : null;
        if (fast != null && copula != null) {
            fast = new ThenInverse(fast, copula, dt);
        }
        return new Flow(new CompositeTransform(parts), fast);
    }

    /** {@code [1, D]}: 1 where {@link FlowSpec#transformed} holds. */
    private static INDArray transformedMask(FlowSpec spec, DataType dt) {
        double[] t = new double[spec.features()];
        for (int i = 0; i < t.length; i++) {
            t[i] = spec.transformed(i) ? 1 : 0;
        }
        return Nd4j.createFromArray(t).castTo(dt).reshape(1, spec.features());
    }

    /** The copula layer y = (x + b)·L·U·P: a shift (an ActNorm with log-scale 0), then the LU layer. */
    private static Transform copulaLayer(FlowSpec spec, Map<String, INDArray> params, DataType dt) {
        INDArray shift = params.get(FlowSpec.copulaShift());
        return new CompositeTransform(List.of(
                new ActNormTransform(Nd4j.zeros(dt, 1, spec.features()), shift),
                new LuLinearTransform(params.get(FlowSpec.luLower(0)), params.get(FlowSpec.luUpper(0)),
                        params.get(FlowSpec.luLogDiagonal(0)), spec.luPermutation())));
    }

    /** A body's fast inverse followed by the inverse of the flow's first part (its copula layer). */
    private record ThenInverse(FastInverse body, Transform first, DataType dt) implements FastInverse {
        @Override
        public Evaluator newEvaluator() {
            Evaluator inner = body.newEvaluator();
            int d = first.features();
            return (z, rows) -> {
                inner.inverseInPlace(z, rows);
                INDArray u = Nd4j.createFromArray(z).reshape(rows, d).castTo(dt);
                float[] x = first.inverse(u).output().castTo(DataType.FLOAT).reshape(-1).toFloatVector();
                System.arraycopy(x, 0, z, 0, rows * d);
            };
        }
    }

    private static ActNormTransform actNorm(Map<String, INDArray> params, int k) {
        return new ActNormTransform(params.get(FlowSpec.actNormLogScale(k)), params.get(FlowSpec.actNormShift(k)));
    }

    private static INDArray masked(INDArray w, double[][] mask, boolean apply) {
        return apply ? w.mul(Nd4j.createFromArray(mask).castTo(w.dataType())) : w;
    }

    private static Mlp affineConditioner(FlowSpec spec, Map<String, INDArray> p, int k, boolean made) {
        int d = spec.features();
        int h = spec.hiddenFeatures();
        List<INDArray> w = new ArrayList<>();
        List<INDArray> b = new ArrayList<>();
        for (int j = 0; j < spec.hiddenLayers(); j++) {
            double[][] mask = j == 0 ? MadeMasks.input(d, h) : MadeMasks.hidden(d, h);
            w.add(masked(p.get(FlowSpec.hiddenWeight(k, j)), mask, made));
            b.add(p.get(FlowSpec.hiddenBias(k, j)));
        }
        double[][] out = MadeMasks.output(d, h);
        return new Mlp(spec.activation(), w, b, masked(p.get(FlowSpec.scaleWeight(k)), out, made),
                p.get(FlowSpec.scaleBias(k)),
                masked(p.get(FlowSpec.shiftWeight(k)), out, made), p.get(FlowSpec.shiftBias(k)));
    }

    private static Mlp splineConditioner(FlowSpec spec, Map<String, INDArray> p, int k) {
        List<INDArray> w = new ArrayList<>();
        List<INDArray> b = new ArrayList<>();
        for (int j = 0; j < spec.hiddenLayers(); j++) {
            w.add(p.get(FlowSpec.hiddenWeight(k, j)));
            b.add(p.get(FlowSpec.hiddenBias(k, j)));
        }
        List<INDArray> hw = new ArrayList<>();
        List<INDArray> hb = new ArrayList<>();
        for (char part : new char[]{'w', 'h', 'd'}) {
            hw.add(p.get(FlowSpec.splineWeight(k, part)));
            hb.add(p.get(FlowSpec.splineBias(k, part)));
        }
        return new Mlp(spec.activation(), w, b, hw, hb);
    }
}
