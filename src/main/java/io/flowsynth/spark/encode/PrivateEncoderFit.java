package io.flowsynth.spark.encode;

import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.ColumnPlan;
import io.flowsynth.encode.ColumnPlan.Mode;
import io.flowsynth.encode.ColumnValues;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.EncoderChoice;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.encode.dp.DpMechanisms;
import io.flowsynth.encode.dp.NoiseSource;
import io.flowsynth.encode.dp.PrivateEncoders;
import io.flowsynth.spark.OrderedReduce;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;

/**
 * The Spark passes of a differentially private encoder fit ({@code flowsynth.privacy.epsilon} set); the mechanisms,
 * budget and encoders are {@link PrivateEncoders}'. At most six jobs over the table:
 * <ol>
 *   <li>counts (rows; per column non-null, NaN, ±∞; for float and double columns, per d ≤ 6 the values off the
 *       10^−d grid), from which the row count is released first;</li>
 *   <li>for numeric, date and timestamp columns without a bounds setting, counts in a fixed signed power-of-two grid
 *       whose bins are split into equal sub-bins (the DP range, narrowed within one octave when need be); and, only
 *       when a narrowed range is still narrow against its octave, those columns' counts in equal sub-bins of it
 *       (one more job, the range refined);</li>
 *   <li>for categorical columns, one grouped count of (column, value) whose Gaussian noise is added <b>on the
 *       executors</b> (drawn from the fit's secret key and the value, {@link NoiseSource}): only values whose noisy
 *       count reaches the column's threshold, at most 2·maxCategories per column, reach the driver, with their noisy
 *       count only;</li>
 *   <li>for quantile columns on a log grid (not dates or timestamps), counts of their values equal to each round
 *       value within their bounds ({@link PrivateEncoders#pointCandidates}), from which the point masses are
 *       released;</li>
 *   <li>for quantile columns, counts of the values clamped to their bounds in the bins of
 *       {@link PrivateEncoders#gridEdges}, a value equal to a released point mass in that point's own bin.</li>
 * </ol>
 * No exact minimum, maximum, extreme, distinct count, shape or word reaches the driver; exact counts do (as inputs of
 * the mechanisms) but never a model.
 */
final class PrivateEncoderFit {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateEncoderFit.class);

    private final EncodeOptions options;
    private final PrivateEncoders dp;

    PrivateEncoderFit(EncodeOptions options, PrivateEncoders dp) {
        this.options = options;
        this.dp = dp;
    }

    TableEncoder fit(Dataset<Row> t, List<ColumnPlan> plans, List<String> dropped) {
        dp.prepare(plans); // kinds and bounds settings: bad input fails before any encoder pass
        StructField[] fields = t.schema().fields();
        ColumnStatistics.Spec[] specs = new ColumnStatistics.Spec[plans.size()];
        for (int k = 0; k < plans.size(); k++) {
            ColumnPlan p = plans.get(k);
            specs[k] = new ColumnStatistics.Spec(p.index, p.type, fields[p.index].dataType(), 0, false, false);
        }
        LOG.info("DP encoder pass 1 of 4: counts of {} columns (one Spark job)", plans.size());
        ColumnStatistics.Result[] results = new ColumnStatistics.Result[plans.size()];
        long rows = ColumnStatistics.compute(t, specs, TableEncoderEstimator.DISTINCT_RSD, EncoderChoice.SHAPES,
                results);
        dp.releaseRowCount(rows); // first: everything after uses the noisy count
        long[][] states = new long[plans.size()][];
        for (int k = 0; k < plans.size(); k++) {
            ColumnStatistics.Result r = results[k];
            long finite = r.nonNull - r.nan - r.positiveInfinity - r.negativeInfinity;
            states[k] = new long[]{finite, rows - r.nonNull, r.nan, r.positiveInfinity, r.negativeInfinity};
        }
        dp.plan(plans);

        List<ColumnPlan> ranged = new ArrayList<>();
        for (ColumnPlan p : plans) {
            if (dp.needsRange(p)) {
                ranged.add(p);
            }
        }
        if (!ranged.isEmpty()) {
            LOG.info("DP encoder pass 2 of 4: range counts of {} columns without bounds (one Spark job)",
                    ranged.size());
            double[] origins = ranged.stream().mapToDouble(p -> PrivateEncoders.rangeOrigin(p.type)).toArray();
            int[] rangeBins = new int[ranged.size()];
            java.util.Arrays.fill(rangeBins, DpMechanisms.RANGE_BINS * DpMechanisms.ZOOM_SUBBINS);
            Sparse counts = histograms(t, ranged, rangeBins, (j, x) -> DpMechanisms.zoomBin(x - origins[j]));
            for (int j = 0; j < ranged.size(); j++) {
                dp.releaseRange(ranged.get(j), counts.dense(j, rangeBins[j]));
            }
            refine(t, ranged);
        }
        for (ColumnPlan p : plans) {
            dp.decideAfterBounds(p);
        }

        categories(t, plans, states);
        for (int k = 0; k < plans.size(); k++) {
            ColumnPlan p = plans.get(k);
            if (p.mode == Mode.FAKE) {
                dp.generated(p, states[k][1]);
            }
        }
        List<ColumnPlan> quantiles = new ArrayList<>();
        List<long[]> quantileStates = new ArrayList<>();
        List<long[]> quantileDecimals = new ArrayList<>();
        for (int k = 0; k < plans.size(); k++) {
            if (plans.get(k).mode == Mode.QUANTILE) {
                quantiles.add(plans.get(k));
                quantileStates.add(states[k]);
                quantileDecimals.add(plans.get(k).type.base() == io.flowsynth.encode.ColumnType.Base.TIMESTAMP
                        ? new long[]{results[k].subSecond, results[k].subMilli} : results[k].offDecimals);
            }
        }
        if (!quantiles.isEmpty()) {
            points(t, quantiles);
            LOG.info("DP encoder pass 4 of 4: clamped grid counts of {} numeric, date and timestamp columns (one Spark "
                    + "job)", quantiles.size());
            double[][] edges = quantiles.stream().map(dp::gridEdges).toArray(double[][]::new);
            double[][] points = quantiles.stream().map(dp::histogramPoints).toArray(double[][]::new);
            int[] bins = new int[quantiles.size()];
            for (int j = 0; j < bins.length; j++) {
                bins[j] = edges[j].length - 1 + points[j].length;
            }
            Sparse grids = histograms(t, quantiles, bins, (j, x) -> {
                int point = DpMechanisms.pointBin(points[j], x);
                return point >= 0 ? edges[j].length - 1 + point : DpMechanisms.edgeBin(edges[j], x);
            });
            for (int j = 0; j < quantiles.size(); j++) {
                dp.quantile(quantiles.get(j), quantileStates.get(j), grids.dense(j, bins[j]), quantileDecimals.get(j));
            }
        }

        List<ColumnEncoder> encoders = new ArrayList<>();
        for (ColumnPlan p : plans) {
            encoders.add(p.encoder);
            LOG.info("Column '{}' ({}): {} ({}); {}; {} feature{} (differentially private fit)", p.name, p.type,
                    p.encoder.kind(), p.why, EncoderChoice.encoderName(p.encoder), p.encoder.width(),
                    p.encoder.width() == 1 ? "" : "s");
        }
        return new TableEncoder(encoders, dropped, dp.releases());
    }

    /**
     * Pass 2b, only when a zoomed range is still narrow ({@link PrivateEncoders#needsRefinement}): those columns'
     * counts in equal sub-bins of their released bounds, from which the range is refined.
     */
    private void refine(Dataset<Row> t, List<ColumnPlan> ranged) {
        List<ColumnPlan> narrow = ranged.stream().filter(dp::needsRefinement).toList();
        if (narrow.isEmpty()) {
            return;
        }
        LOG.info("DP encoder pass 2b: refining the narrow ranges of {} columns (one Spark job)", narrow.size());
        double[][] bounds = narrow.stream().map(dp::bounds).toArray(double[][]::new);
        int[] bins = new int[narrow.size()];
        java.util.Arrays.fill(bins, DpMechanisms.REFINE_SUBBINS);
        Sparse counts = histograms(t, narrow, bins, (j, x) -> DpMechanisms.refineBin(x, bounds[j][0], bounds[j][1]));
        for (int j = 0; j < narrow.size(); j++) {
            dp.releaseRefinement(narrow.get(j), counts.dense(j, bins[j]));
        }
    }

    /**
     * Pass 3b, only when some quantile column has round values within its bounds
     * ({@link PrivateEncoders#pointCandidates}): their counts of values equal to each, from which the point masses
     * are released.
     */
    private void points(Dataset<Row> t, List<ColumnPlan> quantiles) {
        List<ColumnPlan> with = new ArrayList<>();
        List<double[]> candidates = new ArrayList<>();
        for (ColumnPlan p : quantiles) {
            double[] c = dp.pointCandidates(p);
            if (c.length > 0) {
                with.add(p);
                candidates.add(c);
            }
        }
        if (with.isEmpty()) {
            return;
        }
        LOG.info("DP encoder pass 3b: counts of round values of {} numeric columns (one Spark job)", with.size());
        double[][] values = candidates.toArray(double[][]::new);
        int[] bins = new int[values.length];
        for (int j = 0; j < bins.length; j++) {
            bins[j] = values[j].length;
        }
        Sparse counts = histograms(t, with, bins, (j, x) -> DpMechanisms.pointBin(values[j], x));
        for (int j = 0; j < with.size(); j++) {
            dp.releasePoints(with.get(j), values[j], counts.dense(j, bins[j]));
        }
    }

    /** Which bin of its histogram a column's (finite) value falls in (−1: none). */
    private interface Binning extends java.io.Serializable {
        int bin(int column, double x);
    }

    /**
     * Per column j, counts of its finite values ({@link TableEncoderEstimator#numeric}) in {@code bins[j]} bins. A
     * partition counts into dense arrays and returns only its non-zero bins, so the range pass's 9,024 zoom bins per
     * column (of which a column fills a few dozen) cost the shuffle and the driver next to nothing, whatever the width.
     */
    private static Sparse histograms(Dataset<Row> t, List<ColumnPlan> plans, int[] bins, Binning binning) {
        Column[] cols = new Column[plans.size()];
        for (int j = 0; j < cols.length; j++) {
            cols[j] = TableEncoderEstimator.numeric(col("c" + plans.get(j).index), plans.get(j).type);
        }
        int n = cols.length;
        JavaRDD<Sparse> partials = t.select(cols).javaRDD().mapPartitions(it -> {
            long[][] c = new long[n][];
            for (int j = 0; j < n; j++) {
                c[j] = new long[bins[j]];
            }
            while (it.hasNext()) {
                Row r = it.next();
                for (int j = 0; j < n; j++) {
                    int b = r.isNullAt(j) ? -1 : binning.bin(j, r.getDouble(j));
                    if (b >= 0) {
                        c[j][b]++;
                    }
                }
            }
            return Collections.singletonList(Sparse.of(c)).iterator();
        });
        Sparse total = OrderedReduce.reduce(partials, Sparse::merge);
        return total == null ? Sparse.of(new long[n][0]) : total;
    }

    /** Per column, the non-zero bins of a histogram (ascending) and their counts. */
    static final class Sparse implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final int[][] bins;
        final long[][] counts;

        private Sparse(int[][] bins, long[][] counts) {
            this.bins = bins;
            this.counts = counts;
        }

        static Sparse of(long[][] dense) {
            int[][] b = new int[dense.length][];
            long[][] c = new long[dense.length][];
            for (int j = 0; j < dense.length; j++) {
                int nonZero = 0;
                for (long v : dense[j]) {
                    nonZero += v != 0 ? 1 : 0;
                }
                b[j] = new int[nonZero];
                c[j] = new long[nonZero];
                for (int i = 0, k = 0; i < dense[j].length; i++) {
                    if (dense[j][i] != 0) {
                        b[j][k] = i;
                        c[j][k++] = dense[j][i];
                    }
                }
            }
            return new Sparse(b, c);
        }

        /** The sum of two (merging each column's sorted bins). */
        Sparse merge(Sparse o) {
            int[][] b = new int[bins.length][];
            long[][] c = new long[bins.length][];
            for (int j = 0; j < bins.length; j++) {
                int[] x = bins[j];
                int[] y = o.bins[j];
                int[] mb = new int[x.length + y.length];
                long[] mc = new long[x.length + y.length];
                int p = 0;
                int q = 0;
                int k = 0;
                while (p < x.length || q < y.length) {
                    if (q >= y.length || (p < x.length && x[p] < y[q])) {
                        mb[k] = x[p];
                        mc[k++] = counts[j][p++];
                    } else if (p >= x.length || y[q] < x[p]) {
                        mb[k] = y[q];
                        mc[k++] = o.counts[j][q++];
                    } else {
                        mb[k] = x[p];
                        mc[k++] = counts[j][p++] + o.counts[j][q++];
                    }
                }
                b[j] = java.util.Arrays.copyOf(mb, k);
                c[j] = java.util.Arrays.copyOf(mc, k);
            }
            return new Sparse(b, c);
        }

        /** Column j's counts as a dense array of {@code size} bins. */
        long[] dense(int j, int size) {
            long[] out = new long[size];
            for (int k = 0; k < bins[j].length; k++) {
                out[bins[j][k]] = counts[j][k];
            }
            return out;
        }
    }

    /** Pass 3: the stability histograms of the categorical columns, noised and thresholded on the executors. */
    private void categories(Dataset<Row> t, List<ColumnPlan> plans, long[][] states) {
        List<ColumnPlan> cats = new ArrayList<>();
        List<Long> nulls = new ArrayList<>();
        for (int k = 0; k < plans.size(); k++) {
            if (plans.get(k).mode == Mode.CATEGORICAL) {
                cats.add(plans.get(k));
                nulls.add(states[k][1] + states[k][2] + states[k][3] + states[k][4]); // no NaN/±∞ in categoricals
            }
        }
        if (cats.isEmpty()) {
            return;
        }
        LOG.info("DP encoder pass 3 of 4: noisy category counts of {} categorical columns (one Spark job)",
                cats.size());
        Column[] pairs = new Column[cats.size()];
        double[] sigmas = new double[cats.size()];
        double[] thresholds = new double[cats.size()];
        int[] indexes = new int[cats.size()];
        for (int k = 0; k < cats.size(); k++) {
            ColumnPlan p = cats.get(k);
            pairs[k] = struct(lit(k).as("i"), TableEncoderEstimator.keyText(col("c" + p.index), p.type).as("v"));
            sigmas[k] = dp.categorySigma(p);
            thresholds[k] = dp.categoryThreshold(p);
            indexes[k] = p.index;
        }
        NoiseSource noise = dp.noise();
        UDF3<Integer, String, Long, Double> noisyCount = (i, v, n) -> {
            double x = n + noise.gaussian(PrivateEncoders.categoryLabel(indexes[i], v), sigmas[i]);
            return x >= thresholds[i] ? x : null;
        };
        UserDefinedFunction noisy = udf(noisyCount, DataTypes.DoubleType);
        long keep = 2L * options.maxCategories();
        List<Row> released = t.select(explode(array(pairs)).as("e"))
                .select(col("e.i").as("i"), col("e.v").as("v"))
                .where(col("v").isNotNull())
                .groupBy("i", "v").count()
                .withColumn("noisy", noisy.apply(col("i"), col("v"), col("count")))
                .where(col("noisy").isNotNull())
                .withColumn("rank", row_number().over(Window.partitionBy("i").orderBy(col("noisy").desc(),
                        col("v").asc())))
                .where(col("rank").leq(lit(keep)))
                .select("i", "v", "noisy") // the exact count stays on the executors
                .collectAsList();
        List<Map<Object, Double>> byColumn = new ArrayList<>();
        for (int k = 0; k < cats.size(); k++) {
            byColumn.add(new HashMap<>());
        }
        for (Row r : released) {
            int k = r.getInt(0);
            byColumn.get(k).put(ColumnValues.keyFromText(cats.get(k).type, r.getString(1)), r.getDouble(2));
        }
        for (int k = 0; k < cats.size(); k++) {
            dp.categorical(cats.get(k), byColumn.get(k), nulls.get(k));
        }
    }
}
