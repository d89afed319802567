package io.flowsynth.encode;

/**
 * floor(v) over a sorted array in O(1) expected: a guide table of equal cells over [xs[0], xs[n−1]] stores, for each
 * cell, the last index at or below the cell's start, so a lookup is one division-free index computation and a step
 * or two (Devroye's guide tables). Decoding does this once per value (inverse empirical CDFs, frequency intervals),
 * where a binary search was a tenth of sampling's CPU.
 */
final class GuidedSearch {
    private static final int CELLS_PER_VALUE = 4;
    private final double[] xs;
    private final int n;
    private final double scale;
    private final int[] guide;

    /** @param xs non-decreasing values, of which the first {@code n} (≥ 1) are searched; not copied */
    GuidedSearch(double[] xs, int n) {
        this.xs = xs;
        this.n = n;
        double span = xs[n - 1] - xs[0];
        int cells = n < 2 || !(span > 0) ? 1 : CELLS_PER_VALUE * n;
        this.scale = span > 0 ? cells / span : 0;
        this.guide = new int[cells + 1];
        int i = 0;
        for (int g = 0; g <= cells; g++) {
            double start = span > 0 ? xs[0] + g / scale : xs[0];
            while (i + 1 < n && xs[i + 1] <= start) {
                i++;
            }
            guide[g] = i;
        }
    }

    /** The largest i &lt; n with xs[i] ≤ v; −1 when v &lt; xs[0] or v is NaN. */
    int floor(double v) {
        if (!(v >= xs[0])) {
            return -1;
        }
        if (v >= xs[n - 1]) {
            int i = n - 1;
            return i;
        }
        int i = guide[Math.min(guide.length - 1, (int) ((v - xs[0]) * scale))];
        while (i > 0 && xs[i] > v) { // a cell start rounded above v
            i--;
        }
        while (xs[i + 1] <= v) {
            i++;
        }
        return i;
    }
}
