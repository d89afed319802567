package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FidelityReportTest {
    private static final ColumnScore AGE = new ColumnScore("age", "numerical", Metrics.KS_COMPLEMENT, 0.8, 0.1, 0.2);
    private static final ColumnScore CITY = new ColumnScore("city", "categorical", Metrics.TV_COMPLEMENT, 0.6, 0.0, 0.0);
    private static final PairScore AGE_CITY = new PairScore("age", "city", Metrics.CONTINGENCY_SIMILARITY, 0.5);

    @Test
    void qualityIsTheMeanOfShapesAndPairTrends() {
        FidelityReport report = FidelityReport.of(List.of(AGE, CITY), List.of(AGE_CITY), 100, 90, 100, 90);
        assertThat(report.columnShapes()).isCloseTo(0.7, within(1e-12));
        assertThat(report.columnPairTrends()).isCloseTo(0.5, within(1e-12));
        assertThat(report.quality()).isCloseTo(0.6, within(1e-12));
    }

    @Test
    void singleColumnQualityIsItsShapeScoreAndPairTrendsAreNull() {
        FidelityReport report = FidelityReport.of(List.of(AGE), List.of(), 10, 10, 10, 10);
        assertThat(report.quality()).isEqualTo(0.8);
        assertThat(report.columnPairTrends()).isNaN();
        assertThat(report.toJson().get("overall").get("column_pair_trends").isNull()).isTrue();
    }

    @Test
    void jsonHasTheDocumentedFields() {
        JsonNode json = FidelityReport.of(List.of(AGE, CITY), List.of(AGE_CITY), 100, 90, 50, 40).toJson();
        assertThat(json.at("/overall/quality").asDouble()).isCloseTo(0.6, within(1e-12));
        assertThat(json.at("/overall/column_shapes").asDouble()).isCloseTo(0.7, within(1e-12));
        assertThat(json.at("/columns/0/name").asText()).isEqualTo("age");
        assertThat(json.at("/columns/0/kind").asText()).isEqualTo("numerical");
        assertThat(json.at("/columns/0/metric").asText()).isEqualTo("KSComplement");
        assertThat(json.at("/columns/0/real_null_rate").asDouble()).isEqualTo(0.1);
        assertThat(json.at("/columns/0/synthetic_null_rate").asDouble()).isEqualTo(0.2);
        assertThat(json.at("/pairs/0/columns/1").asText()).isEqualTo("city");
        assertThat(json.at("/pairs/0/metric").asText()).isEqualTo("ContingencySimilarity");
        assertThat(json.at("/rows/real").asLong()).isEqualTo(100);
        assertThat(json.at("/rows/synthetic").asLong()).isEqualTo(90);
        assertThat(json.at("/rows/sampled_real").asLong()).isEqualTo(50);
    }

    @Test
    void jsonRoundTripGivesTheSameReport() throws Exception {
        FidelityReport report = FidelityReport.of(List.of(AGE, CITY), List.of(AGE_CITY), 100, 90, 50, 40);
        ObjectMapper mapper = new ObjectMapper();
        String text = mapper.writeValueAsString(report.toJson());
        assertThat(FidelityReport.fromJson(mapper.readTree(text))).isEqualTo(report);
    }

    @Test
    void jsonRoundTripKeepsNaNsAsNulls() {
        ColumnScore empty = new ColumnScore("x", "numerical", Metrics.KS_COMPLEMENT, 1.0, Double.NaN, Double.NaN);
        FidelityReport report = FidelityReport.of(List.of(empty), List.of(), 0, 0, 0, 0);
        assertThat(FidelityReport.fromJson(report.toJson())).isEqualTo(report);
    }

    @Test
    void sampledRowsDefaultToRowsWhenAbsent() {
        FidelityReport report = new FidelityReport(0.7, 0.7, Double.NaN, List.of(AGE), List.of(), 12, 34);
        JsonNode json = report.toJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("rows")).remove("sampled_real");
        assertThat(FidelityReport.fromJson(json).sampledRealRows()).isEqualTo(12);
    }

    @Test
    void fromJsonNamesTheMissingField() {
        JsonNode json = FidelityReport.of(List.of(AGE), List.of(), 1, 1, 1, 1).toJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("columns").get(0)).remove("metric");
        assertThatThrownBy(() -> FidelityReport.fromJson(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("columns[0].metric");
    }

    @Test
    void reportWithoutColumnsIsRejected() {
        assertThatThrownBy(() -> FidelityReport.of(List.of(), List.of(), 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
