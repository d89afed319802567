package io.flowsynth.flow.nn;

import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * One optimizer step exactly as DL4J takes it for a {@link FlowOutputLayer} network, fused into a single pass over
 * the flat parameter vector: the gradient of the summed loss divided by the batch size (DL4J's mini-batch scaling),
 * scaled down to an L2 norm of at most the threshold ({@code ClipL2PerLayer}: the flow is one layer), then Adam as
 * ND4J's {@code adam_updater} computes it (Kingma and Ba 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * θ ← θ − α_t·m/(√v + ε) with α_t = lr(t)·√(1−β₂^{t+1})/(1−β₁^{t+1}) and t the iteration count before the step. The
 * updater state is DL4J's view array for Adam: {@code [m (N values), v (N values)]}.
 */
public final class FlowAdam {
    private final Adam adam;
    private final double clip;

    public FlowAdam(Adam adam, double clipThreshold) {
        this.adam = adam;
        this.clip = clipThreshold;
    }

    /** The optimizer a network configuration of {@link FlowNetworks#configuration} describes. */
    public static FlowAdam of(MultiLayerConfiguration conf) {
        AbstractSameDiffLayer layer = (AbstractSameDiffLayer) conf.getConf(0).getLayer();
        IUpdater updater = layer.getUpdater();
        if (!(updater instanceof Adam a)) {
            throw new IllegalArgumentException("The hand-derived training path implements Adam, not " + updater);
        }
        GradientNormalization norm = layer.getGradientNormalization();
        double threshold = norm == GradientNormalization.ClipL2PerLayer ? layer.getGradientNormalizationThreshold() : 0;
        if (norm != null && norm != GradientNormalization.None && norm != GradientNormalization.ClipL2PerLayer) {
            throw new IllegalArgumentException("The hand-derived training path implements ClipL2PerLayer, not " + norm);
        }
        return new FlowAdam(a, threshold);
    }

    /** Adam's state size for {@code n} parameters. */
    public static long stateSize(long n) {
        return 2 * n;
    }

    /**
     * Applies one step to {@code params} in place.
     *
     * @param gradient  gradient of the loss summed over the batch (overwritten)
     * @param state     {@code [1, 2N]}: m then v (updated in place)
     * @param iteration optimizer steps taken before this one
     */
    public void step(INDArray params, INDArray gradient, INDArray state, int iteration, int batchSize) {
        int n = (int) params.length();
        Buf p = Buf.of(params);
        Buf g = Buf.of(gradient);
        Buf s = Buf.of(state);
        double inv = 1.0 / batchSize;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double v = g.get(i) * inv;
            sq += v * v;
        }
        double norm = Math.sqrt(sq);
        double scale = inv;
        if (clip > 0 && norm > clip) {
            scale *= clip / norm;
        }
        double b1 = adam.getBeta1();
        double b2 = adam.getBeta2();
        double eps = adam.getEpsilon();
        double lr = adam.getLearningRate(iteration, 0);
        double alpha = lr * Math.sqrt(1 - Math.pow(b2, iteration + 1)) / (1 - Math.pow(b1, iteration + 1));
        for (int i = 0; i < n; i++) {
            double gi = g.get(i) * scale;
            double m = b1 * s.get(i) + (1 - b1) * gi;
            double v = b2 * s.get(n + i) + (1 - b2) * gi * gi;
            s.set(i, m);
            s.set(n + i, v);
            p.set(i, p.get(i) - alpha * m / (Math.sqrt(v) + eps));
        }
    }
}
