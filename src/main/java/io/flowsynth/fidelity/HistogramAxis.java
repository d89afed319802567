package io.flowsynth.fidelity;

/**
 * The x axis of a continuous column's histogram on the report page. Equal-width bins ({@link Metrics#equalWidthEdges})
 * unless the real values are skewed, i.e. squeezed into a few equal-width bars: their mean lies in the outer
 * {@link #SKEW_MEAN_POSITION} of the range, or their standard deviation is below {@link #SKEW_STD_SHARE} of it (a few far
 * outliers). A skewed column gets log-spaced bins: equal widths in t(x) = asinh((x − a)/s), a the end of the range
 * the values crowd at (the minimum for a right skew, the maximum, mirrored, for a left one) and s = std/10, so t is
 * linear near a and logarithmic beyond; this works for zeros and negative values, unlike a plain log.
 */
public final class HistogramAxis {
    /** A mean closer than this share of the range to one end marks a skewed column. */
    static final double SKEW_MEAN_POSITION = 0.2;
    /** A standard deviation below this share of the range marks a column dominated by far outliers. */
    static final double SKEW_STD_SHARE = 0.08;
    /** Relative tolerance when telling equal-width edges from log-spaced ones. */
    private static final double EQUAL_WIDTH_TOLERANCE = 1e-6;

    private HistogramAxis() {
    }

    /**
     * The {@code bins + 1} edges over [lo, hi] (both sides' range) given the real side's mean and standard deviation.
     */
    public static double[] edges(double lo, double hi, double realMean, double realStd, int bins) {
        if (!(hi > lo) || !Double.isFinite(realMean) || !(realStd > 0)) {
            return Metrics.equalWidthEdges(lo, hi, bins);
        }
        double position = (realMean - lo) / (hi - lo);
        boolean skewed = position < SKEW_MEAN_POSITION || position > 1 - SKEW_MEAN_POSITION
                || realStd < SKEW_STD_SHARE * (hi - lo);
        if (!skewed) {
            return Metrics.equalWidthEdges(lo, hi, bins);
        }
        boolean right = position <= 0.5; // values crowd at the minimum: a long right tail
        double s = realStd / 10;
        double tMax = asinh((hi - lo) / s);
        double[] e = new double[bins + 1];
        for (int k = 0; k <= bins; k++) {
            double d = s * Math.sinh(tMax * k / bins); // distance from the crowded end
            e[k] = right ? lo + d : hi - s * Math.sinh(tMax * (bins - k) / bins);
        }
        e[0] = lo;
        e[bins] = hi;
        for (int k = 1; k <= bins; k++) {
            if (!(e[k] > e[k - 1])) { // a range too wide for doubles to separate: fall back
                return Metrics.equalWidthEdges(lo, hi, bins);
            }
        }
        return e;
    }

    /** asinh(x) for x ≥ 0, without overflow for huge x. */
    static double asinh(double x) {
        return x > 1e150 ? Math.log(2) + Math.log(x) : Math.log(x + Math.sqrt(x * x + 1));
    }

    /** {@code "linear"} for equal-width edges, else {@code "log"}. */
    public static String scale(double[] edges) {
        double width = (edges[edges.length - 1] - edges[0]) / (edges.length - 1);
        for (int k = 1; k < edges.length; k++) {
            if (Math.abs(edges[k] - edges[k - 1] - width) > EQUAL_WIDTH_TOLERANCE * Math.abs(width) + 1e-300) {
                return "log";
            }
        }
        return "linear";
    }
}
