package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.fidelity.ConditionReport;
import io.flowsynth.spark.fidelity.ConditionalFidelityEvaluator;
import io.flowsynth.spark.fidelity.FidelityEvaluator;
import io.flowsynth.spark.io.TableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;

/**
 * {@code jobs/bench.sh conditional-real}: per-level quality of a conditional model on a real table, read at matched
 * sample sizes. A level's quality compares its synthetic rows against its own real rows, so a rare level (30 real
 * rows) is scored against a noisy reference and scores lower even for a perfect model. For every rare level R (real
 * share under {@code FREQUENT_SHARE}) and every frequent level F, over {@code DRAWS} seeded draws:
 * <ul>
 *   <li><b>matched</b>: F's quality with F's real rows subsampled to R's real count and F's synthetic rows to R's
 *       synthetic count — what the model's fit of F scores under R's measurement noise;</li>
 *   <li><b>ceiling</b>: F's real rows split into a reference of R's real count and, disjoint from it, a "synthetic"
 *       side of R's synthetic count (fewer if F has too few rows) — what a perfect model scores at R's sizes.</li>
 * </ul>
 * {@code gap} = mean over F of the matched quality − R's quality (the target: ≤ 0.02): both figures carry the
 * same sampling noise, so what is left is how much worse the model fits R than the frequent levels. Every figure is
 * computed by the report's per-condition evaluator ({@link ConditionalFidelityEvaluator}) in one grouped pass per
 * synthetic table, on the same columns (the table's columns but COLUMN), so a level's own figure equals
 * {@code report --condition-columns COLUMN}'s. The real table is read as {@code report} reads it. Real-side draws use
 * the same seeds for every synthetic table, so variants are compared on the same subsamples.
 * Arguments: {@code OUT.json REAL COLUMN DRAWS SEED NAME=SYNTHETIC...}; environment {@code FREQUENT_SHARE} (default
 * 0.1).
 */
public final class ConditionalRealBench {
    private static final String GROUP = "__level_draw";
    private static final String MISSING = "(missing)";

    private ConditionalRealBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Map<String, String> synthetic = new LinkedHashMap<>();
        for (int a = 5; a < args.length; a++) {
            synthetic.put(args[a].substring(0, args[a].indexOf('=')), args[a].substring(args[a].indexOf('=') + 1));
        }
        double frequentShare = Double.parseDouble(System.getenv().getOrDefault("FREQUENT_SHARE", "0.1"));
        SparkSession spark = SparkSession.builder().master(System.getenv().getOrDefault("FLOWSYNTH_MASTER", "local[1]"))
                .appName("conditional-real-bench").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            ObjectNode root = run(spark, args[1], args[2], synthetic, Integer.parseInt(args[3]),
                    Long.parseLong(args[4]), frequentShare);
            Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root)
                    + "\n");
        } finally {
            spark.stop();
        }
    }

    /**
     * The bench's JSON for the real table at {@code realPath} and each named synthetic table (read as {@code report}
     * reads them; the synthetic columns cast to the real table's types).
     *
     * @param draws         seeded subsample draws per (frequent level, rare level)
     * @param frequentShare a level holding at least this share of the real rows is a frequent one
     */
    public static ObjectNode run(SparkSession spark, String realPath, String column, Map<String, String> synthetic,
                                 int draws, long seed, double frequentShare) {
        Dataset<Row> realTable = TableReader.read(spark, realPath, null);
        StructType schema = realTable.schema();
        Map<String, List<Row>> real = byLevel(realTable, column);
        long realTotal = real.values().stream().mapToLong(List::size).sum();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("real", realPath);
        root.put("column", column);
        root.put("draws", draws);
        root.put("seed", seed);
        root.put("frequent_share", frequentShare);
        root.put("note", "gap = mean over frequent levels F of F's quality with F's real and synthetic rows "
                + "subsampled to the level's counts (mean of draws) - the level's quality; ceiling = F's real "
                + "rows split into a reference and a disjoint 'synthetic' side of the level's counts; target: "
                + "gap <= 0.02 for every rare level");
        ObjectNode variants = root.putObject("variants");
        for (Map.Entry<String, String> v : synthetic.entrySet()) {
            Dataset<Row> table = TableReader.read(spark, v.getValue(), null);
            table = table.select(java.util.Arrays.stream(schema.fields())
                    .map(f -> col(f.name()).cast(f.dataType()).as(f.name())).toArray(Column[]::new));
            variants.set(v.getKey(), evaluate(spark, schema, column, real, realTotal, byLevel(table, column), draws,
                    seed, frequentShare, v.getKey()));
        }
        return root;
    }

    /** Rows by the context column's value as text (bench-sized tables: collected on the driver). */
    private static Map<String, List<Row>> byLevel(Dataset<Row> table, String column) {
        int index = table.schema().fieldIndex(column);
        Map<String, List<Row>> out = new LinkedHashMap<>();
        for (Row r : table.collectAsList()) {
            String level = r.isNullAt(index) ? MISSING : String.valueOf(r.get(index));
            out.computeIfAbsent(level, k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    private static ObjectNode evaluate(SparkSession spark, StructType schema, String column,
                                       Map<String, List<Row>> real, long realTotal, Map<String, List<Row>> syn,
                                       int draws, long seed, double frequentShare, String variant) {
        int minRows = ConditionalFidelityEvaluator.MIN_ROWS;
        List<String> scored = new ArrayList<>();
        List<String> frequent = new ArrayList<>();
        for (Map.Entry<String, List<Row>> e : real.entrySet()) {
            int r = e.getValue().size();
            int y = syn.getOrDefault(e.getKey(), List.of()).size();
            if (r >= minRows && y >= minRows && !MISSING.equals(e.getKey())) {
                scored.add(e.getKey());
                if (r >= frequentShare * realTotal) {
                    frequent.add(e.getKey());
                }
            }
        }
        List<String> rare = scored.stream().filter(l -> !frequent.contains(l)).toList();
        int index = schema.fieldIndex(column);
        List<Row> realRows = new ArrayList<>();
        List<Row> synRows = new ArrayList<>();
        for (String level : scored) { // each level's own figure (as the report gives it)
            real.get(level).forEach(r -> realRows.add(relabel(r, index, level)));
            syn.get(level).forEach(r -> synRows.add(relabel(r, index, level)));
        }
        for (String f : frequent) {
            List<Row> fr = real.get(f);
            List<Row> fy = syn.get(f);
            for (String r : rare) {
                int nr = real.get(r).size();
                int ny = syn.get(r).size();
                for (int d = 0; d < draws; d++) {
                    String m = "matched|" + f + "|" + r + "|" + d;
                    List<Row> ref = shuffled(fr, seed, "real", f, r, d);
                    ref.subList(0, nr).forEach(x -> realRows.add(relabel(x, index, m)));
                    shuffled(fy, seed, variant + "synthetic", f, r, d).subList(0, Math.min(ny, fy.size()))
                            .forEach(x -> synRows.add(relabel(x, index, m)));
                    String c = "ceiling|" + f + "|" + r + "|" + d;
                    ref.subList(0, nr).forEach(x -> realRows.add(relabel(x, index, c)));
                    ref.subList(nr, Math.min(fr.size(), nr + ny)).forEach(x -> synRows.add(relabel(x, index, c)));
                }
            }
        }
        int groups = scored.size() + 2 * frequent.size() * rare.size() * draws;
        // the label replaces the column in place, so the columns' order (and the seeded pair sample of a wide
        // table) is the report's
        StructField[] fields = schema.fields().clone();
        fields[index] = DataTypes.createStructField(GROUP, DataTypes.StringType, true);
        StructType labelled = new StructType(fields);
        Dataset<Row> realSet = spark.createDataFrame(realRows, labelled);
        Dataset<Row> synSet = spark.createDataFrame(synRows, labelled);
        int maxRows = Math.max(realRows.size(), synRows.size()) + 1;
        FidelityEvaluator fidelity = new FidelityEvaluator(maxRows, seed, ConfigKeys.REPORT_MAX_PAIRS_DEFAULT);
        // the per-value pass takes its columns and pairs from an all-rows evaluation; the union of the draws needs
        // none of its figures, so it is made on the levels' own rows (synthetic side cut): pairs are chosen by seed
        Column levelRows = col(GROUP).isin(scored.toArray());
        FidelityEvaluator.Evaluation main;
        try (FidelityEvaluator.Samples s = fidelity.samples(realSet.where(levelRows), synSet.where(levelRows).limit(5000))) {
            main = fidelity.evaluateDetailed(s);
        }
        ConditionReport report;
        try (FidelityEvaluator.Samples s = fidelity.samples(realSet, synSet)) {
            report = new ConditionalFidelityEvaluator(maxRows, seed, ConfigKeys.REPORT_MAX_PAIRS_DEFAULT, groups, 1,
                    minRows).evaluate(s, main, List.of(GROUP), "bench");
        }
        Map<String, ConditionReport.Entry> entries = new LinkedHashMap<>();
        report.entries().forEach(e -> entries.put(e.values().get(0), e));

        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ArrayNode levels = node.putArray("levels");
        double worstGap = Double.NEGATIVE_INFINITY;
        System.out.printf(Locale.ROOT, "%n%s: per level (quality; at the rare level's sizes: frequent levels' "
                + "matched quality ± sd of one draw, real ceiling; gap = matched - quality)%n", variant);
        System.out.printf(Locale.ROOT, "%-14s %6s %7s %8s %8s %7s %8s %7s %9s%n", "level", "real", "synth",
                "quality", "matched", "sd", "ceiling", "gap", "to_ceil");
        for (String level : scored) {
            ConditionReport.Entry own = entries.get(level);
            ObjectNode l = levels.addObject();
            l.put("level", level);
            l.put("frequent", frequent.contains(level));
            l.put("real_rows", own.realRows());
            l.put("synthetic_rows", own.syntheticRows());
            double q = quality(own);
            l.put("quality", q);
            if (frequent.contains(level)) {
                System.out.printf(Locale.ROOT, "%-14s %6d %7d %8.3f %8s %7s %8s %7s %9s%n", level, own.realRows(),
                        own.syntheticRows(), q, "-", "-", "-", "frequent", "-");
                continue;
            }
            ObjectNode by = l.putObject("by_frequent_level");
            double matchedSum = 0;
            double ceilingSum = 0;
            double sdSum = 0;
            for (String f : frequent) {
                double[] m = new double[draws];
                double[] c = new double[draws];
                long cy = 0;
                long my = 0;
                for (int d = 0; d < draws; d++) {
                    ConditionReport.Entry me = entries.get("matched|" + f + "|" + level + "|" + d);
                    ConditionReport.Entry ce = entries.get("ceiling|" + f + "|" + level + "|" + d);
                    m[d] = quality(me);
                    c[d] = quality(ce);
                    my = me == null ? 0 : me.syntheticRows();
                    cy = ce == null ? 0 : ce.syntheticRows();
                }
                ObjectNode fo = by.putObject(f);
                fo.put("matched_quality", mean(m));
                fo.put("matched_sd", sd(m));
                fo.put("matched_synthetic_rows", my);
                fo.put("ceiling_quality", mean(c));
                fo.put("ceiling_sd", sd(c));
                fo.put("ceiling_synthetic_rows", cy);
                matchedSum += mean(m);
                ceilingSum += mean(c);
                sdSum += sd(m);
            }
            double matched = matchedSum / frequent.size();
            double ceiling = ceilingSum / frequent.size();
            double gap = matched - q;
            worstGap = Math.max(worstGap, gap);
            l.put("frequent_matched_quality", matched);
            l.put("matched_sd_of_one_draw", sdSum / frequent.size());
            l.put("ceiling_quality", ceiling);
            l.put("gap", gap);
            l.put("within_target", gap <= 0.02);
            l.put("short_of_ceiling", ceiling - q);
            l.put("frequent_short_of_ceiling", ceiling - matched);
            System.out.printf(Locale.ROOT, "%-14s %6d %7d %8.3f %8.3f %7.3f %8.3f %7.3f %9.3f%n", level,
                    own.realRows(), own.syntheticRows(), q, matched, sdSum / frequent.size(), ceiling, gap,
                    ceiling - q);
        }
        node.put("worst_gap", worstGap);
        node.put("target", 0.02);
        node.put("within_target", worstGap <= 0.02);
        node.put("frequent_levels_mean_quality", frequent.stream()
                .mapToDouble(f -> quality(entries.get(f))).average().orElse(Double.NaN));
        node.put("rare_levels_mean_gap", rare.isEmpty() ? Double.NaN : rare.stream().mapToDouble(r ->
                levelGap(levels, r)).average().orElse(Double.NaN));
        System.out.printf(Locale.ROOT, "%s: worst gap %.3f (target <= 0.02), frequent levels' mean quality %.3f%n",
                variant, worstGap, node.get("frequent_levels_mean_quality").asDouble());
        return node;
    }

    private static double levelGap(ArrayNode levels, String level) {
        for (var l : levels) {
            if (l.get("level").asText().equals(level)) {
                return l.get("gap").asDouble();
            }
        }
        return Double.NaN;
    }

    private static double quality(ConditionReport.Entry e) {
        return e == null || e.scores() == null ? Double.NaN : e.scores().quality();
    }

    private static Row relabel(Row r, int index, String label) {
        Object[] v = new Object[r.size()];
        for (int i = 0; i < r.size(); i++) {
            v[i] = r.get(i);
        }
        v[index] = label;
        return RowFactory.create(v);
    }

    /** A seeded permutation of {@code rows}, the seed derived from the draw's names. */
    private static List<Row> shuffled(List<Row> rows, long seed, String side, String f, String r, int d) {
        List<Row> copy = new ArrayList<>(rows);
        long s = seed;
        for (String part : new String[]{side, f, r, String.valueOf(d)}) {
            s = s * 1_000_003L + part.hashCode();
        }
        java.util.Collections.shuffle(copy, new Random(s));
        return copy;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double sd(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return v.length < 2 ? Double.NaN : Math.sqrt(s / (v.length - 1));
    }
}
