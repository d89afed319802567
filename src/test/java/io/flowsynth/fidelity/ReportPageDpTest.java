package io.flowsynth.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The page states the model's differential-privacy guarantee (issue 21) in its privacy section. */
class ReportPageDpTest {
    @Test
    void privacySectionShowsTheGuaranteeLine() {
        ObjectNode report = new ObjectMapper().createObjectNode();
        ObjectNode privacy = report.putObject("privacy");
        privacy.putObject("verdict").put("level", "low").put("text", "Low risk: fine.");
        ObjectNode dp = privacy.putObject("differential_privacy");
        dp.put("enabled", true).put("epsilon", 3.0).put("delta", 1e-8)
                .put("line", "Differential privacy: ε = 3, δ = 1.0e-08");
        assertThat(ReportPage.render(report)).contains("<p class=\"dp\"><strong>Differential privacy: ε = 3, δ = 1.0e-08"
                + "</strong> (the model and samples drawn from it alone");
        dp.put("enabled", false).put("line", "Differential privacy: none");
        assertThat(ReportPage.render(report)).contains("<strong>Differential privacy: none</strong></p>");
        privacy.remove("differential_privacy");
        assertThat(ReportPage.render(report)).doesNotContain("Differential privacy");
    }
}
