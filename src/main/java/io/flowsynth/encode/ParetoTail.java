package io.flowsynth.encode;

import java.io.Serializable;

/**
 * A generalized Pareto tail truncated to a segment of length L: the distribution of the distance y ∈ [0, L] from a
 * tail's inner knot outwards, with CDF G(y)/G(L), where G(y) = 1 − (1 + ξy/σ)^(−1/ξ) (ξ > 0) or 1 − e^(−y/σ)
 * (ξ = 0). Fitted on three quantiles of the sketch at tail probabilities s, r·s and r²·s (s = the tail's mass beyond
 * its inner knot) with Pickands' estimator (Pickands, "Statistical inference using extreme order statistics", Annals of
 * Statistics 1975): ξ = ln((x_s − x_rs)/(x_rs − x_r²s))/ln r, and σ at the inner knot from the spacing x_s − x_rs =
 * σ(1 − r^(−ξ))/ξ. ξ is kept in [0, {@link #MAX_SHAPE}]: a bounded tail (ξ < 0) is taken as exponential.
 * By the threshold stability of the generalized Pareto law (Balkema and de Haan 1974, Pickands 1975), the excesses of
 * most continuous distributions over a high threshold are close to it, so the tail segment follows the real decay of
 * the column instead of spreading its mass uniformly up to the bound.
 *
 * @param shape  ξ ≥ 0
 * @param scale  σ &gt; 0, in the column's units
 * @param length L &gt; 0, the segment's length (from the inner knot to the bound)
 */
public record ParetoTail(double shape, double scale, double length) implements Serializable {
    /** Largest tail shape fitted: heavier tails (infinite variance beyond ξ = 0.5) would not be estimable from a sketch. */
    public static final double MAX_SHAPE = 0.75;
    /** Ratio of the tail probabilities of the three sketch quantiles that fit a tail. */
    public static final double RATIO = 3.0;
    private static final double EXPONENTIAL = 1e-9;

    public ParetoTail {
        if (!(shape >= 0 && shape <= MAX_SHAPE) || !(scale > 0) || Double.isInfinite(scale) || !(length > 0)
                || Double.isInfinite(length)) {
            throw new IllegalArgumentException("tail: need 0 ≤ shape ≤ " + MAX_SHAPE + ", scale > 0 and length > 0, got "
                    + shape + ", " + scale + ", " + length);
        }
    }

    /**
     * The tail fitted to three quantiles x1 ≤ x2 ≤ x3 at tail probabilities r²·s, r·s and s ({@link #RATIO} = r),
     * truncated at length L beyond x3; null when the spacings are not positive (a point mass: keep the segment linear).
     */
    public static ParetoTail fit(double x1, double x2, double x3, double length) {
        double inner = x3 - x2;
        double outer = x2 - x1;
        if (!(inner > 0) || !(length > 0) || !Double.isFinite(inner) || !Double.isFinite(length)) {
            return null;
        }
        double xi = outer > 0 ? Math.log(inner / outer) / Math.log(RATIO) : MAX_SHAPE;
        xi = Math.max(0.0, Math.min(MAX_SHAPE, xi));
        double sigma = xi < EXPONENTIAL ? inner / Math.log(RATIO) : xi * inner / -Math.expm1(-xi * Math.log(RATIO));
        return new ParetoTail(xi, sigma, length);
    }

    /** G(y), the untruncated CDF. */
    private double g(double y) {
        return shape < EXPONENTIAL ? -Math.expm1(-y / scale) : -Math.expm1(-Math.log1p(shape * y / scale) / shape);
    }

    /** The truncated CDF G(y)/G(L) for y ∈ [0, L] (clamped). */
    public double cdf(double y) {
        if (!(y > 0)) {
            return 0.0;
        }
        if (y >= length) {
            return 1.0;
        }
        return Math.min(1.0, g(y) / g(length));
    }

    /** The y with G(y)/G(L) = t, t ∈ [0, 1] (clamped). */
    public double inverse(double t) {
        if (!(t > 0)) {
            return 0.0;
        }
        if (t >= 1) {
            return length;
        }
        double c = t * g(length);
        double y = shape < EXPONENTIAL ? -scale * Math.log1p(-c) : scale / shape * Math.expm1(-shape * Math.log1p(-c));
        return Math.max(0.0, Math.min(length, y));
    }

    /** ln of the truncated density g(y)/G(L) at y ∈ [0, L] (clamped). */
    public double logDensity(double y) {
        double v = Math.max(0.0, Math.min(length, y));
        double log = shape < EXPONENTIAL ? -v / scale : -(1.0 / shape + 1.0) * Math.log1p(shape * v / scale);
        return log - Math.log(scale) - Math.log(g(length));
    }
}
