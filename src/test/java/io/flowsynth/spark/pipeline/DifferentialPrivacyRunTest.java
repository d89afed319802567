package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run} under differential privacy reads the real rows after the fit only for the report: the synthetic table
 * has the released (noisy) row count, not the exact one, and the exact-copy guard does not run (with its reason in
 * the report).
 */
class DifferentialPrivacyRunTest {

    @Test
    void runUnderDpPublishesTheReleasedRowCountAndSkipsTheGuard(@TempDir Path dir) {
        SparkSession spark = SharedSparkSession.get();
        Random r = new Random(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            rows.add(RowFactory.create(r.nextGaussian(), i % 4 == 0 ? "x" : "y"));
        }
        Dataset<Row> table = spark.createDataFrame(rows, new StructType().add("v", DataTypes.DoubleType)
                .add("k", DataTypes.StringType));
        RunPipeline.Result result = RunPipeline.run(spark, table, dir.resolve("out").toString(), null,
                ConfigResolver.resolve(null, null, null, Map.of("flowsynth.privacy.epsilon", "2",
                        "flowsynth.train.steps", "10", "flowsynth.train.local-steps", "5",
                        "flowsynth.train.batch-size", "64", "flowsynth.flow.layers", "1",
                        "flowsynth.train.calibration-knots", "0", "flowsynth.report.max-rows", "1000")), false);
        long released = result.model().encoder().releasedRowCount().orElseThrow();
        assertThat(result.model().sourceRows()).isEqualTo(released);
        assertThat(result.sample().rows()).isEqualTo(released);
        assertThat(spark.read().parquet(dir.resolve("out/synthetic").toString()).count()).isEqualTo(released);
        JsonNode guard = result.report().path("privacy").path("exact_copy_guard");
        assertThat(guard.path("enabled").asBoolean(true)).isFalse();
        assertThat(guard.path("reason").asText()).isEqualTo(SamplePipeline.DP_GUARD_OFF);
    }
}
