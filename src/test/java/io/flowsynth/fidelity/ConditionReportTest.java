package io.flowsynth.fidelity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The per-condition section: its JSON form round-trips, and the page shows it. */
class ConditionReportTest {

    static ConditionReport sample() {
        return new ConditionReport(List.of("region", "income"), List.of("age", "city & region"), 10, 30, 5,
                1000, 900, 0.93, new ConditionReport.Scores(0.9, 0.95, 0.85),
                List.of(new ConditionReport.Entry(List.of("north", "< 20000"), 400, 380,
                                new ConditionReport.Scores(0.91, 0.96, 0.86), ConditionReport.SCORED),
                        new ConditionReport.Entry(Arrays.asList("south <b>", null), 300, 290,
                                new ConditionReport.Scores(0.62, 0.7, 0.54), ConditionReport.SCORED),
                        new ConditionReport.Entry(List.of("west", "≥ 80000"), 40, 12, null,
                                "n/a (12 synthetic rows)"),
                        new ConditionReport.Entry(List.of("east", "[20000, 80000)"), 200, 150,
                                new ConditionReport.Scores(0.88, 0.88, Double.NaN), ConditionReport.SCORED)),
                new ConditionReport.Other(7, 60, 68),
                List.of(new ConditionReport.Binning("income", "quantile ranges", List.of("< 20000",
                        "[20000, 80000)", "≥ 80000"))));
    }

    @Test
    void jsonRoundTripGivesTheSameReport() throws Exception {
        ConditionReport report = sample();
        String text = new ObjectMapper().writeValueAsString(report.toJson());
        ConditionReport back = ConditionReport.fromJson(new ObjectMapper().readTree(text));
        assertThat(back).isEqualTo(report);
        JsonNode json = report.toJson();
        assertThat(json.path("entries").get(1).path("values").get(1).isNull()).isTrue();
        assertThat(json.path("entries").get(1).path("label").asText())
                .isEqualTo("region = south <b>, income = (missing)");
        assertThat(json.path("entries").get(0).path("real_share").asDouble()).isEqualTo(0.4);
        assertThat(json.path("entries").get(2).path("quality").isNull()).isTrue();
        assertThat(json.path("entries").get(3).path("column_pair_trends").isNull()).isTrue();
        assertThat(json.path("other").path("synthetic_share").asDouble()).isEqualTo(68.0 / 900);
    }

    @Test
    void readingRefusesAMissingFieldNamingIt() {
        ObjectNode json = sample().toJson();
        ((ObjectNode) json.path("entries").get(0)).remove("real_rows");
        assertThatThrownBy(() -> ConditionReport.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entries[0].real_rows");
    }

    @Test
    void thePageShowsEveryValueMarksTheLowOneAndStatesNotAvailable() throws Exception {
        ObjectNode report = ReportPageTest.sampleReport();
        report.set(ConditionReport.KEY, sample().toJson());
        String html = ReportPage.render(report);
        Document doc = ReportPageTest.parse(html); // well-formed with the section
        assertThat(doc.getElementsByTagName("h2").getLength()).isGreaterThan(1);
        assertThat(html).contains("<h2 id=\"per-condition\">Per-condition fidelity</h2>").contains("north, &lt; 20000").contains("south &lt;b&gt;, (missing)")
                .contains("n/a (12 synthetic rows)").contains("below the median of the values (0.880)").contains("Other values (7 in the real sample, not named)")
                .contains("income is cut into quantile ranges: &lt; 20000; [20000, 80000); ≥ 80000");
        // south scores 0.62 against a median of 0.88 over the scored values: marked; north (0.91) is not
        assertThat(html).containsPattern("<tr class=\"low\"><th scope=\"row\">south &lt;b&gt;, \\(missing\\) "
                + "<span class=\"flag\">");
        assertThat(html).doesNotContainPattern("<tr class=\"low\"><th scope=\"row\">north");
        // no value frequent enough to be named: said in words, the other values and all rows still shown
        ConditionReport none = new ConditionReport(List.of("region"), List.of("age"), 10, 30, 5, 10, 10, 1.0,
                new ConditionReport.Scores(1, 1, Double.NaN), List.of(), new ConditionReport.Other(4, 10, 10),
                List.of());
        report.set(ConditionReport.KEY, none.toJson());
        String empty = ReportPage.render(report);
        ReportPageTest.parse(empty);
        assertThat(empty).contains("No context value is seen in enough real rows to be named.")
                .contains("Other values (4 in the real sample, not named)");
        // without the section the page has none
        assertThat(ReportPage.render(ReportPageTest.sampleReport())).doesNotContain("per-condition");
    }
}
