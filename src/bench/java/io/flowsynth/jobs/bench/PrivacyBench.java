package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.spark.Seeds;
import java.io.File;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;

/**
 * The privacy benchmark ({@code jobs/bench.sh privacy}).
 * <ul>
 *   <li>{@code table OUT ROWS SEED}: a people-like table as Parquet, every row a function of (seed, row): a unique
 *   {@code customer_id}, mostly rare {@code full_name}s and {@code email}s (made-up syllable names from skewed pools
 *   of 300 first and 3,000 last names), a 5-digit
 *   {@code zip} string with leading zeros (300 codes, a third starting with 0), {@code age}, a log-normal
 *   {@code income} with three extreme values, and a {@code diagnosis} code: 40 common codes, plus 20 codes that occur
 *   exactly once (rows spread over the table).</li>
 *   <li>{@code leaks REAL SYNTHETIC REPORT_JSON LABEL SECONDS OUT_JSON}: what the synthetic table leaks of the real one
 *   (once-seen string values published; real extremes published: synthetic values beyond the K-th largest/smallest
 *   real value, and real top/bottom-K values seen once in the real table appearing verbatim; exact copies) plus the report's attack risks and
 *   the guard's and attacks' seconds, appended as one run to {@code OUT_JSON}.</li>
 * </ul>
 */
public final class PrivacyBench {
    static final int COMMON_CODES = 40;
    static final int ONCE_CODES = 20;
    static final int EXTREMES = 3;
    /** k of "the real top/bottom k values": the extremes an attacker could recognise. */
    static final int K = 5;
    static final int FIRST_NAMES = 300;
    static final int LAST_NAMES = 3000;

    private PrivacyBench() {
    }

    public static StructType schema() {
        return new StructType().add("customer_id", DataTypes.StringType, false)
                .add("full_name", DataTypes.StringType).add("email", DataTypes.StringType)
                .add("zip", DataTypes.StringType).add("age", DataTypes.IntegerType)
                .add("income", DataTypes.DoubleType).add("diagnosis", DataTypes.StringType);
    }

    private static final String[] ONSETS = {"b", "br", "c", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p",
            "r", "s", "sh", "t", "v", "w", "z"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ae", "ia", "ou"};
    private static final String[] CODAS = {"", "n", "l", "r", "s", "th", "m", "x"};
    private static final String[] DOMAINS = {"example.com", "mail.test", "inbox.test", "post.example", "web.test"};

    static String name(Random r, int syllables) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < syllables; i++) {
            s.append(ONSETS[r.nextInt(ONSETS.length)]).append(VOWELS[r.nextInt(VOWELS.length)]);
        }
        s.append(CODAS[r.nextInt(CODAS.length)]);
        s.setCharAt(0, Character.toUpperCase(s.charAt(0)));
        return s.toString();
    }

    /** Row i of the table of {@code rows} rows. */
    static Row row(long i, long rows, long seed) {
        Random r = new Random(Seeds.mix(seed, i));
        // names from skewed pools (300 first, 3,000 last names): frequent ones repeat, most full names are rare
        int firstIndex = (int) (FIRST_NAMES * Math.pow(r.nextDouble(), 2));
        int lastIndex = (int) (LAST_NAMES * Math.pow(r.nextDouble(), 1.5));
        Random fr = new Random(Seeds.mix(seed ^ 0xF1857L, firstIndex));
        Random lr = new Random(Seeds.mix(seed ^ 0x1A57L, lastIndex));
        String first = name(fr, 1 + fr.nextInt(2));
        String last = name(lr, 2 + lr.nextInt(2));
        String email = (first + "." + last).toLowerCase() + (r.nextInt(3) == 0 ? String.valueOf(r.nextInt(100)) : "")
                + "@" + DOMAINS[r.nextInt(DOMAINS.length)];
        int zipIndex = r.nextInt(300);
        String zip = String.format("%05d", zipIndex < 100 ? 1000 + zipIndex * 37 : 10000 + zipIndex * 271);
        int age = 18 + (int) Math.min(80, Math.abs(r.nextGaussian() * 18 + 25));
        double income = Math.round(Math.exp(10.6 + 0.55 * r.nextGaussian() + 0.008 * age) * 100) / 100.0;
        long stride = Math.max(1, rows / (ONCE_CODES + EXTREMES + 1));
        if (i % stride == stride / 2 && i / stride < EXTREMES) {
            income = 5_430_000.0 + 2_200_000.0 * (i / stride) + r.nextInt(100_000); // three extreme incomes
        }
        String diagnosis;
        if (i % stride == stride / 3 && i / stride < ONCE_CODES) {
            diagnosis = "R" + (900 + i / stride); // occurs exactly once
        } else {
            int c = (int) Math.floor(COMMON_CODES * Math.pow(r.nextDouble(), 1.6));
            diagnosis = String.format("%c%02d", (char) ('A' + c / 10), c % 10 * 7 + 3);
        }
        return RowFactory.create("C" + (10_000_000L + i), first + " " + last, email, zip, age, income, diagnosis);
    }

    public static void main(String[] args) throws Exception {
        SparkSession spark = SparkSession.builder().appName("flowsynth-privacy-bench")
                .master(System.getenv().getOrDefault("FLOWSYNTH_MASTER", "local[2]"))
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            switch (args[0]) {
                case "table" -> table(spark, args[1], Long.parseLong(args[2]), Long.parseLong(args[3]));
                case "leaks" -> leaks(spark, args[1], args[2], args[3], args[4], Double.parseDouble(args[5]), args[6]);
                default -> throw new IllegalArgumentException("usage: PrivacyBench table|leaks ...");
            }
        } finally {
            spark.stop();
        }
    }

    static void table(SparkSession spark, String out, long rows, long seed) {
        int partitions = (int) Math.max(1, Math.min(64, rows / 100_000));
        List<Integer> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            parts.add(p);
        }
        JavaRDD<Row> data = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
                .parallelize(parts, partitions).mapPartitions(it -> {
                    int p = it.next();
                    long from = rows * p / partitions;
                    long to = rows * (p + 1) / partitions;
                    return new Iterator<Row>() {
                        long i = from;

                        @Override
                        public boolean hasNext() {
                            return i < to;
                        }

                        @Override
                        public Row next() {
                            return row(i++, rows, seed);
                        }
                    };
                });
        spark.createDataFrame(data, schema()).write().mode("overwrite").parquet(out);
    }

    /** Leak counts of one run, appended to {@code outJson} (an object with a {@code runs} array). */
    static void leaks(SparkSession spark, String realPath, String syntheticPath, String reportPath, String label,
                      double runSeconds, String outJson) throws Exception {
        Dataset<Row> real = spark.read().parquet(realPath).cache();
        Dataset<Row> synthetic = spark.read().parquet(syntheticPath).cache();
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        JsonNode report = m.readTree(new File(reportPath));
        ObjectNode run = m.createObjectNode();
        run.put("label", label);
        run.put("rows", real.count());
        run.put("synthetic_rows", synthetic.count());
        run.put("run_seconds", runSeconds);
        ObjectNode once = run.putObject("once_seen_values_published");
        long onceTotal = 0;
        ObjectNode extremes = run.putObject("real_extremes_published");
        long extremeTotal = 0;
        for (StructField f : real.schema().fields()) {
            Column c = col("`" + f.name() + "`");
            if (f.dataType() instanceof StringType) {
                // distinct real values seen exactly once that appear in the synthetic table
                Dataset<Row> onceSeen = real.groupBy(c.as("v")).agg(count(lit(1)).as("n")).where(col("n").equalTo(1))
                        .select(col("v"));
                long published = onceSeen.join(synthetic.select(c.as("v")).distinct(), "v").count();
                once.put(f.name(), published);
                onceTotal += published;
            } else if (f.dataType() instanceof NumericType) {
                // synthetic values beyond the K-th largest/smallest real value, or equal to one of the real top/bottom K
                List<Row> top = real.select(c.cast("double").as("v")).where(col("v").isNotNull()).orderBy(desc("v"))
                        .limit(K).collectAsList(); // K values
                List<Row> bottom = real.select(c.cast("double").as("v")).where(col("v").isNotNull()).orderBy(col("v"))
                        .limit(K).collectAsList();
                if (top.size() < K || bottom.size() < K) {
                    continue;
                }
                double hi = top.get(K - 1).getDouble(0);
                double lo = bottom.get(K - 1).getDouble(0);
                // verbatim: the top/bottom K values that single a person out (seen once in the real table; a tied
                // integer extreme such as the minimum age is shared by many)
                List<Object> extremeValues = new ArrayList<>();
                top.forEach(r -> extremeValues.add(r.getDouble(0)));
                bottom.forEach(r -> extremeValues.add(r.getDouble(0)));
                Column v = c.cast("double");
                List<Object> verbatim = new ArrayList<>();
                for (Row r : real.where(v.isin(extremeValues.toArray())).groupBy(v.as("v")).agg(count(lit(1)))
                        .collectAsList()) { // at most 2K rows
                    if (r.getLong(1) == 1) {
                        verbatim.add(r.getDouble(0));
                    }
                }
                Row counts = synthetic.agg(count(org.apache.spark.sql.functions.when(v.gt(hi).or(v.lt(lo)), lit(1))),
                        count(org.apache.spark.sql.functions.when(verbatim.isEmpty() ? lit(false)
                                : v.isin(verbatim.toArray()), lit(1)))).first();
                ObjectNode node = extremes.putObject(f.name());
                node.put("beyond_kth_extreme", counts.getLong(0));
                node.put("real_top_bottom_k_verbatim", counts.getLong(1));
                node.put("real_top_bottom_k_seen_once", verbatim.size());
                Row max = synthetic.agg(org.apache.spark.sql.functions.max(v)).first();
                if (!max.isNullAt(0)) {
                    node.put("synthetic_max", max.getDouble(0));
                }
                node.put("real_max", top.get(0).getDouble(0));
                node.put("real_kth_largest", hi);
                extremeTotal += counts.getLong(0) + counts.getLong(1);
            }
        }
        once.put("total", onceTotal);
        extremes.put("total", extremeTotal);
        // whole-row copies of real (input) rows on every column, and on every column but the unique customer_id
        run.put("exact_copies_all_columns", copies(real, synthetic, real.columns()));
        List<String> noId = new ArrayList<>(List.of(real.columns()));
        noId.remove("customer_id");
        run.put("exact_copies_without_customer_id", copies(real, synthetic, noId.toArray(new String[0])));
        JsonNode p = report.path("privacy");
        ObjectNode attacks = run.putObject("attack_risks");
        attacks.set("singling_out_univariate", riskOf(m, p.path("singling_out").path("univariate")));
        attacks.set("singling_out_multivariate", riskOf(m, p.path("singling_out").path("multivariate")));
        attacks.set("linkability", riskOf(m, p.path("linkability")));
        ObjectNode inference = attacks.putObject("inference");
        for (JsonNode col : p.path("inference").path("columns")) {
            inference.set(col.path("column").asText(), riskOf(m, col));
        }
        attacks.set("max", p.path("attack_risk"));
        run.set("verdict", p.path("verdict").path("level"));
        run.set("report_exact_copies", p.path("exact_copies"));
        run.set("exact_copy_guard", p.path("exact_copy_guard"));
        run.set("guard_seconds", p.path("exact_copy_guard").path("seconds"));
        run.set("attack_seconds", p.path("attack_seconds"));
        run.set("report_seconds", report.path("report_seconds"));
        run.set("quality", report.path("overall").path("quality"));

        File out = new File(outJson);
        ObjectNode all = out.exists() ? (ObjectNode) m.readTree(out) : m.createObjectNode();
        ArrayNode runs = all.has("runs") ? (ArrayNode) all.get("runs") : all.putArray("runs");
        runs.add(run);
        m.writeValue(out, all);
        System.out.println(m.writeValueAsString(run));
    }

    private static ObjectNode riskOf(ObjectMapper m, JsonNode attack) {
        ObjectNode o = m.createObjectNode();
        o.set("risk", attack.path("risk"));
        o.set("risk_interval", attack.path("risk_interval"));
        o.set("success_train", attack.path("success_train"));
        o.set("success_control", attack.path("success_control"));
        return o;
    }

    private static long copies(Dataset<Row> real, Dataset<Row> synthetic, String[] names) {
        Column on = null;
        Column[] l = new Column[names.length];
        Column[] r = new Column[names.length];
        for (int i = 0; i < names.length; i++) {
            l[i] = col("`" + names[i] + "`").as("l" + i);
            r[i] = col("`" + names[i] + "`").as("r" + i);
            Column eq = col("l" + i).eqNullSafe(col("r" + i));
            on = on == null ? eq : on.and(eq);
        }
        return synthetic.select(l).join(real.select(r), on, "left_semi").count();
    }
}
