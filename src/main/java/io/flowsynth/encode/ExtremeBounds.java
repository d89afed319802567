package io.flowsynth.encode;

import java.util.Arrays;

/**
 * Extreme-value protection and tails of a quantile-normal (or mode-specific) column: turns the raw quantile sketch
 * (knots q_j at probabilities p_j, q_0 = minimum, q_last = maximum) and the exact k-extreme order statistics into the
 * knots the encoder stores.
 *
 * <p><b>Bounds.</b> With k &gt; 0 the upper bound B is the largest value below the k-th largest x_(k) among the
 * 2k + 1 largest values; when x_(k) is held by more than k + 1 rows (a point mass such as a capped score, which
 * singles nobody out) B = x_(k). So B ≤ x_(k), B is no top-k value unless that value is shared by more than k rows, and
 * the number of rows above B is known exactly. Likewise at the bottom. With {@code quantile} bounds, B is also at most
 * the midpoint of the sketch's (1 − α) quantile and the knot below it (not a real row's value), rounded inwards to
 * the unit.
 * With k = 0 and {@code observed} bounds, B is the maximum.
 *
 * <p><b>Knots.</b> Knots beyond the bounds are dropped, B and its lower twin become the outer knots, and the
 * probabilities are renormalised to the rows within the bounds: the fitted distribution is the column's conditional
 * distribution given lo ≤ x ≤ B, so the withheld extremes' mass is spread over all values instead of piling up at
 * the bound.
 *
 * <p><b>Tails.</b> The outer segments are not linear (which spread 1/(knots − 1) of all rows uniformly up to a
 * single far outlier: phantom outliers) but a {@link ParetoTail} fitted to the sketch's quantiles at tail
 * probabilities s, 3s and 9s beyond the segment's inner knot, truncated at the bound. When fewer than 9s of the rows
 * lie beyond it, or the spacings tie, the segment stays linear.
 */
public final class ExtremeBounds {
    private ExtremeBounds() {
    }

    /**
     * The protected knots of one column.
     *
     * @param knots         non-decreasing; first and last are the bounds
     * @param probabilities strictly increasing from 0 to 1 (a single knot: {1})
     * @param lowerTail     shape of the first segment, or null (linear)
     * @param upperTail     shape of the last segment, or null
     * @param withheldLow   rows below the lower bound (exact for order-statistic bounds, estimated for quantile ones)
     * @param withheldHigh  rows above the upper bound
     */
    public record Result(double[] knots, double[] probabilities, ParetoTail lowerTail, ParetoTail upperTail,
                         long withheldLow, long withheldHigh) {
        public double min() {
            return knots[0];
        }

        public double max() {
            return knots[knots.length - 1];
        }
    }

    /**
     * @param knots      the raw sketch: non-decreasing, first = minimum, last = maximum (≥ 2 knots)
     * @param probabilities strictly increasing, 0 first and 1 last; for {@code quantile} bounds they should include
     *                   α and 1 − α (else the cut is interpolated between the neighbouring knots)
     * @param smallest   the min(n, 2k + 1) smallest finite values, ascending (ignored when k = 0)
     * @param largest    the min(n, 2k + 1) largest finite values, descending (ignored when k = 0)
     * @param finite     number of finite values n
     * @param k          extremes withheld at each end (0 = none)
     * @param clippedTail α of {@code quantile} bounds, 0 for {@code observed}
     * @param unit       rounding unit of the type (integers, dates, timestamps, decimals), 0 for float and double
     */
    public static Result protect(double[] knots, double[] probabilities, double[] smallest, double[] largest,
                                 long finite, int k, double clippedTail, double unit) {
        int n = knots.length;
        if (n < 2 || probabilities.length != n) {
            throw new IllegalArgumentException("need ≥ 2 knots with as many probabilities");
        }
        Bound hi = bound(knots, probabilities, largest, finite, k, clippedTail, unit);
        Bound lo = bound(negateReverse(knots), oneMinusReverse(probabilities), negate(smallest), finite, k,
                clippedTail, unit); // the lower bound is the upper bound of the mirrored column
        double upper = hi.value;
        double lower = -lo.value;
        double pHi = hi.probability;
        double pLo = 1.0 - lo.probability;
        if (!(lower < upper) || !(pLo < pHi)) {
            double median = quantile(knots, probabilities, 0.5);
            median = unit > 0 ? Math.rint(median / unit) * unit : median;
            return new Result(new double[]{median}, new double[]{1.0}, null, null, hi.above, lo.above);
        }
        double[] q = new double[n + 2];
        double[] p = new double[n + 2];
        int m = 0;
        q[m] = lower;
        p[m++] = pLo;
        for (int j = 0; j < n; j++) {
            // a knot at a bound is kept (a point mass there: a tied run); the sketch's rank error may put a knot
            // inside the bounds at a probability beyond them, which is dropped
            if (knots[j] >= lower && knots[j] <= upper && probabilities[j] > pLo && probabilities[j] < pHi) {
                q[m] = knots[j];
                p[m++] = probabilities[j];
            }
        }
        if (q[m - 1] == upper && m > 1) {
            p[m - 1] = pHi; // a knot at the bound (a point mass there) ends the distribution
        } else {
            q[m] = upper;
            p[m++] = pHi;
        }
        // renormalise to the rows within the bounds; drop knots that float rounding made tie in probability
        double[] outQ = new double[m];
        double[] outP = new double[m];
        int r = 0;
        for (int j = 0; j < m; j++) {
            double v = j == 0 ? 0.0 : j == m - 1 ? 1.0 : (p[j] - pLo) / (pHi - pLo);
            if (r > 0 && !(v > outP[r - 1])) {
                if (j == m - 1) {
                    r--; // keep the bound
                } else {
                    continue;
                }
            }
            outQ[r] = q[j];
            outP[r++] = v;
        }
        outQ = Arrays.copyOf(outQ, r);
        outP = Arrays.copyOf(outP, r);
        ParetoTail upperTail = null;
        ParetoTail lowerTail = null;
        if (r >= 3) {
            upperTail = tail(knots, probabilities, outQ[r - 2], outQ[r - 1]);
            lowerTail = tail(negateReverse(knots), oneMinusReverse(probabilities), -outQ[1], -outQ[0]);
        }
        return new Result(outQ, outP, lowerTail, upperTail, lo.above, hi.above);
    }

    /** An upper bound, its probability (the share of finite values at or below it) and the rows above it. */
    private record Bound(double value, double probability, long above) {
    }

    /** The upper bound of a column (of the mirrored column for the lower bound: rounding down is then up). */
    private static Bound bound(double[] knots, double[] probabilities, double[] largest, long finite, int k,
                               double clippedTail, double unit) {
        int n = knots.length;
        double value = knots[n - 1];
        double probability = 1.0;
        long above = 0;
        if (k > 0) {
            if (largest.length < k + 1 || finite < k + 1) {
                return new Bound(Double.NEGATIVE_INFINITY, 0.0, finite); // too few values to withhold k
            }
            double kth = largest[k - 1];
            int i = k;
            while (i < largest.length && !(largest[i] < kth)) {
                i++;
            }
            if (i < largest.length) {
                value = largest[i];
                above = i;
            } else {
                // x_(k) is held by every remaining buffered row: more than k + 1 rows share it (or all rows do)
                value = kth;
                int first = 0;
                while (largest[first] > kth) {
                    first++;
                }
                above = first;
            }
            probability = 1.0 - (double) above / finite;
        }
        if (clippedTail > 0) {
            // the sketch's (1 − α) quantile (a knot when the sketch was asked for it: a real row's value), moved to
            // the midpoint with the knot below, so the bound is no real value
            double target = 1.0 - clippedTail;
            double cut = quantile(knots, probabilities, target);
            double cutProbability = target;
            int j = Arrays.binarySearch(probabilities, target);
            if (j > 0 && knots[j - 1] < knots[j]) {
                cut = 0.5 * (knots[j - 1] + knots[j]);
                cutProbability = 0.5 * (probabilities[j - 1] + probabilities[j]);
            }
            if (unit > 0) {
                cut = Math.floor(cut / unit + 1e-9) * unit;
            }
            if (cut < value) {
                value = cut;
                probability = Math.min(probability, cutProbability);
                above = Math.max(above, Math.round((1.0 - cutProbability) * finite));
            }
        }
        return new Bound(value, probability, above);
    }

    /**
     * The tail of the segment [inner, bound] of the (possibly mirrored) raw sketch, fitted to the sketch quantiles at
     * tail probabilities s, 3s, 9s (s = the sketch's tail probability at the inner knot); null when not fittable.
     */
    private static ParetoTail tail(double[] knots, double[] probabilities, double inner, double bound) {
        double length = bound - inner;
        if (!(length > 0)) {
            return null;
        }
        double s = 1.0 - cdf(knots, probabilities, inner);
        double r = ParetoTail.RATIO;
        if (!(s > 0) || 1.0 - r * r * s < 0.5) {
            return null;
        }
        double x2 = quantile(knots, probabilities, 1.0 - r * s);
        double x1 = quantile(knots, probabilities, 1.0 - r * r * s);
        return ParetoTail.fit(x1, x2, inner, length);
    }

    /** The sketch's quantile function at p, interpolated linearly between knots. */
    static double quantile(double[] knots, double[] probabilities, double p) {
        int n = knots.length;
        if (p <= probabilities[0]) {
            return knots[0];
        }
        if (p >= probabilities[n - 1]) {
            return knots[n - 1];
        }
        int k = Arrays.binarySearch(probabilities, p);
        if (k >= 0) {
            return knots[k];
        }
        int j = -k - 2;
        double t = (p - probabilities[j]) / (probabilities[j + 1] - probabilities[j]);
        return knots[j] + t * (knots[j + 1] - knots[j]);
    }

    /** The sketch's CDF at x (the largest probability of a knot ≤ x, interpolated within a segment). */
    static double cdf(double[] knots, double[] probabilities, double x) {
        int n = knots.length;
        if (x < knots[0]) {
            return 0.0;
        }
        if (x >= knots[n - 1]) {
            return probabilities[n - 1];
        }
        int last = 0;
        while (last + 1 < n && knots[last + 1] <= x) {
            last++;
        }
        if (knots[last] == x || knots[last + 1] == knots[last]) {
            return probabilities[last];
        }
        double t = (x - knots[last]) / (knots[last + 1] - knots[last]);
        return probabilities[last] + t * (probabilities[last + 1] - probabilities[last]);
    }

    private static double[] negate(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = -a[i];
        }
        return out;
    }

    private static double[] negateReverse(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = -a[a.length - 1 - i];
        }
        return out;
    }

    private static double[] oneMinusReverse(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = 1.0 - a[a.length - 1 - i];
        }
        return out;
    }
}
