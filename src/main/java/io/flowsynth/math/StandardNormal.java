package io.flowsynth.math;

import org.apache.commons.math3.special.Erf;
import org.apache.commons.numbers.gamma.Erfc;

/**
 * The standard normal distribution: density φ, distribution function Φ and its inverse Φ⁻¹, in double precision.
 *
 * <p>Φ is a quintic Hermite interpolation of a table built with Commons Numbers' {@code Erfc} (Boost's rational
 * approximations, ~1 ulp, accurate in both tails), and {@code Erfc} itself beyond |x| = 9: Φ runs once per decoded
 * value, and the table is cheaper than {@code Erfc} (and than Commons Math 3's). Φ⁻¹(p) starts from Commons Math's
 * {@code erfInv} (Giles, "Approximating the erfinv function", GPU Computing
 * Gems, 2011) on the smaller tail {@code min(p, 1−p)} and takes one Newton step on Φ, which removes the cancellation of
 * {@code 2p − 1} for small p; below 1e−10 it solves ln Φ(z) = ln p by Newton's method from the Mills-ratio asymptote.
 */
public final class StandardNormal {
    private static final double SQRT2 = Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2.0 * Math.PI);
    private static final double DEEP_TAIL = 1e-10;
    /** Knot spacing of {@link #cdf}'s table: 2⁻⁸, so knots are exact binary fractions. */
    private static final double TABLE_STEP = 0x1p-8;
    /** The table covers [TABLE_MIN, 0]; further out (|x| ≥ 9, Φ ≤ 1.2e−19) {@code Erfc} is used. */
    private static final double TABLE_MIN = -9.0;
    private static final int TABLE_KNOTS = (int) (-TABLE_MIN / TABLE_STEP) + 1;
    /**
     * Φ(x_k), h·φ(x_k) and h²·φ'(x_k) at [3k, 3k + 2] for the knots x_k = TABLE_MIN + k·h: the quintic Hermite end
     * values, slopes and curvatures in the unit interval's coordinate, side by side so that a lookup reads 48 bytes.
     */
    private static final double[] TABLE = new double[3 * TABLE_KNOTS];

    static {
        for (int k = 0; k < TABLE_KNOTS; k++) {
            double x = TABLE_MIN + k * TABLE_STEP;
            TABLE[3 * k] = erfcCdf(x);
            TABLE[3 * k + 1] = TABLE_STEP * density(x);
            TABLE[3 * k + 2] = -TABLE_STEP * TABLE_STEP * x * density(x);
        }
    }

    private StandardNormal() {
    }

    /** φ(x). */
    public static double density(double x) {
        return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** ln φ(x) = −x²/2 − ln √(2π). */
    public static double logDensity(double x) {
        return -0.5 * x * x - LOG_SQRT_2PI;
    }

    /**
     * Φ(x); 0 at −∞, 1 at +∞, NaN for NaN. Quintic Hermite interpolation of Φ, φ and φ' on knots 2⁻⁸ apart over
     * [−9, 0], mirrored for x &gt; 0 (1 − Φ(−x), so the upper tail keeps the absolute precision of {@code Erfc});
     * {@code Erfc} beyond |x| = 9 and for NaN. The interpolation error (h⁶·max|Φ⁽⁶⁾|/46080 ≈ 2e−19) is below double
     * rounding: measured against {@code Erfc}, at most 4.4e−16 apart (4 ulp at ½) and 4.3e−14 relative in the lower tail.
     */
    public static double cdf(double x) {
        if (!(x > TABLE_MIN && x < -TABLE_MIN)) {
            return erfcCdf(x);
        }
        double a = x > 0 ? -x : x;
        double pos = (a - TABLE_MIN) * (1.0 / TABLE_STEP);
        int k = Math.min((int) pos, TABLE_KNOTS - 2);
        double t = pos - k;
        double s = 1.0 - t;
        int i = 3 * k;
        // Φ(x_k) plus the Hermite terms, which are all small: one rounding of Φ(x_k)'s size
        double t3 = t * t * t;
        double s3 = s * s * s;
        double v = TABLE[i] + (t3 * (1.0 + s * (3.0 + 6.0 * s)) * (TABLE[i + 3] - TABLE[i])
                + s3 * t * ((1.0 + 3.0 * t) * TABLE[i + 1] + 0.5 * t * TABLE[i + 2])
                + t3 * s * (0.5 * s * TABLE[i + 5] - (1.0 + 3.0 * s) * TABLE[i + 4]));
        return x > 0 ? 1.0 - v : v;
    }

    /** Φ(x) = erfc(−x/√2)/2 with Commons Numbers' {@code Erfc}: the table's knots and its tails. */
    static double erfcCdf(double x) {
        return 0.5 * Erfc.value(-x / SQRT2);
    }

    /**
     * Φ⁻¹(p) for p in [0, 1]: −∞ at 0, +∞ at 1. Throws for p outside [0, 1] or NaN.
     */
    public static double inverseCdf(double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        if (p == 0.0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        if (p > 0.5) {
            return -lowerInverse(1.0 - p); // 1 − p is exact for p ≥ 0.5
        }
        return lowerInverse(p);
    }

    /** Φ⁻¹(p) for 0 < p ≤ 0.5, where Φ is evaluated without cancellation. */
    private static double lowerInverse(double p) {
        if (p < DEEP_TAIL) {
            return deepTailInverse(p);
        }
        double z = SQRT2 * Erf.erfInv(2.0 * p - 1.0);
        z -= (cdf(z) - p) / density(z);
        return z;
    }

    /**
     * Below 1e−10, {@code 2p − 1} loses more than 6 digits: start from the Mills-ratio asymptote p ≈ φ(z)/|z| and solve
     * ln Φ(z) = ln p by Newton's method.
     */
    private static double deepTailInverse(double p) {
        double logP = Math.log(p);
        double t = -2.0 * logP;
        double z = -Math.sqrt(t - Math.log(t) - Math.log(2.0 * Math.PI));
        for (int i = 0; i < 8; i++) {
            double c = cdf(z);
            double d = density(z);
            if (!(c > 0.0) || !(d > 0.0)) {
                break;
            }
            double step = (Math.log(c) - logP) * c / d;
            z -= step;
            if (Math.abs(step) < 1e-15 * Math.abs(z)) {
                break;
            }
        }
        return z;
    }
}
