package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.demo.DemoLoans;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
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

/** The command-line contract end to end on real Spark, DL4J and Parquet, with a small table and a small model. */
@Tag("slow")
class FlowsynthCliTest {
    private static final String[] SMALL_MODEL = {
        "--set", "flowsynth.train.epochs=12", "--set", "flowsynth.flow.layers=4",
        "--set", "flowsynth.train.learning-rate=0.005",
        "--set", "flowsynth.flow.hidden-features=32", "--set", "flowsynth.train.batch-size=256",
        "--set", "flowsynth.train.local-steps=10"};

    @TempDir
    static Path dir;
    static String input;
    static SparkSession spark;

    @BeforeAll
    static void writeInput() {
        spark = SharedSparkSession.get();
        input = dir.resolve("loans.parquet").toString();
        DemoLoans.generate(spark, 4000, 7, 2).write().parquet(input);
    }

    record Outcome(int code, String err) {
    }

    static Outcome cli(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = FlowsynthCli.execute(args, master -> spark, err);
        return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void runWritesModelSyntheticTableWithTheInputSchemaAndAReportThatBeatsTheBaseline() throws Exception {
        String out = dir.resolve("run").toString();
        Outcome o = cli(concat(new String[]{"run", "--input", input, "--output", out, "--rows", "3000",
            "--fail-under", "quality=0.5,exact-copy-rate=0.5"}, SMALL_MODEL));
        assertThat(o.code()).as(o.err()).isZero();

        Dataset<Row> real = spark.read().parquet(input);
        Dataset<Row> synthetic = spark.read().parquet(out + "/synthetic");
        assertThat(fieldsOf(synthetic.schema())).isEqualTo(fieldsOf(real.schema()));
        assertThat(synthetic.count()).isEqualTo(3000);
        assertThat(Files.exists(Path.of(out, "model", "metadata.json"))).isTrue();
        assertThat(Files.exists(Path.of(out, "synthetic", "_flowsynth.json"))).isTrue();

        JsonNode report = new ObjectMapper().readTree(Path.of(out, "report", "fidelity.json").toFile());
        double quality = report.path("overall").path("quality").asDouble();
        double baseline = report.path("baseline").path("quality").asDouble();
        assertThat(report.path("columns")).hasSize(real.schema().fields().length);
        assertThat(report.path("pairs").size()).isGreaterThan(0);
        assertThat(baseline).isGreaterThan(0.3);
        assertThat(quality).isGreaterThan(baseline);
        assertThat(report.path("overall").path("column_pair_trends").asDouble())
                .isGreaterThan(report.path("baseline").path("column_pair_trends").asDouble());
        // run keeps a real holdout aside: privacy against it, likelihood on it, and the page
        assertThat(report.path("diagnostics").path("columns")).hasSize(real.schema().fields().length);
        JsonNode privacy = report.path("privacy");
        assertThat(privacy.path("holdout_rows").asLong()).isBetween(400L, 1200L); // ≈ 20 % of 4000, sampled ≤ 3000
        assertThat(privacy.path("dcr_overfitting_protection").isNumber()).isTrue();
        assertThat(privacy.path("verdict").path("level").asText()).isIn("low", "moderate", "high");
        JsonNode likelihood = report.path("likelihood");
        assertThat(likelihood.path("rows_source").asText()).isEqualTo("holdout");
        assertThat(likelihood.path("difference").asDouble()).isPositive(); // the flow beats independent columns
        assertThat(Files.readString(Path.of(out, "report", "index.html"))).contains("<h1>").contains("<svg");
    }

    @Test
    void reportGatesExitWithThreeAndOneLineAfterWritingTheReport() throws Exception {
        String synthetic = dir.resolve("other.parquet").toString();
        String holdout = dir.resolve("holdout.parquet").toString();
        DemoLoans.generate(spark, 600, 8, 2).write().parquet(synthetic);
        DemoLoans.generate(spark, 300, 9, 2).write().parquet(holdout);
        String out = dir.resolve("gated").toString();
        Outcome o = cli("report", "--real", input, "--synthetic", synthetic, "--holdout", holdout, "--output", out,
                "--fail-under", "quality=0.999,dcr-overfit=0", "--set", "flowsynth.report.privacy-rows=300");
        assertThat(o.code()).as(o.err()).isEqualTo(3);
        assertThat(o.err().trim()).startsWith("flowsynth report: quality gate failed: quality 0.")
                .contains("< 0.999").doesNotContain("dcr-overfit").doesNotContain("\n");
        assertThat(o.err().trim().lines().count()).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(Path.of(out, "fidelity.json").toFile());
        assertThat(report.path("privacy").path("holdout_rows").asLong()).isEqualTo(300);
        assertThat(Files.exists(Path.of(out, "index.html"))).isTrue();

        Outcome noHoldout = cli("report", "--real", input, "--synthetic", synthetic, "--output",
                dir.resolve("gated2").toString(), "--fail-under", "dcr-overfit=0.9");
        assertThat(noHoldout.code()).isEqualTo(2);
        assertThat(noHoldout.err()).contains("--holdout");
        Outcome unknown = cli("report", "--real", input, "--synthetic", synthetic, "--output",
                dir.resolve("gated3").toString(), "--fail-under", "fidelity=0.9");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown gate 'fidelity'");
    }

    @Test
    void sameSeedAndPartitionsGiveIdenticalSamplesAndOtherSeedsDiffer() throws Exception {
        String model = dir.resolve("model").toString();
        assertThat(cli(concat(new String[]{"fit", "--input", input, "--model", model}, SMALL_MODEL)).code()).isZero();
        String a = dir.resolve("a").toString();
        String b = dir.resolve("b").toString();
        String c = dir.resolve("c").toString();
        assertThat(cli("sample", "--model", model, "--rows", "500", "--output", a, "--seed", "9", "--partitions", "3").code()).isZero();
        assertThat(cli("sample", "--model", model, "--rows", "500", "--output", b, "--seed", "9", "--partitions", "3").code()).isZero();
        assertThat(cli("sample", "--model", model, "--rows", "500", "--output", c, "--seed", "10", "--partitions", "3").code()).isZero();
        Dataset<Row> da = spark.read().parquet(a);
        Dataset<Row> db = spark.read().parquet(b);
        Dataset<Row> dc = spark.read().parquet(c);
        assertThat(da.count()).isEqualTo(500);
        assertThat(da.exceptAll(db).count()).isZero();
        assertThat(db.exceptAll(da).count()).isZero();
        assertThat(da.exceptAll(dc).count()).isGreaterThan(400);
        // temperature, Hive-style partitioning, another codec, recorded beside the data
        String d = dir.resolve("d").toString();
        Outcome od = cli("sample", "--model", model, "--rows", "400", "--output", d, "--seed", "9", "--partitions", "2",
                "--temperature", "0.5", "--partition-by", "region", "--set", "flowsynth.sample.compression=zstd");
        assertThat(od.code()).as(od.err()).isZero();
        assertThat(Files.exists(dir.resolve("d").resolve("region=northeast"))).isTrue();
        assertThat(spark.read().parquet(d).count()).isEqualTo(400);
        JsonNode side = new ObjectMapper().readTree(dir.resolve("d").resolve("_flowsynth.json").toFile());
        assertThat(side.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(side.path("seed").asLong()).isEqualTo(9);
        assertThat(side.path("compression").asText()).isEqualTo("zstd");
        // lower temperature concentrates the samples: a narrower income spread than at T = 1
        double sdCold = spark.read().parquet(d).agg(org.apache.spark.sql.functions.stddev("interest_rate")).first().getDouble(0);
        double sdWarm = da.agg(org.apache.spark.sql.functions.stddev("interest_rate")).first().getDouble(0);
        assertThat(sdCold).isLessThan(sdWarm);
        // a catalog table instead of a path
        Outcome ot = cli("sample", "--model", model, "--rows", "300", "--output-table", "synthetic_loans", "--seed", "1");
        assertThat(ot.code()).as(ot.err()).isZero();
        assertThat(spark.table("synthetic_loans").count()).isEqualTo(300);
        assertThat(cli("sample", "--model", model, "--rows", "300", "--output-table", "synthetic_loans").code()).isEqualTo(2);
        assertThat(cli("sample", "--model", model, "--rows", "3", "--output", d + "x", "--partition-by", "nope").err())
                .contains("nope");
        // a second report on the sampled table works from the command line too
        Outcome r = cli("report", "--real", input, "--synthetic", a, "--output", dir.resolve("rep").toString(), "--model", model);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.exists(dir.resolve("rep").resolve("fidelity.json"))).isTrue();
    }

    @Test
    void missingInputIsABadInputNamingThePath() {
        Outcome o = cli("fit", "--input", dir.resolve("nope.parquet").toString(), "--model", dir.resolve("m1").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().trim()).contains("nope.parquet").contains("does not exist").doesNotContain("\n");
    }

    @Test
    void existingOutputIsRefusedWithoutOverwrite() throws Exception {
        Path existing = Files.createDirectories(dir.resolve("existing"));
        Outcome o = cli("run", "--input", input, "--output", existing.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("already exists").contains("--overwrite").contains(existing.toString());
    }

    @Test
    void unsupportedColumnTypeIsABadInputNamingTheColumn() {
        StructType schema = new StructType(new StructField[]{
            DataTypes.createStructField("amount", DataTypes.DoubleType, false),
            DataTypes.createStructField("tags", DataTypes.createArrayType(DataTypes.StringType), true)});
        List<Row> rows = List.of(RowFactory.create(1.0, new String[]{"a"}), RowFactory.create(2.0, new String[]{"b"}));
        String path = dir.resolve("arrays.parquet").toString();
        spark.createDataFrame(rows, schema).write().parquet(path);
        Outcome o = cli("fit", "--input", path, "--model", dir.resolve("m2").toString(),
                "--set", "flowsynth.fit.min-rows=1"); // two rows: past the size check, to the column's type
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("tags");
        assertThat(o.err().trim().lines().count()).isEqualTo(1);
    }

    @Test
    void generateDemoWritesTheNamedTableAndRejectsAnUnknownOne() {
        String path = dir.resolve("sensors.parquet").toString();
        Outcome o = cli("generate-demo", "--table", "sensors", "--rows", "200", "--output", path);
        assertThat(o.code()).as(o.err()).isZero();
        Dataset<Row> sensors = spark.read().parquet(path);
        assertThat(sensors.count()).isEqualTo(200);
        assertThat(sensors.columns()).contains("reading_id", "temperature", "calibration");
        Outcome bad = cli("generate-demo", "--table", "nope", "--output", dir.resolve("nope-table").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--table").contains("nope");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(cli("fit", "--input", input).code()).isEqualTo(2);
        assertThat(cli("fit", "--input", input, "--model", "m", "--bogus", "1").err()).contains("--bogus");
        assertThat(cli("frobnicate").code()).isEqualTo(2);
        assertThat(cli("sample", "--model", "m", "--rows", "ten", "--output", "o").err()).contains("--rows");
        assertThat(cli("fit", "--input", input, "--model", dir.resolve("m3").toString(), "--set", "flowsynth.train.epochz=1")
                .err()).contains("flowsynth.train.epochz");
    }

    private static String fieldsOf(StructType s) {
        return Arrays.stream(s.fields()).map(f -> f.name() + ":" + f.dataType().simpleString())
                .collect(Collectors.joining(","));
    }
}
