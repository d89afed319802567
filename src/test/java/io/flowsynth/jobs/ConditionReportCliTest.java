package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.spark.SharedSparkSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report --condition-columns} and {@code flowsynth.condition.columns} from the command line. */
class ConditionReportCliTest {
    private static final String[] SMALL = {"--set", "flowsynth.report.privacy-rows=200",
        "--set", "flowsynth.report.attack-targets=40"};

    @TempDir
    static Path dir;
    static String real;
    static String synthetic;
    static SparkSession spark;

    @BeforeAll
    static void tables() {
        spark = SharedSparkSession.get();
        real = dir.resolve("real.parquet").toString();
        synthetic = dir.resolve("synthetic.parquet").toString();
        write(real, 1, 0);
        write(synthetic, 2, 5); // the "b" rows of the synthetic table are shifted
    }

    static void write(String path, long seed, double shiftB) {
        StructType schema = new StructType().add("segment", DataTypes.StringType).add("amount", DataTypes.DoubleType)
                .add("score", DataTypes.DoubleType);
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String segment = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c";
            double amount = 10 * (i % 3) + random.nextGaussian() + (segment.equals("b") ? shiftB : 0);
            rows.add(RowFactory.create(segment, amount, amount + random.nextGaussian()));
        }
        rows.add(RowFactory.create("lonely", 1.0, 1.0)); // seen once: never named
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path);
    }

    record Outcome(int code, String err) {
    }

    static Outcome cli(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = FlowsynthCli.execute(args, master -> spark, err);
        return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
    }

    static String[] with(String... args) {
        String[] out = java.util.Arrays.copyOf(args, args.length + SMALL.length);
        System.arraycopy(SMALL, 0, out, args.length, SMALL.length);
        return out;
    }

    static JsonNode json(String out) throws Exception {
        return new ObjectMapper().readTree(Path.of(out, "fidelity.json").toFile());
    }

    @Test
    void theOptionAddsPerConditionFidelityToTheJsonAndThePage() throws Exception {
        String out = dir.resolve("by-option").toString();
        Outcome o = cli(with("report", "--real", real, "--synthetic", synthetic, "--output", out,
                "--condition-columns", "segment"));
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode c = json(out).path("per_condition");
        assertThat(c.path("columns").get(0).asText()).isEqualTo("segment");
        assertThat(c.path("entries")).hasSize(3);
        double b = 0;
        double others = 1;
        for (JsonNode e : c.path("entries")) {
            double q = e.path("quality").asDouble();
            if (e.path("values").get(0).asText().equals("b")) {
                b = q;
            } else {
                others = Math.min(others, q);
            }
        }
        assertThat(b).isLessThan(0.7);
        assertThat(others).isGreaterThan(0.85);
        assertThat(c.path("other").path("values").asLong()).isEqualTo(1);
        assertThat(c.toString()).doesNotContain("lonely");
        String html = Files.readString(Path.of(out, "index.html"));
        int from = html.indexOf("<h2 id=\"per-condition\">");
        assertThat(from).isPositive();
        String section = html.substring(from, html.indexOf("</section>", from));
        assertThat(section).contains("segment").contains("Other values (1 in the real sample, not named)")
                .doesNotContain("lonely");
        // nor anywhere else in the report: the column diagnostics' categories obey the same threshold
        assertThat(html).doesNotContain("lonely");
        assertThat(Files.readString(Path.of(out, "fidelity.json"))).doesNotContain("lonely");
    }

    @Test
    void theConfigurationKeyWorksAndTheOptionWinsOverIt() throws Exception {
        String byKey = dir.resolve("by-key").toString();
        Outcome o = cli(with("report", "--real", real, "--synthetic", synthetic, "--output", byKey,
                "--set", "flowsynth.condition.columns=segment", "--set", "flowsynth.report.condition-top=2"));
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode c = json(byKey).path("per_condition");
        assertThat(c.path("entries")).hasSize(2);
        assertThat(c.path("top").asInt()).isEqualTo(2);

        // an empty option switches the section off, whatever the key says
        String off = dir.resolve("off").toString();
        o = cli(with("report", "--real", real, "--synthetic", synthetic, "--output", off,
                "--set", "flowsynth.condition.columns=segment", "--condition-columns", ""));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(json(off).has("per_condition")).isFalse();

        // without either there is no section
        String none = dir.resolve("none").toString();
        assertThat(cli(with("report", "--real", real, "--synthetic", synthetic, "--output", none)).code()).isZero();
        assertThat(json(none).has("per_condition")).isFalse();
    }

    @Test
    void anUnknownConditionColumnIsExitTwoWithOneLineNamingIt() {
        String out = dir.resolve("bad").toString();
        Outcome o = cli(with("report", "--real", real, "--synthetic", synthetic, "--output", out,
                "--condition-columns", "segment,regoin"));
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().trim()).isEqualTo("flowsynth report: Option --condition-columns: no column 'regoin' in "
                + "the real table (its columns: segment, amount, score)");
        assertThat(Files.exists(Path.of(out))).isFalse();

        Outcome key = cli(with("report", "--real", real, "--synthetic", synthetic, "--output", out,
                "--set", "flowsynth.condition.columns=nope"));
        assertThat(key.code()).isEqualTo(2);
        assertThat(key.err().trim()).isEqualTo("flowsynth report: Configuration flowsynth.condition.columns: no "
                + "column 'nope' in the real table (its columns: segment, amount, score)");

        Outcome empty = cli(with("report", "--real", real, "--synthetic", synthetic, "--output", out,
                "--condition-columns", "segment,,amount"));
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("Option --condition-columns: empty column name");
    }

    @Test
    void helpListsTheOption() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FlowsynthCli.execute(new String[]{"report", "--help"}, master -> spark,
                new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--condition-columns COL,...")
                .contains("flowsynth.report.condition-top");
    }
}
