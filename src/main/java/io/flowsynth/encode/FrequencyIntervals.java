package io.flowsynth.encode;

import io.flowsynth.math.GuidedSearch;
import io.flowsynth.math.StandardNormal;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Random;

/**
 * Dequantized frequency intervals: outcome k of a finite distribution owns [c_k, c_{k+1}) ⊂ [0, 1] with width equal to
 * its frequency. Encoding draws u uniformly in the interval and returns z = Φ⁻¹(u); decoding takes Φ(z) back to the
 * interval that contains it. Encoded outcomes are exactly N(0, 1) in distribution when drawn with the fitted frequencies.
 *
 * <p>u is kept in [{@link #U_MIN}, 1 − {@link #U_MIN}] so features stay within ±4.75; an outcome whose interval lies
 * entirely inside that margin is encoded at its interval's midpoint instead, so it still decodes to itself.
 */
final class FrequencyIntervals implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Smallest u an encoder emits (z ≥ Φ⁻¹(1e−6) ≈ −4.753). */
    static final double U_MIN = 1e-6;

    private final long[] counts;
    private final double[] lower; // lower[k] = c_k, lower[n] = 1
    private transient GuidedSearch lowerSearch;

    FrequencyIntervals(long[] counts) {
        if (counts.length == 0) {
            throw new IllegalArgumentException("at least one outcome is needed");
        }
        long total = 0;
        for (long c : counts) {
            if (c <= 0) {
                throw new IllegalArgumentException("counts must be positive: " + Arrays.toString(counts));
            }
            total = Math.addExact(total, c);
        }
        this.counts = counts.clone();
        this.lower = new double[counts.length + 1];
        long cumulative = 0;
        for (int k = 0; k < counts.length; k++) {
            lower[k] = (double) cumulative / total;
            cumulative += counts[k];
        }
        lower[counts.length] = 1.0;
    }

    int size() {
        return counts.length;
    }

    long count(int k) {
        return counts[k];
    }

    /** The interval bounds c_0 = 0, …, c_n = 1 (a copy). */
    double[] bounds() {
        return lower.clone();
    }

    double frequency(int k) {
        return lower[k + 1] - lower[k];
    }

    /** A standard normal feature for outcome k. */
    double encode(int k, Random rng) {
        double lo = lower[k];
        double hi = lower[k + 1];
        double u = clampU(lo + rng.nextDouble() * (hi - lo));
        if (u < lo || u >= hi) {
            u = 0.5 * (lo + hi);
        }
        return StandardNormal.inverseCdf(u);
    }

    /**
     * −ln q(z) + ln f_k for a feature z drawn by {@link #encode}(k): with u uniform on the outcome's interval of width
     * f_k, q(z) = φ(z)/f_k, so this is the dequantization bound's correction ln f_k − ln φ(z).
     */
    double logCorrection(int k, double z) {
        return Math.log(frequency(k)) - StandardNormal.logDensity(z);
    }

    /** The outcome whose interval holds Φ(z); NaN is read as 0. */
    int decode(double z) {
        double u = StandardNormal.cdf(Double.isNaN(z) ? 0.0 : z);
        GuidedSearch search = lowerSearch;
        if (search == null) {
            search = new GuidedSearch(lower, counts.length);
            lowerSearch = search; // racy but idempotent
        }
        return Math.max(0, Math.min(counts.length - 1, search.floor(u))); // the last lower bound at or below u
    }

    /**
     * The decoding boundary nearest to z: Φ⁻¹ of the inner interval bound (c_1 … c_{n−1}) closest to z among the two
     * around the outcome z decodes to; NaN for a single outcome (no boundary).
     */
    double nearestEdge(double z) {
        int n = counts.length;
        if (n < 2 || Double.isNaN(z)) {
            return Double.NaN;
        }
        int k = decode(z);
        double below = k >= 1 ? StandardNormal.inverseCdf(lower[k]) : Double.NaN;
        double above = k + 1 <= n - 1 ? StandardNormal.inverseCdf(lower[k + 1]) : Double.NaN;
        if (Double.isNaN(below)) {
            return above;
        }
        if (Double.isNaN(above)) {
            return below;
        }
        return z - below <= above - z ? below : above;
    }

    static double clampU(double u) {
        return Math.max(U_MIN, Math.min(1.0 - U_MIN, u));
    }
}
