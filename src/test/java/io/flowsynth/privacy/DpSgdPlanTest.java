package io.flowsynth.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.PrivacySettings;
import io.flowsynth.error.BadInputException;
import io.flowsynth.math.RdpAccountant;
import org.junit.jupiter.api.Test;

class DpSgdPlanTest {
    @Test
    void planSpendsTheTrainingShareAtTheCommonRate() {
        PrivacySettings s = new PrivacySettings(3, Double.NaN, 0.2, 1.5, 0);
        DpSgdPlan p = DpSgdPlan.of(s, 100_000, 4, 256, 2000);
        assertThat(p.copulaSigma()).isZero();
        assertThat(p.samplingRate()).isEqualTo(256.0 * 4 / 100_000);
        assertThat(p.trainingEpsilon()).isCloseTo(2.4, within(1e-12));
        assertThat(p.delta()).isEqualTo(1e-10);
        assertThat(p.trainingDelta()).isCloseTo(0.8e-10, within(1e-22));
        assertThat(p.spentEpsilon()).isLessThanOrEqualTo(2.4).isGreaterThan(2.39);
        assertThat(p.noiseStd()).isEqualTo(p.sigma() * 1.5);
        ObjectNode j = p.toJson();
        assertThat(j.path("noise_multiplier").asDouble()).isEqualTo(p.sigma());
        assertThat(j.path("steps").asLong()).isEqualTo(2000);
        // more partitions at the same batch: a higher rate, so more noise for the same budget
        assertThat(DpSgdPlan.of(s, 100_000, 16, 256, 2000).sigma()).isGreaterThan(p.sigma());
        // a table smaller than one round's batches: every row every step (q = 1)
        assertThat(DpSgdPlan.of(s, 500, 4, 256, 10).samplingRate()).isEqualTo(1.0);
    }

    @Test
    void theCopulasNoisePerCorrelationIsItsMultiplierTimesTheSensitivityOverTheRows() {
        PrivacySettings s = new PrivacySettings(3, Double.NaN, 0.8, 1.0, 0.9);
        // the copula alone spends 0.9 of the flow's (0.6, 0.2·δ); rows clipped to k·√14: sensitivity k²·14
        double sigma = RdpAccountant.sigmaFor(1.0, 1, 0.9 * 0.2 * 3, 0.2 / (3554.0 * 3554.0));
        double k = DpSgdPlan.COPULA_CLIP;
        assertThat(DpSgdPlan.copulaSensitivity(14)).isCloseTo(k * k * 14, within(1e-12));
        assertThat(DpSgdPlan.copulaCorrelationNoise(s, 3554, 14)).isCloseTo(sigma * k * k * 14 / 3554,
                within(1e-12));
        // more columns or fewer rows: more noise per correlation
        assertThat(DpSgdPlan.copulaCorrelationNoise(s, 2331, 74))
                .isGreaterThan(5 * DpSgdPlan.copulaCorrelationNoise(s, 3554, 14));
    }

    @Test
    void autoEncoderShareLeavesTheFlowItsShareOnlyWhereItsCopulaCanResolveCorrelations() {
        PrivacySettings auto = new PrivacySettings(3, Double.NaN, PrivacySettings.AUTO, 1.0, 0.9);
        assertThat(auto.autoEncoderShare()).isTrue();
        // credit_data's shape (14 columns, 3,554 rows): noise ≈ 0.05 per correlation, the flow keeps its share
        assertThat(DpSgdPlan.copulaCorrelationNoise(auto.withEncoderShare(DpSgdPlan.AUTO_SHARE), 3554, 14))
                .isLessThan(DpSgdPlan.COPULA_NOISE_LIMIT);
        assertThat(DpSgdPlan.autoEncoderShare(auto, 3554, 14)).isEqualTo(DpSgdPlan.AUTO_SHARE);
        // ames' (74 columns, 2,331 rows): noise ≈ 0.3 per correlation, the encoders take the flow's budget
        assertThat(DpSgdPlan.copulaCorrelationNoise(auto.withEncoderShare(DpSgdPlan.AUTO_SHARE), 2331, 74))
                .isGreaterThan(DpSgdPlan.COPULA_NOISE_LIMIT);
        assertThat(DpSgdPlan.autoEncoderShare(auto, 2331, 74)).isEqualTo(DpSgdPlan.AUTO_SHARE_NOISY_COPULA);
        // the same wide table with 20 times the rows can learn its correlations again
        assertThat(DpSgdPlan.autoEncoderShare(auto, 20 * 2331, 74)).isEqualTo(DpSgdPlan.AUTO_SHARE);
        // no copula: the nominal share; a configured share is kept
        assertThat(DpSgdPlan.autoEncoderShare(auto.withCopulaShare(0), 2331, 74)).isEqualTo(DpSgdPlan.AUTO_SHARE);
        assertThat(DpSgdPlan.autoEncoderShare(auto.withEncoderShare(0.6), 2331, 74)).isEqualTo(0.6);
        // an unresolved share has no ε of its own
        assertThatThrownBy(auto::encoderEpsilon).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("flowsynth.privacy.encoder-share");
    }

    @Test
    void refusesADeltaThatAllowsPublishingARow() {
        PrivacySettings s = new PrivacySettings(3, 0.001, 0.2, 1.0);
        assertThatThrownBy(() -> DpSgdPlan.of(s, 5000, 2, 64, 100)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("flowsynth.privacy.delta");
    }

    @Test
    void theCopulaReleaseIsComposedWithTheStepsWithinTheTrainingBudget() {
        PrivacySettings none = new PrivacySettings(3, Double.NaN, 0.2, 1.0, 0);
        PrivacySettings half = new PrivacySettings(3, Double.NaN, 0.2, 1.0, 0.5);
        DpSgdPlan without = DpSgdPlan.of(none, 20_000, 2, 256, 500);
        DpSgdPlan with = DpSgdPlan.of(half, 20_000, 2, 256, 500);
        assertThat(with.copulaSigma()).isPositive();
        // the copula alone at half the training ε; the steps then need more noise than alone
        assertThat(RdpAccountant.epsilon(1.0, with.copulaSigma(), 1, with.trainingDelta()).epsilon())
                .isLessThanOrEqualTo(1.2).isGreaterThan(1.19);
        assertThat(with.sigma()).isGreaterThan(without.sigma());
        // both together stay within the training budget, and use it
        double both = RdpAccountant.epsilon(with.samplingRate(), with.sigma(), with.steps(), with.trainingDelta(),
                with.copulaSigma()).epsilon();
        assertThat(both).isLessThanOrEqualTo(2.4).isGreaterThan(2.39);
        assertThat(with.spentEpsilon()).isCloseTo(both, within(1e-12));
        assertThat(with.toJson().path("copula_noise_multiplier").asDouble()).isEqualTo(with.copulaSigma());
        // composition in RDP is tighter than adding the two ε
        assertThat(RdpAccountant.epsilon(with.samplingRate(), with.sigma(), with.steps(), with.trainingDelta())
                .epsilon()).isGreaterThan(1.2);
    }

    @Test
    void withCopulaShareOneTheCopulaTakesTheFlowsWholeShareAndThereAreNoSteps() {
        PrivacySettings s = new PrivacySettings(3, Double.NaN, 0.8, 1.0, 1.0);
        assertThat(s.copulaOnly()).isTrue();
        long rows = 2331;
        double delta = 1.0 / ((double) rows * rows);
        double thresholds = 0.4 * delta;
        double[] encoders = encoderRdp(delta);
        DpSgdPlan p = DpSgdPlan.of(s, rows, 1, 512, 50, encoders, thresholds);
        assertThat(p.copulaOnly()).isTrue();
        assertThat(p.steps()).isZero();
        assertThat(p.noiseStd()).isZero();
        // encoders + the copula (α/(2σ_c²)) at δ less the thresholds' δ: within ε and using it
        double[] all = encoders.clone();
        for (int i = 0; i < all.length; i++) {
            all[i] += RdpAccountant.DEFAULT_ORDERS[i] / (2 * p.copulaSigma() * p.copulaSigma());
        }
        double eps = RdpAccountant.epsilon(all, delta - thresholds).epsilon();
        assertThat(eps).isLessThanOrEqualTo(3.0).isGreaterThan(2.99);
        assertThat(p.fitEpsilon()).isCloseTo(eps, within(1e-9));
        // less noise than the copula's when it shares the flow's budget with steps
        DpSgdPlan shared = DpSgdPlan.of(s.withCopulaShare(0.9), rows, 1, 512, 50, encoders, thresholds);
        assertThat(p.copulaSigma()).isLessThan(shared.copulaSigma());
        assertThat(p.toJson().path("mechanism").asText()).contains("copula only");
        assertThat(p.toJson().path("steps").asLong()).isZero();
    }

    @Test
    void withTheEncodersRdpTheWholeFitIsOneCompositionWithinEpsilon() {
        PrivacySettings s = new PrivacySettings(3, Double.NaN, 0.8, 1.0, 0.9);
        long rows = 2331;
        double delta = 1.0 / ((double) rows * rows);
        double thresholds = 0.4 * delta;
        double[] encoders = encoderRdp(delta);
        DpSgdPlan basic = DpSgdPlan.of(s, rows, 1, 512, 50);
        DpSgdPlan composed = DpSgdPlan.of(s, rows, 1, 512, 50, encoders, thresholds);
        assertThat(basic.composed()).isFalse();
        assertThat(composed.composed()).isTrue();
        // recomputed by hand: encoders + copula + steps at δ less the thresholds' δ, within ε and using it
        double[] all = encoders.clone();
        for (int i = 0; i < all.length; i++) {
            double a = RdpAccountant.DEFAULT_ORDERS[i];
            all[i] += a / (2 * composed.copulaSigma() * composed.copulaSigma())
                    + 50 * RdpAccountant.rdp(composed.samplingRate(), composed.sigma(), a);
        }
        double eps = RdpAccountant.epsilon(all, delta - thresholds).epsilon();
        assertThat(eps).isLessThanOrEqualTo(3.0).isGreaterThan(2.99);
        assertThat(composed.fitEpsilon()).isCloseTo(eps, within(1e-9));
        // one composition is tighter than adding the shares' ε: the steps need less noise than under basic
        assertThat(composed.sigma()).isLessThan(basic.sigma());
        assertThat(composed.copulaSigma()).isEqualTo(basic.copulaSigma());
        assertThat(composed.toJson().path("fit_accountant_epsilon").asDouble()).isEqualTo(composed.fitEpsilon());
    }

    /** The encoders' RDP curve: Gaussian releases of the ρ_E that alone spends 0.8·ε = 2.4 at 0.4·δ. */
    private static double[] encoderRdp(double delta) {
        double[] none = new double[RdpAccountant.DEFAULT_ORDERS.length];
        double rhoE = RdpAccountant.rhoFor(none, 2.4, 0.4 * delta);
        double[] encoders = new double[none.length];
        for (int i = 0; i < encoders.length; i++) {
            encoders[i] = RdpAccountant.DEFAULT_ORDERS[i] * rhoE;
        }
        return encoders;
    }
}
