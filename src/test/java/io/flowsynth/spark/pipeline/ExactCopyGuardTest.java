package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.model.FlowsynthModel;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exact-copy guard on a table built so that the model draws training rows: three 4-valued columns whose 1,200
 * rows use only 32 of the 64 combinations, so a model that roughly learns the marginals draws a training row about
 * half the time (and one that learns more, more often).
 */
class ExactCopyGuardTest {
    private static final StructType SCHEMA = new StructType().add("a", DataTypes.StringType)
            .add("b", DataTypes.StringType).add("c", DataTypes.IntegerType);
    private static final long ROWS = 300;
    @TempDir
    static Path dir;
    static Dataset<Row> table;
    static JsonNode guarded;
    static JsonNode unguarded;
    static Dataset<Row> guardedRows;
    static Dataset<Row> unguardedRows;
    static Dataset<Row> train;

    static FlowsynthConfig config(boolean guard) {
        Map<String, String> sets = new HashMap<>(Map.of(
                "flowsynth.train.epochs", "3", "flowsynth.flow.layers", "2", "flowsynth.flow.hidden-features", "16",
                "flowsynth.train.batch-size", "128", "flowsynth.train.local-steps", "5",
                "flowsynth.train.calibration-knots", "0", "flowsynth.seed", "5",
                "flowsynth.privacy.drop-exact-copies", String.valueOf(guard),
                "flowsynth.privacy.copy-redraws", "60"));
        sets.put("flowsynth.report.max-rows", "2000");
        return ConfigResolver.resolve(null, null, null, sets);
    }

    @BeforeAll
    static void runTwice() throws Exception {
        SparkSession spark = SharedSparkSession.get();
        Random r = new Random(1);
        List<Row> rows = new ArrayList<>();
        while (rows.size() < 1200) {
            int a = r.nextInt(4);
            int b = r.nextInt(4);
            int c = r.nextInt(4);
            if ((a + b + c) % 2 == 0) { // 32 of the 64 combinations
                rows.add(RowFactory.create("a" + a, "b" + b, c));
            }
        }
        table = spark.createDataFrame(rows, SCHEMA).repartition(2).cache();
        FlowsynthConfig on = config(true);
        RunPipeline.run(spark, table, dir.resolve("on").toString(), ROWS, on, false);
        RunPipeline.run(spark, table, dir.resolve("off").toString(), ROWS, config(false), false);
        ObjectMapper m = new ObjectMapper();
        guarded = m.readTree(dir.resolve("on/report/fidelity.json").toFile());
        unguarded = m.readTree(dir.resolve("off/report/fidelity.json").toFile());
        guardedRows = spark.read().parquet(dir.resolve("on/synthetic").toString()).cache();
        unguardedRows = spark.read().parquet(dir.resolve("off/synthetic").toString()).cache();
        train = RunPipeline.split(table, table.count(), on.report().holdoutFraction(),
                2000, 5).train();
    }

    private static long copiesOfTrain(Dataset<Row> synthetic) {
        return synthetic.join(train.distinct(), synthetic.col("a").eqNullSafe(train.col("a"))
                .and(synthetic.col("b").eqNullSafe(train.col("b"))).and(synthetic.col("c").eqNullSafe(train.col("c"))),
                "left_semi").count();
    }

    @Test
    void runPublishesNoCopyOfATrainingRowKeepsTheRowCountAndReportsWhatItDropped() throws Exception {
        assertThat(guardedRows.count()).isEqualTo(ROWS);
        assertThat(copiesOfTrain(guardedRows)).isZero();
        JsonNode g = guarded.path("privacy").path("exact_copy_guard");
        assertThat(g.path("enabled").asBoolean()).isTrue();
        assertThat(g.path("first_draw_copies").asLong()).isGreaterThan(0);
        assertThat(g.path("dropped").asLong()).isGreaterThanOrEqualTo(g.path("first_draw_copies").asLong());
        assertThat(g.path("redraws").asInt()).isGreaterThan(0);
        assertThat(guarded.path("privacy").path("exact_copies").asLong()).isZero();
        JsonNode side = new ObjectMapper().readTree(dir.resolve("on/synthetic/_flowsynth.json").toFile());
        assertThat(side.path("exact_copy_guard").path("dropped").asLong()).isEqualTo(g.path("dropped").asLong());
        assertThat(side.path("exact_copy_guard").path("compared_columns")).hasSize(3);
        // nothing left behind but the committed directory
        assertThat(new File(dir.toFile(), "on").list()).containsExactlyInAnyOrder("model", "synthetic", "report");
        assertThat(dir.toFile().list()).allMatch(n -> !n.contains("staging"));
    }

    @Test
    void withTheGuardOffTheCopiesArePublishedAndReported() {
        assertThat(unguardedRows.count()).isEqualTo(ROWS);
        long copies = copiesOfTrain(unguardedRows);
        assertThat(copies).isGreaterThan(ROWS / 10);
        assertThat(unguarded.path("privacy").path("exact_copies").asLong()).isEqualTo(copies);
        assertThat(unguarded.path("privacy").path("exact_copy_guard").path("enabled").asBoolean()).isFalse();
        assertThat(unguarded.path("privacy").path("exact_copy_guard").path("reason").asText())
                .contains("drop-exact-copies=false");
    }

    @Tag("slow")
    @Test
    void theGuardedSampleIsAFunctionOfTheSeedAndPartitions() {
        SparkSession spark = SharedSparkSession.get();
        FlowsynthModel model = FlowsynthModel.load(dir.resolve("on/model").toString(),
                spark.sparkContext().hadoopConfiguration());
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String out = dir.resolve("again" + i).toString();
            SamplePipeline.Summary s = SamplePipeline.write(spark, model, new SamplePipeline.Request(ROWS, 9, 3, 1.0,
                    64, "snappy", List.of(), out, null, false), new SamplePipeline.Guard(train, 60, null));
            assertThat(s.guard().dropped()).isGreaterThan(0);
            Dataset<Row> back = spark.read().parquet(out);
            assertThat(back.count()).isEqualTo(ROWS);
            assertThat(copiesOfTrain(back)).isZero();
            runs.add(back.orderBy("a", "b", "c").collectAsList().toString()); // 300 rows, a test-sized table
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
    }

    @Test
    void aModelThatDrawsOnlyTrainingRowsIsRefusedAndNothingIsCommitted() {
        SparkSession spark = SharedSparkSession.get();
        FlowsynthModel model = FlowsynthModel.load(dir.resolve("on/model").toString(),
                spark.sparkContext().hadoopConfiguration());
        List<Row> all = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                for (int c = 0; c < 4; c++) {
                    all.add(RowFactory.create("a" + a, "b" + b, c)); // every combination: every draw is a copy
                }
            }
        }
        Dataset<Row> everything = spark.createDataFrame(all, SCHEMA);
        String out = dir.resolve("refused").toString();
        assertThatThrownBy(() -> SamplePipeline.write(spark, model, new SamplePipeline.Request(50, 9, 2, 1.0, 64,
                "snappy", List.of(), out, null, false), new SamplePipeline.Guard(everything, 2, null)))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.privacy.drop-exact-copies");
        assertThat(Files.exists(Path.of(out))).isFalse();
        assertThat(dir.toFile().list()).allMatch(n -> !n.contains("refused.flowsynth-staging"));
    }
}
