package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.ConstantEncoder;
import io.flowsynth.encode.FakeEncoder;
import io.flowsynth.encode.IdEncoder;
import io.flowsynth.encode.ModeEncoder;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.encode.TextEncoder;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.pipeline.FitPipeline;
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
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code score} works on a model that uses every kind of encoder (mode-specific with and without a state channel,
 * quantile, one-hot, frequency, constant, id, fake, text): every row gets a finite log density, a row far outside the
 * data a lower one. (Before, a mode-specific column failed inside an executor task.)
 */
class ScoreEveryEncoderTest {
    private static final StructType SCHEMA = new StructType()
            .add("x1", DataTypes.DoubleType)      // two modes: mode-specific by default
            .add("q", DataTypes.DoubleType)       // quantile
            .add("n", DataTypes.IntegerType)      // mode-specific integer with nulls (state channel, unit)
            .add("cat", DataTypes.StringType)     // one-hot
            .add("flag", DataTypes.StringType)    // frequency intervals, with nulls
            .add("konst", DataTypes.StringType)   // constant
            .add("id", DataTypes.LongType)        // id (generated)
            .add("mail", DataTypes.StringType)    // email (generated)
            .add("note", DataTypes.StringType);   // text (generated)

    @TempDir
    static Path dir;

    private static List<Row> rows(int count, long seed, long firstId) {
        Random r = new Random(seed);
        String[] words = {"red", "green", "blue", "small", "large", "round", "square", "soft"};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double x1 = r.nextBoolean() ? r.nextGaussian() : 8 + 0.5 * r.nextGaussian();
            String note = words[r.nextInt(8)] + " " + words[r.nextInt(8)] + " " + words[r.nextInt(8)] + " "
                    + words[r.nextInt(8)];
            rows.add(RowFactory.create(x1, Math.exp(r.nextGaussian()),
                    i % 11 == 0 ? null : (r.nextBoolean() ? 100 : 300) + (int) Math.round(10 * r.nextGaussian()),
                    "c" + r.nextInt(4), i % 7 == 0 ? null : (r.nextDouble() < 0.7 ? "yes" : "no"), "same",
                    firstId + i, "user" + r.nextInt(1000) + "@example.com", note));
        }
        return rows;
    }

    @Test
    void everyEncoderKindScores() {
        SparkSession spark = SharedSparkSession.get();
        Map<String, String> sets = new HashMap<>(Map.of("flowsynth.flow.type", "realnvp", "flowsynth.flow.layers", "2",
                "flowsynth.flow.hidden-features", "16", "flowsynth.train.steps", "10",
                "flowsynth.train.batch-size", "256", "flowsynth.train.calibration-knots", "50"));
        sets.put("flowsynth.columns.x1.encoder", "mode");
        sets.put("flowsynth.columns.n.encoder", "mode");
        sets.put("flowsynth.columns.q.encoder", "quantile");
        sets.put("flowsynth.columns.cat.encoder", "onehot");
        sets.put("flowsynth.columns.flag.encoder", "frequency");
        sets.put("flowsynth.columns.id.kind", "id");
        sets.put("flowsynth.columns.mail.kind", "email");
        sets.put("flowsynth.columns.note.kind", "text");
        FlowsynthConfig config = ConfigResolver.resolve(null, null, null, sets);
        FlowsynthModel model = FitPipeline.fit(spark, spark.createDataFrame(rows(1200, 1, 0), SCHEMA), config);
        Map<String, ColumnEncoder> byName = model.encoder().columns().stream()
                .collect(Collectors.toMap(ColumnEncoder::column, e -> e));
        assertThat(byName.get("x1")).isInstanceOf(ModeEncoder.class);
        assertThat(byName.get("n")).isInstanceOf(ModeEncoder.class);
        assertThat(byName.get("q")).isInstanceOf(QuantileEncoder.class);
        assertThat(byName.get("cat")).isInstanceOf(CategoricalEncoder.class);
        assertThat(byName.get("cat").toJson().toString()).contains("onehot");
        assertThat(byName.get("flag")).isInstanceOf(CategoricalEncoder.class);
        assertThat(byName.get("konst")).isInstanceOf(ConstantEncoder.class);
        assertThat(byName.get("id")).isInstanceOf(IdEncoder.class);
        assertThat(byName.get("mail")).isInstanceOf(FakeEncoder.class);
        assertThat(byName.get("note")).isInstanceOf(TextEncoder.class);
        String modelDir = dir.resolve("model").toString();
        model.save(modelDir, false, spark.sparkContext().hadoopConfiguration());

        List<Row> test = new ArrayList<>(rows(200, 2, 5000));
        test.add(RowFactory.create(4.0, 1e9, -70, "c9", null, "other", 1L, null, null)); // far from everything
        String input = dir.resolve("test.parquet").toString();
        spark.createDataFrame(test, SCHEMA).repartition(2).write().parquet(input);
        String output = dir.resolve("scored").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlowsynthCli.execute(new String[]{"score", "--model", modelDir, "--input", input, "--output",
            output}, master -> spark, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        List<Row> out = spark.read().parquet(output).orderBy("id").collectAsList();
        assertThat(out).hasSize(201);
        double typical = 0;
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).isNullAt(9)).as("row %d", i).isFalse();
            assertThat(Double.isFinite(out.get(i).getDouble(9))).isTrue();
            if (out.get(i).getLong(6) >= 5000) {
                typical += out.get(i).getDouble(9) / 200;
            }
        }
        Set<Long> ids = out.stream().map(r -> r.getLong(6)).collect(Collectors.toSet());
        assertThat(ids).contains(1L);
        double strange = out.stream().filter(r -> r.getLong(6) == 1L).findFirst().orElseThrow().getDouble(9);
        assertThat(strange).isLessThan(typical - 10);
        assertThat(spark.read().parquet(output).schema().fieldNames()).endsWith(ScorePipeline.LOG_PROB);
    }
}
