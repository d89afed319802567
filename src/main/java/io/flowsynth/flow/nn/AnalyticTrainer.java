package io.flowsynth.flow.nn;

import io.flowsynth.flow.FlowSpec;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a flow with its hand-derived gradient ({@link FlowBackprop}) and a fused Adam step ({@link FlowAdam}), as a
 * drop-in for {@code MultiLayerNetwork.fit/score} of the network a {@link FlowNetworks#configuration} describes:
 * same parameter vector, same Adam state layout, same iteration count, same score (mean NLL without the constant), so
 * a fit may move between the two at any step (checkpoints, {@code --resume}, the {@code dl4j-spark} engine).
 * Float32. Not thread-safe: one per thread.
 */
public final class AnalyticTrainer {
    private final FlowBackprop backprop;
    private final FlowAdam adam;
    private final INDArray state;
    private int iteration;

    /** Whether the network a configuration describes can be trained here (its flow family and optimizer). */
    public static boolean supports(MultiLayerConfiguration conf) {
        if (!(conf.getConf(0).getLayer() instanceof FlowOutputLayer layer) || !FlowBackprop.supports(layer.spec())) {
            return false;
        }
        try {
            FlowAdam.of(conf);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public AnalyticTrainer(MultiLayerConfiguration conf) {
        FlowSpec spec = ((FlowOutputLayer) conf.getConf(0).getLayer()).spec();
        this.backprop = new FlowBackprop(spec, DataType.FLOAT);
        this.adam = FlowAdam.of(conf);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.state = Nd4j.create(DataType.FLOAT, 1, FlowAdam.stateSize(spec.parameterCount()));
        }
    }

    public FlowSpec spec() {
        return backprop.spec();
    }

    /** Loads parameters (DL4J's flat layout), Adam state and iteration count, as {@code setParams} etc. would. */
    public void load(float[] params, float[] adamState, int iterationCount) {
        backprop.setParams(params);
        if (adamState.length != state.length()) {
            throw new IllegalArgumentException("Adam state has " + adamState.length + " values; expected "
                    + state.length());
        }
        state.data().asNioFloat().put(adamState, 0, adamState.length);
        this.iteration = iterationCount;
    }

    /** One Adam step on the {@code n} rows of {@code batch} (row-major); returns the batch's mean loss before it. */
    public double fit(float[] batch, int n) {
        double loss = backprop.lossAndGradient(batch, n);
        adam.step(backprop.params(), backprop.gradient(), state, iteration, n);
        iteration++;
        return loss / n;
    }

    /**
     * One DP-SGD step (Abadi et al. 2016) on a Poisson sample of {@code rows} rows (row-major in {@code sample}):
     * every row's gradient clipped to L2 norm {@code clip} ({@link FlowBackprop#clippedGradient}), the clipped
     * gradients summed, N(0, noiseStd²) added to each coordinate of the sum, the result divided by the expected batch
     * size {@code expectedBatch} (not by the realized sample size, which would depend on the data) and the usual Adam
     * step taken. The sample is processed {@code chunk} rows at a time (the last chunk padded with zero-weight rows), so
     * the flow's buffers keep one size whatever the sample's. An empty sample still takes a (noise-only) step.
     *
     * @param sample at least max(rows, chunk) rows × D; rows past {@code rows} are overwritten with zeros
     * @return the sample's mean loss before the step (NaN when empty): for the log only, it is not private
     */
    public double fitPrivate(float[] sample, int rows, int chunk, double clip, double noiseStd, int expectedBatch,
                             java.util.random.RandomGenerator noise) {
        int d = backprop.spec().features();
        if (sample.length < (long) Math.max(rows, chunk) * d) {
            throw new IllegalArgumentException("Sample buffer too small for " + Math.max(rows, chunk) + " rows");
        }
        double loss = 0;
        INDArray gradient = backprop.gradient();
        double[] sum = null;
        int chunks = Math.max(1, (rows + chunk - 1) / chunk);
        float[] part = chunks == 1 ? sample : new float[chunk * d];
        for (int c = 0; c < chunks; c++) {
            int from = c * chunk;
            int real = Math.min(chunk, rows - from);
            if (chunks == 1) {
                java.util.Arrays.fill(sample, rows * d, chunk * d, 0f);
            } else {
                System.arraycopy(sample, from * d, part, 0, real * d);
                java.util.Arrays.fill(part, real * d, chunk * d, 0f);
            }
            loss += backprop.clippedGradient(part, chunk, real, clip, null);
            if (chunks > 1) {
                double[] g = gradient.toDoubleVector();
                if (sum == null) {
                    sum = g;
                } else {
                    for (int i = 0; i < g.length; i++) {
                        sum[i] += g[i];
                    }
                }
            }
        }
        if (sum != null) {
            gradient.assign(Nd4j.createFromArray(sum).castTo(gradient.dataType()).reshape(gradient.shape()));
        }
        backprop.addGaussianNoise(noiseStd, noise);
        adam.step(backprop.params(), gradient, state, iteration, expectedBatch);
        iteration++;
        return rows == 0 ? Double.NaN : loss / rows;
    }

    /** Mean NLL (without the constant (D/2)·ln 2π) of the {@code n} rows of {@code rows}. */
    public double score(float[] rows, int n) {
        return backprop.loss(rows, n) / n;
    }

    public float[] params() {
        return backprop.params().toFloatVector();
    }

    public float[] state() {
        return state.toFloatVector();
    }

    public int iteration() {
        return iteration;
    }
}
