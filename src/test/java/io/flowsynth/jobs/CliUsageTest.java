package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.error.BadInputException;
import io.flowsynth.config.FlowsynthConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first minutes with the CLI, without Spark: usage errors exit 2 before any session exists (checked in a child
 * JVM that must not even load SparkContext), help goes to stdout with exit 0 and lists every option, and
 * {@code config} shows each key's value and source.
 */
class CliUsageTest {
    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
    }

    /** Runs the CLI in this JVM with a session factory that fails the test if it is ever asked for a session. */
    static Outcome cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlowsynthCli.execute(args, master -> {
            throw new AssertionError("a SparkSession was requested for " + String.join(" ", args));
        }, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code FlowsynthCli.main} in a child JVM, logging every class it loads into {@code classLog}. */
    Outcome childJvm(Path classLog, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Xlog:class+load=info:file=" + classLog, "-cp", System.getProperty("java.class.path"),
                "io.flowsynth.jobs.FlowsynthCli"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void usageErrorsExitTwoInAChildJvmThatNeverLoadsSparkContextOrHadoop() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Path existing = Files.createDirectories(dir.resolve("existing"));
        String[][] cases = {
            {"sample", "--model", model.toString(), "--output", dir.resolve("out").toString()},
            {"sample", "--model", model.toString(), "--rows", "1000", "--output", existing.toString()},
            {"fit", "--input", dir.resolve("missing.parquet").toString(), "--model", dir.resolve("m").toString()},
            {"fit", "--input", existing.toString(), "--model", dir.resolve("m").toString(),
                "--set", "flowsynth.train.calibration-knots=1"},
        };
        String[] expected = {"Missing required option --rows", "already exists (pass --overwrite", "does not exist",
            "Configuration flowsynth.train.calibration-knots: must be 0 (off) or in [2, 2147483647], got 1"};
        for (int i = 0; i < cases.length; i++) {
            Path classLog = dir.resolve("classes-" + i + ".log");
            Outcome o = childJvm(classLog, cases[i]);
            assertThat(o.code()).as(o.err()).isEqualTo(2);
            assertThat(o.err().trim()).startsWith("flowsynth " + cases[i][0] + ": ").contains(expected[i])
                    .doesNotContain("\n");
            String loaded = Files.readString(classLog);
            assertThat(loaded).as("class loading of the child JVM").contains(" io.flowsynth.jobs.FlowsynthCli ")
                    .doesNotContain(" org.apache.spark.SparkContext ")
                    .doesNotContain(" org.apache.spark.sql.SparkSession$Builder ")
                    .doesNotContain(" org.apache.hadoop.conf.Configuration ");
        }
    }

    @Test
    void usageErrorsExitTwoWithOneLineAndNeverAskForASession() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Path existing = Files.createDirectories(dir.resolve("existing"));
        Outcome noRows = cli("sample", "--model", model.toString(), "--output", dir.resolve("o").toString());
        assertThat(noRows.code()).isEqualTo(2);
        assertThat(noRows.err().trim()).isEqualTo("flowsynth sample: Missing required option --rows for command sample");
        Outcome exists = cli("sample", "--model", model.toString(), "--rows", "1000", "--output", existing.toString());
        assertThat(exists.code()).isEqualTo(2);
        assertThat(exists.err().trim()).isEqualTo("flowsynth sample: Output --output " + existing
                + " already exists (pass --overwrite to replace it)");
        Outcome fileUri = cli("sample", "--model", model.toString(), "--rows", "1000", "--output", existing.toUri().toString());
        assertThat(fileUri.code()).isEqualTo(2);
        assertThat(fileUri.err()).contains("already exists");
        assertThat(cli("sample", "--model", model.toString(), "--rows", "0x", "--output", "o").err()).contains("--rows");
        assertThat(cli("sample", "--model", model.toString(), "--rows", "5", "--temperature", "0", "--output", "o")
                .err()).contains("--temperature");
        assertThat(cli("report", "--real", model.toString(), "--synthetic", model.toString(), "--output",
                dir.resolve("r").toString(), "--fail-under", "dcr-overfit=0.9").err()).contains("--holdout");
        Outcome none = cli();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).startsWith("flowsynth: No command given").doesNotContain("flowsynth flowsynth");
    }

    @Test
    void everyCommandRefusesAnOutOfRangeValueBeforeAskingForASession() throws Exception {
        Path existing = Files.createDirectories(dir.resolve("existing"));
        String in = existing.toString();
        String[][] commands = {
            {"fit", "--input", in, "--model", dir.resolve("m").toString()},
            {"sample", "--model", in, "--rows", "10", "--output", dir.resolve("s").toString()},
            {"report", "--real", in, "--synthetic", in, "--output", dir.resolve("r").toString()},
            {"run", "--input", in, "--output", dir.resolve("o").toString()},
            {"score", "--model", in, "--input", in, "--output", dir.resolve("p").toString()},
        };
        for (String[] command : commands) {
            for (String set : List.of("flowsynth.train.calibration-knots=1", "flowsynth.flow.tail-bound=0",
                    "flowsynth.report.attack-targets=0", "flowsynth.privacy.extreme-k=1001")) {
                List<String> args = new ArrayList<>(List.of(command));
                args.addAll(List.of("--set", set));
                Outcome o = cli(args.toArray(String[]::new));
                String key = set.substring(0, set.indexOf('='));
                assertThat(o.code()).as(String.join(" ", args) + ": " + o.err()).isEqualTo(2);
                assertThat(o.err().trim()).as(String.join(" ", args))
                        .startsWith("flowsynth " + command[0] + ": Configuration " + key + ": must be ")
                        .endsWith(", got " + set.substring(set.indexOf('=') + 1)).doesNotContain("\n");
            }
        }
    }

    @Test
    void localChecksGiveTheSameMessagesAsHadoopOnes() throws Exception {
        Path existing = Files.createDirectories(dir.resolve("existing"));
        String missing = dir.resolve("missing").toString();
        FlowsynthCli.PathChecks local = FlowsynthCli.LocalPathChecks.INSTANCE;
        FlowsynthCli.PathChecks hadoop = new FlowsynthCli.HadoopPathChecks(new Configuration());
        for (FlowsynthCli.PathChecks checks : List.of(local, hadoop)) {
            checks.requireExists(existing.toString(), "Input");
            checks.checkOutput(missing, "--output", false);
            checks.checkOutput(existing.toString(), "--output", true);
        }
        assertThat(message(() -> local.requireExists(missing, "Input")))
                .isEqualTo(message(() -> hadoop.requireExists(missing, "Input")))
                .isEqualTo("Input does not exist: " + missing);
        assertThat(message(() -> local.checkOutput(existing.toString(), "--output", false)))
                .isEqualTo(message(() -> hadoop.checkOutput(existing.toString(), "--output", false)));
        // paths of other file systems are left to Hadoop
        assertThat(FlowsynthCli.LocalPathChecks.local("hdfs://nn/x")).isNull();
        assertThat(FlowsynthCli.LocalPathChecks.local("s3a://bucket/x")).isNull();
        assertThat(FlowsynthCli.LocalPathChecks.local("file://" + existing)).isEqualTo(existing);
    }

    private static String message(Runnable r) {
        try {
            r.run();
        } catch (BadInputException e) {
            return e.getMessage();
        }
        throw new AssertionError("no BadInputException");
    }

    @Test
    void preflightOptionChecksNeedNoFileSystem() {
        FlowsynthConfig c = FlowsynthConfig.defaults();
        FlowsynthCli.PathChecks none = new FlowsynthCli.PathChecks() {
            @Override
            public void requireExists(String path, String what) {
                throw new AssertionError("file system touched");
            }

            @Override
            public void requireDisjoint(String option, String output, Map<String, String> inputs) {
                throw new AssertionError("file system touched");
            }

            @Override
            public void checkOutput(String path, String option, boolean overwrite) {
                throw new AssertionError("file system touched");
            }
        };
        assertThatThrownBy(() -> FlowsynthCli.preflight(parse("sample", "--model", "m", "--output", "o"), c, none))
                .isInstanceOf(BadInputException.class).hasMessageContaining("--rows");
        assertThatThrownBy(() -> FlowsynthCli.preflight(parse("sample", "--model", "m", "--rows", "1"), c, none))
                .isInstanceOf(BadInputException.class).hasMessageContaining("--output");
    }

    private static CliArgs parse(String... args) {
        return CliArgs.parse(args, Map.of("sample", Set.of("model", "rows", "output", "output-table")),
                Map.of("sample", Set.of("overwrite")));
    }

    @Test
    void helpGoesToStdoutWithExitZeroAndListsEveryOptionOfTheCommand() {
        Outcome top = cli("--help");
        assertThat(top.code()).isZero();
        assertThat(top.err()).isEmpty();
        assertThat(top.out()).contains("usage: flowsynth").contains("report").contains("config");
        for (String command : CliHelp.options().keySet()) {
            Outcome o = cli(command, "--help");
            assertThat(o.code()).as(command).isZero();
            assertThat(o.out()).as(command).startsWith("usage: flowsynth " + command);
            assertThat(cli("help", command).out()).isEqualTo(o.out());
            List<String> documented = CliHelp.options().get(command).stream().map(CliHelp.Option::name).toList();
            // every option the parser accepts is documented, and nothing else
            Outcome unknown = cli(command, "--no-such-option", "1");
            assertThat(unknown.code()).isEqualTo(2);
            for (String name : documented) {
                assertThat(o.out()).as(command).contains("--" + name + " ");
                assertThat(cli(command, "--" + name).err()).as(command + " --" + name)
                        .doesNotContain("Unknown option --" + name);
            }
            for (String line : o.out().split("\n")) {
                if (line.startsWith("  --")) {
                    assertThat(line).as(command).containsPattern("\\((default: .+|required.*)\\)$");
                }
            }
        }
        assertThat(cli("fit", "--help").out()).contains("flowsynth.train.*").contains("--resume");
        assertThat(cli("report", "--help").out()).contains("--overwrite").contains("exit codes").contains("3 a --fail-under");
    }

    @Test
    void configPrintsEveryKeyWithItsValueAndSource() throws Exception {
        Path job = dir.resolve("job.conf");
        Files.writeString(job, "flowsynth.train.steps = 200\nflowsynth.flow.layers = 3\n");
        Outcome o = cli("config", "--conf", job.toString(), "--set", "flowsynth.flow.layers=4",
                "--set", "flowsynth.columns.amount.kind=integer");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).containsPattern("flowsynth.train.steps +=  ?200 +# --conf " + job.toString().replace(".", "\\."))
                .containsPattern("flowsynth.flow.layers += 4 +# --set")
                .containsPattern("flowsynth.columns.amount.kind += integer +# --set")
                .containsPattern("flowsynth.seed += 42 +# default");
        assertThat(o.out().lines().filter(l -> l.startsWith("flowsynth.")).count())
                .isEqualTo(io.flowsynth.config.ConfigKeys.DEFAULTS.size() + 1);
        Outcome bad = cli("config", "--set", "flowsynth.train.stepz=1");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("flowsynth.train.stepz");
    }
}
