package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.fidelity.ConditionReport;
import io.flowsynth.spark.demo.DemoTables;
import io.flowsynth.spark.fidelity.FidelityEvaluator;
import io.flowsynth.spark.pipeline.ReportPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * {@code jobs/bench.sh condition-report}: what per-condition fidelity adds to {@code report}. Two demo loans tables
 * of ROWS rows (seeds 1 and 2: a real/synthetic pair that needs no model) are cached; then, interleaved RUNS times in
 * one JVM on the same cached inputs, per context-column set: the whole report (fidelity, privacy, attacks; no model)
 * without and with the section, and the section's own time (its grouped pass on the report's cached samples) against
 * the naive way — one {@link FidelityEvaluator} per named context value on that value's rows. Medians and ratios go
 * to OUT.json.
 * Arguments: {@code OUT.json ROWS RUNS}.
 */
public final class ConditionReportBench {
    private static final List<List<String>> CONTEXTS = List.of(List.of("region"), List.of("region", "term_months"),
            List.of("annual_income"));

    private ConditionReportBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[1]);
        int runs = Integer.parseInt(args[2]);
        SparkSession spark = SparkSession.builder().master(System.getenv().getOrDefault("FLOWSYNTH_MASTER", "local[1]"))
                .appName("condition-report-bench").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> real = DemoTables.generate(spark, "loans", rows, 1, 2).cache();
            Dataset<Row> synthetic = DemoTables.generate(spark, "loans", rows, 2, 2).cache();
            real.count();
            synthetic.count();
            int maxRows = ConfigKeys.REPORT_MAX_ROWS_DEFAULT;
            ReportPipeline.Options plain = new ReportPipeline.Options(maxRows, ConfigKeys.REPORT_PRIVACY_ROWS_DEFAULT,
                    7, ConfigKeys.REPORT_ATTACK_TARGETS_DEFAULT, ConfigKeys.REPORT_MAX_PAIRS_DEFAULT);
            ArrayNode results = JsonNodeFactory.instance.arrayNode();
            for (List<String> columns : CONTEXTS) {
                ReportPipeline.Options with = plain.withConditions(new ReportPipeline.Conditions(columns, "bench",
                        ConfigKeys.REPORT_CONDITION_TOP_DEFAULT, ConfigKeys.PRIVACY_MIN_CATEGORY_COUNT_DEFAULT));
                double[] without = new double[runs];
                double[] withSection = new double[runs];
                double[] section = new double[runs];
                double[] naive = new double[runs];
                ConditionReport last = null;
                for (int r = 0; r < runs; r++) {
                    long t = System.nanoTime();
                    ReportPipeline.evaluate(spark, real, null, synthetic, null, plain, null);
                    without[r] = BenchStats.seconds(t);
                    t = System.nanoTime();
                    ObjectNode json = ReportPipeline.evaluate(spark, real, null, synthetic, null, with, null);
                    withSection[r] = BenchStats.seconds(t);
                    // the section (grouped pass on the report's cached samples) vs one evaluator per named value
                    section[r] = json.path(ConditionReport.KEY).path("seconds").asDouble();
                    last = ConditionReport.fromJson(json.path(ConditionReport.KEY));
                    t = System.nanoTime();
                    naive(real, synthetic, columns, last);
                    naive[r] = BenchStats.seconds(t);
                    System.out.printf(Locale.ROOT, "%s run %d: report %.1f s without, %.1f s with (section %.1f s); "
                                    + "one evaluator per named value instead of the section %.1f s%n", columns, r + 1,
                            without[r], withSection[r], section[r], naive[r]);
                }
                ObjectNode o = results.addObject();
                ArrayNode cols = o.putArray("columns");
                columns.forEach(cols::add);
                o.put("named_values", last.entries().size());
                o.put("report_seconds_without", BenchStats.median(without));
                o.put("report_seconds_with", BenchStats.median(withSection));
                o.put("with_over_without", BenchStats.median(withSection) / BenchStats.median(without));
                o.put("section_seconds", BenchStats.median(section));
                o.put("one_evaluator_per_value_seconds", BenchStats.median(naive));
                o.put("per_value_over_section", BenchStats.median(naive) / BenchStats.median(section));
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("rows_per_side", rows);
            out.put("runs", runs);
            out.put("master", spark.sparkContext().master());
            out.put("note", "medians of interleaved runs in one JVM on cached demo loans tables (seeds 1, 2); "
                    + "report = ReportPipeline.evaluate without a model (fidelity, privacy, attacks)");
            out.set("results", results);
            Files.writeString(Path.of(args[0]), new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(out) + "\n");
        } finally {
            spark.stop();
        }
    }

    /** The naive per-condition fidelity: one full evaluation per named context value, on that value's rows. */
    private static void naive(Dataset<Row> real, Dataset<Row> synthetic, List<String> columns, ConditionReport named) {
        for (ConditionReport.Entry e : named.entries()) {
            Column match = functions.lit(true);
            for (int j = 0; j < columns.size(); j++) {
                String v = e.values().get(j);
                Column c = functions.col(columns.get(j));
                if (v == null) {
                    match = match.and(c.isNull());
                } else if (v.startsWith("<") || v.startsWith("[") || v.startsWith("≥")) {
                    double[] range = range(v);
                    match = match.and(c.geq(range[0]).and(c.lt(range[1])));
                } else {
                    match = match.and(c.cast("string").equalTo(v));
                }
            }
            new FidelityEvaluator(ConfigKeys.REPORT_MAX_ROWS_DEFAULT, 7, ConfigKeys.REPORT_MAX_PAIRS_DEFAULT)
                    .evaluate(real.where(match).drop(columns.toArray(new String[0])),
                            synthetic.where(match).drop(columns.toArray(new String[0])));
        }
    }

    private static double[] range(String label) {
        if (label.startsWith("< ")) {
            return new double[]{Double.NEGATIVE_INFINITY, Double.parseDouble(label.substring(2))};
        }
        if (label.startsWith("≥ ")) {
            return new double[]{Double.parseDouble(label.substring(2)), Double.POSITIVE_INFINITY};
        }
        String[] parts = label.substring(1, label.length() - 1).split(", ");
        return new double[]{Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    }


}
