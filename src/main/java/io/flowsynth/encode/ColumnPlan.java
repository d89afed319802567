package io.flowsynth.encode;

/**
 * One column's statistics and choices while a {@link TableEncoder} is fitted (driver only, mutable): filled by the
 * estimator's aggregation passes ({@code io.flowsynth.spark.encode.TableEncoderEstimator}), read and completed by
 * {@link EncoderChoice}, which picks the column's kind and encoder. Not part of any model.
 */
public final class ColumnPlan {
    /** How the column is fitted after its first pass. */
    public enum Mode { CONSTANT, CATEGORICAL, QUANTILE, FAKE, TEXT }

    /** Position of the column in the table. */
    public final int index;
    public final String name;
    public final ColumnType type;
    /** The configured kind ({@code flowsynth.columns.<name>.kind}), or null. */
    public final String override;
    public int slot;
    public long nonNull;
    public long nulls;
    public long finite;
    public long nan;
    public long positiveInfinity;
    public long negativeInfinity;
    public long distinct;
    public long subSecond;
    public long subMilli;
    public int decimals = -1;
    public int maxLength;
    public String shape;
    public String classes;
    public long[] shapeCounts;
    public String encoderOverride;
    public Object min;
    public Object max;
    /** The 2k + 1 smallest (ascending) and largest (descending) finite values, as doubles; empty when k = 0. */
    public double[] smallest = new double[0];
    public double[] largest = new double[0];
    /** Values seen in at least k rows that may become point masses ({@link QuantileAtoms}), with their rows; or null. */
    public double[] atomValues;
    public long[] atomCounts;
    /** A date column's rows per ISO weekday (Monday first; one seen in fewer than k rows counted 0), or null. */
    public long[] weekdayCounts;
    public Mode mode = Mode.CONSTANT;
    public String kind;
    public ColumnEncoder encoder;
    /** Why the column got its kind, for the one log line per column. */
    public String why;
    /** Why a numeric column got its encoder (mode or quantile), or null. */
    public String encoding;

    public ColumnPlan(int index, String name, ColumnType type, String override) {
        this.index = index;
        this.name = name;
        this.type = type;
        this.override = override;
    }
}
