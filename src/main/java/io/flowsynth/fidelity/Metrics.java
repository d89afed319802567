package io.flowsynth.fidelity;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fidelity metrics of SDMetrics' quality report, over column summaries rather than raw tables.
 *
 * <ul>
 *   <li><b>KSComplement</b> (numerical and datetime columns) = 1 − D, D the two-sample Kolmogorov–Smirnov statistic
 *   of the non-null values. Both sides without values: 1; exactly one side without values: 0.</li>
 *   <li><b>TVComplement</b> (categorical and boolean columns) = 1 − ½ Σ_c |f_real(c) − f_synth(c)|, null being a
 *   category of its own. Both sides empty: 1; exactly one empty: 0.</li>
 *   <li><b>CorrelationSimilarity</b> (two continuous columns) = 1 − |r_real − r_synth| / 2, r the Pearson
 *   coefficient over rows where both values are non-null. Where r is undefined (fewer than two such rows, or a
 *   column constant over them) we take r = 0, "no linear association": two constant sides then agree (score 1),
 *   and a constant side against a correlated side scores 1 − |r|/2.</li>
 *   <li><b>ContingencySimilarity</b> (every other pair) = 1 − ½ Σ_cells |p_real − p_synth| over the joint
 *   distribution, null a category of its own, continuous columns cut into {@link #CONTINGENCY_BINS} equal-width
 *   bins whose edges span the real column's range ({@link #equalWidthEdges}); values outside fall into the end
 *   bins ({@link #binIndex}). A real column without values has no range: all its non-null values share bin 0.</li>
 * </ul>
 * Reference: SDMetrics (DataCebo), "Single Table Quality Report" and its metrics' documentation.
 */
public final class Metrics {
    public static final String KS_COMPLEMENT = "KSComplement";
    public static final String TV_COMPLEMENT = "TVComplement";
    public static final String CORRELATION_SIMILARITY = "CorrelationSimilarity";
    public static final String CONTINGENCY_SIMILARITY = "ContingencySimilarity";
    /** Number of equal-width bins a continuous column is cut into for ContingencySimilarity. */
    public static final int CONTINGENCY_BINS = 10;
    /** Below this coefficient of variation, {@link #pearson(long, double, double, double, double, double)} calls a column constant. */
    static final double RAW_SUMS_RELATIVE_VARIANCE_FLOOR = 1e-12;

    private Metrics() {
    }

    /**
     * Two-sample KS statistic of two value-count summaries, each sorted ascending (equal values may repeat; they are
     * stepped together). Counts must be non-negative; their sums are the sample sizes, which may differ.
     */
    public static double ksStatistic(double[] realSortedValues, long[] realCounts,
                                     double[] synthSortedValues, long[] synthCounts) {
        checkSummary("real", realSortedValues, realCounts);
        checkSummary("synthetic", synthSortedValues, synthCounts);
        KsAccumulator ks = new KsAccumulator(sum(realCounts), sum(synthCounts));
        int i = 0;
        int j = 0;
        while (i < realSortedValues.length || j < synthSortedValues.length) {
            double value = Math.min(i < realSortedValues.length ? realSortedValues[i] : Double.POSITIVE_INFINITY,
                    j < synthSortedValues.length ? synthSortedValues[j] : Double.POSITIVE_INFINITY);
            long realCount = 0;
            while (i < realSortedValues.length && realSortedValues[i] == value) {
                realCount += realCounts[i++];
            }
            long synthCount = 0;
            while (j < synthSortedValues.length && synthSortedValues[j] == value) {
                synthCount += synthCounts[j++];
            }
            ks.add(realCount, synthCount);
        }
        return ks.statistic();
    }

    /** KSComplement = 1 − {@link #ksStatistic}. */
    public static double ksComplement(double[] realSortedValues, long[] realCounts,
                                      double[] synthSortedValues, long[] synthCounts) {
        return 1.0 - ksStatistic(realSortedValues, realCounts, synthSortedValues, synthCounts);
    }

    /**
     * TVComplement of two category-count maps. A {@code null} key is the missing-value category (use a map that
     * allows it, e.g. {@link java.util.HashMap}); a category missing from one map has count 0 there.
     */
    public static <K> double tvComplement(Map<K, Long> real, Map<K, Long> synthetic) {
        TotalVariationAccumulator tv = new TotalVariationAccumulator(sumValues("real", real),
                sumValues("synthetic", synthetic));
        Set<K> categories = new HashSet<>(real.keySet());
        categories.addAll(synthetic.keySet());
        for (K category : categories) {
            tv.add(real.getOrDefault(category, 0L), synthetic.getOrDefault(category, 0L));
        }
        return tv.complement();
    }

    /**
     * ContingencySimilarity of two joint-count maps keyed by cell (e.g. a {@code List} of the pair's two category
     * labels, continuous columns already mapped through {@link #binIndex}); null labels are categories.
     */
    public static <K> double contingencySimilarity(Map<K, Long> real, Map<K, Long> synthetic) {
        return tvComplement(real, synthetic);
    }

    /** CorrelationSimilarity = 1 − |rReal − rSynth| / 2, both coefficients in [−1, 1]. */
    public static double correlationSimilarity(double rReal, double rSynth) {
        checkCorrelation("real", rReal);
        checkCorrelation("synthetic", rSynth);
        return 1.0 - Math.abs(rReal - rSynth) / 2.0;
    }

    /**
     * Pearson r from population moments over n complete rows: covXY / √(varX·varY). Returns 0 (see class
     * Javadoc) when n &lt; 2 or a variance is not positive; the result is clamped to [−1, 1] against rounding.
     */
    public static double pearsonFromMoments(long n, double varX, double varY, double covXY) {
        if (n < 2 || !(varX > 0) || !(varY > 0)) {
            return 0.0;
        }
        double r = covXY / Math.sqrt(varX * varY);
        if (Double.isNaN(r)) {
            return 0.0;
        }
        return Math.max(-1.0, Math.min(1.0, r));
    }

    /**
     * Pearson r from raw moment sums n, Σx, Σy, Σx², Σy², Σxy. Raw sums cancel badly when the mean is large against
     * the spread, so a column whose variance is below {@code 1e-12·mean²} counts as constant (r = 0). Prefer
     * {@link #pearsonFromMoments} with centred moments (Spark's {@code var_pop}/{@code covar_pop}) when available.
     */
    public static double pearson(long n, double sumX, double sumY, double sumXX, double sumYY, double sumXY) {
        if (n < 2) {
            return 0.0;
        }
        double meanX = sumX / n;
        double meanY = sumY / n;
        double varX = sumXX / n - meanX * meanX;
        double varY = sumYY / n - meanY * meanY;
        double covXY = sumXY / n - meanX * meanY;
        if (varX <= RAW_SUMS_RELATIVE_VARIANCE_FLOOR * meanX * meanX
                || varY <= RAW_SUMS_RELATIVE_VARIANCE_FLOOR * meanY * meanY) {
            return 0.0;
        }
        return pearsonFromMoments(n, varX, varY, covXY);
    }

    /**
     * The {@code bins + 1} edges of equal-width bins over [min, max], like numpy's {@code histogram_bin_edges}:
     * edge k = min + k·(max − min)/bins, the last edge exactly max; a constant column (min = max) gets the range
     * [min − ½, max + ½].
     */
    public static double[] equalWidthEdges(double min, double max, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("Bin range must be finite with min <= max, got [" + min + ", " + max + "]");
        }
        double lo = min;
        double hi = max;
        if (lo == hi) {
            lo -= 0.5;
            hi += 0.5;
        }
        double step = (hi - lo) / bins;
        double[] edges = new double[bins + 1];
        for (int k = 0; k < bins; k++) {
            edges[k] = lo + k * step;
        }
        edges[bins] = hi;
        return edges;
    }

    /**
     * The bin of x among {@code edges.length − 1} bins [e_k, e_{k+1}), the first and last bins extended to ∓∞ (values
     * outside the real range are clipped into the end bins): the number of interior edges e_1 … e_{bins−1} that are
     * &lt;= x. Same rule as {@code np.digitize(x, edges)} with the outer edges replaced by ∓∞.
     */
    public static int binIndex(double[] edges, double x) {
        if (edges.length < 2) {
            throw new IllegalArgumentException("Need at least 2 bin edges, got " + edges.length);
        }
        int bin = 0;
        for (int k = 1; k < edges.length - 1; k++) {
            if (x >= edges[k]) {
                bin++;
            }
        }
        return bin;
    }

    /** Arithmetic mean; NaN for an empty list. */
    public static double mean(List<Double> scores) {
        if (scores.isEmpty()) {
            return Double.NaN;
        }
        double total = 0.0;
        for (double score : scores) {
            total += score;
        }
        return total / scores.size();
    }

    /**
     * Overall quality = mean(column shapes mean, column pair trends mean); with no pairs (a single column) it is the
     * column shapes mean.
     */
    public static double quality(double columnShapes, double columnPairTrends) {
        if (Double.isNaN(columnPairTrends)) {
            return columnShapes;
        }
        return (columnShapes + columnPairTrends) / 2.0;
    }

    private static void checkSummary(String side, double[] values, long[] counts) {
        if (values.length != counts.length) {
            throw new IllegalArgumentException("The " + side + " summary has " + values.length + " values but "
                    + counts.length + " counts");
        }
        for (int k = 0; k < values.length; k++) {
            if (Double.isNaN(values[k])) {
                throw new IllegalArgumentException("The " + side + " summary has NaN at index " + k);
            }
            if (k > 0 && values[k] < values[k - 1]) {
                throw new IllegalArgumentException("The " + side + " values must be sorted ascending, but index " + k
                        + " (" + values[k] + ") < index " + (k - 1) + " (" + values[k - 1] + ")");
            }
        }
    }

    private static long sum(long[] counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }

    private static <K> long sumValues(String side, Map<K, Long> counts) {
        long total = 0;
        for (Map.Entry<K, Long> entry : counts.entrySet()) {
            Long count = entry.getValue();
            if (count == null || count < 0) {
                throw new IllegalArgumentException("The " + side + " count of category '" + entry.getKey()
                        + "' must be >= 0, got " + count);
            }
            total += count;
        }
        return total;
    }

    private static void checkCorrelation(String side, double r) {
        if (!(r >= -1.0 - 1e-9 && r <= 1.0 + 1e-9)) {
            throw new IllegalArgumentException("The " + side + " correlation must be in [-1, 1], got " + r);
        }
    }
}
