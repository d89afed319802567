package io.flowsynth.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.flow.FlowType;
import io.flowsynth.spark.demo.ToyDensities;
import io.flowsynth.spark.score.ScorePipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The density benchmark ({@code jobs/bench.sh density}): for each flow type and 2-d toy density
 * ({@link ToyDensities}) it writes a training and a held-out table as Parquet, runs {@code flowsynth fit} and
 * {@code flowsynth score} exactly as a user would (same CLI code, one Spark session), and reports the held-out NLL
 * (−mean log_prob), its gap to the true density's NLL on the same rows, fit time and training/scoring rows per second.
 * Writes {@code <out>/density.json} and {@code <out>/density.txt}.
 *
 * <p>Options: {@code --out DIR} (target/bench), {@code --rows N} (20000 training rows), {@code --test-rows N}
 * (10000), {@code --epochs E} (20), {@code --types realnvp,maf,spline,linear}, {@code --datasets …}, and any
 * {@code --set key=value} passed on to every fit.
 */
public final class DensityBench {
    private DensityBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of("target/bench");
        int rows = 20_000;
        int testRows = 10_000;
        int epochs = 20;
        List<String> types = Arrays.stream(FlowType.values()).map(FlowType::id).toList();
        List<String> datasets = ToyDensities.NAMES;
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--out" -> out = Path.of(v);
                case "--rows" -> rows = Integer.parseInt(v);
                case "--test-rows" -> testRows = Integer.parseInt(v);
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--types" -> types = Arrays.asList(v.split(","));
                case "--datasets" -> datasets = Arrays.asList(v.split(","));
                case "--set" -> sets.add(v);
                default -> throw new IllegalArgumentException("Unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("flowsynth-bench");
        SparkSession spark = FlowsynthCli.sparkSession(System.getenv("FLOWSYNTH_MASTER"));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode doc = json.createObjectNode();
        doc.put("train_rows", rows);
        doc.put("test_rows", testRows);
        doc.put("epochs", epochs);
        ArrayNode results = doc.putArray("results");
        StringBuilder table = new StringBuilder(String.format("%-8s %-16s %10s %10s %8s %9s %11s %11s%n", "flow",
                "dataset", "NLL", "optimum", "gap", "fit s", "train r/s", "score r/s"));
        for (String data : datasets) {
            String train = work.resolve(data + "-train.parquet").toString();
            String test = work.resolve(data + "-test.parquet").toString();
            ToyDensities.generate(spark, data, rows, 1, null).write().parquet(train);
            double[] optimum = new double[1];
            ToyDensities.generate(spark, data, testRows, 2, optimum).write().parquet(test);
            for (String type : types) {
                String model = work.resolve(data + "-" + type + "-model").toString();
                String scored = work.resolve(data + "-" + type + "-scored").toString();
                List<String> fit = new ArrayList<>(List.of("fit", "--input", train, "--model", model,
                        "--set", "flowsynth.flow.type=" + type, "--set", "flowsynth.train.epochs=" + epochs));
                for (String s : sets) {
                    fit.add("--set");
                    fit.add(s);
                }
                long t0 = System.nanoTime();
                run(spark, fit);
                double fitSeconds = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                run(spark, List.of("score", "--model", model, "--input", test, "--output", scored));
                double scoreSeconds = (System.nanoTime() - t1) / 1e9;
                Row agg = spark.read().parquet(scored).agg(functions.avg(ScorePipeline.LOG_PROB),
                        functions.count(functions.col(ScorePipeline.LOG_PROB))).first();
                double nll = -agg.getDouble(0);
                JsonNode training = json.readTree(Path.of(model, "metadata.json").toFile()).path("training");
                ObjectNode r = results.addObject();
                r.put("flow", type);
                r.put("dataset", data);
                r.put("heldout_nll", nll);
                r.put("optimum_nll", optimum[0]);
                r.put("gap", nll - optimum[0]);
                r.put("scored_rows", agg.getLong(1));
                r.put("fit_seconds", fitSeconds);
                r.put("train_rows_per_second", training.path("rows_per_second").asDouble());
                r.put("best_validation_nll_encoded", training.path("best_validation_nll").asDouble());
                r.put("score_seconds", scoreSeconds);
                r.put("score_rows_per_second", testRows / scoreSeconds);
                table.append(String.format("%-8s %-16s %10.4f %10.4f %8.4f %9.1f %11.0f %11.0f%n", type, data, nll,
                        optimum[0], nll - optimum[0], fitSeconds, training.path("rows_per_second").asDouble(),
                        testRows / scoreSeconds));
                System.err.print(table);
                Files.writeString(out.resolve("density.json"), json.writeValueAsString(doc));
                Files.writeString(out.resolve("density.txt"), table.toString());
            }
        }
        System.out.print(table);
        spark.stop();
    }

    private static void run(SparkSession spark, List<String> args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FlowsynthCli.execute(args.toArray(new String[0]), master -> spark,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("flowsynth " + String.join(" ", args) + " failed (" + code + "): "
                    + err.toString(StandardCharsets.UTF_8));
        }
    }
}
