package io.flowsynth.spark.fidelity;

import io.flowsynth.error.BadInputException;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.TableEncoder;
import java.util.function.Function;
import io.flowsynth.flow.StandardNormalBase;
import io.flowsynth.spark.OrderedReduce;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.model.ModelPayload;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Held-out log-likelihood of real rows under a model, <b>in encoded-feature space</b>: each row is encoded with the
 * model's column encoders (with their dequantization noise, seeded by (seed, partition)) into x ∈ ℝ^D and scored
 * with the flow's exact density log p_flow(x) = log N(f(x); 0, I) + log|det Df(x)|, next to the independent-columns
 * baseline log N(x; 0, I) = Σ_j (−½x_j² − ½ln 2π), which is what the model would be without the flow (every encoded
 * feature standard normal and independent, i.e. each column from its own fitted marginal). The baseline is also
 * reported per source column (the sum of its features' terms). The encoders' own Jacobian is not included, so these
 * are not log-densities of table rows; compare the flow with the baseline, not with other tools' table likelihoods.
 *
 * <p>At most {@code maxRows} rows are scored (the seeded sample of {@link FidelityEvaluator}); the work runs in
 * {@code mapPartitions} (batches of {@link #BATCH} rows through the plain-ND4J flow in float32) and the per-partition
 * sums are combined with one Spark {@code reduce}. Use held-out rows (not the training rows) for an honest number.
 */
public final class LikelihoodEvaluator {
    /** Rows per flow batch. */
    public static final int BATCH = 1024;

    private final int maxRows;
    private final long seed;

    public LikelihoodEvaluator(int maxRows, long seed) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        this.maxRows = maxRows;
        this.seed = seed;
    }

    /**
     * Means per row (nats). {@code flowStdError} is the standard error of {@code flowMean}; {@code difference} =
     * flow − baseline (positive: the flow explains the rows better than independent columns). Group means are per
     * source column, in {@code groups} order. {@code nonFinite} counts rows whose flow log-density was not finite
     * (left out of the flow mean).
     */
    public record Result(long rows, int features, double flowMean, double flowStdError, double baselineMean,
                         List<String> groups, double[] baselineGroupMeans, long nonFinite) {
        public double difference() {
            return flowMean - baselineMean;
        }
    }

    /** Per-partition sums; a plain class because it crosses Spark's wire (Kryo cannot serialize records). */
    static final class Sums implements Serializable {
        private static final long serialVersionUID = 1L;
        long rows;
        long flowRows;
        double flowSum;
        double flowSumSq;
        double baseSum;
        double[] groupSums;

        Sums(int groups) {
            groupSums = new double[groups];
        }

        Sums merge(Sums o) {
            rows += o.rows;
            flowRows += o.flowRows;
            flowSum += o.flowSum;
            flowSumSq += o.flowSumSq;
            baseSum += o.baseSum;
            for (int g = 0; g < groupSums.length; g++) {
                groupSums[g] += o.groupSums[g];
            }
            return this;
        }
    }

    public Result evaluate(SparkSession spark, Dataset<Row> real, FlowsynthModel model) {
        TableEncoder encoder = model.encoder();
        List<String> names = encoder.columnNames();
        List<String> groups = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < encoder.columns().size(); i++) {
            ColumnEncoder c = encoder.columns().get(i);
            if (c.width() > 0) {
                groups.add(c.column());
                ranges.add(new int[]{encoder.offset(i), encoder.offset(i) + c.width()});
            }
        }
        int width = encoder.width();
        if (width == 0) {
            return new Result(0, 0, Double.NaN, Double.NaN, Double.NaN, groups, new double[0], 0);
        }
        // columns the model does not learn from (identifiers: width 0) may be absent, as in a report's real side
        Set<String> present = Set.of(real.columns());
        Column[] cols = new Column[names.size()];
        for (int i = 0; i < cols.length; i++) {
            String n = names.get(i);
            if (present.contains(n)) {
                cols[i] = functions.col("`" + n.replace("`", "``") + "`");
            } else if (encoder.columns().get(i).width() == 0) {
                cols[i] = functions.lit(null).as(n);
            } else {
                throw new BadInputException("Table to score has no column '" + n + "'");
            }
        }
        Dataset<Row> table = real.select(cols);
        Dataset<Row> sample = FidelityEvaluator.sample(table, table.count(), maxRows, seed);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelPayload> payload = jsc.broadcast(new ModelPayload(model));
        int[][] groupRanges = ranges.toArray(new int[0][]);
        long s = seed;
        JavaRDD<Sums> sums = sample.javaRDD().mapPartitionsWithIndex((partition, it) ->
                List.of(score(it, payload.value(), groupRanges, s, partition)).iterator(), false);
        Sums merged = OrderedReduce.reduce(sums, Sums::merge); // in partition order: the same bits on any schedule
        Sums total = merged == null ? new Sums(groupRanges.length) : merged;
        payload.destroy();
        double[] groupMeans = new double[groupRanges.length];
        for (int g = 0; g < groupMeans.length; g++) {
            groupMeans[g] = total.rows == 0 ? Double.NaN : total.groupSums[g] / total.rows;
        }
        double flowMean = total.flowRows == 0 ? Double.NaN : total.flowSum / total.flowRows;
        double variance = total.flowRows < 2 ? Double.NaN
                : Math.max(0, total.flowSumSq / total.flowRows - flowMean * flowMean) * total.flowRows
                / (total.flowRows - 1);
        return new Result(total.rows, width, flowMean, Math.sqrt(variance / total.flowRows),
                total.rows == 0 ? Double.NaN : total.baseSum / total.rows, groups, groupMeans,
                total.rows - total.flowRows);
    }

    private static Sums score(Iterator<Row> it, ModelPayload model, int[][] groups, long seed, int partition) {
        TableEncoder encoder = model.encoder();
        // a conditional model's density of a row is p(c)·p(rest | c) as plain sampling draws it
        Function<INDArray, INDArray> flow = model.spec().conditional() ? model.conditionalFlow()::logProb
                : model.flow()::logProb;
        int width = encoder.width();
        int columns = encoder.columns().size();
        Random rng = new Random(seed * 0x9E3779B97F4A7C15L + partition);
        Sums sums = new Sums(groups.length);
        Object[] values = new Object[columns];
        double[] x = new double[width];
        float[] batch = new float[BATCH * width];
        int inBatch = 0;
        while (it.hasNext()) {
            Row row = it.next();
            for (int i = 0; i < columns; i++) {
                values[i] = row.get(i);
            }
            encoder.encode(values, x, rng);
            for (int g = 0; g < groups.length; g++) {
                double term = 0;
                for (int j = groups[g][0]; j < groups[g][1]; j++) {
                    term += -0.5 * x[j] * x[j] - 0.5 * StandardNormalBase.LOG_2PI;
                }
                sums.groupSums[g] += term;
                sums.baseSum += term;
            }
            sums.rows++;
            for (int j = 0; j < width; j++) {
                batch[inBatch * width + j] = (float) x[j];
            }
            if (++inBatch == BATCH) {
                flowBatch(flow, batch, inBatch, width, sums);
                inBatch = 0;
            }
        }
        if (inBatch > 0) {
            flowBatch(flow, batch, inBatch, width, sums);
        }
        return sums;
    }

    private static void flowBatch(Function<INDArray, INDArray> flow, float[] batch, int rows, int width, Sums sums) {
        float[] data = rows * width == batch.length ? batch : java.util.Arrays.copyOf(batch, rows * width);
        INDArray x = Nd4j.create(data, new long[]{rows, width}, 'c');
        double[] lp = flow.apply(x).toDoubleVector();
        for (double v : lp) {
            if (Double.isFinite(v)) {
                sums.flowRows++;
                sums.flowSum += v;
                sums.flowSumSq += v * v;
            }
        }
    }
}
