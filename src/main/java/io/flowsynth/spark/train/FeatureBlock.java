package io.flowsynth.spark.train;

import java.io.Serializable;

/**
 * The encoded rows of one training partition, row-major float32: the training rows and the validation rows kept
 * apart by the seeded split. One block per partition; it lives in Spark's cache for the whole fit.
 */
public final class FeatureBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int features;
    public final float[] train;
    public final int trainRows;
    public final float[] validation;
    public final int validationRows;
    /**
     * Context-balanced sampling ({@link io.flowsynth.encode.ContextBalance}), or null for uniform draws: the training
     * rows are grouped, group g holding rows {@code groupEnds[g-1]} (0 for g = 0) … {@code groupEnds[g] − 1}, and a
     * draw picks group g with probability ∝ {@code groupMass[g]} (its rows × their weight), then a row of it.
     */
    public final int[] groupEnds;
    public final double[] groupCumulativeMass;

    public FeatureBlock(int features, float[] train, int trainRows, float[] validation, int validationRows) {
        this(features, train, trainRows, validation, validationRows, null, null);
    }

    public FeatureBlock(int features, float[] train, int trainRows, float[] validation, int validationRows,
                        int[] groupEnds, double[] groupCumulativeMass) {
        if ((long) trainRows * features != train.length || (long) validationRows * features != validation.length) {
            throw new IllegalArgumentException("Block arrays do not match their row counts");
        }
        this.features = features;
        this.train = train;
        this.trainRows = trainRows;
        this.validation = validation;
        this.validationRows = validationRows;
        if ((groupEnds == null) != (groupCumulativeMass == null)
                || groupEnds != null && (groupEnds.length != groupCumulativeMass.length
                || groupEnds.length > 0 && groupEnds[groupEnds.length - 1] != trainRows)) {
            throw new IllegalArgumentException("Block groups do not cover its training rows");
        }
        this.groupEnds = groupEnds;
        this.groupCumulativeMass = groupCumulativeMass;
    }
}
