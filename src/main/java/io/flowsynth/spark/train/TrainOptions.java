package io.flowsynth.spark.train;

/**
 * Plain values that steer a fit (the config object itself stays on the driver).
 *
 * @param epochs              passes over the training rows (each partition's copy sees its share)
 * @param batchSize           rows per local step
 * @param learningRate        Adam's initial step size
 * @param learningRateDecay   the step size at the last step as a fraction of the first (exponential decay per step;
 *                            1 = constant)
 * @param localSteps          steps each partition takes between two averagings (one round)
 * @param gradientClip        per-layer L2 gradient-norm bound (0 = off)
 * @param patience            stop after this many rounds without a better validation NLL (0 = never stop early)
 * @param seed                seed of batch sampling
 * @param dl4j                settings of the dl4j-spark engine
 */
public record TrainOptions(int epochs, int batchSize, double learningRate, double learningRateDecay, int localSteps,
                           double gradientClip, int patience, long seed, Dl4jSettings dl4j) {

    /**
     * Settings of DL4J's {@code ParameterAveragingTrainingMaster}.
     *
     * @param averagingFrequency  local steps between averagings inside a round (≤ local-steps)
     * @param workerPrefetch      mini-batches each worker prefetches asynchronously
     * @param saveUpdater         average and keep Adam's state across averagings
     * @param repartition         DL4J's repartition setting: always | never | num-partitions-workers-differs
     * @param exportDirectory     where DL4J exports mini-batches (a shared file system on clusters); removed afterwards
     */
    public record Dl4jSettings(int averagingFrequency, int workerPrefetch, boolean saveUpdater, String repartition,
                               String exportDirectory) {
    }
}
