package io.flowsynth.math;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.numbers.gamma.Erfc;
import org.apache.commons.numbers.gamma.Erfcx;

/**
 * Rényi-DP accountant of the Poisson-subsampled Gaussian mechanism (the mechanism of one DP-SGD step: each row joins
 * the batch independently with probability q, the per-row clipped gradients are summed and N(0, σ²C²) is added, so
 * σ is the noise multiplier relative to the clip norm C), for the add-or-remove-one neighbouring relation.
 *
 * <p>RDP of one step at order α (Mironov, Talwar and Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian
 * Mechanism", Sections 3.2–3.3): ε(α) = log A_α / (α − 1) with A_α = E_{z∼μ₀}[(μ(z)/μ₀(z))^α], μ₀ = N(0, σ²),
 * μ = (1 − q)μ₀ + q·N(1, σ²). For integer α, A_α = Σ_k C(α,k)(1−q)^{α−k} q^k exp((k² − k)/(2σ²)); for fractional α
 * the two-sided series of the paper's Section 3.3 with erfc tails. Both are summed in log space (log-sum-exp with
 * signs), with log erfc(x) = log erfcx(x) − x² for large x, so small q and large σ stay exact. T steps compose to
 * T·ε(α) (RDP composition is additive). Conversion to (ε, δ)-DP, minimised over the orders:
 * <ul>
 *   <li>{@link Conversion#BALLE_2020} (the default; as Opacus and Google's dp_accounting do): ε = ε(α) + log(1 − 1/α)
 *       − (log δ + log α)/(α − 1) (Balle et al. 2020, "Hypothesis testing interpretations and Rényi differential
 *       privacy", Thm 21; Canonne, Kamath and Steinke 2020, Prop. 12);</li>
 *   <li>{@link Conversion#CLASSIC}: ε = ε(α) + log(1/δ)/(α − 1) (Mironov 2017, Prop. 3), never tighter.</li>
 * </ul>
 * {@link #sigmaFor} finds the smallest noise multiplier that keeps T steps within (ε, δ), by bisection. Pure Java,
 * no Spark.
 */
public final class RdpAccountant {
    /** How RDP is converted to (ε, δ)-DP. */
    public enum Conversion {
        /** Balle et al. 2020 / Canonne–Kamath–Steinke 2020 (tighter; the default). */
        BALLE_2020("rdp (Mironov et al. 2019), conversion of Balle et al. 2020"),
        /** Mironov 2017, Proposition 3. */
        CLASSIC("rdp (Mironov et al. 2019), conversion of Mironov 2017");

        public final String description;

        Conversion(String description) {
            this.description = description;
        }
    }

    /**
     * The orders the (ε, δ) conversion minimises over: 1.1 … 10.9 in steps of 0.1, 11 … 63, then 64 … 1024 in powers
     * of two (Opacus' default grid, extended upwards for very small ε or δ).
     */
    public static final double[] DEFAULT_ORDERS = defaultOrders();

    /** A log-space term below this (relative to the sum) no longer changes the result. */
    private static final double NEGLIGIBLE_LOG = -30;
    private static final int MAX_TERMS = 1_000_000;

    /** An (ε, δ) guarantee with the RDP order that gives it. */
    public record Guarantee(double epsilon, double delta, double order) {
    }

    private RdpAccountant() {
    }

    private static double[] defaultOrders() {
        List<Double> o = new ArrayList<>();
        for (int x = 1; x < 100; x++) {
            o.add(1 + x / 10.0);
        }
        for (int a = 11; a < 64; a++) {
            o.add((double) a);
        }
        for (int a = 64; a <= 1024; a *= 2) {
            o.add((double) a);
        }
        return o.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * RDP ε(α) of one step of the subsampled Gaussian mechanism.
     *
     * @param q     sampling rate in [0, 1]
     * @param sigma noise multiplier σ ≥ 0 (noise std / sensitivity)
     * @param alpha order α &gt; 1 (may be fractional; +∞ gives +∞ unless q = 0)
     */
    public static double rdp(double q, double sigma, double alpha) {
        check(q, sigma);
        if (!(alpha > 1)) {
            throw new IllegalArgumentException("RDP order must be > 1, got " + alpha);
        }
        if (q == 0) {
            return 0;
        }
        if (sigma == 0 || Double.isInfinite(alpha)) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) && alpha < Integer.MAX_VALUE
                ? logAInteger(q, sigma, (int) alpha) : logAFractional(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** RDP of {@code steps} composed steps at each order. */
    public static double[] rdp(double q, double sigma, long steps, double[] orders) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be ≥ 0, got " + steps);
        }
        double[] out = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            out[i] = steps == 0 ? 0 : steps * rdp(q, sigma, orders[i]);
        }
        return out;
    }

    /**
     * The smallest ε over the orders for which RDP values {@code rdp} (at {@code orders}) give (ε, δ)-DP; +∞ when no
     * order gives a finite one.
     */
    public static Guarantee epsilon(double[] orders, double[] rdp, double delta, Conversion conversion) {
        if (orders.length != rdp.length) {
            throw new IllegalArgumentException(orders.length + " orders but " + rdp.length + " RDP values");
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        double logDelta = Math.log(delta);
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double r = rdp[i];
            if (!(a > 1) || Double.isNaN(r) || r < 0 || Double.isInfinite(r)) {
                continue;
            }
            double eps = conversion == Conversion.CLASSIC
                    ? r - logDelta / (a - 1)
                    : r + Math.log1p(-1 / a) - (logDelta + Math.log(a)) / (a - 1);
            if (eps < best) {
                best = eps;
                bestOrder = a;
            }
        }
        return new Guarantee(Math.max(0, best), delta, bestOrder);
    }

    /** ε of {@code steps} steps at rate q and noise multiplier σ, over {@link #DEFAULT_ORDERS}, Balle et al.'s conversion. */
    public static Guarantee epsilon(double q, double sigma, long steps, double delta) {
        return epsilon(q, sigma, steps, delta, 0);
    }

    /**
     * As {@link #epsilon(double, double, long, double)}, composed (in RDP, order by order) with one release of the
     * whole data by the Gaussian mechanism of noise multiplier {@code gaussianSigma} (RDP α/(2σ²)); 0 = none.
     */
    public static Guarantee epsilon(double q, double sigma, long steps, double delta, double gaussianSigma) {
        double[] r = rdp(q, sigma, steps, DEFAULT_ORDERS);
        if (gaussianSigma > 0) {
            for (int i = 0; i < r.length; i++) {
                r[i] += rdp(1.0, gaussianSigma, DEFAULT_ORDERS[i]);
            }
        }
        return epsilon(DEFAULT_ORDERS, r, delta, Conversion.BALLE_2020);
    }

    /**
     * As {@link #epsilon(double, double, long, double)}, composed (in RDP, order by order) with other releases whose
     * RDP values over {@link #DEFAULT_ORDERS} are {@code base}.
     */
    public static Guarantee epsilon(double q, double sigma, long steps, double delta, double[] base) {
        double[] r = rdp(q, sigma, steps, DEFAULT_ORDERS);
        for (int i = 0; i < r.length; i++) {
            r[i] += base[i];
        }
        return epsilon(DEFAULT_ORDERS, r, delta, Conversion.BALLE_2020);
    }

    /**
     * RDP at order α of the Gaussian mechanism with L2 sensitivity Δ and noise std σ: α·Δ²/(2σ²) (Mironov 2017,
     * Prop. 7), i.e. α·ρ with ρ = Δ²/(2σ²) its zCDP parameter (Bun and Steinke 2016). A vector of counts noised
     * coordinate by coordinate is one such release with Δ its L2 sensitivity.
     */
    public static double gaussianRdp(double sensitivity, double sigma, double alpha) {
        if (!(sensitivity >= 0) || !(sigma > 0)) {
            throw new IllegalArgumentException("need sensitivity ≥ 0 and σ > 0, got " + sensitivity + ", " + sigma);
        }
        return alpha * sensitivity * sensitivity / (2 * sigma * sigma);
    }

    /**
     * RDP at order α &gt; 1 of the Laplace mechanism of scale b on a query of L1 sensitivity Δ (Mironov 2017,
     * Prop. 6, with λ = b/Δ): (1/(α−1))·log(α/(2α−1)·e^((α−1)/λ) + (α−1)/(2α−1)·e^(−α/λ)), in log space; never above
     * the pure ε = 1/λ.
     */
    public static double laplaceRdp(double sensitivity, double scale, double alpha) {
        if (!(sensitivity > 0) || !(scale > 0) || !(alpha > 1)) {
            throw new IllegalArgumentException("need Δ > 0, b > 0, α > 1, got " + sensitivity + ", " + scale + ", "
                    + alpha);
        }
        double lambda = scale / sensitivity;
        double a = Math.log(alpha / (2 * alpha - 1)) + (alpha - 1) / lambda;
        double b = Math.log((alpha - 1) / (2 * alpha - 1)) - alpha / lambda;
        return Math.min(1 / lambda, logAdd(a, b) / (alpha - 1));
    }

    /** ε over {@link #DEFAULT_ORDERS} of composed RDP values (one per order), Balle et al.'s conversion. */
    public static Guarantee epsilon(double[] rdp, double delta) {
        return epsilon(DEFAULT_ORDERS, rdp, delta, Conversion.BALLE_2020);
    }

    /**
     * The largest ρ (to a relative 1e-6, rounded downwards) for which releases of zCDP ρ in all (Gaussian mechanisms:
     * RDP α·ρ) composed with the RDP values {@code base} (over {@link #DEFAULT_ORDERS}) stay within (ε, δ); 0 when
     * {@code base} alone does not.
     */
    public static double rhoFor(double[] base, double epsilon, double delta) {
        if (base.length != DEFAULT_ORDERS.length) {
            throw new IllegalArgumentException("expected " + DEFAULT_ORDERS.length + " RDP values, got " + base.length);
        }
        if (!(epsilon > 0) || !(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("Need ε > 0 and δ in (0, 1); got ε " + epsilon + ", δ " + delta);
        }
        if (epsilon(base, delta).epsilon() > epsilon) {
            return 0;
        }
        double lo = 0;
        double hi = epsilon;
        while (withRho(base, hi, delta) <= epsilon) {
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > 1e-6 * hi) {
            double mid = 0.5 * (lo + hi);
            if (withRho(base, mid, delta) <= epsilon) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double withRho(double[] base, double rho, double delta) {
        double[] r = base.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] += DEFAULT_ORDERS[i] * rho;
        }
        return epsilon(r, delta).epsilon();
    }

    /**
     * The smallest noise multiplier σ (to a relative 1e-4, rounded upwards) for which {@code steps} steps at rate q
     * stay within (ε, δ)-DP ({@link #epsilon(double, double, long, double)}).
     *
     * @throws IllegalArgumentException when the target cannot be met with σ ≤ 10⁶ (a δ too small for the orders)
     */
    public static double sigmaFor(double q, long steps, double epsilon, double delta) {
        return sigmaFor(q, steps, epsilon, delta, 0);
    }

    /**
     * As {@link #sigmaFor(double, long, double, double)} when the steps are composed with one Gaussian release of
     * noise multiplier {@code gaussianSigma} ({@link #epsilon(double, double, long, double, double)}).
     */
    public static double sigmaFor(double q, long steps, double epsilon, double delta, double gaussianSigma) {
        double[] base = new double[DEFAULT_ORDERS.length];
        if (gaussianSigma > 0) {
            for (int i = 0; i < base.length; i++) {
                base[i] = rdp(1.0, gaussianSigma, DEFAULT_ORDERS[i]);
            }
        }
        return sigmaFor(q, steps, epsilon, delta, base);
    }

    /**
     * As {@link #sigmaFor(double, long, double, double)} when the steps are composed with other releases whose RDP
     * values over {@link #DEFAULT_ORDERS} are {@code base} (the encoders' Gaussian histograms, the copula release):
     * the whole composition stays within (ε, δ).
     */
    public static double sigmaFor(double q, long steps, double epsilon, double delta, double[] base) {
        check(q, 0);
        if (!(epsilon > 0) || !(delta > 0 && delta < 1) || steps < 1) {
            throw new IllegalArgumentException("Need ε > 0, δ in (0, 1) and steps ≥ 1; got ε " + epsilon + ", δ "
                    + delta + ", steps " + steps);
        }
        if (q == 0) {
            return 0;
        }
        double hi = 1;
        while (epsilon(q, hi, steps, delta, base).epsilon() > epsilon) {
            hi *= 2;
            if (hi > 1e6) {
                throw new IllegalArgumentException("No noise multiplier ≤ 1e6 gives ε ≤ " + epsilon + " at δ = "
                        + delta + " for " + steps + " steps at sampling rate " + q);
            }
        }
        double lo = hi / 2;
        while (lo > 1e-3 && epsilon(q, lo, steps, delta, base).epsilon() <= epsilon) {
            hi = lo;
            lo /= 2;
        }
        while ((hi - lo) > 1e-4 * hi) {
            double mid = 0.5 * (lo + hi);
            if (epsilon(q, mid, steps, delta, base).epsilon() <= epsilon) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private static void check(double q, double sigma) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("Sampling rate must be in [0, 1], got " + q);
        }
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("Noise multiplier must be ≥ 0, got " + sigma);
        }
    }

    /** log A_α for integer α: a log-sum-exp of α + 1 non-negative terms. */
    static double logAInteger(double q, double sigma, int alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoS2 = 2 * sigma * sigma;
        double[] terms = new double[alpha + 1];
        double logBinom = 0; // log C(α, k)
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= alpha; k++) {
            if (k > 0) {
                logBinom += Math.log(alpha - k + 1) - Math.log(k);
            }
            terms[k] = logBinom + k * logQ + (alpha - k) * log1mQ + ((double) k * k - k) / twoS2;
            max = Math.max(max, terms[k]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }

    /**
     * log A_α for fractional α (Mironov et al. 2019, Section 3.3): A_α = Σ_i C(α,i)·[(1−q)^{α−i} q^i
     * e^{(i²−i)/(2σ²)} ½erfc((i − z₀)/(√2σ)) + (1−q)^i q^{α−i} e^{(j²−j)/(2σ²)} ½erfc((z₀ − j)/(√2σ))] with j = α − i and
     * z₀ = σ² log(1/q − 1) + ½; the generalised binomial coefficients change sign, so the two running sums keep a
     * sign. Stops when both new terms are below e^−30 (A_α ≥ 1, so that is relative too).
     */
    static double logAFractional(double q, double sigma, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double twoS2 = 2 * sigma * sigma;
        double rt2s = Math.sqrt(2) * sigma;
        SignedLog a0 = new SignedLog();
        SignedLog a1 = new SignedLog();
        double logCoef = 0;
        boolean positive = true;
        for (int i = 0; i < MAX_TERMS; i++) {
            if (i > 0) {
                double f = (alpha - (i - 1)) / i;
                if (f == 0) {
                    break;
                }
                positive = positive == (f > 0);
                logCoef += Math.log(Math.abs(f));
            }
            double j = alpha - i;
            double logT0 = logCoef + i * logQ + j * log1mQ;
            double logT1 = logCoef + j * logQ + i * log1mQ;
            double logE0 = Math.log(0.5) + logErfc((i - z0) / rt2s);
            double logE1 = Math.log(0.5) + logErfc((z0 - j) / rt2s);
            double logS0 = logT0 + ((double) i * i - i) / twoS2 + logE0;
            double logS1 = logT1 + (j * j - j) / twoS2 + logE1;
            a0.add(positive, logS0);
            a1.add(positive, logS1);
            if (Math.max(logS0, logS1) < NEGLIGIBLE_LOG) {
                break;
            }
        }
        return logAdd(a0.log(), a1.log());
    }

    /** log erfc(x), accurate for large x (where erfc underflows). */
    static double logErfc(double x) {
        if (x <= 0) {
            return Math.log(Erfc.value(x));
        }
        return Math.log(Erfcx.value(x)) - x * x;
    }

    private static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        double m = Math.max(a, b);
        return m + Math.log1p(Math.exp(Math.min(a, b) - m));
    }

    /** A running sum of signed terms given by their logs: value = sign·exp(log). */
    private static final class SignedLog {
        private boolean negative;
        private double log = Double.NEGATIVE_INFINITY;

        void add(boolean positiveTerm, double logTerm) {
            if (logTerm == Double.NEGATIVE_INFINITY) {
                return;
            }
            if (log == Double.NEGATIVE_INFINITY) {
                log = logTerm;
                negative = !positiveTerm;
                return;
            }
            if (positiveTerm != negative) { // same sign
                log = logAdd(log, logTerm);
                return;
            }
            if (logTerm > log) {
                log = logTerm + Math.log1p(-Math.exp(log - logTerm));
                negative = !positiveTerm;
            } else if (logTerm < log) {
                log = log + Math.log1p(-Math.exp(logTerm - log));
            } else {
                log = Double.NEGATIVE_INFINITY;
            }
        }

        /** The log of the sum; a sum that came out negative (rounding) counts as 0. */
        double log() {
            return negative ? Double.NEGATIVE_INFINITY : log;
        }
    }
}
