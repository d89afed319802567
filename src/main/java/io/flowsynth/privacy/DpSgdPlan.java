package io.flowsynth.privacy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.PrivacySettings;
import io.flowsynth.error.BadInputException;
import io.flowsynth.math.RdpAccountant;

/**
 * DP-SGD's plan for a fit, fixed before training: every local step of every partition draws its batch by Poisson
 * sampling at one common rate q = min(1, B·P/n) (B the configured batch size, P the partitions, n the row count), sums
 * the per-row gradients clipped to L2 norm C, adds N(0, σ²C²) and divides by B. A row lives in one partition and only
 * that partition's steps see it; averaging the partitions' models is post-processing; so the fit is T = rounds ×
 * local steps compositions of the subsampled Gaussian mechanism at rate q, and σ is the smallest noise multiplier
 * that keeps them within the budget ({@link RdpAccountant#sigmaFor}).
 *
 * <p>With the encoders' RDP given ({@link #of(PrivacySettings, long, int, int, long, double[], double)}, every DP fit)
 * the whole fit is one RDP composition: the encoders' releases, the copula release and the T steps, summed order by
 * order and converted to (ε, δ − the category thresholds' δ) once; σ is the smallest that keeps that within the fit's
 * ε. Without them (basic composition) the steps and the copula stay within the training share
 * ((1 − encoder share)·ε, (1 − encoder share)·δ).
 *
 * @param epsilon          the whole fit's ε
 * @param delta            the whole fit's δ
 * @param trainingEpsilon  ε of DP-SGD ((1 − encoder share)·ε)
 * @param trainingDelta    δ of DP-SGD
 * @param sigma            noise multiplier σ (noise std = σ·C)
 * @param clipNorm         C
 * @param samplingRate     q
 * @param expectedBatch    B: the divisor of each step's noisy sum (expected sample size of an average partition)
 * @param steps            T, the optimizer steps each partition takes (rounds × local steps)
 * @param rows             n used for q and δ = auto
 * @param spentEpsilon     the accountant's ε of T steps at σ and the copula release alone at trainingDelta
 *                         (≤ trainingEpsilon under basic composition; above it when composed with the encoders)
 * @param order            the RDP order that gives {@code spentEpsilon}
 * @param copulaSigma      noise multiplier of the DP Gaussian copula the flow starts from (one Gaussian release of
 *                         the clipped rows' moments, composed with the steps in RDP), or 0 for none
 * @param fitEpsilon       the accountant's ε of the whole fit (encoders, copula, steps composed in RDP, at δ less the
 *                         thresholds'), ≤ epsilon; NaN under basic composition
 * @param fitOrder         the RDP order that gives {@code fitEpsilon}
 */
public record DpSgdPlan(double epsilon, double delta, double trainingEpsilon, double trainingDelta, double sigma,
                        double clipNorm, double samplingRate, int expectedBatch, long steps, long rows,
                        double spentEpsilon, double order, double copulaSigma, double fitEpsilon,
                        double fitOrder) {

    /** What {@link #toJson} names as the accountant. */
    public static final String ACCOUNTANT = RdpAccountant.Conversion.BALLE_2020.description
            + ", Poisson-subsampled Gaussian, add-or-remove-one neighbours";

    /**
     * The plan of a fit of {@code rows} rows on {@code partitions} partitions with batch size {@code batchSize} and
     * {@code steps} optimizer steps per partition.
     *
     * @throws BadInputException naming {@code flowsynth.privacy.epsilon} when no σ meets the budget
     */
    public static DpSgdPlan of(PrivacySettings s, long rows, int partitions, int batchSize, long steps) {
        return of(s, rows, partitions, batchSize, steps, null, 0);
    }

    /**
     * The plan when the encoders' releases have RDP {@code encoderRdp} (over {@link RdpAccountant#DEFAULT_ORDERS}) and
     * spent {@code thresholdDelta} outside RDP: σ is the smallest that keeps the encoders, the copula and the steps,
     * composed in RDP, within the fit's (ε, δ). {@code encoderRdp} null: basic composition (see the class comment).
     */
    public static DpSgdPlan of(PrivacySettings s, long rows, int partitions, int batchSize, long steps,
                               double[] encoderRdp, double thresholdDelta) {
        if (!s.enabled()) {
            throw new IllegalArgumentException("Differential privacy is off");
        }
        double q = Math.min(1.0, (double) batchSize * partitions / rows);
        double eps = s.trainingEpsilon();
        double delta = s.trainingDelta(rows);
        if (s.copulaOnly()) {
            return copulaOnly(s, rows, q, batchSize, eps, delta, encoderRdp, thresholdDelta);
        }
        double sigma;
        double copulaSigma = 0;
        try {
            if (s.copulaShare() > 0) {
                // the copula's noise as if it had its share alone; the steps then get what RDP composition leaves
                copulaSigma = RdpAccountant.sigmaFor(1.0, 1, s.copulaShare() * eps, delta);
            }
            if (encoderRdp == null) {
                sigma = RdpAccountant.sigmaFor(q, steps, eps, delta, copulaSigma);
            } else {
                sigma = RdpAccountant.sigmaFor(q, steps, s.epsilon(), s.deltaFor(rows) - thresholdDelta,
                        fitBase(encoderRdp, copulaSigma));
            }
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Configuration " + ConfigKeys.PRIVACY_EPSILON + ": " + s.epsilon()
                    + " is too small for " + steps + " DP-SGD steps at sampling rate " + q + " (" + e.getMessage()
                    + "); give a larger epsilon or fewer flowsynth.train.steps");
        }
        RdpAccountant.Guarantee g = RdpAccountant.epsilon(q, sigma, steps, delta, copulaSigma);
        RdpAccountant.Guarantee fit = encoderRdp == null ? new RdpAccountant.Guarantee(Double.NaN, delta, Double.NaN)
                : RdpAccountant.epsilon(q, sigma, steps, s.deltaFor(rows) - thresholdDelta,
                fitBase(encoderRdp, copulaSigma));
        return new DpSgdPlan(s.epsilon(), s.deltaFor(rows), eps, delta, sigma, s.maxGradNorm(), q, batchSize, steps,
                rows, g.epsilon(), g.order(), copulaSigma, fit.epsilon(), fit.order());
    }

    /**
     * The plan of a flow that is the DP copula alone (copula share 1): no DP-SGD steps; the copula's noise multiplier
     * is the smallest for which it, composed with the encoders' releases in RDP, stays within the fit's (ε, δ) (with
     * {@code encoderRdp} null, within the flow's share alone).
     */
    private static DpSgdPlan copulaOnly(PrivacySettings s, long rows, double q, int batchSize, double eps,
                                        double delta, double[] encoderRdp, double thresholdDelta) {
        double copulaSigma;
        try {
            copulaSigma = encoderRdp == null ? RdpAccountant.sigmaFor(1.0, 1, eps, delta)
                    : RdpAccountant.sigmaFor(1.0, 1, s.epsilon(), s.deltaFor(rows) - thresholdDelta, encoderRdp);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Configuration " + ConfigKeys.PRIVACY_EPSILON + ": " + s.epsilon()
                    + " is too small for the DP copula (" + e.getMessage() + "); give a larger epsilon");
        }
        RdpAccountant.Guarantee g = RdpAccountant.epsilon(1.0, copulaSigma, 1, delta);
        RdpAccountant.Guarantee fit = encoderRdp == null ? new RdpAccountant.Guarantee(Double.NaN, delta, Double.NaN)
                : RdpAccountant.epsilon(1.0, copulaSigma, 1, s.deltaFor(rows) - thresholdDelta, encoderRdp);
        return new DpSgdPlan(s.epsilon(), s.deltaFor(rows), eps, delta, 0, s.maxGradNorm(), q, batchSize, 0, rows,
                g.epsilon(), g.order(), copulaSigma, fit.epsilon(), fit.order());
    }

    /** Whether the flow is the DP copula alone: no DP-SGD steps ({@link PrivacySettings#copulaOnly()}). */
    public boolean copulaOnly() {
        return steps == 0 && copulaSigma > 0;
    }

    /** The encoders' RDP plus the copula release's (α/(2σ_c²)), over {@link RdpAccountant#DEFAULT_ORDERS}. */
    private static double[] fitBase(double[] encoderRdp, double copulaSigma) {
        if (encoderRdp.length != RdpAccountant.DEFAULT_ORDERS.length) {
            throw new IllegalArgumentException("expected " + RdpAccountant.DEFAULT_ORDERS.length
                    + " RDP values of the encoders, got " + encoderRdp.length);
        }
        double[] base = encoderRdp.clone();
        if (copulaSigma > 0) {
            for (int i = 0; i < base.length; i++) {
                base[i] += RdpAccountant.rdp(1.0, copulaSigma, RdpAccountant.DEFAULT_ORDERS[i]);
            }
        }
        return base;
    }

    /** Whether the whole fit is one RDP composition (the encoders' releases included). */
    public boolean composed() {
        return !Double.isNaN(fitEpsilon);
    }

    /**
     * The encoder share "auto" chooses when the flow's budget buys a DP copula that can resolve correlations
     * ({@link #autoEncoderShare}): measured on credit_data (14 columns, 3,554 rows) at ε = 3, quality 0.948 at 0.8
     * against 0.942 at 0.9 and 0.940 at 0.95 (three noise seeds each; its pair trends fall with the copula's share).
     */
    public static final double AUTO_SHARE = 0.8;
    /**
     * The encoder share "auto" chooses when that copula would be noise ({@link #autoEncoderShare}): measured on ames
     * (74 columns, 2,331 rows) at ε = 3, where the copula's noise per correlation was about 0.6 (clip 1.5; 0.25 now) and its
     * correlations are shrunk to none, quality 0.913 at 0.8 against 0.918, 0.919 and 0.919 at 0.9, 0.95 and 0.99 with
     * DP-SGD after the copula; with the copula alone (no DP-SGD) 0.9208 at 0.95 and 0.9227 at 0.99 (seeds 1, 2, 3)
     * (three noise seeds each).
     */
    public static final double AUTO_SHARE_NOISY_COPULA = 0.99;
    /**
     * Most noise std per released correlation ({@link #copulaCorrelationNoise}) at which the copula is worth the
     * flow's share: beyond it the empirical-Bayes shrinkage takes a table's correlations (mean squares of a few
     * hundredths) nearly all back to independence, and DP-SGD alone, at more noise still, learns no more.
     */
    public static final double COPULA_NOISE_LIMIT = 0.2;

    /**
     * The encoder share of a fit whose {@link PrivacySettings#encoderShare} may be "auto", chosen after the row
     * count's release from {@code rows} (that release) and {@code columns} only, before any other release (so the
     * choice is post-processing): the configured share when one is set; else {@value #AUTO_SHARE} when the copula
     * the flow would start from at that share has at most {@value #COPULA_NOISE_LIMIT} noise per correlation
     * ({@link #copulaCorrelationNoise} with one feature per column), or when there is no copula (copula share 0);
     * else {@value #AUTO_SHARE_NOISY_COPULA}: on a wide table with few rows the flow's budget would buy a copula
     * shrunk to independence, and each column's marginal needs every bit (its noise grows as √columns).
     */
    public static double autoEncoderShare(PrivacySettings s, long rows, int columns) {
        if (!s.autoEncoderShare()) {
            return s.encoderShare();
        }
        if (s.copulaShare() == 0 || columns < 2) {
            return AUTO_SHARE;
        }
        return copulaCorrelationNoise(s.withEncoderShare(AUTO_SHARE), rows, columns) <= COPULA_NOISE_LIMIT
                ? AUTO_SHARE : AUTO_SHARE_NOISY_COPULA;
    }

    /**
     * Noise std of each correlation the DP copula releases under settings {@code s} (a resolved encoder share) for
     * {@code rows} rows of {@code features} encoded features: its noise multiplier for its share alone times the
     * release's sensitivity ({@link #copulaSensitivity}), over the rows (the features are about standard normal, so
     * their moments are correlations).
     */
    public static double copulaCorrelationNoise(PrivacySettings s, long rows, int features) {
        double sigma = RdpAccountant.sigmaFor(1.0, 1, s.copulaShare() * s.trainingEpsilon(), s.trainingDelta(rows));
        return sigma * copulaSensitivity(features) / rows;
    }

    /** Clip norm R of an encoded row in the copula release: {@value #COPULA_CLIP} × √features. */
    public static double copulaClip(int features) {
        return COPULA_CLIP * Math.sqrt(features);
    }

    /**
     * Per √feature L2 clip of an encoded row in the copula release (the features are about standard normal, so about
     * half the rows are scaled down a little): the noise scales as its square. Measured on credit_data at ε = 3
     * (noise seeds 1, 2, 3): quality 0.9510 with 1.5, 0.9527 with 1.0, 0.9525 with 0.75.
     */
    public static final double COPULA_CLIP = 1.0;

    /**
     * L2 sensitivity of the copula release, the upper triangle (diagonal included) of Σ z·zᵀ over rows z clipped to
     * L2 norm R: one row changes it by at most ‖z·zᵀ‖_F = ‖z‖² ≤ R².
     */
    public static double copulaSensitivity(int features) {
        double r = copulaClip(features);
        return r * r;
    }

    /** Standard deviation of the noise added to each step's summed clipped gradient: σ·C. */
    public double noiseStd() {
        return sigma * clipNorm;
    }

    /** This plan's entry in the model's {@code privacy.releases}. */
    public ObjectNode toJson() {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("release", "flow parameters");
        r.put("mechanism", copulaOnly() ? "DP Gaussian copula only (flowsynth.privacy.copula-share = 1): no DP-SGD steps"
                : "DP-SGD: Poisson-subsampled Gaussian mechanism (Abadi et al. 2016)");
        r.put("epsilon", trainingEpsilon);
        r.put("delta", trainingDelta);
        r.put("accountant_epsilon", spentEpsilon);
        r.put("rdp_order", order);
        r.put("noise_multiplier", sigma);
        r.put("noise_std", noiseStd());
        r.put("clip_norm", clipNorm);
        r.put("sampling_rate", samplingRate);
        r.put("expected_batch", expectedBatch);
        r.put("steps", steps);
        r.put("accountant", ACCOUNTANT);
        if (composed()) {
            r.put("composed_with_encoders", true);
            r.put("fit_accountant_epsilon", fitEpsilon);
            r.put("fit_rdp_order", fitOrder);
        }
        if (copulaSigma > 0) {
            r.put("copula_start", "DP Gaussian copula: sums of the encoded rows' pairwise products, each "
                    + "row clipped to L2 norm " + COPULA_CLIP + " x sqrt(features), one Gaussian "
                    + (copulaOnly() ? "release composed with the encoders'" : "release composed with the steps"));
            r.put("copula_noise_multiplier", copulaSigma);
        }
        return r;
    }
}
