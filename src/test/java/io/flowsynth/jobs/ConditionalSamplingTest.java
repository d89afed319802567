package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.pipeline.SamplePipeline;
import io.flowsynth.spark.score.ScorePipeline;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conditional sampling end to end through the CLI, on data whose conditional is known: (x, y) ~ N(μ(c), Σ(c)) for a
 * categorical c of five levels, one of them at 0.5 %. Fitted with {@code flowsynth.condition.columns = c}; sampled
 * with {@code --where} for every level, the rare one included, and with {@code --condition} from a table.
 */
class ConditionalSamplingTest {
    private static final StructType SCHEMA = new StructType(new StructField[]{
        DataTypes.createStructField("c", DataTypes.StringType, false),
        DataTypes.createStructField("x", DataTypes.DoubleType, false),
        DataTypes.createStructField("y", DataTypes.DoubleType, false),
        DataTypes.createStructField("zip", DataTypes.StringType, false)});
    /** level, share, μx, μy, σx, σy, ρ */
    private static final Object[][] LEVELS = {
        {"A", 0.40, 0.0, 0.0, 1.0, 1.0, 0.8},
        {"B", 0.30, 3.0, -1.0, 0.5, 0.8, -0.6},
        {"C", 0.20, -2.0, 2.0, 2.0, 1.0, 0.0},
        {"D", 0.095, 1.0, 4.0, 1.0, 1.0, 0.5},
        {"R", 0.005, 6.0, 6.0, 0.7, 0.7, -0.7}};
    private static final int ROWS = 20_000;

    @TempDir
    static Path dir;
    static SparkSession spark;
    static String model;
    static Map<String, List<double[]>> real;

    @BeforeAll
    static void fit() {
        spark = SharedSparkSession.get();
        Random r = new Random(5);
        List<Row> rows = new ArrayList<>();
        real = new java.util.HashMap<>();
        int start = 0;
        for (Object[] level : LEVELS) {
            int n = (int) Math.round(ROWS * (double) level[1]);
            List<double[]> xy = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double a = r.nextGaussian();
                double b = r.nextGaussian();
                double rho = (double) level[6];
                double x = (double) level[2] + (double) level[4] * a;
                double y = (double) level[3] + (double) level[5] * (rho * a + Math.sqrt(1 - rho * rho) * b);
                xy.add(new double[]{x, y});
                // a zip code with leading zeros, whose text must survive
                rows.add(RowFactory.create(level[0], x, y, String.format("%05d", (start + i) % 40 * 7)));
            }
            start += n;
            real.put((String) level[0], xy);
        }
        String input = dir.resolve("input.parquet").toString();
        spark.createDataFrame(rows, SCHEMA).repartition(2).write().parquet(input);
        model = dir.resolve("model").toString();
        List<String> args = new ArrayList<>(List.of("fit", "--input", input, "--model", model,
                "--set", "flowsynth.condition.columns=c", "--set", "flowsynth.train.steps=1500",
                // the mode encoder's random mode assignment blurs the conditionals (measured: A's correlation 0.61
                // against 0.81 with it, 0.77 with quantiles); the quantile encoder is the one under test here
                "--set", "flowsynth.columns.x.encoder=quantile", "--set", "flowsynth.columns.y.encoder=quantile"));
        for (String extra : System.getProperty("cst.extra", "").split(" ")) {
            if (!extra.isEmpty()) {
                args.add("--set");
                args.add(extra);
            }
        }
        assertThat(cli(args.toArray(new String[0]))).isZero();
    }

    static int cli(String... args) {
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return FlowsynthCli.execute(args, master -> spark, err);
    }

    static String cliError(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = FlowsynthCli.execute(args, master -> spark, err);
        assertThat(code).as("exit code of %s", String.join(" ", args)).isEqualTo(2);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static double[] column(List<double[]> xy, int j) {
        return xy.stream().mapToDouble(v -> v[j]).toArray();
    }

    /**
     * Every level passes per-condition KS and correlation checks, the rare one (0.5 %, about 90 training rows)
     * included: its context is fed at one value per level (not blurred into the 9.5 % level beside it) and
     * context-balanced training gives it more steps. Measured (realnvp, 1,500 steps): the rare level's mean (5.94,
     * 5.97) against the real (6, 6), KS 0.13 and 0.07, correlation −0.43 against −0.76; before both changes (3.4, 4.7);
     * with level indicators as well: mean (5.75, 6.04), KS 0.18 and 0.08 (critical 0.2), correlation −0.52.
     */
    @Test
    void everyLevelFollowsItsOwnConditionalTheRareOneIncluded() throws Exception {
        for (Object[] level : LEVELS) {
            String name = (String) level[0];
            String out = dir.resolve("where-" + name).toString();
            assertThat(cli("sample", "--model", model, "--rows", "3000", "--where", "c = '" + name + "'",
                    "--output", out, "--seed", "3")).isZero();
            Dataset<Row> synth = spark.read().parquet(out);
            assertThat(synth.schema().fieldNames()).containsExactly("c", "x", "y", "zip");
            assertThat(synth.count()).isEqualTo(3000);
            assertThat(synth.filter(functions.col("c").notEqual(name)).count()).as("context of level %s", name)
                    .isZero();
            List<double[]> xy = new ArrayList<>();
            for (Row row : synth.select("x", "y").collectAsList()) {
                xy.add(new double[]{row.getDouble(0), row.getDouble(1)});
            }
            List<double[]> want = real.get(name);
            System.out.printf("level %s: synthetic mean (%.2f, %.2f), sd (%.2f, %.2f), correlation %.2f, KS x %.3f, "
                    + "KS y %.3f%n", name,
                    mean(column(xy, 0)), mean(column(xy, 1)), sd(column(xy, 0)), sd(column(xy, 1)),
                    new PearsonsCorrelation().correlation(column(xy, 0), column(xy, 1)),
                    new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(column(want, 0), column(xy, 0)),
                    new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(column(want, 1), column(xy, 1)));
            boolean rare = (double) level[1] < 0.01;
            if (rare) { // and nearer its own real mean than any other level's
                double[] mean = {mean(column(xy, 0)), mean(column(xy, 1))};
                double own = distance(mean, level);
                for (Object[] other : LEVELS) {
                    if (other != level) {
                        assertThat(own).as("rare level %s: distance of its synthetic mean (%.2f, %.2f) to its real "
                                + "mean, against level %s's", name, mean[0], mean[1], other[0])
                                .isLessThan(distance(mean, other) / 4);
                    }
                }
            }
            for (int j = 0; j < 2; j++) {
                double d = new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(column(want, j), column(xy, j));
                // the two-sample KS critical value at α = 0.001 (0.2 for the rare level's 100 real rows), or 0.1
                // for the others (power finds any flaw: measured at most 0.09). A model that ignores c is off by
                // 0.3–0.6 on most levels, and was 0.28 on the rare level's x before its context was fed at one value
                double critical = 1.95 * Math.sqrt((want.size() + xy.size()) / ((double) want.size() * xy.size()));
                assertThat(d).as("KS of %s given c = %s (%d real rows)", j == 0 ? "x" : "y", name, want.size())
                        .isLessThan(Math.max(critical, 0.1));
            }
            double rho = new PearsonsCorrelation().correlation(column(xy, 0), column(xy, 1));
            double realRho = new PearsonsCorrelation().correlation(column(want, 0), column(want, 1));
            // 0.1 for the frequent levels; 0.35 for the rare one (measured −0.52 against its 100 real rows' −0.76
            // in 1,500 steps with level indicators, −0.43 before, −0.48 with balance 1 and a 30× cap: still short; its rows are the
            // columns' upper tails, where the quantile encoders' extreme-value protection clips them; a model that
            // blurs the levels gave −0.25)
            assertThat(rho).as("correlation given c = %s (real %.2f)", name, realRho)
                    .isCloseTo(realRho, org.assertj.core.data.Offset.offset(rare ? 0.35 : 0.1));
            JsonNode side = new ObjectMapper().readTree(new File(out, SamplePipeline.SIDECAR));
            assertThat(side.path("condition").path("source").asText()).isEqualTo("--where c = '" + name + "'");
        }
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElseThrow();
    }

    private static double sd(double[] v) {
        return new org.apache.commons.math3.stat.descriptive.moment.StandardDeviation().evaluate(v);
    }

    private static double distance(double[] mean, Object[] level) {
        return Math.hypot(mean[0] - (double) level[2], mean[1] - (double) level[3]);
    }

    @Test
    void aConditionTableGivesOneRowPerConditionWithItsValuesExactly() throws Exception {
        List<Row> conditions = new ArrayList<>();
        StructType schema = new StructType(new StructField[]{
            DataTypes.createStructField("id", DataTypes.IntegerType, false),
            DataTypes.createStructField("c", DataTypes.StringType, true)});
        String[] levels = {"A", "B", "R", "C", "D"};
        for (int i = 0; i < 1000; i++) {
            conditions.add(RowFactory.create(i, levels[i % 5]));
        }
        String table = dir.resolve("conditions.parquet").toString();
        spark.createDataFrame(conditions, schema).repartition(3).write().parquet(table);
        String out = dir.resolve("by-table").toString();
        assertThat(cli("sample", "--model", model, "--condition", table, "--rows-per-condition", "2",
                "--output", out, "--seed", "9")).isZero();
        Dataset<Row> synth = spark.read().parquet(out);
        assertThat(synth.count()).isEqualTo(2000);
        List<Row> counts = synth.groupBy("c").count().orderBy("c").collectAsList();
        assertThat(counts).hasSize(5);
        for (Row row : counts) {
            assertThat(row.getLong(1)).as("rows of %s", row.getString(0)).isEqualTo(400);
        }
        // each level's rows sit near its own mean
        for (Object[] level : LEVELS) {
            Row mean = synth.filter(functions.col("c").equalTo(level[0])).agg(functions.avg("x"), functions.avg("y"))
                    .first();
            assertThat(distance(new double[]{mean.getDouble(0), mean.getDouble(1)}, level)).as("level %s", level[0])
                    .isLessThan((double) level[1] < 0.01 ? 0.8 : 0.6);
        }
        // same seed, same rows
        String again = dir.resolve("by-table-again").toString();
        assertThat(cli("sample", "--model", model, "--condition", table, "--rows-per-condition", "2",
                "--output", again, "--seed", "9")).isZero();
        assertThat(spark.read().parquet(again).except(synth).count()).isZero();
        JsonNode side = new ObjectMapper().readTree(new File(out, SamplePipeline.SIDECAR));
        assertThat(side.path("condition").path("rows_per_condition").asLong()).isEqualTo(2);
        assertThat(side.path("rows").asLong()).isEqualTo(2000);
    }

    @Test
    void withoutAConditionTheContextComesFromItsTrainingDistribution() {
        String out = dir.resolve("plain").toString();
        assertThat(cli("sample", "--model", model, "--rows", "4000", "--output", out, "--seed", "1")).isZero();
        Dataset<Row> synth = spark.read().parquet(out);
        assertThat(synth.count()).isEqualTo(4000);
        for (Object[] level : LEVELS) {
            double share = synth.filter(functions.col("c").equalTo(level[0])).count() / 4000.0;
            assertThat(share).as("share of %s", level[0])
                    .isCloseTo((double) level[1], org.assertj.core.data.Offset.offset(0.03));
        }
        assertThat(synth.filter(functions.length(functions.col("zip")).notEqual(5)).count()).isZero();
    }

    @Test
    void scoresAreOfTheRestGivenTheContextAndSaySo() {
        String out = dir.resolve("scored").toString();
        String input = dir.resolve("input.parquet").toString();
        assertThat(cli("score", "--model", model, "--input", input, "--output", out)).isZero();
        Dataset<Row> scored = spark.read().parquet(out);
        StructField lp = scored.schema().apply(ScorePipeline.LOG_PROB);
        assertThat(lp.metadata().getString(ScorePipeline.DENSITY_METADATA)).isEqualTo("log p(rest | c)");
        // log p(x, y, zip | c) is not penalised by p(c): the frequent levels' rows score alike whatever their
        // level's share (A 40 %, D 9.5 %; a joint log p(row) would differ by log(0.4 / 0.095) = 1.4 more)
        // medians: the rows beyond the protected extremes score far out of domain (below −10⁶), whatever the model
        double a = scored.filter("c = 'A'").agg(functions.expr("percentile(log_prob, 0.5)")).first().getDouble(0);
        double d = scored.filter("c = 'D'").agg(functions.expr("percentile(log_prob, 0.5)")).first().getDouble(0);
        assertThat(Math.abs(a - d)).isLessThan(1.0);
    }

    @Test
    void badConditionsAreOneLineErrors() {
        String out = dir.resolve("bad").toString();
        assertThat(cliError("sample", "--model", model, "--rows", "10", "--where", "c = 'Z'", "--output", out))
                .contains("'c'").contains("'Z'").contains("--allow-unseen");
        assertThat(cliError("sample", "--model", model, "--rows", "10", "--where", "x = 1", "--output", out))
                .contains("'x' is not a condition column");
        assertThat(cliError("sample", "--model", model, "--rows", "10", "--where", "c = 'A'", "--rows-per-condition",
                "2", "--output", out)).contains("--rows-per-condition needs --condition");
        assertThat(cli("sample", "--model", model, "--rows", "10", "--where", "c = 'Z'", "--allow-unseen",
                "--output", out)).isZero();
        assertThat(spark.read().parquet(out).filter("c = 'Z'").count()).isEqualTo(10);
    }
}
