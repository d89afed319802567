package io.flowsynth.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.fidelity.ConditionReport;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.fidelity.ConditionalFidelityEvaluator;
import io.flowsynth.spark.io.TableReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditionalRealBenchTest {
    @TempDir
    Path dir;

    /**
     * Level A (400 real rows): x ~ N(0, 1), y = x + noise; the rare level R (40): x ~ N(3, 1), y = −x + noise.
     * {@code rWrong}: R's synthetic rows drawn like A's (a model that ignores the context for R).
     */
    private Path table(String name, int aRows, int rRows, long seed, boolean rWrong) throws IOException {
        Random r = new Random(seed);
        StringBuilder csv = new StringBuilder("c,x,y,s\n");
        for (int i = 0; i < aRows + rRows; i++) {
            boolean rare = i >= aRows;
            boolean likeA = !rare || rWrong;
            double x = (likeA ? 0 : 3) + r.nextGaussian();
            double y = (likeA ? x : -x) + 0.5 * r.nextGaussian();
            String s = likeA ? (r.nextDouble() < 0.7 ? "u" : "v") : (r.nextDouble() < 0.2 ? "u" : "v");
            csv.append(String.format(Locale.ROOT, "%s,%.4f,%.4f,%s%n", rare ? "R" : "A", x, y, s));
        }
        Path p = dir.resolve(name + ".csv");
        Files.writeString(p, csv);
        return p;
    }

    @Test
    void aRareLevelFittedAsWellAsTheFrequentOneHasNoGapAndOneThatIgnoresItsContextHasALargeOne() throws Exception {
        SparkSession spark = SharedSparkSession.get();
        Path real = table("real", 400, 40, 1, false);
        Map<String, String> synthetic = new LinkedHashMap<>();
        synthetic.put("right", table("right", 4000, 400, 2, false).toString());
        synthetic.put("wrong", table("wrong", 4000, 400, 3, true).toString());
        ObjectNode out = ConditionalRealBench.run(spark, real.toString(), "c", synthetic, 4, 7, 0.1);

        JsonNode right = level(out, "right", "R");
        JsonNode wrong = level(out, "wrong", "R");
        assertThat(level(out, "right", "A").path("frequent").asBoolean()).isTrue();
        assertThat(right.path("frequent").asBoolean()).isFalse();
        // at R's sizes: 40 real rows against 400 synthetic ones, for A's subsamples too
        JsonNode byA = right.path("by_frequent_level").path("A");
        assertThat(byA.path("matched_synthetic_rows").asLong()).isEqualTo(400);
        assertThat(byA.path("ceiling_synthetic_rows").asLong()).isEqualTo(360); // A's 400 real rows less the 40
        // a model right for every level: R scores like A at R's sizes, near the real ceiling there
        assertThat(right.path("gap").asDouble()).isBetween(-0.1, 0.1); // measured −0.02 (sd of one draw 0.03)
        assertThat(right.path("short_of_ceiling").asDouble()).isLessThan(0.1);
        // a model ignoring R's context: far below A's fit at the same sizes
        assertThat(wrong.path("gap").asDouble()).isGreaterThan(0.3); // measured 0.66
        assertThat(out.path("variants").path("wrong").path("within_target").asBoolean()).isFalse();
        // the real-side draws do not depend on the variant: A's ceiling at R's sizes is the same in both
        assertThat(wrong.path("ceiling_quality").asDouble())
                .isCloseTo(right.path("ceiling_quality").asDouble(), within(1e-12));

        // a level's own figure is the report's (report --condition-columns c)
        ConditionReport report = new ConditionalFidelityEvaluator(50_000, 7, 2000, 10, 5,
                ConditionalFidelityEvaluator.MIN_ROWS).evaluate(TableReader.read(spark, real.toString(), null),
                TableReader.read(spark, synthetic.get("right"), null), List.of("c"), "test");
        ConditionReport.Entry r = report.entries().stream().filter(e -> e.values().get(0).equals("R")).findFirst()
                .orElseThrow();
        assertThat(right.path("quality").asDouble()).isCloseTo(r.scores().quality(), within(1e-9));
    }

    private static JsonNode level(ObjectNode out, String variant, String level) {
        for (JsonNode l : out.path("variants").path(variant).path("levels")) {
            if (l.path("level").asText().equals(level)) {
                return l;
            }
        }
        throw new AssertionError("no level " + level + " in " + variant);
    }
}
