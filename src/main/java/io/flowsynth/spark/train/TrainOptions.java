package io.flowsynth.spark.train;

import java.io.Serializable;

/**
 * Plain values that steer a fit (the config object itself stays on the driver).
 *
 * @param epochs        passes over the training rows (each partition's copy sees its share)
 * @param batchSize     rows per local step
 * @param learningRate  Adam's step size
 * @param localSteps    steps each partition takes between two averagings
 * @param gradientClip  per-layer L2 gradient-norm bound (0 = off)
 * @param patience      stop after this many rounds without a better validation NLL (0 = never stop early)
 * @param seed          seed of batch sampling
 */
public record TrainOptions(int epochs, int batchSize, double learningRate, int localSteps, double gradientClip,
                           int patience, long seed) implements Serializable {
}
