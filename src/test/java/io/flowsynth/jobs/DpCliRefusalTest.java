package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings differential privacy cannot cover stop {@code fit} and {@code run} with exit 2 before Spark starts. */
class DpCliRefusalTest {
    @TempDir
    Path dir;

    @Test
    void uncoveredSettingsExitTwoWithOneLineNamingTheKeyBeforeAnySession() throws Exception {
        Path input = Files.createDirectories(dir.resolve("input"));
        String[][] cases = {
            {"fit", "--input", input.toString(), "--model", dir.resolve("m").toString(),
                "--set", "flowsynth.privacy.epsilon=3", "--set", "flowsynth.train.engine=dl4j-spark"},
            {"run", "--input", input.toString(), "--output", dir.resolve("o").toString(),
                "--set", "flowsynth.privacy.epsilon=1", "--set", "flowsynth.train.gradient=samediff"},
            {"fit", "--input", input.toString(), "--model", dir.resolve("m").toString(),
                "--set", "flowsynth.privacy.epsilon=3", "--set", "flowsynth.flow.type=linear"},
        };
        String[] keys = {"flowsynth.train.engine", "flowsynth.train.gradient", "flowsynth.flow.type"};
        for (int i = 0; i < cases.length; i++) {
            CliUsageTest.Outcome o = CliUsageTest.cli(cases[i]);
            assertThat(o.code()).as(o.err()).isEqualTo(2);
            assertThat(o.err().trim()).startsWith("flowsynth " + cases[i][0] + ": Configuration " + keys[i])
                    .contains("differential privacy").doesNotContain("\n");
        }
        // without DP the same settings pass the preflight (the session factory is then asked for: an AssertionError)
        CliUsageTest.Outcome plain = CliUsageTest.cli("config", "--set", "flowsynth.train.engine=dl4j-spark");
        assertThat(plain.code()).isZero();
    }
}
