package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.PrivacySettings;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.spark.demo.DemoTables;
import io.flowsynth.spark.encode.TableEncoderEstimator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.when;

/**
 * {@code jobs/bench.sh dp-encoders}: the differentially private encoder fit on a demo loans table of ROWS rows (cached),
 * in one JVM. (1) Cost: the encoder fit without DP and with ε = 1, interleaved RUNS times; medians and their ratio.
 * (2) Utility per ε (EPSILONS, the whole fit's ε; the encoders get encoder-share 0.2 of it): the released row count's
 * relative error; per numeric, date and timestamp column the share of real non-null values within the encoder's outer
 * knots (the synthetic column's range) and the knot count; per categorical column the share of real rows whose value
 * is named. Writes OUT.json. Arguments: {@code OUT.json ROWS RUNS [EPSILONS comma-separated]}.
 */
public final class DpEncoderBench {
    private DpEncoderBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[1]);
        int runs = Integer.parseInt(args[2]);
        double[] epsilons = Arrays.stream((args.length > 3 ? args[3] : "0.5,1,3,10").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        SparkSession spark = SparkSession.builder().master(System.getenv().getOrDefault("FLOWSYNTH_MASTER", "local[1]"))
                .appName("dp-encoder-bench").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> real = DemoTables.generate(spark, "loans", rows, 1, 2).cache();
            long n = real.count();
            TableEncoderEstimator plain = new TableEncoderEstimator(EncodeOptions.defaults(), BoundsOptions.defaults());
            double[] without = new double[runs];
            double[] with = new double[runs];
            for (int r = 0; r < runs; r++) {
                long t = System.nanoTime();
                plain.fit(real);
                without[r] = BenchStats.seconds(t);
                t = System.nanoTime();
                plain.withPrivacy(privacy(1.0), Map.of()).fit(real);
                with[r] = BenchStats.seconds(t);
                System.out.printf(Locale.ROOT, "run %d: encoder fit %.2f s without DP, %.2f s with (ε = 1)%n", r + 1,
                        without[r], with[r]);
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("rows", n);
            out.put("table", "loans demo");
            out.put("master", spark.sparkContext().master());
            ObjectNode cost = out.putObject("encoder_fit_seconds");
            cost.put("without_dp_median", BenchStats.median(without));
            cost.put("with_dp_median", BenchStats.median(with));
            cost.put("ratio_dp_to_plain", BenchStats.median(with) / BenchStats.median(without));
            cost.set("without_dp_runs", array(without));
            cost.set("with_dp_runs", array(with));
            ArrayNode utility = out.putArray("utility");
            for (double eps : epsilons) {
                TableEncoder e = plain.withPrivacy(privacy(eps), Map.of()).fit(real);
                ObjectNode u = utility.addObject();
                u.put("epsilon", eps);
                u.put("encoder_epsilon", e.privacy().epsilon());
                u.put("row_count_relative_error", Math.abs(e.privacy().rowCount() - n) / (double) n);
                ArrayNode cols = u.putArray("columns");
                double coverageSum = 0;
                int quantileColumns = 0;
                for (ColumnEncoder c : e.columns()) {
                    ObjectNode o = cols.addObject();
                    o.put("column", c.column());
                    o.put("kind", c.kind());
                    if (c instanceof QuantileEncoder q) {
                        double[] k = q.knots();
                        Column v = numeric(real, c);
                        Row r = real.agg(count(v), sum(when(v.geq(k[0]).and(v.leq(k[k.length - 1])), 1).otherwise(0)))
                                .first();
                        double coverage = r.getLong(1) / (double) Math.max(1, r.getLong(0));
                        o.put("knots", k.length);
                        o.put("lo", k[0]);
                        o.put("hi", k[k.length - 1]);
                        o.put("real_share_within", coverage);
                        coverageSum += coverage;
                        quantileColumns++;
                    } else if (c instanceof CategoricalEncoder cat) {
                        Set<String> named = new HashSet<>();
                        cat.categories().forEach(x -> named.add(String.valueOf(x)));
                        List<Row> counts = real.groupBy(col(c.column()).cast("string")).count().collectAsList();
                        long total = 0;
                        long covered = 0;
                        for (Row r : counts) {
                            if (!r.isNullAt(0)) {
                                total += r.getLong(1);
                                covered += named.contains(r.getString(0)) ? r.getLong(1) : 0;
                            }
                        }
                        o.put("categories_named", cat.categories().stream().filter(x -> x != null).count());
                        o.put("real_categories", counts.stream().filter(r -> !r.isNullAt(0)).count());
                        o.put("real_share_named", covered / (double) Math.max(1, total));
                    }
                }
                u.put("mean_real_share_within_range", quantileColumns == 0 ? Double.NaN : coverageSum / quantileColumns);
                System.out.printf(Locale.ROOT, "ε = %s: row count error %.4f, mean share of real values within the "
                        + "synthetic range %.3f%n", eps, u.get("row_count_relative_error").asDouble(),
                        u.get("mean_real_share_within_range").asDouble());
            }
            Path path = Path.of(args[0]);
            Files.createDirectories(path.toAbsolutePath().getParent());
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(path.toFile(), out);
        } finally {
            spark.stop();
        }
    }

    private static PrivacySettings privacy(double epsilon) {
        return new PrivacySettings(epsilon, Double.NaN, 0.2, 1.0);
    }

    /** The column as the encoders' double (days for dates). */
    private static Column numeric(Dataset<Row> real, ColumnEncoder c) {
        Column v = col(c.column());
        return switch (c.type().base()) {
            case DATE -> unix_date(v).cast("double");
            default -> v.cast("double");
        };
    }

    private static ArrayNode array(double[] values) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }


}
