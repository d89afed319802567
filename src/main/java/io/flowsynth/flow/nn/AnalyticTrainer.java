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
