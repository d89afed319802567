package io.flowsynth.fidelity;

/**
 * Per-column diagnostics after SDMetrics' single-column metrics (DataCebo, "SDMetrics" documentation: BoundaryAdherence,
 * CategoryAdherence, RangeCoverage, CategoryCoverage), plus the Wasserstein-1 distance normalized by the real range.
 * All are in [0, 1] except the Wasserstein distances (≥ 0); NaN means "not defined" and becomes JSON {@code null}.
 *
 * <ul>
 *   <li><b>BoundaryAdherence</b> (continuous) = share of synthetic rows whose value lies in the real [min, max]; a
 *   synthetic null counts as valid when the real column has nulls, else as out of bounds. NaN when the real column
 *   has no values (no boundaries) or the synthetic side has no rows.</li>
 *   <li><b>CategoryAdherence</b> (discrete) = share of synthetic rows whose category occurs in the real column; null is
 *   a category (valid when the real column has nulls). NaN when the synthetic side has no rows.</li>
 *   <li><b>RangeCoverage</b> (continuous, nulls ignored) = 1 − [max((min s − min r)/(max r − min r), 0) +
 *   max((max r − max s)/(max r − min r), 0)], floored at 0. Values beyond the real range are not penalized. A constant
 *   real column (max r = min r, where SDMetrics divides by zero) scores 1 if the synthetic range reaches the constant,
 *   else 0. No synthetic values: 0. No real values: NaN.</li>
 *   <li><b>CategoryCoverage</b> (discrete, nulls ignored) = (real categories also present in the synthetic column) /
 *   (real categories). NaN when the real column has no non-null category.</li>
 *   <li><b>Wasserstein-1</b> (continuous, nulls ignored) W = ∫ |F_real(x) − F_synth(x)| dx between the empirical CDFs
 *   (the mean distance mass must move), reported raw (in the column's units: epoch days or microseconds for datetimes)
 *   and divided by the real range (max r − min r). For a constant real column the normalized value is 0 when W = 0 and
 *   NaN otherwise; with no values on a side both are NaN.</li>
 * </ul>
 */
public final class Diagnostics {
    public static final String BOUNDARY_ADHERENCE = "BoundaryAdherence";
    public static final String CATEGORY_ADHERENCE = "CategoryAdherence";
    public static final String RANGE_COVERAGE = "RangeCoverage";
    public static final String CATEGORY_COVERAGE = "CategoryCoverage";

    private Diagnostics() {
    }

    /**
     * @param syntheticRows    synthetic rows (nulls included)
     * @param syntheticInRange synthetic non-null values within the real [min, max]
     * @param syntheticNulls   synthetic nulls
     * @param realValues       real non-null values
     * @param realNulls        real nulls
     */
    public static double boundaryAdherence(long syntheticRows, long syntheticInRange, long syntheticNulls,
                                           long realValues, long realNulls) {
        if (syntheticRows == 0 || realValues == 0) {
            return Double.NaN;
        }
        long valid = syntheticInRange + (realNulls > 0 ? syntheticNulls : 0);
        return (double) valid / syntheticRows;
    }

    /** @param syntheticValid synthetic rows whose category (null included) occurs in the real column */
    public static double categoryAdherence(long syntheticRows, long syntheticValid) {
        if (syntheticRows == 0) {
            return Double.NaN;
        }
        return (double) syntheticValid / syntheticRows;
    }

    /** Real min/max and synthetic min/max of the non-null values; NaN for a side without values. */
    public static double rangeCoverage(double realMin, double realMax, double syntheticMin, double syntheticMax) {
        if (Double.isNaN(realMin) || Double.isNaN(realMax)) {
            return Double.NaN;
        }
        if (Double.isNaN(syntheticMin) || Double.isNaN(syntheticMax)) {
            return 0.0;
        }
        double range = realMax - realMin;
        if (range == 0) {
            return syntheticMin <= realMin && syntheticMax >= realMax ? 1.0 : 0.0;
        }
        double missed = Math.max((syntheticMin - realMin) / range, 0) + Math.max((realMax - syntheticMax) / range, 0);
        return Math.max(0.0, 1.0 - missed);
    }

    /** @param realCategories non-null categories of the real column; @param covered those present in the synthetic one */
    public static double categoryCoverage(long realCategories, long covered) {
        if (realCategories == 0) {
            return Double.NaN;
        }
        return (double) covered / realCategories;
    }

    /** W / (max r − min r); see the class Javadoc for constant and empty columns. */
    public static double normalizedWasserstein(double wasserstein, double realMin, double realMax) {
        if (Double.isNaN(wasserstein) || Double.isNaN(realMin) || Double.isNaN(realMax)) {
            return Double.NaN;
        }
        double range = realMax - realMin;
        if (range == 0) {
            return wasserstein == 0 ? 0.0 : Double.NaN;
        }
        return wasserstein / range;
    }
}
