package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.flow.Flow;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.flow.transforms.Flows;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.pipeline.FitPipeline;
import io.flowsynth.spark.score.RowScorer;
import io.flowsynth.spark.score.ScorePipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code score} end to end: fit, save, score through the CLI, and compare with the in-memory model's scores. */
class ScoreCliTest {
    private static final StructType SCHEMA = new StructType(new StructField[]{
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("x", DataTypes.DoubleType, true),
        DataTypes.createStructField("y", DataTypes.DoubleType, false),
        DataTypes.createStructField("kind", DataTypes.StringType, true),
        DataTypes.createStructField("n", DataTypes.IntegerType, false)});

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void session() {
        spark = SharedSparkSession.get();
    }

    static int cli(String... args) {
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return FlowsynthCli.execute(args, master -> spark, err);
    }

    static List<Row> rows(int count, long seed, long firstId) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double x = r.nextGaussian();
            String kind = x > 0.5 ? "high" : (r.nextDouble() < 0.5 ? "low" : "mid");
            rows.add(RowFactory.create(firstId + i, i % 17 == 0 ? null : x, 0.8 * x + 0.3 * r.nextGaussian(), kind,
                    (int) Math.round(200 + 50 * x + 10 * r.nextGaussian())));
        }
        return rows;
    }

    @Tag("slow")
    @Test
    void savedAndLoadedModelsScoreRowsAlikeAndStrangeRowsGetFiniteLowScores() {
        Dataset<Row> train = spark.createDataFrame(rows(2000, 1, 0), SCHEMA).drop("id");
        Map<String, String> sets = new HashMap<>(Map.of("flowsynth.flow.type", "maf", "flowsynth.flow.layers", "2",
                "flowsynth.flow.hidden-features", "16", "flowsynth.train.epochs", "3", "flowsynth.train.local-steps", "5",
                "flowsynth.train.batch-size", "256"));
        FlowsynthConfig config = ConfigResolver.resolve(null, null, null, sets);
        FlowsynthModel model = FitPipeline.fit(spark, train, config);
        String modelDir = dir.resolve("model").toString();
        model.save(modelDir, false, spark.sparkContext().hadoopConfiguration());

        List<Row> test = new ArrayList<>(rows(300, 2, 0));
        test.add(RowFactory.create(1000L, 1e6, 0.0, "never-seen", 200));
        test.add(RowFactory.create(1001L, null, -1e9, null, -5));
        String input = dir.resolve("test.parquet").toString();
        spark.createDataFrame(test, SCHEMA).repartition(3).write().parquet(input);
        String output = dir.resolve("scored").toString();
        assertThat(cli("score", "--model", modelDir, "--input", input, "--output", output)).isZero();

        Dataset<Row> scored = spark.read().parquet(output);
        assertThat(scored.schema().fieldNames()).containsExactly("id", "x", "y", "kind", "n", ScorePipeline.LOG_PROB);
        List<Row> out = scored.orderBy("id").collectAsList(); // a 302-row test table
        assertThat(out).hasSize(302);

        // the in-memory model, flow rebuilt from its own parameters, gives the same scores as the saved and loaded one
        Flow flow = Flows.build(model.flowSpec(), FlowNetworks.unflatten(model.flowSpec(), model.parameters(), DataType.FLOAT))
                .withCalibration(model.calibration());
        assertThat(model.calibration()).as("scores go through the marginal calibration").isNotNull();
        // with an automatic context (the categorical columns first) the whole row's density: p(context)·p(rest | it)
        List<String> context = model.automaticContextColumns();
        RowScorer scorer = context.isEmpty() ? new RowScorer(model.encoder(), flow, config.seed())
                : new RowScorer(model.encoder(), new io.flowsynth.spark.model.ModelPayload(model).conditionalFlow(),
                context.size(), true, config.seed());
        List<Object[]> values = new ArrayList<>();
        for (Row r : out) {
            values.add(model.encoder().columnNames().stream().map(r::getAs).toArray());
        }
        double[] expected = scorer.score(values);
        double typical = 0;
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).isNullAt(5)).as("row %d", i).isFalse();
            double lp = out.get(i).getDouble(5);
            assertThat(lp).as("row %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(lp))));
            if (i < 300) {
                typical += lp / 300;
            }
        }
        assertThat(out.get(300).getDouble(5)).isLessThan(typical - 10);
        assertThat(out.get(301).getDouble(5)).isLessThan(typical - 10);

        // a table without a modelled column is a bad input naming it
        String missing = dir.resolve("missing.parquet").toString();
        spark.createDataFrame(test, SCHEMA).drop("kind").write().parquet(missing);
        assertThat(cli("score", "--model", modelDir, "--input", missing, "--output", dir.resolve("s2").toString())).isEqualTo(2);
    }
}
