package io.flowsynth.jobs;

import static io.flowsynth.jobs.FlowsynthCliTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.jobs.FlowsynthCliTest.Outcome;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.demo.DemoLoans;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data safety through the CLI: no command may destroy or plant files in one of its inputs, damaged models and bad
 * CSV files are exit-2 errors naming what is wrong, and numeric options are parsed into their real range.
 */
class DataSafetyCliTest {
    private static final String[] TINY_MODEL = {
        "--set", "flowsynth.train.epochs=1", "--set", "flowsynth.flow.layers=2",
        "--set", "flowsynth.flow.hidden-features=8", "--set", "flowsynth.train.batch-size=256",
        "--set", "flowsynth.train.local-steps=2", "--set", "flowsynth.train.calibration-knots=0"};

    @TempDir
    static Path dir;
    static String input;
    static String model;
    static SparkSession spark;

    @BeforeAll
    static void fitATinyModel() {
        spark = SharedSparkSession.get();
        input = dir.resolve("t.parquet").toString();
        DemoLoans.generate(spark, 1500, 3, 2).write().parquet(input);
        model = dir.resolve("model").toString();
        Outcome o = cli(concat(new String[]{"fit", "--input", input, "--model", model}, TINY_MODEL));
        assertThat(o.code()).as(o.err()).isZero();
    }

    private static Outcome cli(String... args) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int code = FlowsynthCli.execute(args, master -> spark,
                new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
    }

    /** Every file under {@code p} with its size: what must not change when a command is refused. */
    private static List<String> listing(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return s.map(f -> p.relativize(f) + ":" + (Files.isRegularFile(f) ? f.toFile().length() : -1))
                    .sorted().toList();
        }
    }

    private static void assertRefused(Outcome o, String... words) {
        assertThat(o.code()).as(o.err()).isEqualTo(2);
        assertThat(o.err().lines().count()).as(o.err()).isEqualTo(1);
        assertThat(o.err()).contains(words);
    }

    @Test
    void anOutputEqualToInsideOrContainingAnInputIsRefusedAndTheInputIsUntouched() throws Exception {
        List<String> before = listing(Path.of(input));
        List<String> modelBefore = listing(Path.of(model));
        assertRefused(cli(concat(new String[]{"run", "--input", input, "--output", input, "--overwrite"}, TINY_MODEL)),
                "is the same path as input --input");
        assertRefused(cli(concat(new String[]{"run", "--input", input, "--output", input + "/out"}, TINY_MODEL)),
                "lies inside input --input");
        assertRefused(cli(concat(new String[]{"fit", "--input", input, "--model", input, "--overwrite"}, TINY_MODEL)),
                "--model");
        assertRefused(cli("score", "--model", model, "--input", input, "--output", input, "--overwrite"),
                "input --input");
        assertRefused(cli("score", "--model", model, "--input", input, "--output", model + "/scored"),
                "lies inside input --model");
        assertRefused(cli("sample", "--model", model, "--rows", "10", "--output", model, "--overwrite"),
                "input --model");
        assertRefused(cli("report", "--real", input, "--synthetic", input, "--output", input, "--overwrite"),
                "input --real");
        // the same path spelled as a file: URI, with a relative detour, and through a symbolic link
        assertRefused(cli("score", "--model", model, "--input", input, "--output", "file://" + input, "--overwrite"),
                "is the same path as");
        assertRefused(cli("score", "--model", model, "--input", input, "--output",
                dir.resolve("x/../t.parquet").toString(), "--overwrite"), "is the same path as");
        Path link = dir.resolve("link-to-input");
        Files.createSymbolicLink(link, Path.of(input));
        assertRefused(cli("score", "--model", model, "--input", input, "--output", link.toString(), "--overwrite"),
                "is the same path as");
        // an output that contains the input: an overwrite would delete it
        Path outer = dir.resolve("outer");
        Files.createDirectories(outer);
        String inner = outer.resolve("in.parquet").toString();
        spark.read().parquet(input).write().parquet(inner);
        assertRefused(cli(concat(new String[]{"run", "--input", inner, "--output", outer.toString(), "--overwrite"},
                TINY_MODEL)), "contains input --input");
        assertThat(listing(Path.of(input))).isEqualTo(before);
        assertThat(listing(Path.of(model))).isEqualTo(modelBefore);
        assertThat(spark.read().parquet(inner).count()).isEqualTo(1500);
    }

    @Test
    void damagedModelsAreRefusedWithOneLineNamingTheDamage() throws Exception {
        String out = dir.resolve("never").toString();
        Path truncated = copyModel("truncated");
        byte[] params = Files.readAllBytes(truncated.resolve("params.bin"));
        Files.write(truncated.resolve("params.bin"), java.util.Arrays.copyOf(params, params.length / 2));
        assertRefused(cli("sample", "--model", truncated.toString(), "--rows", "5", "--output", out),
                "is damaged", "params.bin");

        Path altered = copyModel("altered");
        params[params.length - 1] ^= 1;
        Files.write(altered.resolve("params.bin"), params);
        assertRefused(cli("sample", "--model", altered.toString(), "--rows", "5", "--output", out),
                "is damaged", "SHA-256");

        Path badJson = copyModel("bad-json");
        Files.writeString(badJson.resolve("metadata.json"), "{\"format_version\": 2, \"flow\": ");
        assertRefused(cli("score", "--model", badJson.toString(), "--input", input, "--output", out),
                "is damaged", "not valid JSON");

        Path newer = copyModel("newer");
        ObjectNode newerMeta = (ObjectNode) new ObjectMapper().readTree(newer.resolve("metadata.json").toFile());
        newerMeta.put("format_version", io.flowsynth.spark.model.FlowsynthModel.FORMAT_VERSION + 1);
        Files.writeString(newer.resolve("metadata.json"), newerMeta.toString());
        assertRefused(cli("sample", "--model", newer.toString(), "--rows", "5", "--output", out),
                "has format version " + (io.flowsynth.spark.model.FlowsynthModel.FORMAT_VERSION + 1),
                "read it with the flowsynth that wrote it or a newer one");

        Path badSpec = copyModel("bad-spec");
        ObjectNode specMeta = (ObjectNode) new ObjectMapper().readTree(badSpec.resolve("metadata.json").toFile());
        ((ObjectNode) specMeta.path("flow")).put("type", "glow");
        Files.writeString(badSpec.resolve("metadata.json"), specMeta.toString());
        assertRefused(cli("sample", "--model", badSpec.toString(), "--rows", "5", "--output", out),
                "is damaged", "invalid flow spec", "unknown flow type 'glow' (supported: realnvp, maf, spline, linear)");
        ((ObjectNode) specMeta.path("flow")).put("type", "maf").remove("features");
        Files.writeString(badSpec.resolve("metadata.json"), specMeta.toString());
        assertRefused(cli("sample", "--model", badSpec.toString(), "--rows", "5", "--output", out),
                "is damaged", "invalid flow spec", "the flow spec has no 'features'");

        Path noNetwork = copyModel("no-network");
        Files.delete(noNetwork.resolve("network.json"));
        assertRefused(cli("sample", "--model", noNetwork.toString(), "--rows", "5", "--output", out),
                "is damaged", "network.json is missing");

        // NaN parameters with a consistent checksum (as a diverged training would have written them)
        Path nan = copyModel("nan");
        byte[] p = Files.readAllBytes(nan.resolve("params.bin"));
        ByteBuffer.wrap(p).putFloat(8, Float.NaN);
        Files.write(nan.resolve("params.bin"), p);
        ObjectNode meta = (ObjectNode) new ObjectMapper().readTree(nan.resolve("metadata.json").toFile());
        ObjectNode entry = (ObjectNode) meta.path("files").path("params.bin");
        entry.put("sha256", java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(p)));
        Files.writeString(nan.resolve("metadata.json"), meta.toString());
        assertRefused(cli("sample", "--model", nan.toString(), "--rows", "5", "--output", out),
                "is damaged", "parameter tensor", "non-finite");
        assertThat(Files.exists(Path.of(out))).isFalse();
    }

    private static Path copyModel(String name) throws IOException {
        Path target = dir.resolve("damaged-" + name);
        Files.createDirectories(target);
        try (Stream<Path> s = Files.list(Path.of(model))) {
            // without Hadoop's .crc side files, as on an object store: the model's own checksums must catch damage
            for (Path f : s.filter(f -> !f.getFileName().toString().endsWith(".crc")).toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    @Test
    void raggedCsvRowsAreRefusedNamingTheFileAndLineUnlessAModeSaysOtherwise() throws Exception {
        Path csv = dir.resolve("ragged.csv");
        StringBuilder sb = new StringBuilder("a,b,c\n");
        for (int i = 0; i < 300; i++) {
            sb.append(i).append(",x").append(i % 7).append(',').append(i * 0.5).append('\n');
        }
        sb.append("300,y\n").append("301,z,1.5,9\n");
        Files.writeString(csv, sb.toString());
        String m = dir.resolve("ragged-model").toString();
        Outcome o = cli(concat(new String[]{"fit", "--input", csv.toString(), "--model", m}, TINY_MODEL));
        assertRefused(o, "ragged.csv line 302 has 2 fields; the header has 3", "--csv-mode");
        assertThat(Files.exists(Path.of(m))).isFalse();
        assertRefused(cli("fit", "--input", csv.toString(), "--model", m, "--csv-mode", "lenient"), "--csv-mode");
    }

    @Test
    void columnNamesDifferingOnlyByCaseAreRefusedNamingBoth() throws Exception {
        Path csv = dir.resolve("case.csv");
        Files.writeString(csv, "id,Amount,amount\n1,2,3\n2,3,4\n");
        assertRefused(cli("fit", "--input", csv.toString(), "--model", dir.resolve("case-model").toString()),
                "'Amount' and 'amount'");
    }

    @Test
    void numericOptionsAreParsedIntoTheirRange() {
        String out = dir.resolve("never2").toString();
        assertRefused(cli("sample", "--model", model, "--rows", "10", "--output", out, "--partitions", "9999999999"),
                "--partitions", "≤ 1000000");
        assertRefused(cli("sample", "--model", model, "--rows", "99999999999999999999", "--output", out), "--rows");
        assertRefused(cli("sample", "--model", model, "--rows", "10", "--output", out, "--partitions", "0"),
                "--partitions");
    }

    @Test
    void checksThatNeedNoDataFailBeforeTheSessionStarts() {
        java.util.function.Function<String, SparkSession> noSession = m -> {
            throw new AssertionError("the session was started");
        };
        String[][] cases = {
            {"sample", "--model", model, "--output", dir.resolve("x").toString()},
            {"sample", "--model", model, "--rows", "5", "--output", input},
            {"sample", "--model", model, "--rows", "5", "--output", model + "/in"},
            {"fit", "--input", input, "--model", input + "/m"},
            {"run", "--input", dir.resolve("absent").toString(), "--output", dir.resolve("y").toString()},
            {"score", "--model", model, "--input", input, "--output", dir.resolve("z").toString(), "--csv-mode", "x"},
        };
        for (String[] args : cases) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            int code = FlowsynthCli.execute(args, noSession, new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertThat(code).as(String.join(" ", args) + ": " + bytes).isEqualTo(2);
        }
    }

    @Test
    void permissionRefusalsAreBadInputNamingThePath() {
        var wrapped = new RuntimeException("job failed", new java.nio.file.AccessDeniedException("/data/t.parquet"));
        assertThat(FlowsynthCli.badInput(wrapped)).isNotNull();
        assertThat(FlowsynthCli.badInput(wrapped).getMessage()).isEqualTo("Permission denied: /data/t.parquet");
        assertThat(FlowsynthCli.badInput(new IllegalStateException("bug"))).isNull();
    }

    @Test
    void csvTextThatANumberWouldChangeStaysText() throws Exception {
        Path csv = dir.resolve("codes.csv");
        StringBuilder sb = new StringBuilder("zip,card,n,amount\n");
        for (int i = 0; i < 50; i++) {
            sb.append(String.format("%05d", i * 1733 % 99999)).append(',')
                    .append("4000123412341234").append(String.format("%04d", i)).append(',')
                    .append(i).append(',').append(i * 1.25).append('\n');
        }
        Files.writeString(csv, sb.toString(), StandardCharsets.UTF_8);
        var df = io.flowsynth.spark.io.TableReader.read(spark, csv.toString(), null);
        assertThat(df.schema().apply("zip").dataType().typeName()).isEqualTo("string");
        assertThat(df.schema().apply("card").dataType().typeName()).isEqualTo("string");
        assertThat(df.schema().apply("n").dataType().typeName()).isEqualTo("integer");
        assertThat(df.schema().apply("amount").dataType().typeName()).isEqualTo("double");
        assertThat(df.where("zip = '00000'").count()).isEqualTo(1);
        var typed = io.flowsynth.spark.io.TableReader.read(spark, csv.toString(), null,
                new io.flowsynth.spark.io.TableReader.CsvOptions(io.flowsynth.spark.io.TableReader.CsvMode.FAILFAST,
                        "n LONG, amount DECIMAL(10,2)"));
        assertThat(typed.schema().apply("n").dataType().typeName()).isEqualTo("long");
        assertThat(typed.schema().apply("amount").dataType().simpleString()).isEqualTo("decimal(10,2)");
        assertRefused(cli("fit", "--input", csv.toString(), "--model", dir.resolve("m-nope").toString(),
                "--schema", "nope INT"), "'nope' is not in the header");
    }
}
