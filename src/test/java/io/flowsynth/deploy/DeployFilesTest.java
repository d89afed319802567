package io.flowsynth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.config.ConfigResolver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment templates under {@code deploy/} and the launch scripts agree with the build: the Kubernetes
 * SparkApplication parses and names a main class that exists, the Airflow DAG and the Dockerfile use that class and
 * the jar the pom produces, and the shell scripts are executable and syntactically valid. No Spark session needed.
 */
class DeployFilesTest {
    private static final String MAIN_CLASS = "io.flowsynth.jobs.FlowsynthCli";
    private static final String IMAGE_JAR = "/opt/flowsynth/flowsynth-job.jar";

    private static Path project() {
        String dir = System.getProperty("flowsynth.project.dir");
        return Path.of(dir != null ? dir : ".").toAbsolutePath().normalize();
    }

    private static String read(String relative) throws IOException {
        return Files.readString(project().resolve(relative), StandardCharsets.UTF_8);
    }

    /** {@code <artifactId>-<version>-<shadedClassifierName>.jar}, as maven-shade-plugin names the job jar. */
    static String jobJarName() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        Document pom;
        try (InputStream in = Files.newInputStream(project().resolve("pom.xml"))) {
            pom = factory.newDocumentBuilder().parse(in);
        }
        String artifact = childText(pom, "artifactId");
        String version = childText(pom, "version");
        String classifier = pom.getElementsByTagName("shadedClassifierName").item(0).getTextContent().trim();
        return artifact + "-" + version + "-" + classifier + ".jar";
    }

    private static String childText(Document pom, String name) {
        var children = pom.getDocumentElement().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (name.equals(children.item(i).getNodeName())) {
                return children.item(i).getTextContent().trim();
            }
        }
        throw new IllegalStateException("pom.xml has no top-level <" + name + ">");
    }

    @Test
    @SuppressWarnings("unchecked")
    void sparkApplicationParsesAndNamesAnExistingMainClass() throws Exception {
        Map<String, Object> app = new Yaml().load(read("deploy/kubernetes/flowsynth-sparkapplication.yaml"));

        assertThat(app).containsEntry("apiVersion", "sparkoperator.k8s.io/v1beta2").containsEntry("kind",
                "SparkApplication");
        Map<String, Object> spec = (Map<String, Object>) app.get("spec");
        String mainClass = (String) spec.get("mainClass");
        assertThat(mainClass).isEqualTo(MAIN_CLASS);
        assertThat(Class.forName(mainClass, false, getClass().getClassLoader()).getMethod("main", String[].class))
                .isNotNull();
        assertThat(spec).containsEntry("mainApplicationFile", "local://" + IMAGE_JAR).containsEntry("type", "Java");
        assertThat((String) spec.get("sparkVersion")).startsWith("3.5.");
        assertThat((List<String>) spec.get("arguments")).first().isEqualTo("run");
        Map<String, Object> sparkConf = (Map<String, Object>) spec.get("sparkConf");
        assertThat(sparkConf).containsEntry("spark.executorEnv.OMP_NUM_THREADS", "1");
        Map<String, Object> executor = (Map<String, Object>) spec.get("executor");
        assertThat(executor).containsKey("memoryOverhead");
        assertThat((List<Map<String, Object>>) executor.get("env"))
                .contains(Map.of("name", "OMP_NUM_THREADS", "value", "1"));
    }

    @Test
    void dagDockerfileAndSubmitScriptUseTheMainClassAndTheJarThePomBuilds() throws Exception {
        String jar = jobJarName();
        assertThat(jar).isEqualTo("flowsynth-0.1.0-SNAPSHOT-job.jar");

        String dockerfile = read("deploy/docker/Dockerfile");
        assertThat(dockerfile).containsPattern("(?m)^FROM \\$\\{SPARK_IMAGE}$")
                .containsPattern("(?m)^ARG SPARK_IMAGE=apache/spark:3\\.5\\.\\d+-scala2\\.12-java17-ubuntu$")
                .contains("COPY --chown=spark:spark target/" + jar + " " + IMAGE_JAR);

        String dag = read("deploy/airflow/flowsynth_dag.py");
        assertThat(dag).contains("MAIN_CLASS = \"" + MAIN_CLASS + "\"").contains("\"" + IMAGE_JAR + "\"")
                .contains("java_class=MAIN_CLASS").contains("\"spark.executorEnv.OMP_NUM_THREADS\": \"1\"");

        String submit = read("jobs/submit.sh");
        assertThat(submit).contains("MAIN_CLASS=" + MAIN_CLASS).contains("target/" + jar);
    }

    @Test
    void exampleJobConfigResolvesWithOnlyKnownKeys() throws Exception {
        var config = ConfigResolver.resolve(null, read("conf/examples/loans.conf"), "conf/examples/loans.conf",
                Map.of());
        assertThat(config.flow().layers()).isEqualTo(8);
        assertThat(config.encode().kindOverrides()).containsEntry("term_months", "categorical");
    }

    @Test
    void launchScriptsAreExecutableAndPassBashSyntaxCheck() throws Exception {
        for (String script : List.of("jobs/submit.sh", "deploy/local-cluster.sh")) {
            Path path = project().resolve(script);
            assertThat(path).exists();
            assertThat(Files.isExecutable(path)).as(script + " is executable").isTrue();
            Process bash = new ProcessBuilder("bash", "-n", path.toString()).redirectErrorStream(true).start();
            String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(bash.exitValue()).as("bash -n " + script + ": " + output).isZero();
        }
    }

    @Test
    void airflowDagBuildsItsTaskGraphAgainstStubs() throws Exception {
        Assumptions.assumeTrue(commandExists("python3"), "python3 not installed: skipping deploy/airflow/check_dag.py");
        Process check = new ProcessBuilder("python3", "-B", "deploy/airflow/check_dag.py").directory(project().toFile())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as("check_dag.py: " + output).isZero();
        assertThat(output).contains("flowsynth_dag.py: OK");
    }

    private static boolean commandExists(String command) throws InterruptedException {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + command).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
