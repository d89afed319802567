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
 * @param spentEpsilon     the accountant's ε of T steps at σ (≤ trainingEpsilon)
 * @param order            the RDP order that gives {@code spentEpsilon}
 */
public record DpSgdPlan(double epsilon, double delta, double trainingEpsilon, double trainingDelta, double sigma,
                        double clipNorm, double samplingRate, int expectedBatch, long steps, long rows,
                        double spentEpsilon, double order) {

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
        try {
            sigma = RdpAccountant.sigmaFor(q, steps, eps, delta);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Configuration " + ConfigKeys.PRIVACY_EPSILON + ": " + s.epsilon()
                    + " is too small for " + steps + " DP-SGD steps at sampling rate " + q + " (" + e.getMessage()
                    + "); give a larger epsilon or fewer flowsynth.train.steps");
        }
        RdpAccountant.Guarantee g = RdpAccountant.epsilon(q, sigma, steps, delta);
        return new DpSgdPlan(s.epsilon(), s.deltaFor(rows), eps, delta, sigma, s.maxGradNorm(), q, batchSize, steps,
                rows, g.epsilon(), g.order());
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
        return r;
    }
}
