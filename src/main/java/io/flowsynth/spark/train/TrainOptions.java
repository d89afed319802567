package io.flowsynth.spark.train;

/**
 * Plain values that steer a fit (the config object itself stays on the driver).
 *
 * <p>The budget: with {@code epochs > 0} a fit runs {@code epochs} passes over the training rows (rounds per pass =
 * training rows / (partitions × local steps × batch), at least one), as before; with {@code epochs == 0} (the
 * default) it runs {@code steps} optimizer steps of the averaged model, i.e. ⌈steps / localSteps⌉ rounds, whatever
 * the table's size. Either way it stops earlier when the validation NLL has not improved by {@code minDelta} for
 * {@code patience} rounds (a plateau), or after the round that crosses {@code maxMinutes} of wall time; the best round
 * is kept.
 *
 * @param epochs              passes over the training rows (each partition's copy sees its share); 0 = budget by
 *                            {@code steps}
 * @param batchSize           rows per local step
 * @param learningRate        Adam's initial step size
 * @param learningRateDecay   the step size at the last step of the budget as a fraction of the first (exponential
 *                            decay per step; 1 = constant)
 * @param localSteps          steps each partition takes between two averagings (one round)
 * @param gradientClip        per-layer L2 gradient-norm bound (0 = off)
 * @param patience            stop after this many rounds without a validation NLL better than the best by
 *                            {@code minDelta} (0 = never stop early)
 * @param seed                seed of batch sampling
 * @param dl4j                settings of the dl4j-spark engine
 * @param steps               the step budget when {@code epochs == 0}
 * @param minDelta            nats per row a round must improve the best validation NLL by to reset the patience
 * @param maxMinutes          wall-time bound in minutes (0 = none): stop after the round that crosses it
 * @param copulaInit          start a flow with a linear input (linear, or a copula layer) at the Gaussian copula of
 *                            the training rows ({@link io.flowsynth.flow.GaussianInit}) instead of the identity
 * @param roundValidationRows most validation rows a round scores: a fit holding out more scores every k-th row of
 *                            each partition's ({@link io.flowsynth.config.AutoSizing#validationStride}), the same
 *                            rows every round; 0 = all
 * @param privacy             DP-SGD (issue 21), or null for ordinary training; see {@link #withPrivacy}
 */
public record TrainOptions(int epochs, int batchSize, double learningRate, double learningRateDecay, int localSteps,
                           double gradientClip, int patience, long seed, Dl4jSettings dl4j, long steps,
                           double minDelta, double maxMinutes, boolean copulaInit, int roundValidationRows,
                           Privacy privacy) {

    /**
     * DP-SGD's settings for the executors: the plan (sampling rate, clip norm, noise multiplier, expected batch) and
     * the seed of the Poisson sampling and the noise (secret: it is never written to the model).
     */
    public record Privacy(io.flowsynth.privacy.DpSgdPlan plan, long seed) {
    }

    /** Options without differential privacy. */
    public TrainOptions(int epochs, int batchSize, double learningRate, double learningRateDecay, int localSteps,
                        double gradientClip, int patience, long seed, Dl4jSettings dl4j, long steps,
                        double minDelta, double maxMinutes, boolean copulaInit, int roundValidationRows) {
        this(epochs, batchSize, learningRate, learningRateDecay, localSteps, gradientClip, patience, seed, dl4j, steps,
                minDelta, maxMinutes, copulaInit, roundValidationRows, null);
    }

    /**
     * These options trained with DP-SGD: no early stopping (patience 0: it would read the real rows outside the
     * accounting) and no copula start (it would fit the real rows' correlations without noise).
     */
    public TrainOptions withPrivacy(Privacy p) {
        return new TrainOptions(epochs, batchSize, learningRate, learningRateDecay, localSteps, gradientClip, 0, seed,
                dl4j, steps, minDelta, maxMinutes, false, roundValidationRows, p);
    }

    /** Rounds per pass over {@code trainRows} training rows in {@code partitions} partitions (at least one). */
    public int roundsPerEpoch(long trainRows, int partitions) {
        long rowsPerRound = (long) partitions * localSteps * batchSize;
        return (int) Math.max(1, Math.ceil((double) trainRows / rowsPerRound));
    }

    public TrainOptions {
        if (epochs < 0 || (epochs == 0 && steps < 1)) {
            throw new IllegalArgumentException("epochs must be ≥ 1, or 0 with steps ≥ 1; got epochs " + epochs
                    + ", steps " + steps);
        }
        if (minDelta < 0 || maxMinutes < 0) {
            throw new IllegalArgumentException("minDelta and maxMinutes must be ≥ 0");
        }
        if (roundValidationRows < 0) {
            throw new IllegalArgumentException("roundValidationRows must be ≥ 0 (0 = all)");
        }
    }

    /** Options that score every validation row each round. */
    public TrainOptions(int epochs, int batchSize, double learningRate, double learningRateDecay, int localSteps,
                        double gradientClip, int patience, long seed, Dl4jSettings dl4j, long steps,
                        double minDelta, double maxMinutes, boolean copulaInit) {
        this(epochs, batchSize, learningRate, learningRateDecay, localSteps, gradientClip, patience, seed, dl4j, steps,
                minDelta, maxMinutes, copulaInit, 0);
    }

    /** Options without the copula initialisation (every parameter starts as {@link io.flowsynth.flow.FlowSpec.Init}). */
    public TrainOptions(int epochs, int batchSize, double learningRate, double learningRateDecay, int localSteps,
                        double gradientClip, int patience, long seed, Dl4jSettings dl4j, long steps,
                        double minDelta, double maxMinutes) {
        this(epochs, batchSize, learningRate, learningRateDecay, localSteps, gradientClip, patience, seed, dl4j, steps,
                minDelta, maxMinutes, false);
    }

    /** An epoch-budgeted fit without plateau tolerance or wall-time bound (the options before step budgets). */
    public TrainOptions(int epochs, int batchSize, double learningRate, double learningRateDecay, int localSteps,
                        double gradientClip, int patience, long seed, Dl4jSettings dl4j) {
        this(epochs, batchSize, learningRate, learningRateDecay, localSteps, gradientClip, patience, seed, dl4j, 0, 0,
                0);
    }

    /** The rounds of the budget for {@code roundsPerEpoch} rounds per pass over the training rows. */
    public int totalRounds(int roundsPerEpoch) {
        long rounds = epochs > 0 ? (long) epochs * roundsPerEpoch : (steps + localSteps - 1) / localSteps;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, rounds));
    }

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
