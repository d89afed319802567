package io.flowsynth.math;

/**
 * floor(v) over a sorted array in O(1) expected: a guide table of equal cells over [xs[0], xs[n−1]] stores, for each
 * cell, the last index at or below the cell's start, so a lookup is one division-free index computation and a step
 * or two (Devroye's guide tables). Sampling does this once per value: the marginal calibration after f⁻¹ and the
 * decoders' inverse empirical CDFs and frequency intervals (a binary search there was a tenth of a sample's Java CPU
 * in a profile). Shared by {@code flow} and {@code encode}, which may not import each other.
 */
public final class GuidedSearch {
    private static final int CELLS_PER_VALUE = 4;
    private final double[] xs;
    private final int n;
    private final double scale;
    private final int[] guide;

    /** @param xs non-decreasing values, of which the first {@code n} (≥ 1) are searched; not copied */
    public GuidedSearch(double[] xs, int n) {
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
    public int floor(double v) {
        if (!(v >= xs[0])) {
            return -1;
        }
        if (v >= xs[n - 1]) {
            return n - 1;
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
