package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.nn.MemoryExhaustedException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures end with one line of ours on the console (issue 25): a text file named x.parquet (exit 2, Spark's ERROR
 * log and stack frames only in the log file), and running out of memory — the heap's or JavaCPP's native limit —
 * (exit 1 naming the setting to raise; before, exit 52 from a task thread, or a stack trace from the driver's).
 * The two end-to-end cases run {@code jobs/flowsynth} as users do, in a child JVM of 1 GiB heap.
 */
class CliFailureTest {
    @TempDir
    Path dir;

    record Run(int exit, List<String> stderr, String stdout) {
    }

    private Run flowsynth(Map<String, String> env, String... args) throws Exception {
        Path project = Path.of(System.getProperty("flowsynth.project.dir", ".")).toAbsolutePath().normalize();
        List<String> command = new java.util.ArrayList<>(List.of(project.resolve("jobs/flowsynth").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("FLOWSYNTH_DRIVER_MEMORY", "1g");
        pb.environment().put("FLOWSYNTH_MASTER", "local[1]");
        pb.environment().put("FLOWSYNTH_LOG_FILE", dir.resolve("flowsynth.log").toString());
        pb.environment().putAll(env);
        pb.redirectError(dir.resolve("stderr.txt").toFile()).redirectOutput(dir.resolve("stdout.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("jobs/flowsynth finished").isTrue();
        // jobs/flowsynth compiles first when the sources changed: its own line and Maven's colour codes are not ours
        List<String> err = Files.readAllLines(dir.resolve("stderr.txt")).stream()
                .map(l -> l.replaceAll("\u001B\\[[0-9;]*m", ""))
                .filter(l -> !l.startsWith("flowsynth: building") && !l.isEmpty()).toList();
        return new Run(p.exitValue(), err, Files.readString(dir.resolve("stdout.txt")));
    }

    @Test
    void aTextFileNamedParquetGivesOneLineAndExit2WithSparksTracesOnlyInTheLogFile() throws Exception {
        Files.writeString(dir.resolve("x.parquet"), "not a parquet file\n1,2\n");
        Run r = flowsynth(Map.of(), "fit", "--input", "x.parquet", "--model", "m");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).containsExactly("flowsynth fit: x.parquet is not a Parquet file (it starts with "
                + "\"not \"); for a CSV file give --format csv");
        assertThat(dir.resolve("m")).doesNotExist();
        // the log file is created at its first line (createOnDemand): whatever Spark logged went there, not to stderr
        if (Files.exists(dir.resolve("flowsynth.log"))) {
            assertThat(Files.readString(dir.resolve("flowsynth.log"))).doesNotContain("flowsynth fit: x.parquet");
        }
    }

    @Test
    void aLogFileInsideTheInputTableIsRefusedBeforeAnythingIsWrittenThere() throws Exception {
        Path table = Files.createDirectories(dir.resolve("table.parquet"));
        Files.writeString(table.resolve("part-0.parquet"), "PAR1");
        Path log = table.resolve("flowsynth.log");
        Run r = flowsynth(Map.of("FLOWSYNTH_LOG_FILE", log.toString()), "fit", "--input", "table.parquet",
                "--model", "m");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).containsExactly("flowsynth fit: Log file (FLOWSYNTH_LOG_FILE) " + log + " lies inside "
                + "--input table.parquet: refusing to write it there (move it outside every path the command reads "
                + "or writes)");
        try (var files = Files.list(table)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("part-0.parquet");
        }
        assertThat(dir.resolve("m")).doesNotExist();
    }

    @Tag("slow")
    @Test
    void javacppsNativeLimitInATrainingTaskEndsTheCommandWithOneLineNamingItAndExit1() throws Exception {
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int i = 0; i < 500; i++) {
            csv.append(i % 17).append(',').append((i * 7) % 13).append('\n');
        }
        Files.writeString(dir.resolve("t.csv"), csv);
        // a batch of a million rows needs several GiB of spline intermediates: above the 1g heap's native limit
        // (2 GiB), in a Spark task (before: Spark's handler ended the JVM with exit 50, the error only in its log)
        Run r = flowsynth(Map.of(), "fit", "--input", "t.csv", "--model", "m", "--set", "flowsynth.flow.type=spline",
                "--set", "flowsynth.train.batch-size=1000000", "--set", "flowsynth.train.steps=2",
                "--set", "flowsynth.condition.auto=false");
        assertThat(r.exit()).isEqualTo(1);
        List<String> ours = r.stderr().stream().filter(l -> !l.matches("^\\d{4}-\\d\\d-\\d\\d .* INFO .*")).toList();
        assertThat(ours).hasSize(1);
        assertThat(ours.get(0)).startsWith("flowsynth fit: out of native memory while training 2 features × batch "
                        + "1000000 on 500 rows (partition 0)")
                .contains("physicalBytes").contains("raise -Dorg.bytedeco.javacpp.maxphysicalbytes")
                .contains("FLOWSYNTH_DRIVER_MEMORY").contains("flowsynth.train.batch-size");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("t.csv", "flowsynth.log", "stderr.txt", "stdout.txt");
        }
        assertThat(Files.readString(dir.resolve("flowsynth.log"))).contains("Out of native memory while training");
    }

    @Test
    void aHeapOutOfMemoryOnTheDriverNamesTheDriversHeap() throws Exception {
        Path input = dir.resolve("in.csv");
        Files.writeString(input, "a\n1\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = FlowsynthCli.execute(new String[]{"fit", "--input", input.toString(), "--model",
                dir.resolve("m").toString(), "--master", "local[1]"}, master -> {
                    throw new OutOfMemoryError("Java heap space");
                }, err);
        assertThat(code).isEqualTo(1);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().toList()).hasSize(1);
        assertThat(out).startsWith("flowsynth fit: out of Java heap memory").contains("(Java heap space)")
                .contains("raise FLOWSYNTH_DRIVER_MEMORY (now ");
    }

    @Test
    void anOutOfMemoryInAnExecutorTaskNamesTheExecutorsMemoryAndTheWorkload() {
        MemoryExhaustedException heap = new MemoryExhaustedException("training 12 features × batch 512 on 50000 rows "
                + "(partition 3)", new OutOfMemoryError("Java heap space"), true);
        String line = OutOfMemoryLine.describe(new SparkException("Job aborted due to stage failure: Task 3 in stage "
                + "7.0 failed 4 times", heap), false);
        assertThat(line).startsWith("out of Java heap memory while training 12 features × batch 512 on 50000 rows")
                .contains("raise spark.executor.memory");

        MemoryExhaustedException offHeap = new MemoryExhaustedException("training 2 features × batch 512 on 100000 "
                + "rows (partition 0)", new OutOfMemoryError("Physical memory usage is too high: physicalBytes (9G) > "
                + "maxPhysicalBytes (9G)"), true);
        assertThat(OutOfMemoryLine.describe(new SparkException("Job aborted", offHeap), false))
                .startsWith("out of native memory while training 2 features")
                .contains("spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxphysicalbytes");

        String lost = OutOfMemoryLine.describe(new SparkException("Job aborted due to stage failure: Task 0 in stage "
                + "2.0 failed 4 times, most recent failure: Lost task 0.3 (executor 1): ExecutorLostFailure (executor 1 "
                + "exited caused by one of the running tasks) Reason: Command exited with code 52"), false);
        assertThat(lost).startsWith("an executor was lost to out of memory").contains("raise spark.executor.memory");

        assertThat(OutOfMemoryLine.describe(new IllegalStateException("something else"), true)).isNull();
    }
}
