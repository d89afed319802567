package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.sample.SyntheticSampler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 21's canary: a table with one extreme inserted row (an extreme number and a name seen once), fitted with
 * {@code flowsynth.privacy.epsilon=1}. Neither value appears in any file of the saved model (as text, nor as the
 * float or double bytes of the number), and no sampled row comes near the number or carries the name.
 */
class PrivacyCanaryTest {
    private static final double CANARY = 987_654.321;
    private static final String NAME = "Canary-Ezekiel";

    @Test
    void theCanaryRowReachesNeitherTheModelFilesNorTheSamples(@TempDir Path dir) throws Exception {
        SparkSession spark = SharedSparkSession.get();
        Random r = new Random(21);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            boolean canary = i == 1234;
            rows.add(RowFactory.create(canary ? CANARY : 50 + 10 * r.nextGaussian(),
                    canary ? NAME : i % 3 == 0 ? "north" : "south", 20 + r.nextInt(50)));
        }
        Dataset<Row> table = spark.createDataFrame(rows, new StructType().add("x", DataTypes.DoubleType)
                .add("region", DataTypes.StringType).add("age", DataTypes.IntegerType)).repartition(2);
        // the other protections (extreme-value, rare-category) are off: differential privacy alone hides the canary
        Map<String, String> settings = new HashMap<>(Map.of("flowsynth.privacy.extreme-k", "0",
                "flowsynth.privacy.protect-rare-categories", "false",
                "flowsynth.train.steps", "10", "flowsynth.train.local-steps", "5", "flowsynth.train.batch-size", "64",
                "flowsynth.flow.layers", "1", "flowsynth.train.calibration-knots", "0"));
        // control: without DP the same settings store both canary values, and the search finds them
        FlowsynthModel plain = FitPipeline.fit(spark, table, ConfigResolver.resolve(null, null, null, settings));
        Path control = dir.resolve("control");
        plain.save(control.toString(), false, spark.sparkContext().hadoopConfiguration());
        assertThat(found(control)).contains(NAME, "987654");

        settings.put("flowsynth.privacy.epsilon", "1");
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null, settings);
        FlowsynthModel model = FitPipeline.fit(spark, table, c);
        Path saved = dir.resolve("model");
        model.save(saved.toString(), false, spark.sparkContext().hadoopConfiguration());
        assertThat(found(saved)).isEmpty();

        JsonNode meta = new ObjectMapper().readTree(saved.resolve(FlowsynthModel.METADATA).toFile());
        assertThat(meta.path("privacy").path("releases").size()).isGreaterThanOrEqualTo(4);
        assertThat(meta.path("source").path("rows").asLong()).isEqualTo(meta.path("privacy").path("released_rows")
                .asLong());

        Dataset<Row> synthetic = new SyntheticSampler(1024).sample(spark, model, 5000, 3, 2, false);
        // (the noisy NaN and ±∞ counts are floored, but may survive with probability 1e-3: finite values only)
        double top = synthetic.where(not(isnan(col("x"))).and(col("x").lt(lit(Double.POSITIVE_INFINITY))))
                .agg(max(col("x"))).first().getDouble(0);
        assertThat(top).isLessThan(1000.0); // the DP range of x is a power of two above the bulk (50 ± 10)
        assertThat(synthetic.where(col("region").equalTo(NAME)).count()).isZero();
    }

    /** Which canary needles (the name, the number as text, float and double bytes) some file of a model holds. */
    private static List<String> found(Path model) throws java.io.IOException {
        Map<String, byte[]> needles = Map.of(NAME, NAME.getBytes(StandardCharsets.UTF_8),
                "987654", "987654".getBytes(StandardCharsets.UTF_8),
                "9.87654", "9.87654".getBytes(StandardCharsets.UTF_8),
                "float", ByteBuffer.allocate(4).putFloat((float) CANARY).array(),
                "double", ByteBuffer.allocate(8).putDouble(CANARY).array());
        List<String> out = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(model)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                files++;
                needles.forEach((what, needle) -> {
                    if (indexOf(bytes, needle) >= 0) {
                        out.add(what);
                    }
                });
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(2);
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
