package io.flowsynth.fidelity;

/**
 * Streaming profile of a continuous column from its sorted value counts (the same stream {@link KsAccumulator} reads:
 * one {@link #add} per distinct non-null value in ascending order, with its real and synthetic counts). Memory is
 * O(bins + quantiles). It yields, for both sides at once:
 * <ul>
 *   <li>the Wasserstein-1 distance ∫ |F_real − F_synth| dx (the area between the empirical CDFs, summed exactly
 *   between consecutive distinct values);</li>
 *   <li>quantiles by the inverse empirical CDF: Q(p) = the smallest value x with F(x) ≥ p (so the median of an even
 *   count is the lower middle value);</li>
 *   <li>counts in {@code edges.length − 1} equal-width bins [e_k, e_{k+1}) (the last bin closed), values outside the
 *   edges clipped into the end bins;</li>
 *   <li>the synthetic values inside the real [min, max] (for {@link Diagnostics#boundaryAdherence}).</li>
 * </ul>
 */
public final class ContinuousProfileAccumulator {
    /** Quantile probabilities reported per continuous column. */
    public static final double[] QUANTILES = {0.05, 0.25, 0.5, 0.75, 0.95};

    private final long realTotal;
    private final long syntheticTotal;
    private final double realMin;
    private final double realMax;
    private final double[] edges;
    private final long[] realBins;
    private final long[] syntheticBins;
    private final double[] realQuantiles;
    private final double[] syntheticQuantiles;
    private long realSeen;
    private long syntheticSeen;
    private double previous = Double.NaN;
    private double area;
    private long syntheticInRange;

    /**
     * @param realTotal      real non-null values to come
     * @param syntheticTotal synthetic non-null values to come
     * @param realMin        real minimum (NaN when the real side has no values)
     * @param realMax        real maximum (NaN when the real side has no values)
     * @param edges          histogram edges (at least 2), or null for no histogram
     */
    public ContinuousProfileAccumulator(long realTotal, long syntheticTotal, double realMin, double realMax,
                                        double[] edges) {
        if (realTotal < 0 || syntheticTotal < 0) {
            throw new IllegalArgumentException("Value totals must be >= 0");
        }
        if (edges != null && edges.length < 2) {
            throw new IllegalArgumentException("Need at least 2 histogram edges, got " + edges.length);
        }
        this.realTotal = realTotal;
        this.syntheticTotal = syntheticTotal;
        this.realMin = realMin;
        this.realMax = realMax;
        this.edges = edges == null ? null : edges.clone();
        this.realBins = edges == null ? new long[0] : new long[edges.length - 1];
        this.syntheticBins = edges == null ? new long[0] : new long[edges.length - 1];
        this.realQuantiles = nanArray(QUANTILES.length);
        this.syntheticQuantiles = nanArray(QUANTILES.length);
    }

    /** The next distinct non-null value (strictly ascending) with its real and synthetic counts. */
    public void add(double value, long realCount, long syntheticCount) {
        if (Double.isNaN(value) || (!Double.isNaN(previous) && value <= previous)) {
            throw new IllegalArgumentException("Values must be non-NaN and strictly ascending: " + value + " after "
                    + previous);
        }
        if (realCount < 0 || syntheticCount < 0) {
            throw new IllegalArgumentException("Counts must be >= 0");
        }
        if (!Double.isNaN(previous) && realTotal > 0 && syntheticTotal > 0) {
            double gap = Math.abs((double) realSeen / realTotal - (double) syntheticSeen / syntheticTotal);
            area += gap * (value - previous);
        }
        quantiles(realQuantiles, realSeen, realCount, realTotal, value);
        quantiles(syntheticQuantiles, syntheticSeen, syntheticCount, syntheticTotal, value);
        realSeen += realCount;
        syntheticSeen += syntheticCount;
        if (realSeen > realTotal || syntheticSeen > syntheticTotal) {
            throw new IllegalStateException("More values added than announced");
        }
        if (edges != null) {
            int bin = bin(value);
            realBins[bin] += realCount;
            syntheticBins[bin] += syntheticCount;
        }
        if (value >= realMin && value <= realMax) {
            syntheticInRange += syntheticCount;
        }
        previous = value;
    }

    private static void quantiles(double[] out, long seen, long count, long total, double value) {
        if (count == 0) {
            return;
        }
        for (int q = 0; q < QUANTILES.length; q++) {
            // the first value whose cumulative count reaches p·total
            if (Double.isNaN(out[q]) && seen + count >= QUANTILES[q] * total) {
                out[q] = value;
            }
        }
    }

    private int bin(double value) {
        int bins = edges.length - 1;
        int k = 0;
        while (k < bins - 1 && value >= edges[k + 1]) {
            k++;
        }
        return k;
    }

    /** W1 between the two empirical distributions; NaN when a side has no values. */
    public double wasserstein() {
        if (realTotal == 0 || syntheticTotal == 0) {
            return Double.NaN;
        }
        return area;
    }

    public double[] realQuantiles() {
        return realQuantiles.clone();
    }

    public double[] syntheticQuantiles() {
        return syntheticQuantiles.clone();
    }

    public long[] realHistogram() {
        return realBins.clone();
    }

    public long[] syntheticHistogram() {
        return syntheticBins.clone();
    }

    /** Synthetic non-null values within the real [min, max]. */
    public long syntheticInRange() {
        return syntheticInRange;
    }

    private static double[] nanArray(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }
}
