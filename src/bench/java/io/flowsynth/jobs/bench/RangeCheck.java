package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

/**
 * Benchmark helper ({@code jobs/bench.sh fidelity}): for every ordered (numeric, date, timestamp) column, how many
 * synthetic values fall outside the real table's [min, max] (NaN and ±∞ aside, which are values of their own), as one
 * JSON object on standard output. Usage: {@code RangeCheck REAL_PARQUET SYNTHETIC_PARQUET [SKIP_COLUMN...]}.
 */
public final class RangeCheck {
    private RangeCheck() {
    }

    public static void main(String[] args) throws Exception {
        SparkSession spark = SparkSession.builder().appName("flowsynth-range-check").master("local[2]")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        Dataset<Row> real = spark.read().parquet(args[0]);
        Dataset<Row> synthetic = spark.read().parquet(args[1]);
        List<String> skip = List.of(args).subList(2, args.length);
        List<String> names = new ArrayList<>();
        List<Column> bounds = new ArrayList<>();
        for (StructField f : real.schema().fields()) {
            if (f.dataType() instanceof StringType || f.dataType() instanceof BooleanType || skip.contains(f.name())) {
                continue;
            }
            names.add(f.name());
            Column c = finite(col("`" + f.name() + "`"), f);
            bounds.add(min(c));
            bounds.add(max(c));
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        long total = 0;
        if (!names.isEmpty()) {
            Row b = real.agg(bounds.get(0), bounds.subList(1, bounds.size()).toArray(new Column[0])).first();
            List<Column> outside = new ArrayList<>();
            for (int k = 0; k < names.size(); k++) {
                StructField f = real.schema().apply(names.get(k));
                Column c = finite(col("`" + f.name() + "`"), f);
                outside.add(count(when(c.lt(lit(b.get(2 * k))).or(c.gt(lit(b.get(2 * k + 1)))), lit(1))));
            }
            Row o = synthetic.agg(outside.get(0), outside.subList(1, outside.size()).toArray(new Column[0])).first();
            ObjectNode columns = out.putObject("outside_by_column");
            for (int k = 0; k < names.size(); k++) {
                columns.put(names.get(k), o.getLong(k));
                total += o.getLong(k);
            }
        }
        out.put("outside_source_range", total);
        System.out.println(out);
        spark.stop();
    }

    private static Column finite(Column c, StructField f) {
        String t = f.dataType().simpleString();
        if (t.equals("double") || t.equals("float")) {
            return when(org.apache.spark.sql.functions.not(org.apache.spark.sql.functions.isnan(c)
                    .or(c.equalTo(lit(Double.POSITIVE_INFINITY))).or(c.equalTo(lit(Double.NEGATIVE_INFINITY)))), c);
        }
        return c;
    }
}
