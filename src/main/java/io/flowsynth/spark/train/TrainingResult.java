package io.flowsynth.spark.train;

import java.util.List;

/**
 * The outcome of a fit: the flattened parameters with the best validation NLL (float32, in the network's layout),
 * the round they came from, and the history.
 */
public record TrainingResult(float[] parameters, int bestRound, double bestValidationNll, List<RoundMetrics> history,
                             long trainRows, long validationRows, int partitions, double seconds) {
}
