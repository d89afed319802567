package io.flowsynth.fidelity;

/**
 * Streaming two-sample Kolmogorov–Smirnov statistic D = sup_x |F_real(x) − F_synth(x)| over the empirical CDFs.
 * Feed one {@link #add} per distinct value in ascending order, with how many real and synthetic values equal it;
 * ties are therefore stepped together, as in scipy's {@code ks_2samp}. Memory is O(1), so a sorted stream of
 * value counts (for example from Spark) never has to fit on the driver.
 */
public final class KsAccumulator {
    private final long realTotal;
    private final long syntheticTotal;
    private long realSeen;
    private long syntheticSeen;
    private double statistic;

    /** @param realTotal number of non-null real values; @param syntheticTotal number of non-null synthetic values */
    public KsAccumulator(long realTotal, long syntheticTotal) {
        if (realTotal < 0 || syntheticTotal < 0) {
            throw new IllegalArgumentException("Value totals must be >= 0, got real " + realTotal
                    + " and synthetic " + syntheticTotal);
        }
        this.realTotal = realTotal;
        this.syntheticTotal = syntheticTotal;
    }

    /** Adds the next distinct value (in ascending order) with its real and synthetic counts. */
    public void add(long realCount, long syntheticCount) {
        if (realCount < 0 || syntheticCount < 0) {
            throw new IllegalArgumentException("Counts must be >= 0, got real " + realCount
                    + " and synthetic " + syntheticCount);
        }
        realSeen += realCount;
        syntheticSeen += syntheticCount;
        if (realSeen > realTotal || syntheticSeen > syntheticTotal) {
            throw new IllegalStateException("More values added (real " + realSeen + ", synthetic " + syntheticSeen
                    + ") than announced (real " + realTotal + ", synthetic " + syntheticTotal + ")");
        }
        if (realTotal > 0 && syntheticTotal > 0) {
            double gap = Math.abs((double) realSeen / realTotal - (double) syntheticSeen / syntheticTotal);
            statistic = Math.max(statistic, gap);
        }
    }

    /**
     * The KS statistic in [0, 1]. If both sides have no values it is 0 (nothing differs); if exactly one side has
     * none it is 1 (the distributions cannot be matched).
     *
     * @throws IllegalStateException if fewer values were added than announced
     */
    public double statistic() {
        if (realSeen != realTotal || syntheticSeen != syntheticTotal) {
            throw new IllegalStateException("Added real " + realSeen + " of " + realTotal + " and synthetic "
                    + syntheticSeen + " of " + syntheticTotal + " values");
        }
        if (realTotal == 0 && syntheticTotal == 0) {
            return 0.0;
        }
        if (realTotal == 0 || syntheticTotal == 0) {
            return 1.0;
        }
        return Math.min(1.0, statistic);
    }

    /** KSComplement = 1 − {@link #statistic()}. */
    public double complement() {
        return 1.0 - statistic();
    }
}
