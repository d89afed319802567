package io.flowsynth.jobs.bench;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The wide-table benchmark's data ({@code jobs/bench.sh wide}): {@code table OUT ROWS COLUMNS SEED} writes a table of
 * {@code COLUMNS} columns cycling through five kinds — doubles ({@code d_}), small ints 0..9 ({@code i_}), 30-level
 * strings ({@code s_}), dates over two years ({@code t_}) and bigints around 10^9 ({@code b_}) — where column j follows
 * latent factor {@code j % 8} plus noise, so that columns sharing a factor are correlated (the pair trends have
 * something to find) and an independent-columns model is a real baseline. 3 % of the doubles are null. Row i is a
 * function of (seed, i) only.
 */
public final class WideBench {
    static final int FACTORS = 8;
    static final int LEVELS = 30;
    static final LocalDate EPOCH = LocalDate.of(2022, 1, 1);

    private WideBench() {
    }

    public static StructType schema(int columns) {
        StructType s = new StructType();
        for (int j = 0; j < columns; j++) {
            s = s.add(name(j), type(j), true);
        }
        return s;
    }

    static String name(int j) {
        return "distb".charAt(j % 5) + "_" + j;
    }

    static DataType type(int j) {
        switch (j % 5) {
            case 0: return DataTypes.DoubleType;
            case 1: return DataTypes.IntegerType;
            case 2: return DataTypes.StringType;
            case 3: return DataTypes.DateType;
            default: return DataTypes.LongType;
        }
    }

    /** Row i of a table of {@code columns} columns. */
    public static Row row(long seed, long i, int columns) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 17);
        double[] f = new double[FACTORS];
        for (int k = 0; k < FACTORS; k++) {
            f[k] = r.nextGaussian();
        }
        Object[] v = new Object[columns];
        for (int j = 0; j < columns; j++) {
            // loading in [0.4, 0.9) fixed per column; noise makes the rest of unit variance
            double load = 0.4 + 0.5 * ((j * 2654435761L) % 1000) / 1000.0;
            double x = load * f[j % FACTORS] + Math.sqrt(1 - load * load) * r.nextGaussian();
            switch (j % 5) {
                case 0:
                    v[j] = r.nextDouble() < 0.03 ? null : (j % 2 == 0 ? 50 + 12 * x : Math.exp(1 + 0.7 * x));
                    break;
                case 1:
                    v[j] = (int) Math.max(0, Math.min(9, Math.floor(4.5 + 2 * x)));
                    break;
                case 2: {
                    // 30 levels ordered along the factor, skewed toward the middle
                    int level = (int) Math.max(0, Math.min(LEVELS - 1, Math.floor(LEVELS / 2.0 + 6 * x)));
                    v[j] = "c" + j + "_" + (char) ('A' + level % 26) + level;
                    break;
                }
                case 3:
                    v[j] = Date.valueOf(EPOCH.plusDays((long) Math.max(0, Math.min(729, Math.floor(365 + 150 * x)))));
                    break;
                default:
                    v[j] = 1_000_000_000L + (long) Math.floor(5_000_000 * x) + j;
                    break;
            }
        }
        return RowFactory.create(v);
    }

    public static Dataset<Row> generate(SparkSession spark, long rows, int columns, long seed, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        JavaRDD<Row> rdd = jsc.parallelize(ids, partitions).mapPartitions(it -> {
            int p = it.next();
            long from = rows * p / partitions;
            long to = rows * (p + 1) / partitions;
            List<Row> out = new ArrayList<>();
            for (long i = from; i < to; i++) {
                out.add(row(seed, i, columns));
            }
            return out.iterator();
        });
        return spark.createDataFrame(rdd, schema(columns));
    }

    public static void main(String[] args) {
        if (args.length != 5 || !args[0].equals("table")) {
            System.err.println("usage: WideBench table OUT ROWS COLUMNS SEED");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("wide-bench")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            generate(spark, Long.parseLong(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]), 2)
                    .write().mode(SaveMode.Overwrite).parquet(args[1]);
        } finally {
            spark.stop();
        }
    }
}
