package io.flowsynth.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.spark.SharedSparkSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extreme-value protection end to end (fit and sample through the CLI, default settings but a tiny flow): no
 * synthetic value beyond the k-th smallest / largest training value, no real top/bottom-k value reproduced, and no
 * such value in any file of the saved model.
 */
class ExtremeValueProtectionTest {
    private static final int K = 5; // flowsynth.privacy.extreme-k's default
    private static final int ROWS = 3000;
    private static final StructType SCHEMA = new StructType()
            .add("income", DataTypes.DoubleType)
            .add("size", DataTypes.DoubleType)
            .add("age", DataTypes.IntegerType)
            .add("price", DataTypes.createDecimalType(10, 2))
            .add("signup", DataTypes.DateType);

    @TempDir
    Path dir;

    static int cli(SparkSession spark, String... args) {
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return FlowsynthCli.execute(args, master -> spark, err);
    }

    static List<Row> table() {
        Random rng = new Random(24);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            double income = Math.rint(Math.exp(10.8 + 0.6 * rng.nextGaussian()) * 100) / 100;
            double size = Math.rint((1000 + 250 * rng.nextGaussian()) * 10) / 10;
            int age = (int) Math.max(18, Math.round(45 + 14 * rng.nextGaussian()));
            BigDecimal price = BigDecimal.valueOf(Math.round(Math.exp(3 + 0.5 * rng.nextGaussian()) * 100), 2);
            LocalDate day = LocalDate.of(2015, 1, 1).plusDays(rng.nextInt(3000));
            if (i < 3) {
                income = new double[]{9_880_000.0, 7_650_000.0, 5_430_000.0}[i];
                age = 104 + 3 * i;
                price = new BigDecimal("8765.43").add(BigDecimal.valueOf(i));
                day = LocalDate.of(2090 + i, 6, 1);
            }
            if (i == 3) {
                size = 11_111.1; // a data-entry error far beyond the 99.9th percentile
            }
            rows.add(RowFactory.create(income, size, age, price, Date.valueOf(day)));
        }
        return rows;
    }

    /** Column values as doubles (dates as epoch days). */
    static double[] column(List<Row> rows, int c) {
        return rows.stream().filter(r -> !r.isNullAt(c)).mapToDouble(r -> {
            Object v = r.get(c);
            if (v instanceof Date d) {
                return d.toLocalDate().toEpochDay();
            }
            return ((Number) v).doubleValue();
        }).sorted().toArray();
    }

    @Tag("slow")
    @Test
    void sampledValuesStayWithinTheKthExtremesAndTheModelFilesHoldNoRealExtreme() throws IOException {
        SparkSession spark = SharedSparkSession.get();
        List<Row> real = table();
        String input = dir.resolve("t.parquet").toString();
        spark.createDataFrame(real, SCHEMA).repartition(2).write().parquet(input);
        String model = dir.resolve("model").toString();
        assertThat(cli(spark, "fit", "--input", input, "--model", model,
                "--set", "flowsynth.flow.type=maf", "--set", "flowsynth.flow.layers=2",
                "--set", "flowsynth.flow.hidden-features=16", "--set", "flowsynth.train.epochs=2",
                "--set", "flowsynth.train.local-steps=5", "--set", "flowsynth.train.batch-size=256",
                "--set", "flowsynth.train.calibration-rows=20000")).isZero();
        String out = dir.resolve("synthetic").toString();
        assertThat(cli(spark, "sample", "--model", model, "--rows", "30000", "--output", out, "--partitions", "3",
                "--seed", "7", "--temperature", "1.3")).isZero();
        List<Row> synthetic = spark.read().parquet(out).select("income", "size", "age", "price", "signup")
                .collectAsList(); // 30,000 rows of a test

        Map<String, double[]> extremes = new HashMap<>();
        for (int c = 0; c < SCHEMA.size(); c++) {
            String name = SCHEMA.fields()[c].name();
            double[] r = column(real, c);
            double[] s = column(synthetic, c);
            assertThat(s[s.length - 1]).as("%s: synthetic max ≤ k-th largest real", name)
                    .isLessThanOrEqualTo(r[r.length - K]);
            assertThat(s[0]).as("%s: synthetic min ≥ k-th smallest real", name).isGreaterThanOrEqualTo(r[K - 1]);
            double[] top = new double[2 * K];
            for (int i = 0; i < K; i++) {
                top[i] = r[i];
                top[K + i] = r[r.length - 1 - i];
            }
            for (double v : top) {
                long held = Arrays.stream(r).filter(x -> x == v).count();
                if (held <= K) {
                    assertThat(Arrays.stream(s).filter(x -> x == v).count())
                            .as("%s: real extreme %s reproduced", name, v).isZero();
                }
            }
            extremes.put(name, top);
        }

        // no real extreme in any file of the model directory: as JSON text (double, integer, decimal and date forms)
        // or as the float32/float64 bytes of params.bin
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Path.of(model))) {
            // Hadoop's .crc files are checksums of the others: their bytes read as text give random digits
            // (a run once found "91" in .metadata.json.crc), and they hold nothing the checked files do not
            files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".crc"))
                    .toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("metadata.json", "params.bin");
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            if (f.getFileName().toString().equals("metadata.json")) {
                // the data-derived parts: encoders and calibration (training history, timings and config are
                // figures of the run, and a timing of 91 s is not a leak of an age of 91)
                com.fasterxml.jackson.databind.JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(bytes);
                text = meta.path("encoder").toString() + meta.path("calibration").toString()
                        + meta.path("source").toString();
                bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            }
            Set<Double> numbers = numbersIn(text);
            for (Map.Entry<String, double[]> e : extremes.entrySet()) {
                double[] r = column(real, List.of("income", "size", "age", "price", "signup").indexOf(e.getKey()));
                for (double v : e.getValue()) {
                    long held = Arrays.stream(r).filter(x -> x == v).count();
                    if (held > K) {
                        continue;
                    }
                    assertThat(numbers).as("%s holds %s's extreme %s", f.getFileName(), e.getKey(), v)
                            .doesNotContain(v);
                    if (e.getKey().equals("signup")) {
                        assertThat(text).doesNotContain(LocalDate.ofEpochDay((long) v).toString());
                    }
                    assertThat(indexOf(bytes, ByteBuffer.allocate(8).putDouble(v).array())).isNegative();
                    assertThat(indexOf(bytes, ByteBuffer.allocate(4).putFloat((float) v).array())).isNegative();
                }
            }
        }
    }

    /** Every number written in a text. */
    static Set<Double> numbersIn(String text) {
        Set<Double> out = new HashSet<>();
        for (String token : text.split("[^0-9.eE+\\-]+")) {
            try {
                out.add(Double.parseDouble(token));
            } catch (NumberFormatException notANumber) {
                // a word with an e in it
            }
        }
        return out;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
