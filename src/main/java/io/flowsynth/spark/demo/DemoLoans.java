package io.flowsynth.spark.demo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The bundled demo table: consumer loans, generated deterministically (row i depends only on (seed, i), whatever the
 * partitioning). Columns of every common kind, with nulls and real dependencies: income grows with age and
 * employment, credit score with income, the interest rate falls with the score and rises with the term, the loan
 * amount follows income and purpose, default is likelier at high rates and low scores.
 */
public final class DemoLoans {
    private static final String[] PURPOSES = {"debt_consolidation", "credit_card", "home_improvement", "car",
        "medical", "small_business", "education", "vacation"};
    private static final double[] PURPOSE_WEIGHTS = {0.38, 0.20, 0.12, 0.10, 0.06, 0.06, 0.05, 0.03};
    private static final String[] REGIONS = {"northeast", "southeast", "midwest", "southwest", "mountain", "pacific"};
    private static final double[] REGION_WEIGHTS = {0.22, 0.25, 0.20, 0.13, 0.07, 0.13};
    private static final int[] TERMS = {12, 24, 36, 48, 60};
    private static final LocalDate FIRST_DAY = LocalDate.of(2021, 1, 1);

    private DemoLoans() {
    }

    public static StructType schema() {
        return new StructType(new StructField[]{
            DataTypes.createStructField("age", DataTypes.IntegerType, false),
            DataTypes.createStructField("employment_years", DataTypes.IntegerType, true),
            DataTypes.createStructField("annual_income", DataTypes.DoubleType, false),
            DataTypes.createStructField("home_ownership", DataTypes.StringType, false),
            DataTypes.createStructField("region", DataTypes.StringType, false),
            DataTypes.createStructField("credit_score", DataTypes.IntegerType, true),
            DataTypes.createStructField("purpose", DataTypes.StringType, false),
            DataTypes.createStructField("term_months", DataTypes.IntegerType, false),
            DataTypes.createStructField("loan_amount", DataTypes.createDecimalType(12, 2), false),
            DataTypes.createStructField("interest_rate", DataTypes.DoubleType, false),
            DataTypes.createStructField("application_date", DataTypes.DateType, false),
            DataTypes.createStructField("defaulted", DataTypes.BooleanType, false),
        });
    }

    public static Dataset<Row> generate(SparkSession spark, long rows, long seed, int partitions) {
        return DemoTables.generate(spark, schema(), DemoLoans::row, rows, seed, partitions);
    }

    static Row row(long seed, long i) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L);
        int age = (int) Math.round(Math.min(80, 18 + Math.abs(r.nextGaussian() * 14 + 16)));
        Integer employment = null;
        if (r.nextDouble() > 0.07 + (age < 23 ? 0.25 : 0)) {
            employment = (int) Math.max(0, Math.min(age - 16, Math.round((age - 18) * 0.45 + r.nextGaussian() * 4)));
        }
        double careerPeak = 1 - Math.pow((age - 50) / 35.0, 2);
        double logIncome = 10.4 + 0.45 * careerPeak + 0.02 * (employment == null ? -3 : Math.min(employment, 20))
                + r.nextGaussian() * 0.45;
        double income = Math.round(Math.exp(logIncome) / 10) * 10.0;
        double owner = 0.02 * (age - 18) + 0.35 * (logIncome - 10.4) + r.nextGaussian() * 0.5;
        String home = owner > 0.9 ? "MORTGAGE" : owner > 0.55 && r.nextDouble() < 0.5 ? "OWN" : "RENT";
        String region = REGIONS[pick(r, REGION_WEIGHTS)];
        int score = (int) Math.max(300, Math.min(850, Math.round(640 + 60 * (logIncome - 10.6) + 1.1 * (age - 35)
                + r.nextGaussian() * 55)));
        Integer credit = r.nextDouble() < 0.03 ? null : score;
        String purpose = PURPOSES[pick(r, PURPOSE_WEIGHTS)];
        double purposeScale = switch (purpose) {
            case "home_improvement" -> 1.5;
            case "small_business" -> 1.8;
            case "car" -> 1.1;
            case "vacation", "medical" -> 0.5;
            default -> 1.0;
        };
        double amount = Math.max(1000, Math.min(100_000, income * 0.22 * purposeScale * Math.exp(r.nextGaussian() * 0.35)));
        int term = amount > 25_000 ? TERMS[2 + r.nextInt(3)] : TERMS[r.nextInt(4)];
        double rate = Math.max(0.03, 0.30 - 0.00032 * (score - 300) + 0.0009 * term + r.nextGaussian() * 0.015);
        LocalDate day = FIRST_DAY.plusDays(r.nextInt(3 * 365));
        double risk = -3.2 + 14 * (rate - 0.12) - 0.006 * (score - 680) + (employment == null ? 0.5 : 0);
        boolean defaulted = r.nextDouble() < 1 / (1 + Math.exp(-risk));
        return RowFactory.create(age, employment, income, home, region, credit, purpose, term,
                BigDecimal.valueOf(Math.round(amount / 50) * 50L).setScale(2, RoundingMode.UNNECESSARY),
                Math.round(rate * 10_000) / 10_000.0, Date.valueOf(day), defaulted);
    }

    /** Index k drawn with probability weights[k] (weights summing to 1). */
    static int pick(Random r, double[] weights) {
        double u = r.nextDouble();
        double c = 0;
        for (int k = 0; k < weights.length; k++) {
            c += weights[k];
            if (u < c) {
                return k;
            }
        }
        return weights.length - 1;
    }
}
