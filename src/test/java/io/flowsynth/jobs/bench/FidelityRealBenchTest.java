package io.flowsynth.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.spark.SharedSparkSession;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

class FidelityRealBenchTest {

    @Test
    void gapClosedIsTheDefaultsShareOfTheCopulaToCeilingGap() {
        ObjectNode methods = JsonNodeFactory.instance.objectNode();
        methods.putObject("ceiling").put("quality", 0.99);
        methods.putObject("copula").put("quality", 0.97);
        methods.putObject("defaults").put("quality", 0.985);
        assertThat(FidelityRealBench.gapClosed(methods, "quality")).isCloseTo(0.75, within(1e-9));
        methods.putObject("defaults").put("quality", 0.96);
        assertThat(FidelityRealBench.gapClosed(methods, "quality")).isCloseTo(-0.5, within(1e-9));
        // a copula at or above the ceiling leaves no gap: the ratio would read 75 % for a defaults below the copula
        methods.putObject("copula").put("quality", 0.9676);
        methods.putObject("ceiling").put("quality", 0.9635);
        methods.putObject("defaults").put("quality", 0.9645);
        assertThat(FidelityRealBench.gapClosed(methods, "quality")).isNaN();
        assertThat(FidelityRealBench.percent(Double.NaN)).isEqualTo("n/a (copula ≥ ceiling)");
        assertThat(FidelityRealBench.percent(0.754)).isEqualTo("75 %");
    }

    @Test
    void drawsAreAveragedFieldByFieldWithCountsRounded() {
        ObjectNode a = JsonNodeFactory.instance.objectNode().put("quality", 0.96).put("beyond_tails", 3)
                .put("name", "x");
        a.putObject("column_scores").put("c", 0.9);
        ObjectNode b = JsonNodeFactory.instance.objectNode().put("quality", 0.98).put("beyond_tails", 6)
                .put("name", "y");
        b.putObject("column_scores").put("c", 0.7);
        ObjectNode m = FidelityRealBench.mean(java.util.List.of(a, b));
        assertThat(m.path("quality").asDouble()).isCloseTo(0.97, within(1e-12));
        assertThat(m.path("beyond_tails").isIntegralNumber()).isTrue();
        assertThat(m.path("beyond_tails").asLong()).isEqualTo(5); // 4.5 rounds half up
        assertThat(m.path("column_scores").path("c").asDouble()).isCloseTo(0.8, within(1e-12));
        assertThat(m.path("name").asText()).isEqualTo("x");
        assertThat(FidelityRealBench.draws(null)).isEqualTo(FidelityRealBench.DRAWS_DEFAULT);
        assertThat(FidelityRealBench.draws(" 5 ")).isEqualTo(5);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FidelityRealBench.draws("0"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void method(ObjectNode methods, String name, double quality, double pairs, double std, long tails,
                               long realTails) {
        methods.putObject(name).put("quality", quality).put("column_pair_trends", pairs)
                .put("max_std_error_protected", std).put("beyond_tails", tails).put("beyond_tails_real", realTails);
    }

    @Test
    void theSeedsSummaryAveragesTheIndependentDrawsAndTheSeedRunsAndChecksTheTargets() {
        assertThat(FidelityRealBench.seeds(null)).isEqualTo(1);
        assertThat(FidelityRealBench.seedVariants(3)).containsOnlyKeys("seed2", "seed3");
        assertThat(FidelityRealBench.seedVariants(3).get("seed3")).containsEntry("flowsynth.seed", "3")
                .containsEntry("flowsynth.sample.stratify-context", "false");
        assertThat(FidelityRealBench.seedVariants(1)).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FidelityRealBench.seeds("0"))
                .isInstanceOf(IllegalArgumentException.class);

        ObjectNode methods = JsonNodeFactory.instance.objectNode();
        method(methods, "ceiling", 0.96, 0.95, 1.2, 18, 18);
        method(methods, "copula", 0.95, 0.93, 0.1, 0, 18);
        method(methods, "defaults", 0.99, 0.99, 0.0, 0, 18); // stratified: not part of the summary
        assertThat(FidelityRealBench.seedSummary(methods)).isNull();
        method(methods, FidelityRealBench.INDEPENDENT_DRAWS, 0.958, 0.945, 0.04, 30, 18);
        method(methods, "seed2", 0.956, 0.941, 0.03, 40, 18);
        method(methods, "other", 0.90, 0.90, 0.9, 90, 18); // a variant that is no seed run
        ObjectNode s = FidelityRealBench.seedSummary(methods);
        assertThat(s.path("methods")).hasSize(2);
        assertThat(s.path("quality").asDouble()).isCloseTo(0.957, within(1e-12));
        assertThat(s.path("gap_closed_quality").asDouble()).isCloseTo(0.7, within(1e-9));
        assertThat(s.path("pairs_below_ceiling").asDouble()).isCloseTo(0.007, within(1e-12));
        assertThat(s.path("max_std_error_protected").asDouble()).isEqualTo(0.04);
        assertThat(s.path("max_tail_ratio").asDouble()).isCloseTo(40 / 18.0, within(1e-12));
        assertThat(s.path("targets").path("quality").asBoolean()).isTrue();
        assertThat(s.path("targets").path("pairs").asBoolean()).isTrue();
        assertThat(s.path("targets").path("std").asBoolean()).isTrue();
        assertThat(s.path("targets").path("ceiling_std").asBoolean()).isFalse();
        assertThat(s.path("targets").path("tails").asBoolean()).isFalse();
        assertThat(FidelityRealBench.seedLine(s)).contains("over 2 seeds").contains("closes quality 70 % ✓")
                .contains("pairs below the ceiling's by 0.0070 ✓").contains("tails ≤ 2.22× real ✗");
        ObjectNode measured = JsonNodeFactory.instance.objectNode().put("holdout_log_likelihood", -26.0581)
                .put("holdout_unscored", 2);
        assertThat(FidelityRealBench.likelihood(measured))
                .isEqualTo(", holdout log-likelihood -26.058 nats/row (2 rows not scored)");
        assertThat(FidelityRealBench.likelihood(JsonNodeFactory.instance.objectNode())).isEmpty();
        // no gap to close: the quality target does not apply
        method(methods, "copula", 0.97, 0.93, 0.1, 0, 18);
        ObjectNode none = FidelityRealBench.seedSummary(methods);
        assertThat(none.path("targets").path("quality").isNull()).isTrue();
        assertThat(FidelityRealBench.seedLine(none)).contains("n/a (copula ≥ ceiling) n/a");
    }

    @Test
    void variantsTakeListValues() {
        var v = FidelityRealBench.variants("a:flowsynth.condition.columns=x,y,z,flowsynth.seed=2;b:");
        org.assertj.core.api.Assertions.assertThat(v.get("a")).containsExactly(
                java.util.Map.entry("flowsynth.condition.columns", "x,y,z"), java.util.Map.entry("flowsynth.seed", "2"));
        org.assertj.core.api.Assertions.assertThat(v.get("b")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FidelityRealBench.variants("c:x"))
                .hasMessageContaining("not key=value");
        // a seed run's name would be summarised as one
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FidelityRealBench.variants("seed2:flowsynth.seed=9"))
                .hasMessageContaining("reserved");
    }

    @Test
    void valuesBeyondTheTailQuantilesAreCountedPerNumericColumn() {
        SparkSession spark = SharedSparkSession.get();
        // x = 1..1000: the 0.1 % and 99.9 % quantiles are 1 and 999; the string column has none
        Dataset<Row> real = spark.range(1, 1001).select(functions.col("id").cast("double").as("x"),
                functions.lit("a").as("s"));
        Map<String, double[]> tails = FidelityRealBench.tailQuantiles(real);
        assertThat(tails).containsOnlyKeys("x");
        assertThat(tails.get("x")).containsExactly(1.0, 999.0);
        Dataset<Row> synthetic = spark.range(-2, 1003).select(functions.col("id").cast("double").as("x"),
                functions.lit("b").as("s"));
        // below 1: -2, -1, 0; above 999: 1000, 1001, 1002
        assertThat(FidelityRealBench.beyond(synthetic, tails)).containsEntry("x", 6L);
        assertThat(FidelityRealBench.beyond(real, tails)).containsEntry("x", 1L);
    }
    @Test
    void theProtectedCeilingReplacesOnlyValuesTheTrainingSideHoldsFewerThanKTimes() {
        SparkSession spark = SharedSparkSession.get();
        // train: c = "a" 60 rows, "b" 40 rows, "once" 1 row, null 3 rows; holdout: a, b, once, never, null
        java.util.List<Row> trainRows = new java.util.ArrayList<>();
        for (int i = 0; i < 104; i++) {
            String c = i < 60 ? "a" : i < 100 ? "b" : i == 100 ? "once" : null;
            trainRows.add(org.apache.spark.sql.RowFactory.create(c, (double) i));
        }
        var schema = new org.apache.spark.sql.types.StructType()
                .add("c", org.apache.spark.sql.types.DataTypes.StringType)
                .add("x", org.apache.spark.sql.types.DataTypes.DoubleType);
        Dataset<Row> train = spark.createDataFrame(trainRows, schema);
        java.util.List<Row> holdoutRows = new java.util.ArrayList<>();
        for (String c : new String[]{"a", "b", "once", "never", null}) {
            for (int r = 0; r < 200; r++) {
                holdoutRows.add(org.apache.spark.sql.RowFactory.create(c, 0.5));
            }
        }
        Dataset<Row> holdout = spark.createDataFrame(holdoutRows, schema);
        java.util.List<Row> out = FidelityRealBench.protectedHoldout(spark, train, holdout, java.util.List.of("c"), 5, 1)
                .collectAsList();
        assertThat(out).hasSize(1000);
        Map<String, Long> byValue = new java.util.HashMap<>();
        for (int i = 0; i < out.size(); i++) {
            String before = holdoutRows.get(i).getString(0);
            String after = out.get(i).getString(0);
            assertThat(out.get(i).getDouble(1)).isEqualTo(0.5);
            if (before == null || "a".equals(before) || "b".equals(before)) {
                assertThat(after).isEqualTo(before); // null is a kept category whatever its count (3 rows here)
            } else {
                assertThat(after).isIn("a", "b"); // once and never redistributed
                byValue.merge(after, 1L, Long::sum);
            }
        }
        // 400 redistributed rows, "a" in proportion 60 / 100
        assertThat(byValue.get("a") / 400.0).isCloseTo(0.6, within(0.07));
    }
}
