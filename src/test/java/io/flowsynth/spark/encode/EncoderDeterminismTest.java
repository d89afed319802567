package io.flowsynth.spark.encode;

import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The encoder fit does not depend on the order in which Spark's tasks finish: the same table, once with its first
 * partition's tasks held back and once with its last partition's, gives byte-identical encoder JSON. (Spark's
 * {@code approxQuantile} merges its summaries as tasks finish: the knots of such two fits differed.)
 */
class EncoderDeterminismTest {
    private static final int PARTITIONS = 4;
    private static final int ROWS_PER_PARTITION = 5_000;
    private static final StructType SCHEMA = new StructType()
            .add("x", DataTypes.DoubleType)
            .add("y", DataTypes.DoubleType)
            .add("n", DataTypes.LongType);

    /**
     * The table, whose partition {@code slow} is delayed at the start of every task that reads it (so it finishes
     * after the others, in every Spark job of the fit). Rows depend only on the partition id.
     */
    private static Dataset<Row> table(SparkSession spark, int slow) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ids = IntStream.range(0, PARTITIONS).boxed().toList();
        JavaRDD<Row> rows = jsc.parallelize(ids, PARTITIONS).mapPartitionsWithIndex((p, it) -> {
            if (p == slow) {
                Thread.sleep(400); // hold this partition back: its result arrives last
            }
            Random rng = new Random(1000L + p);
            List<Row> out = new ArrayList<>(ROWS_PER_PARTITION);
            for (int r = 0; r < ROWS_PER_PARTITION; r++) {
                double x = rng.nextBoolean() ? rng.nextGaussian() * 2 + 10 : rng.nextGaussian() + 30; // two modes
                double y = p + rng.nextDouble(); // partitions hold different ranges, like a table sorted by time
                long n = (long) (rng.nextDouble() * 1e7);
                out.add(RowFactory.create(x, y, n));
            }
            return out.iterator();
        }, false);
        return spark.createDataFrame(rows, SCHEMA);
    }

    private static String fit(int slow) {
        SparkSession spark = SharedSparkSession.get();
        return new TableEncoderEstimator(EncodeOptions.defaults(), BoundsOptions.defaults()).fit(table(spark, slow))
                .toJson().toString();
    }

    @Test
    void encoderJsonIsTheSameWhicheverPartitionFinishesLast() {
        String firstLast = fit(0);
        String lastLast = fit(PARTITIONS - 1);
        assertThat(firstLast).contains("\"column\":\"x\"").contains("\"column\":\"y\"");
        assertThat(lastLast).isEqualTo(firstLast);
    }

    @Test
    void partitionOrderMergeBoundsWhatReachesTheDriverAndKeepsTheSketchAccuracy() {
        // 40 partitions: two merge levels (40 → 3 groups → driver); the quantiles stay within the relative error
        SparkSession spark = SharedSparkSession.get();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            rows.add(RowFactory.create((double) i, i % 2 == 0 ? null : (double) -i));
        }
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType);
        Dataset<Row> t = spark.createDataFrame(rows, schema).repartition(40);
        double[] probabilities = {0.0, 0.1, 0.5, 0.9, 1.0};
        double[][] q = OrderedQuantiles.approxQuantiles(t, probabilities, 1e-3);
        double[][] again = OrderedQuantiles.approxQuantiles(t, probabilities, 1e-3);
        assertThat(again).isDeepEqualTo(q);
        for (int j = 0; j < probabilities.length; j++) {
            assertThat(Math.abs(q[0][j] - probabilities[j] * 19_999)).isLessThanOrEqualTo(2e-3 * 20_000 + 1);
            // b: the odd numbers' negatives, 10,000 values
            assertThat(Math.abs(q[1][j] - (-19_999 + probabilities[j] * 19_998))).isLessThanOrEqualTo(2e-3 * 20_000 + 2);
        }
        double[][] none = OrderedQuantiles.approxQuantiles(t.where("a < 0"), probabilities, 1e-3);
        assertThat(none[0]).isEmpty();
    }
}
