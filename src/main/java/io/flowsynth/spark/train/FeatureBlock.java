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

    public FeatureBlock(int features, float[] train, int trainRows, float[] validation, int validationRows) {
        if ((long) trainRows * features != train.length || (long) validationRows * features != validation.length) {
            throw new IllegalArgumentException("Block arrays do not match their row counts");
        }
        this.features = features;
        this.train = train;
        this.trainRows = trainRows;
        this.validation = validation;
        this.validationRows = validationRows;
    }
}
