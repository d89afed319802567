package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.error.BadInputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QualityGatesTest {
    private static JsonNode report(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    @Test
    void minimumGatesFailBelowAndTheCopyRateGateFailsAbove() throws Exception {
        JsonNode r = report("{\"overall\": {\"quality\": 0.84, \"column_shapes\": 0.9, \"column_pair_trends\": null},"
                + "\"privacy\": {\"dcr_overfitting_protection\": 0.95, \"exact_copy_rate\": 0.02}}");
        var gates = QualityGates.parse("quality=0.85, dcr-overfit=0.9,column-shapes=0.9,exact-copy-rate=0.01", "--x");
        assertThat(QualityGates.failures(gates, r)).containsExactly("quality 0.84 < 0.85", "exact-copy-rate 0.02 > 0.01");
        assertThat(QualityGates.failures(QualityGates.parse("column-pair-trends=0.5", "--x"), r))
                .containsExactly("column-pair-trends not computed < 0.5");
        assertThat(QualityGates.failures(QualityGates.parse("quality=0.84", "--x"), r)).isEmpty();
        assertThat(QualityGates.failures(QualityGates.parse(null, "--x"), r)).isEmpty();
        assertThat(QualityGates.needsHoldout(gates)).isTrue();
    }

    @Test
    void thePrivacyRiskGateIsACeilingOnTheLargestAttackRiskAndNeedsAHoldout() throws Exception {
        var gates = QualityGates.parse("privacy-risk=0.1", "--x");
        assertThat(QualityGates.needsHoldout(gates)).isTrue();
        assertThat(QualityGates.failures(gates, report("{\"privacy\": {\"attack_risk\": 0.35}}")))
                .containsExactly("privacy-risk 0.35 > 0.1");
        assertThat(QualityGates.failures(gates, report("{\"privacy\": {\"attack_risk\": 0.02}}"))).isEmpty();
        assertThat(QualityGates.failures(gates, report("{\"privacy\": {\"attack_risk\": null}}")))
                .containsExactly("privacy-risk not computed > 0.1");
    }

    @Test
    void malformedGatesAreBadInputNamingTheOption() {
        assertThatThrownBy(() -> QualityGates.parse("qualty=0.8", "--fail-under"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("--fail-under").hasMessageContaining("qualty");
        assertThatThrownBy(() -> QualityGates.parse("quality=high", "--fail-under")).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> QualityGates.parse("quality=1.5", "--fail-under")).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> QualityGates.parse("quality", "--fail-under")).isInstanceOf(BadInputException.class);
    }
}
