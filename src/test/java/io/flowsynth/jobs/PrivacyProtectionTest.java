package io.flowsynth.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end through the CLI's {@code run} on a customer-like table: near-unique person names, emails, a diagnosis
 * code with 40 common values and 20 seen once, a unique id. No value seen fewer than k = 5 times reaches the synthetic
 * table or any file of the model directory; emails have distinct local parts; tiny tables are refused.
 */
class PrivacyProtectionTest {
    private static final String[] FIRST = {"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael",
        "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
        "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra",
        "Donald", "Ashley", "Steven", "Emily", "Paul", "Donna", "Andrew", "Michelle", "Joshua", "Carol", "Kevin",
        "Amanda"};
    private static final String[] LAST = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
        "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
        "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
        "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill",
        "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts"};
    private static final String[] WORDS = {"billing", "delivery", "refund", "invoice", "password", "upgrade"};
    private static final int K = 5;
    private static final int STRINGS = 6;
    private static final int ROWS = 2000;

    @TempDir
    static Path dir;
    static SparkSession spark;
    static String input;
    static List<Row> rows;

    @BeforeAll
    static void writeInput() {
        spark = SharedSparkSession.get();
        Random r = new Random(2024);
        rows = new ArrayList<>();
        String[] domains = {"gmail.com", "yahoo.com", "outlook.com", "acme-corp.com"};
        for (int i = 0; i < ROWS; i++) {
            String first = FIRST[r.nextInt(FIRST.length)];
            String last = LAST[r.nextInt(LAST.length)];
            String domain = i % 97 == 5 ? "solo-" + i + ".example.net" : domains[r.nextInt(domains.length)];
            String email = first.toLowerCase() + "." + last.toLowerCase() + (100 + r.nextInt(900)) + "@" + domain;
            String diagnosis = i < 20 ? String.format("Q%02d.%d", i, 7) : String.format("D%02d", r.nextInt(40));
            double amount = Math.exp(4 + r.nextGaussian());
            String note = "called about " + WORDS[r.nextInt(WORDS.length)] + " order " + (10_000 + r.nextInt(90_000))
                    + (r.nextBoolean() ? " today" : " again");
            String ref = Integer.toString(46_656 + r.nextInt(2_500), 36) + "-" + r.nextInt(10); // mostly rare codes
            rows.add(RowFactory.create(String.format("C%06d", i), first + " " + last, email, diagnosis, note, ref,
                    amount));
        }
        StructType schema = new StructType()
                .add("customer_id", DataTypes.StringType)
                .add("full_name", DataTypes.StringType)
                .add("email", DataTypes.StringType)
                .add("diagnosis", DataTypes.StringType)
                .add("note", DataTypes.StringType)
                .add("ref", DataTypes.StringType)
                .add("amount", DataTypes.DoubleType);
        input = dir.resolve("people.parquet").toString();
        spark.createDataFrame(rows, schema).repartition(2).write().parquet(input);
    }

    record Outcome(int code, String err) {
    }

    static Outcome cli(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = FlowsynthCli.execute(args, master -> spark, err);
        return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
    }

    /** Per string column: the input values seen fewer than k times. */
    static Map<Integer, Set<String>> rareValues() {
        Map<Integer, Set<String>> rare = new HashMap<>();
        for (int c = 0; c < STRINGS; c++) {
            Map<String, Integer> counts = new HashMap<>();
            for (Row row : rows) {
                counts.merge(row.getString(c), 1, Integer::sum);
            }
            Set<String> few = new HashSet<>();
            counts.forEach((v, n) -> {
                if (n < K) {
                    few.add(v);
                }
            });
            rare.put(c, few);
        }
        return rare;
    }

    @Tag("slow")
    @Test
    void noValueSeenFewerThanKTimesReachesTheSyntheticTableOrTheModelFiles() throws IOException {
        String out = dir.resolve("run").toString();
        Outcome o = cli("run", "--input", input, "--output", out, "--rows", "2000",
                "--set", "flowsynth.train.epochs=2", "--set", "flowsynth.flow.layers=2",
                "--set", "flowsynth.flow.hidden-features=16", "--set", "flowsynth.train.local-steps=5");
        assertThat(o.code()).as(o.err()).isZero();
        Map<Integer, Set<String>> rare = rareValues();
        assertThat(rare.get(1)).hasSizeGreaterThan(500); // near-unique names
        assertThat(rare.get(3)).hasSize(20);             // the once-seen codes

        List<Row> synthetic = spark.read().parquet(out + "/synthetic").collectAsList();
        assertThat(synthetic).hasSize(2000);
        Set<String> published = new HashSet<>();
        for (Row row : synthetic) {
            for (int c = 0; c < STRINGS; c++) {
                if (!row.isNullAt(c)) {
                    published.add(row.getString(c));
                }
            }
        }
        for (Set<String> values : rare.values()) {
            assertThat(published).doesNotContainAnyElementsOf(values);
        }

        String modelBytes;
        try (Stream<Path> files = Files.walk(Path.of(out, "model"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
            }
            modelBytes = all.toString();
        }
        for (Set<String> values : rare.values()) {
            for (String v : values) {
                assertThat(modelBytes).as("model files").doesNotContain(v);
            }
        }

        // emails: fresh and varied local parts, frequent real domains kept
        List<String> emails = synthetic.stream().filter(r -> !r.isNullAt(2)).map(r -> r.getString(2)).toList();
        Set<String> locals = new HashSet<>();
        Set<String> domains = new HashSet<>();
        for (String e : emails) {
            assertThat(e).matches("[a-z0-9._]+@[a-z0-9.-]+\\.[a-z]{2,}");
            locals.add(e.substring(0, e.indexOf('@')));
            domains.add(e.substring(e.indexOf('@') + 1));
        }
        assertThat(locals.size()).isGreaterThan((int) (0.9 * emails.size()));
        assertThat(domains).contains("gmail.com", "yahoo.com", "acme-corp.com");
        // names look like names; ids are fresh and unique
        assertThat(synthetic.get(0).getString(1)).matches("\\p{Lu}\\S+ \\p{Lu}\\S+");
        assertThat(synthetic.stream().map(r -> r.getString(0)).distinct().count()).isEqualTo(2000);

        JsonNode metadata = new ObjectMapper().readTree(Path.of(out, "model", "metadata.json").toFile());
        Map<String, JsonNode> byColumn = new HashMap<>();
        metadata.path("encoder").path("columns").forEach(c -> byColumn.put(c.path("column").asText(), c));
        assertThat(byColumn.get("full_name").path("kind").asText()).isEqualTo("person-name");
        assertThat(byColumn.get("email").path("kind").asText()).isEqualTo("email");
        assertThat(byColumn.get("customer_id").path("kind").asText()).isEqualTo("id");
        // free text (4+ words) and a code column with most rows in rare values: generated from the format model
        assertThat(byColumn.get("note").path("kind").asText()).isEqualTo("text");
        assertThat(byColumn.get("ref").path("kind").asText()).isEqualTo("text");
        // free text: a bag of the frequent words and word shapes (word order is not modelled)
        assertThat(synthetic.stream().filter(r -> r.getString(4).split(" ").length == 6).count()).isGreaterThan(1900);
        assertThat(synthetic.stream().filter(r -> r.getString(4).contains("called")).count()).isGreaterThan(1000);
        assertThat(synthetic.stream().filter(r -> r.getString(5).matches("[0-9a-z]{4}-[0-9]")).count())
                .isGreaterThan(1900);
        JsonNode diagnosis = byColumn.get("diagnosis");
        assertThat(diagnosis.path("kind").asText()).isEqualTo("categorical");
        assertThat(diagnosis.path("protected_min_count").asInt()).isEqualTo(K);
        // the once-seen codes that fell in the training rows (the holdout takes ~20 %)
        assertThat(diagnosis.path("protected_categories").asLong()).isBetween(10L, 20L);
        assertThat(diagnosis.path("protected_rows").asLong()).isEqualTo(diagnosis.path("protected_categories").asLong());
        // the common codes are all kept and published
        long commonPublished = published.stream().filter(v -> v.matches("D[0-9]{2}")).count();
        assertThat(commonPublished).isEqualTo(40);
    }

    @Test
    void tablesOfOneAndTwentyRowsAreRefusedWithExitTwoNamingTheSetting() {
        for (int n : new int[]{1, 20}) {
            String small = dir.resolve("small" + n + ".parquet").toString();
            spark.createDataFrame(rows.subList(0, n), spark.read().parquet(input).schema()).write().parquet(small);
            Outcome fit = cli("fit", "--input", small, "--model", dir.resolve("m" + n).toString());
            assertThat(fit.code()).isEqualTo(2);
            assertThat(fit.err()).contains("flowsynth.fit.min-rows").contains(n + " rows");
            Outcome run = cli("run", "--input", small, "--output", dir.resolve("r" + n).toString());
            assertThat(run.code()).isEqualTo(2);
            assertThat(run.err()).contains("flowsynth.fit.min-rows");
        }
    }

    @Test
    void rareCategoryProtectionBelowTwoIsRefusedUnlessSwitchedOff() {
        Outcome o = cli("fit", "--input", input, "--model", dir.resolve("k1").toString(),
                "--set", "flowsynth.privacy.min-category-count=1");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("flowsynth.privacy.min-category-count")
                .contains("flowsynth.privacy.protect-rare-categories=false");
    }
}
