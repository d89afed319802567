package io.flowsynth.privacy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.PrivacySettings;
import io.flowsynth.error.BadInputException;

/**
 * DP-SGD's plan for a fit, fixed before training: every local step of every partition draws its batch by Poisson
 * sampling at one common rate q = min(1, B·P/n) (B the configured batch size, P the partitions, n the row count), sums
 * the per-row gradients clipped to L2 norm C, adds N(0, σ²C²) and divides by B. A row lives in one partition and only
 * that partition's steps see it; averaging the partitions' models is post-processing; so the fit is T = rounds ×
 * local steps compositions of the subsampled Gaussian mechanism at rate q, and σ is the smallest noise multiplier
 * that keeps them within the training share of the budget ({@link RdpAccountant#sigmaFor}).
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
 * @param spentEpsilon     the accountant's ε of T steps at σ and the copula release (≤ trainingEpsilon)
 * @param order            the RDP order that gives {@code spentEpsilon}
 * @param copulaSigma      noise multiplier of the DP Gaussian copula the flow starts from (one Gaussian release of
 *                         the clipped rows' moments, composed with the steps in RDP), or 0 for none
 */
public record DpSgdPlan(double epsilon, double delta, double trainingEpsilon, double trainingDelta, double sigma,
                        double clipNorm, double samplingRate, int expectedBatch, long steps, long rows,
                        double spentEpsilon, double order, double copulaSigma) {

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
        if (!s.enabled()) {
            throw new IllegalArgumentException("Differential privacy is off");
        }
        double q = Math.min(1.0, (double) batchSize * partitions / rows);
        double eps = s.trainingEpsilon();
        double delta = s.trainingDelta(rows);
        double sigma;
        double copulaSigma = 0;
        try {
            if (s.copulaShare() > 0) {
                // the copula's noise as if it had its share alone; the steps then get what RDP composition leaves
                copulaSigma = RdpAccountant.sigmaFor(1.0, 1, s.copulaShare() * eps, delta);
            }
            sigma = RdpAccountant.sigmaFor(q, steps, eps, delta, copulaSigma);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Configuration " + ConfigKeys.PRIVACY_EPSILON + ": " + s.epsilon()
                    + " is too small for " + steps + " DP-SGD steps at sampling rate " + q + " (" + e.getMessage()
                    + "); give a larger epsilon or fewer flowsynth.train.steps");
        }
        RdpAccountant.Guarantee g = RdpAccountant.epsilon(q, sigma, steps, delta, copulaSigma);
        return new DpSgdPlan(s.epsilon(), s.deltaFor(rows), eps, delta, sigma, s.maxGradNorm(), q, batchSize, steps,
                rows, g.epsilon(), g.order(), copulaSigma);
    }

    /** Clip norm R of an encoded row in the copula release: {@value #COPULA_CLIP} × √features. */
    public static double copulaClip(int features) {
        return COPULA_CLIP * Math.sqrt(features);
    }

    /** Per √feature L2 clip of an encoded row in the copula release (the features are about standard normal). */
    public static final double COPULA_CLIP = 1.5;

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
        r.put("mechanism", "DP-SGD: Poisson-subsampled Gaussian mechanism (Abadi et al. 2016)");
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
        if (copulaSigma > 0) {
            r.put("copula_start", "DP Gaussian copula: sums of the encoded rows' pairwise products, each "
                    + "row clipped to L2 norm " + COPULA_CLIP + " x sqrt(features), one Gaussian "
                    + "release composed with the steps");
            r.put("copula_noise_multiplier", copulaSigma);
        }
        return r;
    }
}
