package io.flowsynth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.spark.SharedSparkSession;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on a real Spark standalone cluster: {@code deploy/local-cluster.sh start} (a master and two one-core
 * workers on 127.0.0.1), then {@code jobs/submit.sh} runs {@code generate-demo} (200,000 rows) and {@code run} (fit,
 * sample, report; 2 epochs) against it with the shaded job jar, the way a user submits. Checks the exit code, that the
 * synthetic table has the source's columns and types, that the fidelity report exists, and that both workers' executors
 * ran tasks. The cluster is stopped afterwards whatever happens.
 *
 * <p>Runs in Maven's integration-test phase (failsafe, after {@code package}), so {@code mvn verify} has the job jar;
 * without the jar the test skips itself. {@code -Dflowsynth.cluster.skip=true} skips it too.
 * The cluster lives in {@code target/local-cluster-test/} on the first free port from 7077, so a developer's own
 * {@code deploy/local-cluster.sh} cluster is left alone.
 */
class LocalClusterRunIT {
    private static final String JOB_JAR = "target/flowsynth-0.1.0-SNAPSHOT-job.jar";
    private static final int ROWS = 200_000;
    private static final long STEP_TIMEOUT_MIN = 15;

    private static Path project;
    private static Path clusterDir;
    private static Path outDir;
    private static String masterPort;
    private static String masterUrl;

    @BeforeAll
    static void startCluster() throws Exception {
        project = Path.of(System.getProperty("flowsynth.project.dir", ".")).toAbsolutePath().normalize();
        Assumptions.assumeFalse(Boolean.getBoolean("flowsynth.cluster.skip"), "flowsynth.cluster.skip=true");
        Assumptions.assumeTrue(Files.isRegularFile(project.resolve(JOB_JAR)),
                JOB_JAR + " not built: skipping the standalone-cluster test (run `mvn -B -DskipTests package` first)");
        clusterDir = project.resolve("target/local-cluster-test");
        outDir = project.resolve("target/cluster-run-test");
        masterPort = Integer.toString(firstFreePort(7077));
        String out = run("cluster-start", List.of("deploy/local-cluster.sh", "start"));
        masterUrl = out.strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(masterUrl).isEqualTo("spark://127.0.0.1:" + masterPort);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (clusterDir != null) {
            run("cluster-stop", List.of("deploy/local-cluster.sh", "stop"));
        }
    }

    @Test
    void runOnTheStandaloneClusterWritesATwinWithTheSourceSchemaUsingBothWorkers() throws Exception {
        Path input = outDir.resolve("loans.parquet");
        Path output = outDir.resolve("run");
        run("generate-demo", List.of("jobs/submit.sh", "--master", masterUrl, "generate-demo", "--output",
                input.toString(), "--rows", Integer.toString(ROWS), "--overwrite"));

        Path work = clusterDir.resolve("work");
        List<Path> appsBefore = appDirs(work);
        long start = System.nanoTime();
        run("run", List.of("jobs/submit.sh", "--master", masterUrl, "run", "--input", input.toString(), "--output",
                output.toString(), "--set", "flowsynth.train.epochs=2", "--overwrite"));
        System.out.printf("LocalClusterRunIT: run on %s took %.1f s%n", masterUrl,
                (System.nanoTime() - start) / 1e9);

        SparkSession spark = SharedSparkSession.get();
        StructType real = spark.read().parquet(input.toString()).schema();
        StructType synthetic = spark.read().parquet(output.resolve("synthetic").toString()).schema();
        assertThat(columns(synthetic)).isEqualTo(columns(real));
        assertThat(spark.read().parquet(output.resolve("synthetic").toString()).count()).isPositive();
        assertThat(output.resolve("report/fidelity.json")).isNotEmptyFile();

        List<Path> runApps = appDirs(work).stream().filter(a -> !appsBefore.contains(a)).collect(Collectors.toList());
        for (String worker : List.of("worker-1", "worker-2")) {
            List<Path> apps = runApps.stream().filter(a -> a.getParent().getFileName().toString().equals(worker))
                    .collect(Collectors.toList());
            assertThat(apps).as("executors the run application got on " + worker).hasSize(1);
            assertThat(taskLogLines(apps.get(0))).as("tasks run by the executor on " + worker).isPositive();
        }
    }

    /** Column names and types; nullability is left out (Parquet reads every column back as nullable). */
    private static List<String> columns(StructType schema) {
        return Arrays.stream(schema.fields()).map(f -> f.name() + ":" + f.dataType().simpleString())
                .collect(Collectors.toList());
    }

    /** The application directories the workers made: work/worker-N/app-ID. */
    private static List<Path> appDirs(Path work) throws IOException {
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.walk(work, 2)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("app-") && Files.isDirectory(p))
                    .collect(Collectors.toList());
        }
    }

    /** "Running task" lines in the stderr of every executor of one application dir (app-ID/EXEC-ID/stderr). */
    private static long taskLogLines(Path appDir) throws IOException {
        List<Path> stderrs;
        try (Stream<Path> files = Files.walk(appDir, 2)) {
            stderrs = files.filter(p -> p.getFileName().toString().equals("stderr")).collect(Collectors.toList());
        }
        long lines = 0;
        for (Path stderr : stderrs) {
            try (Stream<String> s = Files.lines(stderr, StandardCharsets.UTF_8)) {
                lines += s.filter(l -> l.contains("Running task")).count();
            }
        }
        return lines;
    }

    /**
     * Runs a project script with the cluster's environment, its output in {@code target/cluster-run-test/NAME.log};
     * fails with the log's tail unless it exits 0. Returns standard output.
     */
    private static String run(String name, List<String> command) throws Exception {
        Files.createDirectories(outDir);
        Path log = outDir.resolve(name + ".log");
        Path stdout = outDir.resolve(name + ".out");
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(project.toFile())
                .redirectOutput(stdout.toFile()).redirectError(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("FLOWSYNTH_CLUSTER_DIR", clusterDir.toString());
        env.put("FLOWSYNTH_MASTER_PORT", masterPort);
        env.put("FLOWSYNTH_NO_BUILD", "1");
        // The driver gets Spark from the cluster's SPARK_HOME and flowsynth from the job jar only, like on a cluster.
        env.put("SPARK_HOME", project.resolve("target/spark-home").toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.remove("FLOWSYNTH_MASTER");
        Process p = pb.start();
        if (!p.waitFor(STEP_TIMEOUT_MIN, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(name + ": no exit within " + STEP_TIMEOUT_MIN + " min; log: " + log);
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            throw new AssertionError(name + " (" + String.join(" ", command) + ") exited " + p.exitValue()
                    + "; last lines of " + log + ":\n" + tail);
        }
        return out;
    }

    private static int firstFreePort(int from) {
        for (int port = from; port < from + 100; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IllegalStateException("no free port in " + from + ".." + (from + 99));
    }
}
