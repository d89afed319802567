package io.flowsynth.spark.train;

import java.util.List;

/**
 * The outcome of a fit: the parameters with the best validation NLL (float32, in DL4J's flat layout of
 * {@code networkJson}'s network), the round whose end produced them, the history, and the network configuration.
 */
public record TrainingResult(float[] parameters, int bestRound, double bestValidationNll, List<RoundMetrics> history,
                             long trainRows, long validationRows, int partitions, double seconds, String engine,
                             String networkJson) {
}
