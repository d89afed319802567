package io.flowsynth.config;

import io.flowsynth.error.BadInputException;

/**
 * Differential-privacy settings of a fit ({@code flowsynth.privacy.epsilon}, {@code .delta}, {@code .encoder-share},
 * {@code .max-grad-norm}), validated. Off ({@link #enabled()} false) unless ε is given.
 *
 * <p>The encoders' statistics get the noise that spends (share·ε, share·δ) when accounted alone; the flow (the DP
 * copula, DP-SGD) the rest. The share is a number, or "auto" ({@link #autoEncoderShare()}): then the fit chooses it
 * after releasing the row count ({@code io.flowsynth.privacy.DpSgdPlan#autoEncoderShare}) and goes on with
 * {@link #withEncoderShare}; the shares' ε and δ are asked of the resolved settings only; every release of the fit is then composed in one Rényi-DP accountant and DP-SGD's noise
 * is the least that keeps the whole composition within (ε, δ) ({@code io.flowsynth.privacy.DpSgdPlan}), so the fit
 * is (ε, δ)-DP. {@link #trainingEpsilon()} is the flow's nominal share (what basic composition would give it).
 *
 * @param epsilon      total ε of the fit; {@link Double#NaN} when off
 * @param delta        total δ; {@link Double#NaN} for "auto" (1/n², see {@link #deltaFor(long)})
 * @param encoderShare share of ε and δ spent on the encoders, in (0, 0.99], or {@link Double#NaN} for "auto"
 * @param maxGradNorm  DP-SGD's per-example clip norm C &gt; 0
 * @param copulaShare  share of the flow's budget spent on the DP Gaussian copula it starts from, in [0, 1]; 0 = none;
 *                     1 = all of it: no DP-SGD steps, the flow is the DP copula ({@link #copulaOnly()})
 * @param maxSteps     most DP-SGD steps (a cap on {@code flowsynth.train.steps}); 0 = no cap
 */
public record PrivacySettings(double epsilon, double delta, double encoderShare, double maxGradNorm,
                              double copulaShare, long maxSteps) {
    /** {@link #encoderShare} of "auto". */
    public static final double AUTO = Double.NaN;
    public static final PrivacySettings OFF = new PrivacySettings(Double.NaN, Double.NaN, AUTO,
            ConfigKeys.PRIVACY_MAX_GRAD_NORM_DEFAULT);

    /** Settings with the default copula share and step cap. */
    public PrivacySettings(double epsilon, double delta, double encoderShare, double maxGradNorm) {
        this(epsilon, delta, encoderShare, maxGradNorm, ConfigKeys.PRIVACY_COPULA_SHARE_DEFAULT);
    }

    /** Settings with the default step cap. */
    public PrivacySettings(double epsilon, double delta, double encoderShare, double maxGradNorm, double copulaShare) {
        this(epsilon, delta, encoderShare, maxGradNorm, copulaShare, ConfigKeys.PRIVACY_MAX_STEPS_DEFAULT);
    }
    /** Largest δ accepted: a δ near 1/n or above allows releasing a row outright. */
    public static final double MAX_DELTA = 0.01;
    /** Largest ε accepted (beyond it the guarantee means nothing). */
    public static final double MAX_EPSILON = 1000;

    /** Largest encoder share: DP-SGD keeps at least 1 % of the budget. */
    public static final double MAX_ENCODER_SHARE = 0.99;

    static PrivacySettings read(ConfigReader r) {
        boolean off = r.text(ConfigKeys.PRIVACY_EPSILON).trim().equalsIgnoreCase("off");
        double epsilon = off ? Double.NaN : r.numberAbove(ConfigKeys.PRIVACY_EPSILON, 0, MAX_EPSILON);
        boolean auto = r.text(ConfigKeys.PRIVACY_DELTA).trim().equalsIgnoreCase("auto");
        double delta = auto ? Double.NaN : r.numberAbove(ConfigKeys.PRIVACY_DELTA, 0, MAX_DELTA);
        boolean autoShare = r.text(ConfigKeys.PRIVACY_ENCODER_SHARE).trim().equalsIgnoreCase("auto");
        return new PrivacySettings(epsilon, delta,
                autoShare ? AUTO : r.numberAbove(ConfigKeys.PRIVACY_ENCODER_SHARE, 0, MAX_ENCODER_SHARE),
                r.numberAbove(ConfigKeys.PRIVACY_MAX_GRAD_NORM, 0, 1e6),
                r.number(ConfigKeys.PRIVACY_COPULA_SHARE, 0, 1),
                r.longAtLeast(ConfigKeys.PRIVACY_MAX_STEPS, 0));
    }

    /** These settings with another copula share. */
    public PrivacySettings withCopulaShare(double share) {
        return new PrivacySettings(epsilon, delta, encoderShare, maxGradNorm, share, maxSteps);
    }

    /**
     * Whether the flow's whole budget goes to the DP copula (copula share 1): no DP-SGD steps. A model that cannot
     * start at a copula (a conditional one) trains by DP-SGD with the whole budget instead.
     */
    public boolean copulaOnly() {
        return copulaShare >= 1;
    }

    /** Whether the encoder share is "auto" (to be resolved by the fit, {@link #withEncoderShare}). */
    public boolean autoEncoderShare() {
        return Double.isNaN(encoderShare);
    }

    /** These settings with the encoder share {@code share} in (0, {@value #MAX_ENCODER_SHARE}]. */
    public PrivacySettings withEncoderShare(double share) {
        if (!(share > 0 && share <= MAX_ENCODER_SHARE)) {
            throw new IllegalArgumentException("encoder share must be in (0, " + MAX_ENCODER_SHARE + "], got " + share);
        }
        return new PrivacySettings(epsilon, delta, share, maxGradNorm, copulaShare, maxSteps);
    }

    /** The encoder share; refused while it is "auto" (the shares' ε and δ are asked of the resolved settings). */
    private double share() {
        if (autoEncoderShare()) {
            throw new IllegalStateException(ConfigKeys.PRIVACY_ENCODER_SHARE + " is auto: resolve it first "
                    + "(withEncoderShare)");
        }
        return encoderShare;
    }

    /** True when the fit must be differentially private. */
    public boolean enabled() {
        return !Double.isNaN(epsilon);
    }

    /**
     * The total δ for a table of {@code rows} training rows: the configured one, or 1/n² for "auto". A configured δ
     * of 1/n or more is refused (it would allow publishing a row).
     */
    public double deltaFor(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be ≥ 1");
        }
        if (Double.isNaN(delta)) {
            return 1.0 / ((double) rows * rows);
        }
        if (delta >= 1.0 / rows) {
            throw new BadInputException("Configuration " + ConfigKeys.PRIVACY_DELTA + ": " + delta + " is not below 1/n = "
                    + (1.0 / rows) + " for " + rows + " training rows (use auto = 1/n²)");
        }
        return delta;
    }

    /** ε spent on the encoders' statistics. */
    public double encoderEpsilon() {
        return epsilon * share();
    }

    /** ε left for DP-SGD. */
    public double trainingEpsilon() {
        return epsilon * (1 - share());
    }

    /** δ spent on the encoders, for {@code rows} training rows. */
    public double encoderDelta(long rows) {
        return deltaFor(rows) * share();
    }

    /** δ left for DP-SGD, for {@code rows} training rows. */
    public double trainingDelta(long rows) {
        return deltaFor(rows) * (1 - share());
    }
}
