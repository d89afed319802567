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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain sampling of a model conditioned on two categorical columns draws their levels together from the stored
 * joint: a country only with its own region, in the real shares, and a combination seen in fewer than the
 * rare-category threshold's rows never (the model does not name it).
 */
class ContextJointSamplingTest {
    @TempDir
    Path dir;

    /** region, country (four combinations of 197-900 rows and one of 3) and x, as Parquet. */
    private String input() {
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType(new StructField[]{
            DataTypes.createStructField("region", DataTypes.StringType, false),
            DataTypes.createStructField("country", DataTypes.StringType, false),
            DataTypes.createStructField("x", DataTypes.DoubleType, false)});
        Random r = new Random(3);
        List<Row> rows = new ArrayList<>();
        String[][] combos = {{"EU", "FR"}, {"EU", "DE"}, {"US", "NY"}, {"US", "CA"}};
        int[] counts = {900, 600, 300, 197};
        for (int k = 0; k < combos.length; k++) {
            for (int i = 0; i < counts[k]; i++) {
                rows.add(RowFactory.create(combos[k][0], combos[k][1], k + r.nextGaussian() * 0.3));
            }
        }
        for (int i = 0; i < 3; i++) { // a combination of kept levels seen 3 times: below the threshold of 5
            rows.add(RowFactory.create("US", "FR", r.nextGaussian()));
        }
        String input = dir.resolve("input.parquet").toString();
        spark.createDataFrame(rows, schema).repartition(2).write().parquet(input);
        return input;
    }

    @Test
    void twoContextColumnsAreDrawnTogetherAndARareCombinationNever() throws Exception {
        SparkSession spark = SharedSparkSession.get();
        String input = input();
        String model = dir.resolve("model").toString();
        assertThat(cli("fit", "--input", input, "--model", model, "--set", "flowsynth.condition.columns=region,country",
                "--set", "flowsynth.train.steps=100")).isZero();
        JsonNode encoder = new ObjectMapper().readTree(Files.readString(Path.of(model, "metadata.json")))
                .path("encoder");
        assertThat(encoder.path("context_joint").path("counts").size()).as("combinations stored").isEqualTo(4);
        String out = dir.resolve("synthetic").toString();
        assertThat(cli("sample", "--model", model, "--rows", "8000", "--output", out, "--seed", "2")).isZero();
        Dataset<Row> synth = spark.read().parquet(out);
        List<Row> seen = synth.groupBy("region", "country").count().orderBy("region", "country").collectAsList();
        assertThat(seen).extracting(row -> row.getString(0) + "/" + row.getString(1))
                .containsExactly("EU/DE", "EU/FR", "US/CA", "US/NY");
        double total = 8000;
        assertThat(seen.get(1).getLong(2) / total).as("EU/FR share").isBetween(0.42, 0.48);
        assertThat(seen.get(2).getLong(2) / total).as("US/CA share").isBetween(0.08, 0.12);
        assertThat(synth.filter(functions.col("region").equalTo("US")).count() / total).isBetween(0.22, 0.28);
    }

    @Test
    void anAutomaticContextTakesItsJointFromTheChoicesCountsAndIsUsedAsAnUnconditionalModel() throws Exception {
        String input = input();
        // by default the country determines the region (Goodman–Kruskal λ = 1): the region is encoded within the
        // country's block, and the country alone is the context
        String functional = dir.resolve("auto-functional").toString();
        assertThat(cli("fit", "--input", input, "--model", functional, "--set", "flowsynth.train.steps=20")).isZero();
        JsonNode fm = new ObjectMapper().readTree(Files.readString(Path.of(functional, "metadata.json")));
        assertThat(fm.path("automatic_context_columns")).extracting(JsonNode::asText).containsExactly("country");
        JsonNode region = fm.path("encoder").path("columns").findParents("column").stream()
                .filter(c -> c.path("column").asText().equals("region")).findFirst().orElseThrow();
        assertThat(region.path("within_parent").asBoolean()).isTrue();
        assertThat(region.path("ordered_by").asText()).isEqualTo("country");
        assertThat(fm.path("format_version").asInt()).isEqualTo(3);
        String sampled = dir.resolve("functional-sample").toString();
        assertThat(cli("sample", "--model", functional, "--rows", "2000", "--output", sampled, "--seed", "4")).isZero();
        assertThat(SharedSparkSession.get().read().parquet(sampled).groupBy("region", "country").count()
                .collectAsList()).extracting(row -> row.getString(0) + "/" + row.getString(1))
                .as("every country under its own region").containsExactlyInAnyOrder("EU/DE", "EU/FR", "US/CA", "US/NY");
        // without splitting, the region stays a plain column and joins the context
        String model = dir.resolve("auto").toString();
        assertThat(cli("fit", "--input", input, "--model", model, "--set", "flowsynth.train.steps=20",
                "--set", "flowsynth.encode.split-nested=false")).isZero();
        JsonNode meta = new ObjectMapper().readTree(Files.readString(Path.of(model, "metadata.json")));
        assertThat(meta.path("automatic_context_columns")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("region", "country"); // ranked by what they explain of the rest
        assertThat(meta.has("condition_columns")).isFalse();
        assertThat(meta.path("encoder").path("context_auto").asBoolean()).isTrue();
        // the joint comes from the choice's own count, cut to the chosen columns: the 3-row combination is left out
        assertThat(meta.path("encoder").path("context_joint").path("counts")).extracting(JsonNode::asLong)
                .containsExactlyInAnyOrder(900L, 600L, 300L, 197L);
        assertThat(cli("sample", "--model", model, "--rows", "10", "--where", "region = 'EU', country = 'FR'",
                "--output", dir.resolve("where").toString())).as("no conditions on an automatic context").isEqualTo(2);
        // plain sampling draws the combinations stratified (flowsynth.sample.stratify-context): 1,997 rows over 4
        // partitions hold each stored count give or take 3 rows (independent draws scatter by 10–22)
        assertThat(combinationCounts(model, "stratified")).containsOnlyKeys("EU/FR", "EU/DE", "US/NY", "US/CA")
                .allSatisfy((combo, n) -> assertThat(n).as(combo).isCloseTo(stored(combo),
                        org.assertj.core.data.Offset.offset(3L)));
        String independent = dir.resolve("auto-independent").toString();
        assertThat(cli("fit", "--input", input, "--model", independent, "--set", "flowsynth.train.steps=20",
                "--set", "flowsynth.encode.split-nested=false", "--set", "flowsynth.sample.stratify-context=false"))
                .isZero();
        java.util.Map<String, Long> scattered = combinationCounts(independent, "independent");
        assertThat(scattered.entrySet()).as("independent draws: some count more than 3 rows off")
                .anySatisfy(e -> assertThat(Math.abs(e.getValue() - stored(e.getKey()))).isGreaterThan(3L));
    }

    private static long stored(String combo) {
        return switch (combo) {
            case "EU/FR" -> 900L;
            case "EU/DE" -> 600L;
            case "US/NY" -> 300L;
            default -> 197L;
        };
    }

    /** The (region, country) counts of 1,997 rows sampled from a model in 4 partitions. */
    private java.util.Map<String, Long> combinationCounts(String model, String name) {
        String out = dir.resolve("counts-" + name).toString();
        assertThat(cli("sample", "--model", model, "--rows", "1997", "--partitions", "4", "--output", out,
                "--seed", "11")).isZero();
        java.util.Map<String, Long> counts = new java.util.HashMap<>();
        for (Row row : SharedSparkSession.get().read().parquet(out).groupBy("region", "country").count()
                .collectAsList()) {
            counts.put(row.getString(0) + "/" + row.getString(1), row.getLong(2));
        }
        return counts;
    }

    @Test
    void aColumnTooRareWithTheWholeJointIsDrawnGivenOneOfItsColumns() throws Exception {
        // 1,000 rows: a (2 levels); b (5 levels) depends on a (shares 40/30/15/10/5 % under a0, the reverse under
        // a1); c follows a (c = a in 96 % of rows), the other 4 % spread over ten (a, b, c) combinations of 4 rows
        // (rare at k = 5: too many for the joint) but two (a, c) pairs of 20 rows; x depends on all three
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType(new StructField[]{
            DataTypes.createStructField("a", DataTypes.StringType, false),
            DataTypes.createStructField("b", DataTypes.StringType, false),
            DataTypes.createStructField("c", DataTypes.StringType, false),
            DataTypes.createStructField("x", DataTypes.DoubleType, false)});
        Random r = new Random(6);
        List<Row> rows = new ArrayList<>();
        int[] shares = {200, 150, 75, 50, 25};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 5; j++) {
                int cell = shares[i == 0 ? j : 4 - j];
                for (int n = 0; n < cell; n++) {
                    int c = n < cell - 4 ? i : 1 - i;
                    rows.add(RowFactory.create("a" + i, "b" + j, "c" + c, 3.0 * i + j + 2.0 * c + r.nextGaussian()));
                }
            }
        }
        String input = dir.resolve("child.parquet").toString();
        spark.createDataFrame(rows, schema).repartition(2).write().parquet(input);
        String model = dir.resolve("child-model").toString();
        assertThat(cli("fit", "--input", input, "--model", model, "--set", "flowsynth.train.steps=20",
                "--set", "flowsynth.encode.split-nested=false")).isZero();
        JsonNode meta = new ObjectMapper().readTree(Files.readString(Path.of(model, "metadata.json")));
        assertThat(meta.path("automatic_context_columns")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("a", "b", "c");
        JsonNode joint = meta.path("encoder").path("context_joint");
        assertThat(joint.path("columns").size()).isEqualTo(2);
        assertThat(joint.path("children").size()).isEqualTo(1);
        // whichever two columns lead (ranked by what they explain of x), the third one's (a, b, c) combinations are
        // too rare for the joint, and its pairs with one it depends on are all common: it is that one's child
        long pairRows = 0;
        for (JsonNode n : joint.path("children").get(0).path("counts")) {
            pairRows += n.asLong();
        }
        assertThat(pairRows).as("every row in a stored pair").isEqualTo(1000L);
        String out = dir.resolve("child-sample").toString();
        assertThat(cli("sample", "--model", model, "--rows", "4000", "--output", out, "--seed", "3")).isZero();
        Dataset<Row> synth = spark.read().parquet(out);
        long same = synth.filter(functions.expr("substring(a, 2) = substring(c, 2)")).count();
        assertThat(same / 4000.0).as("c follows a as in the real rows").isBetween(0.94, 0.98);
        // without children the third column is no context column
        String plain = dir.resolve("no-child-model").toString();
        assertThat(cli("fit", "--input", input, "--model", plain, "--set", "flowsynth.train.steps=20",
                "--set", "flowsynth.encode.split-nested=false", "--set", "flowsynth.condition.auto-children=false"))
                .isZero();
        JsonNode plainMeta = new ObjectMapper().readTree(Files.readString(Path.of(plain, "metadata.json")));
        assertThat(plainMeta.path("automatic_context_columns").size()).isEqualTo(2);
        assertThat(plainMeta.path("encoder").path("context_joint").has("children")).isFalse();
    }

    @Test
    void aFitLaysACategoricalOutInTheOrderOfTheNumberItExplainsUnlessSwitchedOff() throws Exception {
        // material: m0 most frequent with x about 2, m1 with x about 6, m2 (rarest) with x about -2; by frequency
        // m0, m1, m2, by their mean x m2, m0, m1
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType(new StructField[]{
            DataTypes.createStructField("material", DataTypes.StringType, false),
            DataTypes.createStructField("x", DataTypes.DoubleType, false)});
        Random r = new Random(4);
        List<Row> rows = new ArrayList<>();
        String[] materials = {"m0", "m1", "m2"};
        int[] counts = {500, 300, 200};
        double[] means = {2, 6, -2};
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < counts[k]; i++) {
                rows.add(RowFactory.create(materials[k], means[k] + r.nextGaussian()));
            }
        }
        String input = dir.resolve("materials.parquet").toString();
        spark.createDataFrame(rows, schema).repartition(2).write().parquet(input);
        for (boolean on : new boolean[]{true, false}) {
            String model = dir.resolve("order-" + on).toString();
            assertThat(cli("fit", "--input", input, "--model", model, "--set", "flowsynth.train.steps=10",
                    "--set", "flowsynth.condition.auto=false",
                    "--set", "flowsynth.encode.order-categories=" + on)).isZero();
            JsonNode material = new ObjectMapper().readTree(Files.readString(Path.of(model, "metadata.json")))
                    .path("encoder").path("columns").get(0);
            assertThat(material.path("column").asText()).isEqualTo("material");
            List<String> order = new ArrayList<>();
            material.path("categories").forEach(c -> order.add(c.path("value").asText()));
            if (on) {
                assertThat(order).containsExactly("m2", "m0", "m1");
                assertThat(material.path("ordered_by").asText()).isEqualTo("x");
            } else {
                assertThat(order).containsExactly("m0", "m1", "m2");
                assertThat(material.has("ordered_by")).isFalse();
            }
        }
    }

    private static int cli(String... args) {
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return FlowsynthCli.execute(args, master -> SharedSparkSession.get(), err);
    }
}
