package io.flowsynth.spark.pipeline;

import io.flowsynth.config.AutoSizing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.jobs.bench.WideBench;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.sample.SyntheticSampler;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 300-column table (60 each of doubles, small ints, 30-level strings, dates, bigints) through fit, sample and the
 * fidelity report with a tiny budget: the regression guard of the wide-table work (a 200-column table used to run out
 * of memory in the encoder fit; the report scored all 44,850 pairs).
 */
@Tag("slow")
class WideTableTest {
    private static final int COLUMNS = 300;

    @Test
    void aThreeHundredColumnTableFitsSamplesAndReportsOnASeededPairSample() {
        SparkSession spark = SharedSparkSession.get();
        Dataset<Row> table = WideBench.generate(spark, 400, COLUMNS, 3, 2).cache();
        FlowsynthModel model = FitPipeline.fit(spark, table, ConfigResolver.resolve(null, null, null, Map.of(
                "flowsynth.train.steps", "10", "flowsynth.train.local-steps", "5", "flowsynth.train.batch-size", "64",
                "flowsynth.flow.layers", "2", "flowsynth.train.calibration-knots", "0")));
        assertThat(model.encoder().columns()).hasSize(COLUMNS);
        int features = model.flowSpec().features();
        assertThat(features).isGreaterThanOrEqualTo(COLUMNS);
        // conditioner width from the rows and features (flow.hidden-features = auto): a 400-row table's stays small
        assertThat(model.flowSpec().hiddenFeatures()).isEqualTo(AutoSizing.hiddenFeatures(0, 400, features)).isEqualTo(32);

        Dataset<Row> synthetic = new SyntheticSampler(256).sample(spark, model, 300, 5, 2, false).cache();
        assertThat(synthetic.columns()).hasSize(COLUMNS);
        assertThat(synthetic.count()).isEqualTo(300);

        ObjectNode json = ReportPipeline.evaluate(spark, table, null, synthetic, model,
                new ReportPipeline.Options(400, 100, 11, 50, 600), null);
        JsonNode sampling = json.path("pair_sampling");
        assertThat(sampling.path("total_pairs").asLong()).isEqualTo(COLUMNS * (COLUMNS - 1) / 2);
        assertThat(sampling.path("scored_pairs").asInt()).isEqualTo(600);
        assertThat(json.path("pairs")).hasSize(600);
        for (JsonNode p : json.path("pairs")) {
            assertThat(p.path("score").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(json.path("overall").path("quality").asDouble()).isBetween(0.0, 1.0);
        table.unpersist();
        synthetic.unpersist();
    }
}
