package io.flowsynth.spark.train;

/**
 * One averaging round as logged and kept in the model's metadata. NLLs are in nats per row of encoded features
 * (−log p of the flow, including the (D/2)·ln 2π constant); the validation NLL is that of the parameters the
 * round started from.
 */
public record RoundMetrics(int round, double epoch, double trainNll, double validationNll, double rowsPerSecond,
                           double seconds) {
}
