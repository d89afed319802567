package io.flowsynth.encode.dp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.commons.numbers.gamma.InverseErfc;

/**
 * The differential-privacy mechanisms of the encoders (Spark-free; the Spark passes only count). Neighbouring tables
 * differ by one added or removed row.
 *
 * <ul>
 *   <li><b>Gaussian counts</b>: a histogram in which one row falls in one bin, plus N(0, σ²) per bin, is the Gaussian
 *       mechanism of L2 sensitivity 1 (RDP α/(2σ²) at order α); the histograms of C columns counted in one pass are
 *       one release of L2 sensitivity √C (a row adds 1 to one bin of each), so they compose to C/(2σ²)·α and the noise
 *       for a given budget grows as √C, not as C as Laplace noise under basic composition does. Accounted by
 *       {@code io.flowsynth.math.RdpAccountant} with every other release of the fit.</li>
 *   <li><b>Gaussian stability histogram</b> over an open domain (categories): a Gaussian histogram of the values
 *       present, of which only bins whose noisy count reaches τ = 1 + σ·Φ⁻¹(1 − δ_c) are released
 *       ({@link #gaussianThreshold}). A value present in one neighbour only has count 1 there and passes with
 *       probability 1 − Φ((τ − 1)/σ) = δ_c; the values present in both are the Gaussian mechanism above. So the
 *       release is the Gaussian mechanism's RDP plus δ_c added to δ per column (Gaussian partition selection: Korolova
 *       et al. 2009, Bun, Nissim, Stemmer 2016 for the Laplace form; Wilson et al. 2020 for the Gaussian one).</li>
 *   <li><b>Histogram CDF</b>: {@link #isotonicCumulative}, a consistent CDF from a noisy histogram on a fixed grid
 *       ({@link #logGridEdges}), the knots of a quantile column.</li>
 *   <li><b>Zoom</b>: {@link #zoom}, a narrower range within a one-octave range, and {@link #narrow} again within a
 *       zoomed range that is still narrow ({@link #refineBin}).</li>
 *   <li><b>Range</b>: {@link #range}, a Gaussian histogram over a fixed signed power-of-two grid, grown from its
 *       largest noisy bin while the neighbours' noisy counts reach a threshold (in units of σ).</li>
 * </ul>
 */
public final class DpMechanisms {
    private DpMechanisms() {
    }

    /** Φ⁻¹(1 − p), the standard normal's upper p-quantile (p in (0, 1)). */
    public static double upperQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("need 0 < p < 1, got " + p);
        }
        return Math.sqrt(2) * InverseErfc.value(2 * p);
    }

    /**
     * Threshold τ = 1 + σ·Φ⁻¹(1 − δ) of a Gaussian stability histogram (see the class comment): a count of 1 plus
     * N(0, σ²) reaches it with probability δ.
     */
    public static double gaussianThreshold(double sigma, double delta) {
        if (!(sigma > 0) || !(delta > 0 && delta < 0.5)) {
            throw new IllegalArgumentException("need σ > 0 and 0 < δ < ½, got " + sigma + ", " + delta);
        }
        return 1.0 + sigma * upperQuantile(delta);
    }

    // ---- the range grid: signed powers of two ------------------------------------------------------------------

    /** Smallest power of two of the range grid: |x| &lt; 2^{@value} falls in the bin around 0. */
    public static final int RANGE_MIN_EXPONENT = -8;
    /** Largest: values beyond ±2^{@value} count in the outermost bins (and are clamped to the bounds later). */
    public static final int RANGE_MAX_EXPONENT = 62;
    private static final int SIDE = RANGE_MAX_EXPONENT - RANGE_MIN_EXPONENT;
    /** Bins of the range grid: (−2^(k+1), −2^k] and [2^k, 2^(k+1)) for each k, and [−2^min, 2^min) around 0. */
    public static final int RANGE_BINS = 2 * SIDE + 1;

    /** The range-grid bin of a finite value (negative bins first, ascending in value). */
    public static int rangeBin(double x) {
        double a = Math.abs(x);
        if (a < Math.scalb(1.0, RANGE_MIN_EXPONENT)) {
            return SIDE;
        }
        int k = Math.max(RANGE_MIN_EXPONENT, Math.min(RANGE_MAX_EXPONENT - 1, Math.getExponent(a)));
        int off = k - RANGE_MIN_EXPONENT; // 0 .. SIDE − 1
        return x > 0 ? SIDE + 1 + off : SIDE - 1 - off;
    }

    /** Lower edge of a range-grid bin. */
    public static double rangeLow(int bin) {
        if (bin == SIDE) {
            return -Math.scalb(1.0, RANGE_MIN_EXPONENT);
        }
        return bin > SIDE ? Math.scalb(1.0, RANGE_MIN_EXPONENT + bin - SIDE - 1)
                : -Math.scalb(1.0, RANGE_MIN_EXPONENT + SIDE - bin);
    }

    /** Upper edge of a range-grid bin. */
    public static double rangeHigh(int bin) {
        return bin == RANGE_BINS - 1 ? Math.scalb(1.0, RANGE_MAX_EXPONENT) : rangeLow(bin + 1);
    }

    /** An empty bin next to the range joins it with at most this probability (see {@link #range}). */
    public static final double RANGE_BETA = 0.05;

    /**
     * A DP range [lo, hi] of a column from its counts in the range grid ({@link #rangeBin}): N(0, σ²) noise on
     * every bin (one value is in one bin: the Gaussian mechanism of L2 sensitivity 1); the rest is post-processing of
     * the noisy counts. The range starts as the bin of the largest noisy count and grows bin by bin on either side
     * while the next bin's noisy count reaches τ = σ·Φ⁻¹(1 − β) (β = {@value #RANGE_BETA}: an empty neighbour passes
     * with probability β); a range on one side of 0 also takes in the other side when that side holds enough in all
     * ({@link #otherSide}: signed columns, whose bins near 0 are narrow and hold few rows); a bin farther out whose noisy
     * count alone reaches {@link #rangeFarThreshold} joins too, with the gap (a zero-inflated column: many 0s, its
     * other values in the thousands); the bounds are the outer edges. Growing only from the bulk keeps a
     * far outlier out whatever the noise does to far empty bins, and needs each bin to hold τ rows rather than the
     * ln(bins)-times larger count a test of every bin would.
     *
     * @return {lo, hi}, powers of two (or ±2^min around 0), lo &lt; hi
     */
    public static double[] range(long[] counts, double sigma, SplittableRandom rng) {
        return range(counts, sigma, rng, false);
    }

    /**
     * {@link #range} of a column of whole numbers (integers, dates, timestamps): its values are 0 or at least 1 in
     * magnitude, so the bins strictly between 2^min and 1 (on either side) are empty by the type, not the data, and
     * the growth steps over them (from the bin around 0 straight to [1, 2) and (−2, −1]).
     */
    public static double[] range(long[] counts, double sigma, SplittableRandom rng, boolean wholeNumbers) {
        return range(counts, sigma, rng, wholeNumbers, new double[RANGE_BINS]);
    }

    /** {@link #range(long[], double, SplittableRandom, boolean)}, leaving the noisy counts in {@code noisy}. */
    public static double[] range(long[] counts, double sigma, SplittableRandom rng, boolean wholeNumbers,
                                 double[] noisy) {
        if (counts.length != RANGE_BINS || noisy.length != RANGE_BINS) {
            throw new IllegalArgumentException("expected " + RANGE_BINS + " range bins, got " + counts.length);
        }
        for (int b = 0; b < counts.length; b++) {
            noisy[b] = counts[b] + NoiseSource.gaussian(rng, sigma);
        }
        return rangeOfNoisy(noisy, sigma, wholeNumbers);
    }

    /**
     * The growth of {@link #range} on range-grid counts that already carry Gaussian noise of std σ (post-processing:
     * no data read), e.g. the precision-weighted mean of two releases of the same counts.
     */
    public static double[] rangeOfNoisy(double[] noisy, double sigma, boolean wholeNumbers) {
        if (noisy.length != RANGE_BINS) {
            throw new IllegalArgumentException("expected " + RANGE_BINS + " range bins, got " + noisy.length);
        }
        double tau = rangeThreshold(sigma);
        int best = 0;
        for (int b = 0; b < noisy.length; b++) {
            if (noisy[b] > noisy[best]) {
                best = b;
            }
        }
        int first = grow(noisy, best, -1, tau, wholeNumbers);
        int last = grow(noisy, best, 1, tau, wholeNumbers);
        if (first > SIDE) { // all positive so far: is there mass on the negative side too?
            int other = otherSide(noisy, SIDE - 1, 2 * SIDE - last, tau);
            if (other >= 0) {
                first = Math.min(first, grow(noisy, other, -1, tau, wholeNumbers));
            }
        } else if (last < SIDE) { // all negative so far: and on the positive side?
            int other = otherSide(noisy, 2 * SIDE - first, SIDE + 1, tau);
            if (other >= 0) {
                last = Math.max(last, grow(noisy, other, 1, tau, wholeNumbers));
            }
        }
        // farther out, a stretch holding enough in all (a zero-inflated column: 0, then nothing up to its bulk in the
        // thousands, spread over a few octaves) or a bin holding enough alone: the range jumps to its largest bin
        // and grows from there, the gap included
        double far = rangeFarThreshold(sigma);
        for (int round = 0; round < 4; round++) {
            int jump = beyond(noisy, first, -1, tau, far, wholeNumbers);
            if (jump < 0) {
                break;
            }
            first = grow(noisy, jump, -1, tau, wholeNumbers);
        }
        for (int round = 0; round < 4; round++) {
            int jump = beyond(noisy, last, 1, tau, far, wholeNumbers);
            if (jump < 0) {
                break;
            }
            last = grow(noisy, jump, 1, tau, wholeNumbers);
        }
        return new double[]{rangeLow(first), rangeHigh(last)};
    }

    /** Stretches of bins beyond the range that {@link #beyond} sums (the fractional ones of whole numbers skipped). */
    static final int[] RANGE_BEYOND_WINDOWS = {6, 12, 24};

    /**
     * Beyond the range's end {@code edge} in direction {@code dir}: the largest bin on that side when it reaches
     * {@code far}; else the largest noisy bin among the next m = 6, 12 or 24 bins (the first that qualifies) when
     * they sum to at least 3·τ·√m and it reaches τ (an empty stretch's sum, N(0, mσ²), passes with probability about
     * 4·10⁻⁷ each);
     * else −1.
     */
    private static int beyond(double[] noisy, int edge, int dir, double tau, double far, boolean wholeNumbers) {
        int farBest = -1;
        for (int b = step(edge, dir, wholeNumbers); b >= 0 && b < noisy.length; b = step(b, dir, wholeNumbers)) {
            if (noisy[b] >= far && (farBest < 0 || noisy[b] > noisy[farBest])) {
                farBest = b;
            }
        }
        if (farBest >= 0) {
            return farBest;
        }
        for (int window : RANGE_BEYOND_WINDOWS) {
            double sum = 0;
            int m = 0;
            int best = -1;
            for (int b = step(edge, dir, wholeNumbers); m < window && b >= 0 && b < noisy.length;
                 b = step(b, dir, wholeNumbers), m++) {
                sum += noisy[b];
                if (best < 0 || noisy[b] > noisy[best]) {
                    best = b;
                }
            }
            if (m > 0 && sum >= 3 * tau * Math.sqrt(m) && noisy[best] >= tau) {
                return best;
            }
        }
        return -1;
    }

    /**
     * Noisy count from which a bin beyond the grown range still joins it (with the gap between): σ·Φ⁻¹(1 − β/B) over
     * the B range bins, β = {@value #RANGE_FAR_BETA}, so that all empty bins together pass with probability at most β
     * (a wrong far bin would stretch the range by orders of magnitude: a column of baths 0 … 2 to −10¹⁸, its
     * synthetic std 10⁸ times the real; over the ~70 sides of a wide table's ranges β = 10⁻³ let that happen to a
     * few percent of fits).
     */
    public static double rangeFarThreshold(double sigma) {
        return sigma * upperQuantile(RANGE_FAR_BETA / RANGE_BINS);
    }

    /** All empty bins beyond the grown range join it together with at most this probability. */
    public static final double RANGE_FAR_BETA = 1e-5;
    /** All empty sub-bins beyond a narrowed range join it together with at most this probability ({@link #narrow}). */
    public static final double NARROW_FAR_BETA = 1e-3;

    /**
     * The largest noisy bin among bins {@code from..to} (one side of 0, magnitudes up to the range's outer end) when
     * their noisy counts sum to at least 2·τ·√m over m bins (an empty side passes with probability about 5·10⁻⁴),
     * else −1. A signed column's range thus crosses 0 even though the bins near 0 are narrow and hold few rows.
     */
    private static int otherSide(double[] noisy, int from, int to, double tau) {
        int lo = Math.min(from, to);
        int hi = Math.max(from, to);
        double sum = 0;
        int best = lo;
        for (int b = lo; b <= hi; b++) {
            sum += noisy[b];
            if (noisy[b] > noisy[best]) {
                best = b;
            }
        }
        return sum >= 2 * tau * Math.sqrt(hi - lo + 1) ? best : -1;
    }

    /** The bin the range grows to from {@code bin} in direction {@code dir} (see {@link #range}). */
    private static int grow(double[] noisy, int bin, int dir, double tau, boolean wholeNumbers) {
        while (step(bin, dir, wholeNumbers) >= 0 && step(bin, dir, wholeNumbers) < noisy.length
                && noisy[step(bin, dir, wholeNumbers)] >= tau) {
            bin = step(bin, dir, wholeNumbers);
        }
        return bin;
    }

    /** The next bin from {@code bin} in direction {@code dir}; for whole numbers, skipping the bins within (−1, 1). */
    private static int step(int bin, int dir, boolean wholeNumbers) {
        int next = bin + dir;
        if (wholeNumbers && next != SIDE && Math.abs(next - SIDE) <= -RANGE_MIN_EXPONENT) {
            next = bin == SIDE ? SIDE + dir * (1 - RANGE_MIN_EXPONENT) : SIDE; // over the fractional bins
        }
        return next;
    }

    // ---- zooming into a one-octave range --------------------------------------------------------------------------

    /** Equal sub-bins each range-grid bin is split into for {@link #zoom}. */
    public static final int ZOOM_SUBBINS = 64;

    /**
     * The zoom-grid bin of a finite value: its range-grid bin ({@link #rangeBin}) × {@value #ZOOM_SUBBINS} plus its
     * equal sub-bin within that bin, in value order.
     */
    public static int zoomBin(double x) {
        int b = rangeBin(x);
        if (b == SIDE) {
            return b * ZOOM_SUBBINS;
        }
        double lo = rangeLow(b);
        double w = (rangeHigh(b) - lo) / ZOOM_SUBBINS;
        int j = (int) Math.max(0, Math.min(ZOOM_SUBBINS - 1, Math.floor((x - lo) / w)));
        return b * ZOOM_SUBBINS + j;
    }

    /** The range-grid counts of zoom-grid counts (each block of {@value #ZOOM_SUBBINS} summed). */
    public static long[] octaveCounts(long[] zoomCounts) {
        long[] out = new long[RANGE_BINS];
        for (int i = 0; i < zoomCounts.length; i++) {
            out[i / ZOOM_SUBBINS] += zoomCounts[i];
        }
        return out;
    }

    /**
     * A DP narrower range within the range-grid bin {@code bin} (a range of one octave away from 0, such as a year
     * column's [1024, 2048]): {@link #narrow} on its {@value #ZOOM_SUBBINS} equal sub-bins.
     *
     * @return {lo, hi, the noisy count within [lo, hi], the octave's} (the caller keeps the octave when the first is
     *         not most of it)
     */
    public static double[] zoom(long[] zoomCounts, int bin, double sigma, SplittableRandom rng,
                                boolean wholeNumbers) {
        long[] counts = Arrays.copyOfRange(zoomCounts, bin * ZOOM_SUBBINS, (bin + 1) * ZOOM_SUBBINS);
        return narrow(counts, rangeLow(bin), rangeHigh(bin), sigma, RANGE_BETA, rng, wholeNumbers);
    }

    /** Equal sub-bins of a narrowed range that {@link #refineBin} counts in for a second {@link #narrow}. */
    public static final int REFINE_SUBBINS = 16;

    /**
     * The refinement sub-bin of x within a narrowed range [lo, hi] ({@value #REFINE_SUBBINS} equal sub-bins; hi in
     * the last), or −1 for a value outside it (counted nowhere: the refinement histogram of one column still has L2
     * sensitivity 1).
     */
    public static int refineBin(double x, double lo, double hi) {
        if (!(x >= lo && x <= hi)) {
            return -1;
        }
        int j = (int) Math.floor((x - lo) / ((hi - lo) / REFINE_SUBBINS));
        return Math.max(0, Math.min(REFINE_SUBBINS - 1, j));
    }

    /**
     * An empty sub-bin next to a refined range joins it with this probability: higher than {@link #RANGE_BETA}, since
     * within a zoomed range a few empty sub-bins cost little and a clipped stretch of values much (a dip between two
     * stretches of values stops a growth at τ = 1.64σ).
     */
    public static final double REFINE_BETA = 0.25;

    /**
     * A DP narrower range within [lo, hi] from a column's counts in m equal sub-bins of it (one value is in at most
     * one: L2 sensitivity 1): N(0, σ²) on each, grown from the largest while the neighbours reach τ = σ·Φ⁻¹(1 − β),
     * and out to a farther sub-bin reaching σ·Φ⁻¹(1 − 10⁻³/m); the bounds are the sub-bins' outer edges (whole
     * numbers: widened to integers). Used by {@link #zoom} within an octave and again, with {@link #refineBin}'s
     * counts, within a zoomed range that is still only a few sub-bins wide (a latitude of 41.99 … 42.06 in the
     * octave [32, 64), whose 64 sub-bins are half a degree wide).
     *
     * @return {lo, hi, the noisy count within them, the noisy count of all m sub-bins}
     */
    public static double[] narrow(long[] counts, double lo, double hi, double sigma, double beta,
                                  SplittableRandom rng, boolean wholeNumbers) {
        int m = counts.length;
        double[] noisy = new double[m];
        int best = 0;
        for (int j = 0; j < m; j++) {
            noisy[j] = counts[j] + NoiseSource.gaussian(rng, sigma);
            if (noisy[j] > noisy[best]) {
                best = j;
            }
        }
        double tau = sigma * upperQuantile(beta);
        double far = sigma * upperQuantile(NARROW_FAR_BETA / m);
        int first = best;
        int last = best;
        while (first > 0 && noisy[first - 1] >= tau) {
            first--;
        }
        while (last < m - 1 && noisy[last + 1] >= tau) {
            last++;
        }
        for (int j = 0; j < first; j++) {
            if (noisy[j] >= far) {
                first = j;
                break;
            }
        }
        for (int j = m - 1; j > last; j--) {
            if (noisy[j] >= far) {
                last = j;
                break;
            }
        }
        double w = (hi - lo) / m;
        double a = lo + first * w;
        double b = last == m - 1 ? hi : lo + (last + 1) * w;
        double mass = 0;
        double total = 0;
        for (int j = 0; j < m; j++) {
            total += noisy[j];
            mass += j >= first && j <= last ? noisy[j] : 0;
        }
        return wholeNumbers ? new double[]{Math.floor(a), Math.ceil(b), mass, total}
                : new double[]{a, b, mass, total};
    }

    // ---- the log grid and the histogram CDF ----------------------------------------------------------------------

    /** Most sub-bins an octave of the log grid is split into. */
    public static final int LOG_GRID_MAX_SUBBINS = 32;

    /**
     * Edges of the log grid over [lo, hi] (values relative to the column's origin): the range grid's edges within
     * (signed powers of two and the bin around 0), each octave split into S equal sub-bins, S = targetBins / octaves
     * rounded, within 1 … {@value #LOG_GRID_MAX_SUBBINS}. A fixed function of
     * lo, hi and the type: no data read. It is fine where most values are (near 0, at every magnitude in a skewed
     * column) and coarse where few are (far out), so a histogram on it needs few bins.
     *
     * <p>Whole numbers (integers, dates, timestamps): no sub-bin narrower than 1, no edge within (−1, 1) but the bin of
     * 0, and every edge at a half-integer, so that a bin holds whole values only and 0 has a bin of its own: the bin
     * [a − ½, b − ½) holds a … b − 1.
     *
     * @return N + 1 increasing edges; a value clamped to [lo, hi] lies within [edges[0], edges[N]]
     */
    public static double[] logGridEdges(double lo, double hi, boolean wholeNumbers, int targetBins) {
        if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("need finite lo < hi, got " + lo + ", " + hi);
        }
        int first = rangeBin(Math.nextUp(lo)); // negative bins hold their upper edge
        int last = rangeBin(Math.nextDown(hi));
        int octaves = 0;
        for (int b = first; b <= last; b++) {
            if (b != SIDE && !(wholeNumbers && fractional(b))) {
                octaves++;
            }
        }
        int sub = (int) Math.max(1, Math.min(LOG_GRID_MAX_SUBBINS,
                Math.round((double) targetBins / Math.max(1, octaves))));
        java.util.TreeSet<Double> edges = new java.util.TreeSet<>();
        for (int b = first; b <= last; b++) {
            if (wholeNumbers && fractional(b)) {
                continue;
            }
            double low = rangeLow(b);
            double high = rangeHigh(b);
            int parts = b == SIDE ? 1 : sub;
            if (wholeNumbers && b != SIDE) {
                parts = (int) Math.max(1, Math.min(parts, high - low));
            }
            for (int j = 0; j < parts; j++) {
                double e = low + (high - low) * j / parts;
                if (e > lo && e < hi) {
                    edges.add(wholeNumbers ? (b == SIDE ? -0.5 : Math.rint(e) - 0.5) : e);
                }
            }
            if (wholeNumbers && b == SIDE) {
                edges.add(0.5); // 0 alone in its bin
            }
        }
        double bottom = wholeNumbers ? Math.ceil(lo) - 0.5 : lo;
        double top = wholeNumbers ? Math.floor(hi) + 0.5 : hi;
        if (!(bottom < top)) { // no whole number within: one bin
            return new double[]{lo, hi};
        }
        List<Double> out = new ArrayList<>();
        out.add(bottom);
        for (double e : edges) {
            if (e > bottom && e < top) {
                out.add(e);
            }
        }
        out.add(top);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Whether a range-grid bin lies strictly within (−1, 1) and is not the bin around 0. */
    private static boolean fractional(int bin) {
        return bin != SIDE && Math.abs(bin - SIDE) <= -RANGE_MIN_EXPONENT;
    }

    /** Decades of round values below the top one of a range ({@link #roundValues}). */
    public static final int ROUND_DECADES = 3;

    /**
     * The round values within [lo, hi]: 0 and every number of at most two significant digits, m·10^e with m in
     * 10 … 99, in the {@value #ROUND_DECADES} decades below and at the top of the range's largest magnitude (an
     * amount of 64 … 8,192 has 64 … 99, 100, 110, …, 990 and 1,000, 1,100, …, 8,100); whole numbers: integers only.
     * The candidates of a column's point masses: real tables pile values on such numbers (a loan of 1,000, assets of
     * 5,000), which a histogram's bins would smear. A function of the bounds only. Each value is the double nearest to
     * its decimal, as a parsed "1.1" is.
     *
     * @return increasing, distinct
     */
    public static double[] roundValues(double lo, double hi, boolean wholeNumbers) {
        if (!(lo <= hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("need finite lo <= hi, got " + lo + ", " + hi);
        }
        double top = Math.max(Math.abs(lo), Math.abs(hi));
        java.util.TreeSet<Double> out = new java.util.TreeSet<>();
        if (lo <= 0 && hi >= 0) {
            out.add(0.0);
        }
        if (top > 0) {
            int exponent = (int) Math.floor(Math.log10(top)) - 1; // step of the top decade
            for (int e = exponent - ROUND_DECADES + 1; e <= exponent; e++) {
                for (int m = 10; m <= 99; m++) {
                    double v = java.math.BigDecimal.valueOf(m).scaleByPowerOfTen(e).doubleValue();
                    if (wholeNumbers && v != Math.rint(v)) {
                        continue;
                    }
                    if (v >= lo && v <= hi) {
                        out.add(v);
                    }
                    if (-v >= lo && -v <= hi) {
                        out.add(-v);
                    }
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The index of x among increasing {@code points} when it equals one of them, else −1. */
    public static int pointBin(double[] points, double x) {
        int i = Arrays.binarySearch(points, x == 0.0 ? 0.0 : x); // −0.0 is 0
        return i >= 0 ? i : -1;
    }

    /** The bin of x among increasing edges (bin i = [edges[i], edges[i+1]); x clamped to the outer edges). */
    public static int edgeBin(double[] edges, double x) {
        int bins = edges.length - 1;
        if (!(x > edges[0])) {
            return 0;
        }
        if (!(x < edges[bins])) {
            return bins - 1;
        }
        int i = Arrays.binarySearch(edges, x);
        return i >= 0 ? Math.min(i, bins - 1) : Math.min(-i - 2, bins - 1);
    }

    /**
     * The cumulative counts F[0] = 0, F[1], …, F[N] that fit the noisy cumulative sums of a noisy histogram best in
     * least squares among non-decreasing sequences (pool-adjacent-violators), then clamped at 0: a consistent CDF
     * from independent noisy counts (Hay, Rastogi, Miklau, Suciu 2010), without the upward bias of clamping every
     * noisy bin at 0 (which would spread n̂·(noise scale)/2 phantom rows over the empty bins). Post-processing only.
     */
    public static double[] isotonicCumulative(double[] noisy) {
        int n = noisy.length;
        double[] level = new double[n];
        int[] size = new int[n];
        int blocks = 0;
        double running = 0;
        for (double v : noisy) {
            running += v;
            level[blocks] = running;
            size[blocks] = 1;
            blocks++;
            while (blocks > 1 && level[blocks - 2] > level[blocks - 1]) { // pool the violating pair
                int s = size[blocks - 2] + size[blocks - 1];
                level[blocks - 2] = (level[blocks - 2] * size[blocks - 2] + level[blocks - 1] * size[blocks - 1]) / s;
                size[blocks - 2] = s;
                blocks--;
            }
        }
        double[] f = new double[n + 1];
        int i = 1;
        for (int b = 0; b < blocks; b++) {
            for (int k = 0; k < size[b]; k++) {
                f[i++] = Math.max(0.0, level[b]);
            }
        }
        return f;
    }

    /** The threshold of {@link #range}: σ·Φ⁻¹(1 − β), which an empty bin's noise passes with probability β. */
    public static double rangeThreshold(double sigma) {
        return sigma * upperQuantile(RANGE_BETA);
    }
}
