package io.flowsynth.encode;

import io.flowsynth.math.GuidedSearch;
import io.flowsynth.math.StandardNormal;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Quantile-normal encoding of a numeric, date (epoch days) or timestamp (epoch microseconds) column:
 * z = Φ⁻¹(F̂(x)), where F̂ is the monotone interpolation of the knots (q_j, p_j) of the empirical CDF (approximate
 * quantiles, with the bounds at p = 0 and p = 1: the exact minimum and maximum in models fitted without extreme-value
 * protection, else the protected bounds of {@link ExtremeBounds}), linear between knots except on the outer segments
 * when they carry a {@link ParetoTail} (then F̂ follows the truncated generalized Pareto law there). u = F̂(x) is
 * mapped affinely onto [1e−6, 1 − 1e−6] (rather than clamped, so the bounds still decode to themselves); features stay
 * within ±4.753, and decoding maps anything beyond to the bounds.
 * This is the marginal Gaussianisation of a Gaussian copula (e.g. Liu et al., "The nonparanormal", JMLR 2009).
 *
 * <p>Dequantization, so the flow sees a density rather than point masses:
 * <ul>
 *   <li>A value equal to a knot, or to a run of ≥ 2 tied knots (a point mass, e.g. 30 % zeros), gets u uniform
 *       over its cell: the run's probability range [p_first, p_last] widened by what the neighbouring segments give
 *       to values within ±0.45 r, r the column's resolution ({@link #resolution()}: the unit, or 10^−d for floats
 *       with d learned decimals). On a table with fewer rows than knots every distinct value is a knot or a run;
 *       without the widening the feature is a comb of spikes and empty gaps that a flow memorizes.</li>
 *   <li>Any other value of a column with a resolution (integers and dates: 1; timestamps: the observed precision of
 *       1 s, 1 ms or 1 µs; decimals: 10^−scale; floats and doubles with d learned decimals: 10^−d) is jittered
 *       uniformly by ±0.45 r before interpolation; decoding rounds back to the resolution, so the round trip is exact
 *       up to the float precision of F̂ (a wide sparse tail of microsecond timestamps can move a value by a few
 *       µs).</li>
 * </ul>
 * Decoding maps z → Φ(z) → F̂⁻¹ → clip to the observed [min, max] → round: integers, dates and timestamps to whole units
 * (timestamps to the observed precision), decimals to the type's scale (HALF_UP, never beyond its precision), floats to
 * {@code Float} ({@link ValueRounding}, shared with {@link ModeEncoder}). Float and double columns whose finite values
 * all had at most d ≤ 6 decimals ({@link #decimals()}, found by the estimator; −1 when none was found) are rounded to
 * d decimals (HALF_EVEN on the double), then clipped.
 *
 * <p><b>Nulls, NaN and ±∞</b> form a side channel ({@link ValueStates}, shared with {@link ModeEncoder}): when the
 * column had any of them, a second feature ({@code <column>#null}) encodes the state {value, null, NaN, +∞, −∞} with
 * {@link FrequencyIntervals}; the value
 * feature of a non-value row is a standard normal draw from {@code rng} and is ignored by decoding. A state not seen
 * while fitting (e.g. a null in a column fitted without nulls) is encoded as a random draw of the value channel.
 * Values below the lower or above the upper bound encode as a random point of the outer
 * max({@link #OUTSIDE_SPREAD}, outer segment) of the probabilities (models saved before extreme-value protection: as
 * the clamped extremes).
 */
public final class QuantileEncoder implements ColumnEncoder {
    private static final long serialVersionUID = 1L;

    /** Jitter width of discrete values, as a fraction of their unit; the margin to ±0.5 absorbs rounding error. */
    static final double JITTER = 0.9;

    /** Most decimals a float or double column's rounding precision is learned to. */
    public static final int MAX_DECIMALS = ValueRounding.MAX_DECIMALS;

    private final String column;
    private final String kind;
    private final ColumnType type;
    private final double[] knots;
    private final double[] probabilities;
    /** Rounding and clipping of decoded values to the source type and [min, max]. */
    private final ValueRounding rounding;
    /** The null/NaN/±∞ side channel. */
    private final ValueStates valueStates;
    /** Shapes of the first and last segment (null: linear); their lengths are the segments'. */
    private final ParetoTail lowerTail;
    private final ParetoTail upperTail;
    /**
     * Extremes withheld at each end while fitting ({@code flowsynth.privacy.extreme-k}), −1 for models saved before
     * extreme-value protection: they encode values beyond [min, max] as the clamped extremes, newer models as a random
     * point of the outer {@link #OUTSIDE_SPREAD} of the distribution (see {@link #cdf}).
     */
    private final int extremeK;
    /**
     * A date column's weekday profile ({@link #withWeekdays}): the rows per ISO weekday, Monday first, or null.
     * Decoded dates are moved (at most 3 days) onto a weekday drawn from it.
     */
    private final long[] weekdays;
    /** Running shares of {@link #weekdays} (the last is 1), or null. */
    private final double[] weekdayCumulative;

    /** Probability range over which a value beyond the bounds is encoded (at least the outer segment's). */
    static final double OUTSIDE_SPREAD = 0.01;

    /**
     * @param kind          {@code continuous}, {@code integer} or {@code datetime}
     * @param knots         non-decreasing quantiles of the finite values; first = exact minimum, last = exact maximum
     * @param probabilities strictly increasing, from 0 to 1, same length as knots (a single knot needs {0} or {1})
     * @param unit          the dequantization and rounding unit, 0 for float and double
     * @param stateCounts   rows per {@link ValueStates.State}, in enum order; the VALUE count must be positive
     */
    public QuantileEncoder(String column, String kind, ColumnType type, double[] knots, double[] probabilities,
                           double unit, long[] stateCounts) {
        this(column, kind, type, knots, probabilities, unit, -1, stateCounts);
    }

    /**
     * @param decimals float and double only: round decoded values to this many decimals (0 to
     *                 {@link #MAX_DECIMALS}), or −1 to keep every digit
     */
    public QuantileEncoder(String column, String kind, ColumnType type, double[] knots, double[] probabilities,
                           double unit, int decimals, long[] stateCounts) {
        this(column, kind, type, knots, probabilities, unit, decimals, stateCounts, null, null, -1);
    }

    /**
     * @param lowerTail shape of the first segment (a {@link ParetoTail} outwards from the second knot), or null for
     *                  linear; needs ≥ 3 knots and a first segment of positive length, whose length it takes
     * @param upperTail shape of the last segment (outwards from the second-to-last knot), or null; likewise
     * @param extremeK  extremes withheld at each end while fitting (≥ 0), or −1 for the behaviour of models saved
     *                  before extreme-value protection (values beyond the bounds encode as the clamped extremes)
     */
    public QuantileEncoder(String column, String kind, ColumnType type, double[] knots, double[] probabilities,
                           double unit, int decimals, long[] stateCounts, ParetoTail lowerTail, ParetoTail upperTail,
                           int extremeK) {
        this.column = requireColumn(column);
        checkKindAndType(column, kind, type);
        if (knots.length == 0 || knots.length != probabilities.length) {
            throw new IllegalArgumentException("Column '" + column + "': need as many knots as probabilities (≥ 1)");
        }
        for (int j = 0; j < knots.length; j++) {
            if (!Double.isFinite(knots[j]) || (j > 0 && knots[j] < knots[j - 1])) {
                throw new IllegalArgumentException("Column '" + column + "': knots must be finite and non-decreasing");
            }
            if (!(probabilities[j] >= 0.0 && probabilities[j] <= 1.0)
                    || (j > 0 && probabilities[j] <= probabilities[j - 1])) {
                throw new IllegalArgumentException(
                        "Column '" + column + "': probabilities must increase strictly within [0, 1]");
            }
        }
        this.kind = kind;
        this.type = type;
        this.knots = knots.clone();
        this.probabilities = probabilities.clone();
        this.rounding = new ValueRounding(column, type, knots[0], knots[knots.length - 1], unit, decimals);
        this.valueStates = new ValueStates(column, type, stateCounts);
        int n = knots.length;
        if ((lowerTail != null || upperTail != null) && (n < 3 || (lowerTail != null && !(knots[1] > knots[0]))
                || (upperTail != null && !(knots[n - 1] > knots[n - 2])))) {
            throw new IllegalArgumentException("Column '" + column + "': a tail needs ≥ 3 knots and an outer segment "
                    + "of positive length");
        }
        this.lowerTail = lowerTail == null ? null
                : new ParetoTail(lowerTail.shape(), lowerTail.scale(), knots[1] - knots[0]);
        this.upperTail = upperTail == null ? null
                : new ParetoTail(upperTail.shape(), upperTail.scale(), knots[n - 1] - knots[n - 2]);
        if (extremeK < -1) {
            throw new IllegalArgumentException("Column '" + column + "': extreme k must be ≥ 0 (or −1), got " + extremeK);
        }
        this.extremeK = extremeK;
        this.weekdays = null;
        this.weekdayCumulative = null;
    }

    private QuantileEncoder(QuantileEncoder o, long[] weekdays) {
        this.column = o.column;
        this.kind = o.kind;
        this.type = o.type;
        this.knots = o.knots;
        this.probabilities = o.probabilities;
        this.rounding = o.rounding;
        this.valueStates = o.valueStates;
        this.lowerTail = o.lowerTail;
        this.upperTail = o.upperTail;
        this.extremeK = o.extremeK;
        this.weekdays = weekdays == null ? null : weekdays.clone();
        this.weekdayCumulative = weekdays == null ? null : cumulativeShares(column, weekdays);
    }

    private static double[] cumulativeShares(String column, long[] weekdays) {
        if (weekdays.length != 7) {
            throw new IllegalArgumentException("Column '" + column + "': a weekday profile has 7 counts, got "
                    + weekdays.length);
        }
        double total = 0;
        for (long n : weekdays) {
            if (n < 0) {
                throw new IllegalArgumentException("Column '" + column + "': weekday counts must be ≥ 0");
            }
            total += n;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("Column '" + column + "': a weekday profile needs a positive count");
        }
        double[] out = new double[7];
        double run = 0;
        for (int w = 0; w < 7; w++) {
            run += weekdays[w];
            out[w] = run / total;
        }
        out[6] = 1.0;
        return out;
    }

    /**
     * This date encoder with a <b>weekday profile</b>: rows per ISO weekday, Monday first (a weekday seen in fewer
     * than k rows counted 0: never generated). A decoded date that is not a knot is moved to the day within 3 days of
     * it whose weekday is drawn from the profile, the draw read from the date's place within its day (so decoding
     * stays a function of the features): films open on Fridays, trades happen on business days, and a smooth
     * quantile model alone spreads them over every weekday. Its density gains ln(7 · the weekday's share) (exact where
     * the smooth density is flat over the week). Null: none.
     *
     * @throws IllegalArgumentException for a column not of type date or of a unit other than one day
     */
    public QuantileEncoder withWeekdays(long[] weekdays) {
        if (weekdays != null && (type.base() != ColumnType.Base.DATE || rounding.unit() != 1.0)) {
            throw new IllegalArgumentException("Column '" + column + "': a weekday profile needs a date column of "
                    + "one-day resolution");
        }
        return new QuantileEncoder(this, weekdays);
    }

    /** The weekday profile ({@link #withWeekdays}), Monday first, or null. */
    public long[] weekdays() {
        return weekdays == null ? null : weekdays.clone();
    }

    /** ISO weekday (Monday 0 … Sunday 6) of a day counted from 1970-01-01 (a Thursday). */
    public static int weekday(long epochDay) {
        return Math.floorMod(epochDay + 3, 7);
    }

    /**
     * The offset (−3 … 3 days, or ±7 more to stay within [lo, hi]) that moves {@code day} onto the weekday of the
     * profile that {@code r} ∈ [0, 1) draws.
     */
    static long weekdayShift(double[] cumulative, long day, double r, double lo, double hi) {
        int w = 0;
        while (w < 6 && r >= cumulative[w]) {
            w++;
        }
        long off = w - weekday(day);
        if (off > 3) {
            off -= 7;
        } else if (off < -3) {
            off += 7;
        }
        if (day + off > hi) {
            off -= 7;
        } else if (day + off < lo) {
            off += 7;
        }
        return day + off < lo || day + off > hi ? 0 : off;
    }

    @Override
    public String column() {
        return column;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public ColumnType type() {
        return type;
    }

    @Override
    public int width() {
        return valueStates.hasStates() ? 2 : 1;
    }

    @Override
    public List<String> featureNames() {
        return valueStates.hasStates() ? List.of(column, column + "#null") : List.of(column);
    }

    /** Knots q_j (copy). */
    public double[] knots() {
        return knots.clone();
    }

    /** Probabilities p_j of the knots (copy). */
    public double[] probabilities() {
        return probabilities.clone();
    }

    public double unit() {
        return rounding.unit();
    }

    /** Rows per {@link ValueStates.State} while fitting, in enum order (copy). */
    public long[] stateCounts() {
        return valueStates.stateCounts();
    }

    /** Decimals decoded float/double values are rounded to, −1 for none. */
    public int decimals() {
        return rounding.decimals();
    }

    /** Tail of the first segment, or null when it is linear. */
    public ParetoTail lowerTail() {
        return lowerTail;
    }

    /** Tail of the last segment, or null when it is linear. */
    public ParetoTail upperTail() {
        return upperTail;
    }

    /** Extremes withheld at each end while fitting, −1 when the model predates extreme-value protection. */
    public int extremeK() {
        return extremeK;
    }

    /**
     * Bounds of the decoded values, in the numeric form of {@link ColumnValues#toDouble}: the observed minimum and
     * maximum of the finite values for models fitted without protection, else the protected bounds (never beyond the
     * k-th smallest and k-th largest values, see {@code TableEncoderEstimator}).
     */
    public double min() {
        return knots[0];
    }

    public double max() {
        return knots[knots.length - 1];
    }

    @Override
    public void encode(Object value, double[] out, int offset, Random rng) {
        if (valueStates.hasStates()) {
            out[offset + 1] = valueStates.encodeState(value, rng);
        }
        if (valueStates.isValue(value)) {
            double x;
            try {
                x = ColumnValues.toDouble(type, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Column '" + column + "': " + e.getMessage(), e);
            }
            out[offset] = StandardNormal.inverseCdf(squeeze(cdf(x, rng)));
        } else {
            out[offset] = rng.nextGaussian();
        }
    }

    /**
     * The change of variables of one value (see {@link ColumnEncoder#logDensityCorrection}):
     * <ul>
     *   <li>state channel (when present): ln f_state − ln φ(z_state), the dequantization bound of the row's state;</li>
     *   <li>a non-value row (null, NaN, ±∞): its value feature is standard normal noise, so −ln φ(z);</li>
     *   <li>a value equal to a knot or a run of tied knots: u is uniform on its cell [lo, hi] (see the class
     *       comment), so ln(hi − lo) + ln(1 − 2·U_MIN) − ln φ(z);</li>
     *   <li>otherwise ln F̂'(v) + ln(1 − 2·U_MIN) − ln φ(z), the slope of the interpolated CDF on the segment holding
     *       u = F̂(v); for columns with a resolution r (integers, dates, timestamps, decimals, floats with learned
     *       decimals) v is the jittered value and ln(0.9·r) is added (the jitter's uniform density), so the result is
     *       a log-probability of the value.</li>
     * </ul>
     * Values below the minimum or above the maximum are scored at the clamped extreme plus
     * {@link #OUT_OF_DOMAIN_LOG_PROB}; so is a state the column never had.
     */
    @Override
    public double logDensityCorrection(Object value, double[] features, int offset) {
        double c = 0.0;
        if (valueStates.hasStates()) {
            c += valueStates.stateLogCorrection(value, features[offset + 1]);
        }
        double z = features[offset];
        if (!valueStates.isValue(value)) {
            return c - StandardNormal.logDensity(z) + (valueStates.stateSeen(value) ? 0.0 : OUT_OF_DOMAIN_LOG_PROB);
        }
        double x;
        try {
            x = ColumnValues.toDouble(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Column '" + column + "': " + e.getMessage(), e);
        }
        c += Math.log1p(-2.0 * FrequencyIntervals.U_MIN) - StandardNormal.logDensity(z);
        int n = knots.length;
        if (n == 1) {
            return c + (x == knots[0] ? 0.0 : OUT_OF_DOMAIN_LOG_PROB);
        }
        if (x < knots[0] || x > knots[n - 1]) {
            if (extremeK < 0) {
                return c + Math.log(slope(x < knots[0] ? 0 : n - 2)) + OUT_OF_DOMAIN_LOG_PROB;
            }
            double u = unsqueeze(StandardNormal.cdf(z));
            return c + logSlope(segmentOf(u), u) + OUT_OF_DOMAIN_LOG_PROB;
        }
        int first = firstAtLeast(x);
        int last = lastAtMost(x);
        if (first <= last) {
            double[] cell = cell(first, last);
            if (cell[1] > cell[0]) {
                return c + Math.log(cell[1] - cell[0]);
            }
        }
        double u = unsqueeze(StandardNormal.cdf(z));
        c += logSlope(segmentOf(u), u);
        if (weekdays != null) {
            int w = weekday(Math.round(x));
            double share = weekdayCumulative[w] - (w == 0 ? 0.0 : weekdayCumulative[w - 1]);
            c += share > 0 ? Math.log(7.0 * share) : OUT_OF_DOMAIN_LOG_PROB;
        }
        return resolution() > 0.0 ? c + Math.log(JITTER * resolution()) : c;
    }

    /** The segment j with p_j ≤ u ≤ p_{j+1} and q_j < q_{j+1} (tied segments skipped to a neighbour). */
    private int segmentOf(double u) {
        int n = knots.length;
        int k = Arrays.binarySearch(probabilities, u);
        int j = Math.max(0, Math.min(n - 2, k >= 0 ? k : -k - 2));
        for (int step = 0; step < n; step++) {
            if (j + step <= n - 2 && knots[j + step + 1] > knots[j + step]) {
                return j + step;
            }
            if (j - step >= 0 && knots[j - step + 1] > knots[j - step]) {
                return j - step;
            }
        }
        return j;
    }

    /**
     * ln F̂' at the point of segment j where F̂ = u: ln of {@link #slope} on linear segments; on a tail segment,
     * ln(p_{j+1} − p_j) plus the tail's log-density at the point's distance from the inner knot.
     */
    private double logSlope(int j, double u) {
        ParetoTail tail = tailOf(j);
        if (tail == null) {
            return Math.log(slope(j));
        }
        double mass = probabilities[j + 1] - probabilities[j];
        double s = Math.max(0.0, Math.min(1.0, (u - probabilities[j]) / mass));
        return Math.log(mass) + tail.logDensity(tail.inverse(j == 0 ? 1.0 - s : s));
    }

    /** The tail shaping segment j, or null when it is linear. */
    private ParetoTail tailOf(int j) {
        if (j == 0 && lowerTail != null) {
            return lowerTail;
        }
        return j == knots.length - 2 ? upperTail : null;
    }

    /** F̂' on segment j: (p_{j+1} − p_j) / (q_{j+1} − q_j); segments of tied knots count as width 1. */
    private double slope(int j) {
        double dq = knots[j + 1] - knots[j];
        return (probabilities[j + 1] - probabilities[j]) / (dq > 0 ? dq : 1.0);
    }

    @Override
    public Object decode(double[] z, int offset, Random rng) {
        return ExternalValues.single(type, out -> decodeInto(z, offset, rng, out, 0));
    }

    @Override
    public void decodeInto(double[] z, int offset, Random rng, ValueSink out, int column) {
        if (valueStates.hasStates()) {
            ValueStates.State state = valueStates.decodeState(z[offset + 1]);
            if (state != ValueStates.State.VALUE) {
                valueStates.special(state, out, column);
                return;
            }
        }
        double zv = z[offset];
        double u = StandardNormal.cdf(Double.isNaN(zv) ? 0.0 : zv);
        inverse(unsqueeze(u), out, column);
    }

    @Override
    public boolean decodesWithoutRandomness() {
        return true;
    }

    /** Whether {@code value} is a finite value (not null, NaN or ±∞). */
    boolean isValue(Object value) {
        return valueStates.isValue(value);
    }

    /** [0, 1] → [U_MIN, 1 − U_MIN], affinely. */
    static double squeeze(double u) {
        return FrequencyIntervals.U_MIN + (1.0 - 2.0 * FrequencyIntervals.U_MIN) * Math.max(0.0, Math.min(1.0, u));
    }

    /** Inverse of {@link #squeeze}, clamped to [0, 1]. */
    static double unsqueeze(double u) {
        double v = (u - FrequencyIntervals.U_MIN) / (1.0 - 2.0 * FrequencyIntervals.U_MIN);
        return Math.max(0.0, Math.min(1.0, v));
    }

    /**
     * F̂(x) with dequantization; not clamped. A value beyond [min, max] gives 0 or 1 in models saved before
     * extreme-value protection; in newer ones (whose bounds withhold the real extremes) a uniform draw over the outer
     * max({@link #OUTSIDE_SPREAD}, outer segment's mass) of the probabilities at its end, so the withheld rows stay
     * extreme without forming a point mass at the bound.
     */
    double cdf(double x, Random rng) {
        int n = knots.length;
        if (x < knots[0] || x > knots[n - 1]) {
            boolean below = x < knots[0];
            if (extremeK < 0 || n == 1) {
                return below ? 0.0 : 1.0;
            }
            double first = probabilities[0];
            double last = probabilities[n - 1];
            double outer = below ? probabilities[1] - first : last - probabilities[n - 2];
            double w = Math.min(last - first, Math.max(OUTSIDE_SPREAD, outer)) * rng.nextDouble();
            return below ? first + w : last - w;
        }
        int first = firstAtLeast(x);       // q_first ≥ x
        int last = lastAtMost(x);          // q_last ≤ x
        if (first <= last) {               // x is a knot, or a run of tied knots: its cell
            double[] cell = cell(first, last);
            return cell[0] + rng.nextDouble() * (cell[1] - cell[0]);
        }
        double r = resolution();
        double offset = r > 0.0 ? (rng.nextDouble() - 0.5) * JITTER * r : 0.0;
        int j = last;                      // q_j < x < q_{j+1}
        double t = ((x - knots[j]) + offset) / (knots[j + 1] - knots[j]);
        return interpolate(j, Math.max(0.0, Math.min(1.0, t)));
    }

    /**
     * The probability cell [lo, hi] of the knot value x = q_first = … = q_last (one knot, or a run of tied ones): the
     * run's range [p_first, p_last] widened to F̂(x − 0.45 r) and F̂(x + 0.45 r), r the column's {@link #resolution()}
     * (never past the middle of the neighbouring segment). Every value within ±0.45 r decodes back to x, so the round
     * trip stays exact, while a value on the column's grid (0.1 mm, whole years) is spread over its share of the
     * neighbouring segments instead of sitting on a point or a run with empty gaps between, which a flow memorizes on
     * small tables (training NLL falling without bound while the validation NLL rises). lo = hi for a single knot of a
     * column without resolution.
     */
    private double[] cell(int first, int last) {
        double lo = probabilities[first];
        double hi = probabilities[last];
        double r = resolution();
        if (r > 0.0) {
            if (first > 0) {
                double t = 1.0 - JITTER * 0.5 * r / (knots[first] - knots[first - 1]);
                lo = interpolate(first - 1, Math.max(0.5, t));
            }
            if (last < knots.length - 1) {
                double t = JITTER * 0.5 * r / (knots[last + 1] - knots[last]);
                hi = interpolate(last, Math.min(0.5, t));
            }
        }
        return new double[]{lo, hi};
    }

    /**
     * The grid the column's decoded values are rounded to: the unit of integers, dates, timestamps and decimals, and
     * 10^−d for float and double columns with d learned decimals ({@link #decimals()}); 0 for floats without.
     * Values are dequantized over ±0.45 r.
     */
    double resolution() {
        return rounding.resolution();
    }

    /** F̂ at the point a fraction t of the way along segment j (shaped by the segment's tail, if any). */
    private double interpolate(int j, double t) {
        ParetoTail tail = tailOf(j);
        if (tail != null) {
            double length = knots[j + 1] - knots[j];
            t = j == 0 ? 1.0 - tail.cdf((1.0 - t) * length) : tail.cdf(t * length);
        }
        return probabilities[j] + t * (probabilities[j + 1] - probabilities[j]);
    }

    /** F̂⁻¹(u), clipped and rounded to the source type, into a sink. */
    void inverse(double u, ValueSink out, int column) {
        int n = knots.length;
        int j = inverseSegment(u);
        double delta = offsetIn(j, u);
        if (weekdayCumulative != null && j < n - 1 && knots[j + 1] - knots[j] > 0 && u > probabilities[0]) {
            // the day the value rounds to, moved onto a weekday drawn by the value's place within that day
            long day = Math.round(delta);
            long base = (long) knots[j];
            delta = day + weekdayShift(weekdayCumulative, base + day, delta - day + 0.5, knots[0], knots[n - 1]);
        }
        rounding.emit(knots[j], delta, out, column);
    }

    /** The knot segment j of u: p_j ≤ u &lt; p_{j+1}; 0 at or below p_0, n − 1 at or above p_{n−1}. */
    private int inverseSegment(double u) {
        int n = knots.length;
        if (n == 1 || u <= probabilities[0]) {
            return 0;
        }
        if (u >= probabilities[n - 1]) {
            return n - 1;
        }
        GuidedSearch search = probabilitySearch;
        if (search == null) {
            search = new GuidedSearch(probabilities, n);
            probabilitySearch = search; // racy but idempotent
        }
        return Math.min(search.floor(u), n - 2);
    }

    /** F̂⁻¹(u) − q_j on u's segment j ({@link #inverseSegment}), before rounding; 0 at or beyond the outer knots. */
    private double offsetIn(int j, double u) {
        if (j >= knots.length - 1 || u <= probabilities[0]) {
            return 0.0;
        }
        double t = (u - probabilities[j]) / (probabilities[j + 1] - probabilities[j]);
        double length = knots[j + 1] - knots[j];
        ParetoTail tail = tailOf(j);
        return tail == null ? t * length : j == 0 ? length - tail.inverse(1.0 - t) : tail.inverse(t);
    }

    /** F̂(x) without dequantization: the interpolated CDF at x, p_0 below the first knot and p_{n−1} above the last. */
    private double cdfAt(double x) {
        int n = knots.length;
        if (!(x > knots[0])) {
            return probabilities[0];
        }
        if (x >= knots[n - 1]) {
            return probabilities[n - 1];
        }
        int j = lastAtMost(x); // q_j ≤ x < q_{j+1}
        return interpolate(j, (x - knots[j]) / (knots[j + 1] - knots[j]));
    }

    /**
     * The value feature's decoding boundaries when the column has a grid (a resolution r, no weekday shift) with no
     * more cells in [min, max] than the column had values (so values repeat: years, counts, point masses): the
     * half-way points (m + ½)·r between grid values inside [min, max], where rounding changes the decoded value; a
     * feature value z snaps to the one nearest its unrounded decoded value. The state feature's are its intervals'.
     * None for a continuous column, or a grid finer than its rows (coordinates to 10⁻⁶ degrees), whose quantile
     * knots stay as they are (snapping them to 10⁻⁶ would move nothing but the outermost, whose tail cells round onto
     * the bound: measured on zipcodes, the flow's samples above 3.24 then decoded to the bound, 2.2–3.1× the real
     * tail count).
     */
    @Override
    public java.util.function.DoubleUnaryOperator decodeEdges(int feature) {
        if (feature == 1 && valueStates.hasStates()) {
            return valueStates::nearestStateEdge;
        }
        double r = resolution();
        if (feature != 0 || !(r > 0.0) || weekdayCumulative != null || knots.length < 2) {
            return null;
        }
        double lo = knots[0];
        double hi = knots[knots.length - 1];
        if ((hi - lo) / r > valueStates.stateCounts()[ValueStates.State.VALUE.ordinal()]) {
            return null; // more cells than rows (coordinates to 10⁻⁶, prices in cents): a continuous column
        }
        return z -> {
            if (Double.isNaN(z)) {
                return Double.NaN;
            }
            double u = unsqueeze(StandardNormal.cdf(z));
            int j = inverseSegment(u);
            double v = knots[j] + offsetIn(j, u);
            double m = Math.rint(v / r - 0.5);                  // the nearest half-way point is (m + ½)·r
            if ((m + 0.5) * r <= lo) {
                m += Math.ceil((lo - (m + 0.5) * r) / r + 1e-9);
            }
            if ((m + 0.5) * r >= hi) {
                m -= Math.ceil(((m + 0.5) * r - hi) / r + 1e-9);
            }
            double edge = (m + 0.5) * r;                        // one formula, so a boundary is always the same double
            if (!(edge > lo && edge < hi)) {
                return Double.NaN;
            }
            return StandardNormal.inverseCdf(squeeze(cdfAt(edge)));
        };
    }

    /** Finds u's segment of {@link #probabilities} in {@link #inverse}; built on first use. */
    private transient GuidedSearch probabilitySearch;

    private int firstAtLeast(double x) {
        int lo = 0;
        int hi = knots.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (knots[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int lastAtMost(double x) {
        int lo = 0;
        int hi = knots.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (knots[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = jsonHeader();
        json.put("unit", rounding.unit());
        json.put("decimals", rounding.decimals());
        valueStates.toJson(json);
        if (extremeK >= 0) {
            json.put("extreme_k", extremeK);
        }
        for (ParetoTail tail : new ParetoTail[]{lowerTail, upperTail}) {
            if (tail != null) {
                ObjectNode t = json.putObject(tail == lowerTail ? "lower_tail" : "upper_tail");
                t.put("shape", tail.shape());
                t.put("scale", tail.scale());
            }
        }
        if (weekdays != null) {
            ArrayNode w = json.putArray("weekdays");
            for (long n : weekdays) {
                w.add(n);
            }
        }
        ArrayNode p = json.putArray("probabilities");
        ArrayNode q = json.putArray("knots");
        for (int j = 0; j < knots.length; j++) {
            p.add(probabilities[j]);
            q.add(knots[j]);
        }
        return json;
    }

    static QuantileEncoder fromJson(JsonNode json) {
        QuantileEncoder e = fromJson(json, doubles(json.path("knots")), doubles(json.path("probabilities")));
        ParetoTail lower = tail(json.path("lower_tail"));
        ParetoTail upper = tail(json.path("upper_tail"));
        if (lower != null || upper != null) {
            e = new QuantileEncoder(e.column, e.kind, e.type, e.knots, e.probabilities, e.unit(), e.decimals(),
                    e.stateCounts(), lower, upper, e.extremeK);
        }
        JsonNode w = json.path("weekdays");
        if (w.isArray()) {
            long[] counts = new long[w.size()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = w.get(i).asLong();
            }
            e = e.withWeekdays(counts);
        }
        return e;
    }

    /** A tail's shape and scale (its length comes from the knots), or null when absent. */
    private static ParetoTail tail(JsonNode json) {
        return json.isObject() ? new ParetoTail(json.path("shape").asDouble(), json.path("scale").asDouble(), 1.0) : null;
    }

    /** Reads the common fields (column, kind, type, unit, decimals, state counts) with the given knots. */
    static QuantileEncoder fromJson(JsonNode json, double[] knots, double[] probabilities) {
        String column = json.path("column").asText();
        long[] counts = ValueStates.countsFromJson(json);
        return new QuantileEncoder(column, json.path("kind").asText(), ColumnType.parse(json.path("type").asText()),
                knots, probabilities, json.path("unit").asDouble(), json.path("decimals").asInt(-1), counts, null, null,
                json.path("extreme_k").asInt(-1));
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).doubleValue();
        }
        return out;
    }

    /** Refuses a kind other than continuous, integer or datetime, or a type that is not numeric, date or timestamp. */
    static void checkKindAndType(String column, String kind, ColumnType type) {
        if (!List.of("continuous", "integer", "datetime").contains(kind)) {
            throw new IllegalArgumentException("Column '" + column + "': quantile encoding has no kind '" + kind + "'");
        }
        if (!(type.isNumeric() || type.isDatetime())) {
            throw new IllegalArgumentException("Column '" + column + "': quantile encoding needs a numeric, date or "
                    + "timestamp type, got " + type);
        }
    }

    static String requireColumn(String column) {
        if (column == null || column.isEmpty()) {
            throw new IllegalArgumentException("column name must not be empty");
        }
        return column;
    }
}
