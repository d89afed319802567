package io.flowsynth.config;

/**
 * The training settings of a configuration ({@code flowsynth.train.*}), validated; sizes that depend on the table
 * (auto local steps, patience, the validation share) are derived from them at fit time. Meanings and ranges are those
 * of the keys in {@link ConfigKeys} and {@code conf/flowsynth-defaults.conf}.
 *
 * @param engine             {@code tree-aggregate} or {@code dl4j-spark}
 * @param gradient           {@code analytic} or {@code samediff}
 * @param epochs             passes over the training rows; 0 = budget by {@code steps}
 * @param steps              optimizer steps of the averaged model (≥ 1)
 * @param minDelta           nats per row a round must improve the best validation NLL by
 * @param maxMinutes         wall-time bound (0 = none)
 * @param batchSize          rows per local step; 0 = auto ({@link AutoSizing#batchSize})
 * @param learningRate       Adam's initial step size
 * @param learningRateDecay  step size at the end of the budget as a fraction of the first
 * @param localSteps         steps per partition between averagings; 0 = auto
 * @param gradientClip       per-layer gradient-norm bound (0 = off)
 * @param validationFraction share of the rows held out for validation (at most {@code maxValidationRows})
 * @param maxValidationRows  most validation rows
 * @param roundValidationRows most validation rows scored per round (a fixed strided subset); 0 = auto
 *                           ({@link AutoSizing#roundValidationRows})
 * @param partitions         training partitions; 0 = Spark's default parallelism
 * @param patience           rounds without improvement before stopping (0 = never)
 * @param calibrationKnots   knots of the marginal calibration per feature; 0 = off, else ≥ 2
 * @param calibrationRows    rows the calibration is fitted on
 * @param calibrationMaxValues most calibration rows × features (wide tables get fewer rows)
 * @param calibrationEdges   place a discrete feature's calibration knots only where its decoding changes
 * @param checkpoint         write per-round checkpoints
 * @param averagingFrequency dl4j-spark: local steps between averagings (0 = local steps)
 * @param workerPrefetch     dl4j-spark: mini-batches prefetched per worker
 * @param saveUpdater        dl4j-spark: average and keep Adam's state
 * @param repartition        dl4j-spark: always | never | num-partitions-workers-differs
 */
public record TrainSettings(String engine, String gradient, int epochs, long steps, double minDelta, double maxMinutes,
                            int batchSize, double learningRate, double learningRateDecay, int localSteps,
                            double gradientClip, double validationFraction, int maxValidationRows,
                            int roundValidationRows, int partitions,
                            int patience, int calibrationKnots, int calibrationRows, long calibrationMaxValues,
                            boolean calibrationEdges, boolean checkpoint,
                            int averagingFrequency, int workerPrefetch, boolean saveUpdater, String repartition) {

    /** The share of a {@code rows}-row table held out for validation: the fraction, capped at the most rows. */
    public double validationShare(long rows) {
        return rows <= 0 ? 0 : Math.min(validationFraction, maxValidationRows / (double) rows);
    }

    /** These settings with the step budget {@code newSteps} (when the budget is in steps, not epochs). */
    public TrainSettings withSteps(long newSteps) {
        return new TrainSettings(engine, gradient, epochs, newSteps, minDelta, maxMinutes, batchSize, learningRate,
                learningRateDecay, localSteps, gradientClip, validationFraction, maxValidationRows, roundValidationRows,
                partitions, patience, calibrationKnots, calibrationRows, calibrationMaxValues, calibrationEdges, checkpoint,
                averagingFrequency, workerPrefetch, saveUpdater, repartition);
    }
}
