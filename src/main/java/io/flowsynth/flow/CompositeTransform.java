package io.flowsynth.flow;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * f = f_K ∘ … ∘ f_1: forward applies the parts in order, inverse in reverse order; log-dets add up.
 */
public final class CompositeTransform implements Transform {
    private final List<Transform> parts;
    private final int features;

    public CompositeTransform(List<? extends Transform> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("A composite transform needs at least one part");
        }
        this.features = parts.get(0).features();
        for (Transform t : parts) {
            if (t.features() != features) {
                throw new IllegalArgumentException("All parts must map " + features + " features; "
                        + t.getClass().getSimpleName() + " maps " + t.features());
            }
        }
        this.parts = List.copyOf(parts);
    }

    public List<Transform> parts() {
        return parts;
    }

    @Override
    public int features() {
        return features;
    }

    @Override
    public TransformResult forward(INDArray x) {
        INDArray logAbsDet = Nd4j.zeros(x.dataType(), x.size(0));
        INDArray h = x;
        for (Transform t : parts) {
            TransformResult r = t.forward(h);
            h = r.output();
            logAbsDet.addi(r.logAbsDet());
        }
        return new TransformResult(h, logAbsDet);
    }

    @Override
    public TransformResult inverse(INDArray z) {
        INDArray logAbsDet = Nd4j.zeros(z.dataType(), z.size(0));
        INDArray h = z;
        for (int i = parts.size() - 1; i >= 0; i--) {
            TransformResult r = parts.get(i).inverse(h);
            h = r.output();
            logAbsDet.addi(r.logAbsDet());
        }
        return new TransformResult(h, logAbsDet);
    }
}
