package io.flowsynth.spark.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a fit stands after a round, on the driver: the current parameters and Adam state (DL4J's flat layout), the
 * best parameters so far, and the history. Checkpoints save it; {@code fit --resume} starts from it.
 */
public final class TrainingState {
    /** Rounds completed. */
    public final int round;
    public final int totalRounds;
    public final float[] params;
    public final float[] updaterState;
    public final float[] bestParams;
    /** The round whose end produced {@link #bestParams} (0 = the initial parameters). */
    public final int bestRound;
    public final double bestValidationNll;
    public final int roundsSinceBest;
    public final List<RoundMetrics> history;
    /** The DL4J configuration of the network the parameters belong to. */
    public final String networkJson;

    public TrainingState(int round, int totalRounds, float[] params, float[] updaterState, float[] bestParams,
                         int bestRound, double bestValidationNll, int roundsSinceBest, List<RoundMetrics> history,
                         String networkJson) {
        this.round = round;
        this.totalRounds = totalRounds;
        this.params = params;
        this.updaterState = updaterState;
        this.bestParams = bestParams;
        this.bestRound = bestRound;
        this.bestValidationNll = bestValidationNll;
        this.roundsSinceBest = roundsSinceBest;
        this.history = List.copyOf(new ArrayList<>(history));
        this.networkJson = networkJson;
    }
}
