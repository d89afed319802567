package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AttackRiskTest {
    @Test
    void wilsonScoreIntervalMatchesTheClosedForm() {
        // 5 of 10: the Wilson 95 % interval is [0.2366, 0.7634], centred on 0.5
        AttackRisk.Rate r = AttackRisk.wilson(5, 10);
        assertThat(r.value()).isCloseTo(0.5, within(1e-12));
        assertThat(r.low()).isCloseTo(0.2366, within(1e-4));
        assertThat(r.high()).isCloseTo(0.7634, within(1e-4));
        // 0 of 20: [0, 0.1611], centre pulled up from 0
        AttackRisk.Rate zero = AttackRisk.wilson(0, 20);
        assertThat(zero.value() + zero.error()).isCloseTo(0.1611, within(1e-4));
        assertThat(zero.low()).isEqualTo(0.0);
        assertThat(AttackRisk.wilson(0, 0).value()).isNaN();
    }

    @Test
    void riskIsTheTrainingSuccessBeyondControlScaledAndItsIntervalWidensWithFewTargets() {
        AttackRisk leak = new AttackRisk(900, 1000, 100, 1000, 1, 1000);
        double t = AttackRisk.wilson(900, 1000).value();
        double c = AttackRisk.wilson(100, 1000).value();
        assertThat(leak.risk()).isCloseTo((t - c) / (1 - c), within(1e-12));
        assertThat(leak.riskLow()).isLessThan(leak.risk()).isGreaterThan(0.8);
        assertThat(leak.riskHigh()).isGreaterThan(leak.risk());
        AttackRisk none = new AttackRisk(100, 1000, 100, 1000, 90, 1000);
        assertThat(none.risk()).isCloseTo(0.0, within(1e-12));
        assertThat(none.riskLow()).isEqualTo(0.0);
        AttackRisk few = new AttackRisk(9, 10, 1, 10, 0, 10);
        assertThat(few.riskHigh() - few.riskLow()).isGreaterThan(leak.riskHigh() - leak.riskLow());
        // worse on training rows than on control rows is no risk, clipped at 0
        assertThat(new AttackRisk(50, 1000, 200, 1000, 0, 1000).risk()).isEqualTo(0.0);
        assertThat(new AttackRisk(0, 0, 0, 0, 0, 0).risk()).isNaN(); // no targets: undefined
    }

    @Test
    void jsonCarriesRatesIntervalsAndTheBaselineComparison() {
        JsonNode j = new AttackRisk(900, 1000, 100, 1000, 1, 1000).toJson();
        assertThat(j.path("success_train_interval")).hasSize(2);
        assertThat(j.path("success_control_interval")).hasSize(2);
        assertThat(j.path("success_baseline_interval")).hasSize(2);
        assertThat(j.path("risk_interval")).hasSize(2);
        assertThat(j.path("better_than_baseline").asBoolean()).isTrue();
        assertThat(j.path("targets_train").asLong()).isEqualTo(1000);
        assertThat(new AttackRisk(0, 0, 0, 0, 0, 0).toJson().path("risk").isNull()).isTrue();
    }
}
