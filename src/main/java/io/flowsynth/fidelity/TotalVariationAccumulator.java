package io.flowsynth.fidelity;

/**
 * Streaming total variation distance δ = ½ Σ_c |n_real(c)/N_real − n_synth(c)/N_synth| over categories (or contingency
 * cells) c. Feed one {@link #add} per category, in any order, with its real and synthetic counts; categories absent on
 * one side are added with count 0 there. Null is an ordinary category: add its counts like any other.
 */
public final class TotalVariationAccumulator {
    private final long realTotal;
    private final long syntheticTotal;
    private long realSeen;
    private long syntheticSeen;
    private double sum;

    /** @param realTotal number of real rows (nulls included); @param syntheticTotal number of synthetic rows */
    public TotalVariationAccumulator(long realTotal, long syntheticTotal) {
        if (realTotal < 0 || syntheticTotal < 0) {
            throw new IllegalArgumentException("Row totals must be >= 0, got real " + realTotal
                    + " and synthetic " + syntheticTotal);
        }
        this.realTotal = realTotal;
        this.syntheticTotal = syntheticTotal;
    }

    /** Adds one category with its real and synthetic counts. */
    public void add(long realCount, long syntheticCount) {
        if (realCount < 0 || syntheticCount < 0) {
            throw new IllegalArgumentException("Counts must be >= 0, got real " + realCount
                    + " and synthetic " + syntheticCount);
        }
        realSeen += realCount;
        syntheticSeen += syntheticCount;
        if (realSeen > realTotal || syntheticSeen > syntheticTotal) {
            throw new IllegalStateException("More rows added (real " + realSeen + ", synthetic " + syntheticSeen
                    + ") than announced (real " + realTotal + ", synthetic " + syntheticTotal + ")");
        }
        if (realTotal > 0 && syntheticTotal > 0) {
            sum += Math.abs((double) realCount / realTotal - (double) syntheticCount / syntheticTotal);
        }
    }

    /**
     * The total variation distance in [0, 1]: 0 if both sides are empty, 1 if exactly one is.
     *
     * @throws IllegalStateException if fewer rows were added than announced
     */
    public double distance() {
        if (realSeen != realTotal || syntheticSeen != syntheticTotal) {
            throw new IllegalStateException("Added real " + realSeen + " of " + realTotal + " and synthetic "
                    + syntheticSeen + " of " + syntheticTotal + " rows");
        }
        if (realTotal == 0 && syntheticTotal == 0) {
            return 0.0;
        }
        if (realTotal == 0 || syntheticTotal == 0) {
            return 1.0;
        }
        return Math.min(1.0, sum / 2.0);
    }

    /** 1 − {@link #distance()}: TVComplement for one column, ContingencySimilarity for a pair's joint table. */
    public double complement() {
        return 1.0 - distance();
    }
}
