package io.flowsynth.spark.demo;

import io.flowsynth.error.BadInputException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The generated demo and benchmark tables, by name; every row i depends only on (seed, i).
 * <ul>
 *   <li>{@code loans}: {@link DemoLoans}.</li>
 *   <li>{@code retail}: orders with a string order id (unique), a 1,200-product column (Zipf), its category, skewed
 *       prices with 2 decimals, few-valued quantities, a discount that is null for 35 % of the rows (the rate depends on
 *       the customer segment), a decimal total, timestamps, store ids and a returned flag.</li>
 *   <li>{@code sensors}: readings with a dense long id, a temperature with three modes (one per device type), a float
 *       humidity with ~37 % nulls (more for ovens), a pressure with NaN and +∞ errors, byte/short/long/decimal(38,18)
 *       columns, a status that follows the temperature, and dates.</li>
 * </ul>
 */
public final class DemoTables {
    public static final List<String> NAMES = List.of("loans", "retail", "sensors");

    private DemoTables() {
    }

    public static Dataset<Row> generate(SparkSession spark, String name, long rows, long seed, int partitions) {
        switch (name) {
            case "loans":
                return DemoLoans.generate(spark, rows, seed, partitions);
            case "retail":
                return generate(spark, retailSchema(), DemoTables::retailRow, rows, seed, partitions);
            case "sensors":
                return generate(spark, sensorsSchema(), DemoTables::sensorsRow, rows, seed, partitions);
            default:
                throw new BadInputException("Option --table: unknown table '" + name + "' (known: "
                        + String.join(", ", NAMES) + ")");
        }
    }

    /** Row i of a table with a seed (a serializable function: it runs in Spark tasks). */
    interface RowMaker extends java.io.Serializable {
        Row row(long seed, long i);
    }

    static Dataset<Row> generate(SparkSession spark, StructType schema, RowMaker rowOf,
                                         long rows, long seed, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        JavaRDD<Row> rdd = jsc.parallelize(ids, partitions).mapPartitions(it -> {
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
                    return rowOf.row(seed, i++);
                }
            };
        });
        return spark.createDataFrame(rdd, schema);
    }

    // ---- retail ----------------------------------------------------------------------------------------------------

    private static final String[] SEGMENTS = {"consumer", "corporate", "small_office"};
    private static final double[] SEGMENT_WEIGHTS = {0.55, 0.30, 0.15};
    private static final String[] CATEGORIES = {"grocery", "electronics", "garden", "toys", "books", "clothing",
        "sports", "beauty"};
    private static final double[] CATEGORY_PRICE = {4, 180, 35, 20, 15, 40, 60, 25};
    private static final int PRODUCTS = 1200;
    private static final double[] PRODUCT_CDF = zipfCdf(PRODUCTS, 1.05);
    private static final long YEAR_2023 = 1_672_531_200L; // 2023-01-01T00:00:00Z

    public static StructType retailSchema() {
        return new StructType(new StructField[]{
            DataTypes.createStructField("order_id", DataTypes.StringType, false),
            DataTypes.createStructField("segment", DataTypes.StringType, false),
            DataTypes.createStructField("product", DataTypes.StringType, false),
            DataTypes.createStructField("category", DataTypes.StringType, false),
            DataTypes.createStructField("unit_price", DataTypes.DoubleType, false),
            DataTypes.createStructField("quantity", DataTypes.IntegerType, false),
            DataTypes.createStructField("discount", DataTypes.DoubleType, true),
            DataTypes.createStructField("total", DataTypes.createDecimalType(12, 2), false),
            DataTypes.createStructField("ordered_at", DataTypes.TimestampType, false),
            DataTypes.createStructField("store_id", DataTypes.IntegerType, false),
            DataTypes.createStructField("returned", DataTypes.BooleanType, false),
        });
    }

    static Row retailRow(long seed, long i) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 1);
        String id = String.format("ORD-%08d", (i * 7919 + 12_345) % 100_000_000L);
        int segment = pick(r, SEGMENT_WEIGHTS);
        int product = search(PRODUCT_CDF, r.nextDouble());
        int category = (product * 31 + 7) % CATEGORIES.length;
        double price = Math.rint(CATEGORY_PRICE[category] * Math.exp(0.6 * r.nextGaussian()
                + 0.3 * ((product % 5) - 2)) * 100) / 100;
        price = Math.max(0.5, price);
        int quantity = 1 + (int) Math.min(9, Math.floor(-Math.log(1 - r.nextDouble()) * (segment == 1 ? 3.0 : 1.2)));
        Double discount = r.nextDouble() < (segment == 0 ? 0.5 : segment == 1 ? 0.1 : 0.25) ? null
                : 0.05 * (1 + Math.min(5, (int) Math.floor(-Math.log(1 - r.nextDouble()) * (segment == 1 ? 2 : 1))));
        if (discount != null) {
            discount = Math.rint(discount * 100) / 100;
        }
        BigDecimal total = BigDecimal.valueOf(price * quantity * (1 - (discount == null ? 0 : discount)))
                .setScale(2, RoundingMode.HALF_UP);
        double dayOfYear = r.nextInt(365);
        double hour = Math.max(0, Math.min(23.99, 13 + 4 * r.nextGaussian()));
        Timestamp at = new Timestamp((YEAR_2023 + (long) (dayOfYear * 86_400 + hour * 3600)) * 1000L);
        int store = 1 + (int) Math.min(299, Math.abs(r.nextGaussian()) * 90);
        boolean returned = r.nextDouble() < 0.04 + (discount == null ? 0 : discount * 0.6)
                + (category == 1 ? 0.05 : 0);
        return RowFactory.create(id, SEGMENTS[segment], String.format("SKU-%05d", product * 37 % 99_991), CATEGORIES[category],
                price, quantity, discount, total, at, store, returned);
    }

    // ---- sensors ---------------------------------------------------------------------------------------------------

    private static final String[] DEVICES = {"thermostat", "freezer", "oven"};
    private static final double[] DEVICE_WEIGHTS = {0.5, 0.3, 0.2};
    private static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);

    public static StructType sensorsSchema() {
        return new StructType(new StructField[]{
            DataTypes.createStructField("reading_id", DataTypes.LongType, false),
            DataTypes.createStructField("device", DataTypes.StringType, false),
            DataTypes.createStructField("temperature", DataTypes.DoubleType, false),
            DataTypes.createStructField("humidity", DataTypes.FloatType, true),
            DataTypes.createStructField("pressure", DataTypes.DoubleType, true),
            DataTypes.createStructField("battery", DataTypes.ByteType, false),
            DataTypes.createStructField("signal", DataTypes.ShortType, true),
            DataTypes.createStructField("events", DataTypes.LongType, false),
            DataTypes.createStructField("calibration", DataTypes.createDecimalType(38, 18), false),
            DataTypes.createStructField("status", DataTypes.StringType, false),
            DataTypes.createStructField("reading_date", DataTypes.DateType, false),
        });
    }

    static Row sensorsRow(long seed, long i) {
        Random r = new Random(seed * 0xC2B2AE3D27D4EB4FL + i * 0x9E3779B97F4A7C15L + 2);
        int device = pick(r, DEVICE_WEIGHTS);
        double temperature = switch (device) {
            case 0 -> 21 + 1.5 * r.nextGaussian();
            case 1 -> -18 + 2 * r.nextGaussian();
            default -> 180 + 15 * r.nextGaussian();
        };
        temperature = Math.rint(temperature * 10) / 10;
        Float humidity = r.nextDouble() < (device == 2 ? 0.7 : 0.28) ? null
                : (float) (Math.rint(Math.min(99, Math.max(5, 45 + 15 * r.nextGaussian() - (device == 1 ? 20 : 0)))
                        * 10) / 10);
        double u = r.nextDouble();
        Double pressure = null;
        if (u < 0.02) {
            pressure = Double.NaN;
        } else if (u < 0.025) {
            pressure = Double.POSITIVE_INFINITY;
        } else if (u >= 0.05) {
            pressure = Math.rint((1013 + 8 * r.nextGaussian() + (device == 2 ? 5 : 0)) * 100) / 100;
        }
        byte battery = (byte) Math.max(0, Math.min(100, Math.round(100 - Math.abs(r.nextGaussian()) * 30)));
        Short signal = r.nextDouble() < 0.1 ? null : (short) Math.max(-120, Math.min(-30,
                Math.round(-70 + 12 * r.nextGaussian())));
        long events = (long) Math.floor(Math.pow(1 - r.nextDouble(), -1 / 1.5)) - 1; // Pareto tail
        BigDecimal calibration = BigDecimal.valueOf(Math.rint(r.nextGaussian() * 1e6) / 1e12)
                .setScale(18, RoundingMode.HALF_UP);
        double deviation = device == 0 ? Math.abs(temperature - 21) / 1.5
                : device == 1 ? Math.abs(temperature + 18) / 2 : Math.abs(temperature - 180) / 15;
        String status = deviation > 2 ? (r.nextDouble() < 0.6 ? "error" : "warn")
                : deviation > 1.2 ? (r.nextDouble() < 0.5 ? "warn" : "ok") : "ok";
        Date day = Date.valueOf(FIRST_DAY.plusDays(r.nextInt(180)));
        return RowFactory.create(1_000_000L + i, DEVICES[device], temperature, humidity, pressure, battery, signal,
                events, calibration, status, day);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double total = 0;
        for (int k = 0; k < n; k++) {
            total += 1 / Math.pow(k + 1, s);
            cdf[k] = total;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= total;
        }
        return cdf;
    }

    private static int search(double[] cdf, double u) {
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int pick(Random r, double[] weights) {
        return DemoLoans.pick(r, weights);
    }
}
