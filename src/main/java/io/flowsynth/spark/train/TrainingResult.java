package io.flowsynth.spark.train;

import java.util.List;

/**
 * The outcome of a fit: the parameters with the best validation NLL (float32, in DL4J's flat layout of
 * {@code networkJson}'s network), the round whose end produced them, the history, the network configuration, and
 * why the loop ended: {@link #BUDGET} (every round of the budget ran), {@link #PLATEAU} (patience ran out) or
 * {@link #MAX_MINUTES} (the wall-time bound was crossed); and the task seconds the rounds spent scoring validation
 * rows and taking training steps (summed over partitions; 0 where the engine does not measure them), and how many
 * validation rows each round scored and the best parameters' NLL on every held-out row (= the best validation NLL
 * when the rounds scored all of them).
 */
public record TrainingResult(float[] parameters, int bestRound, double bestValidationNll, List<RoundMetrics> history,
                             long trainRows, long validationRows, int partitions, double seconds, String engine,
                             String networkJson, String stopReason, double validationTaskSeconds,
                             double trainTaskSeconds, long roundValidationRows, double heldOutNll) {
    public static final String BUDGET = "budget";
    public static final String PLATEAU = "plateau";
    public static final String MAX_MINUTES = "max-minutes";
}
