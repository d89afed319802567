package io.flowsynth.spark.encode;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.util.QuantileSummaries;
import scala.Option;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Approximate quantiles of several double columns in one Spark job whose result does not depend on the order in which
 * tasks finish. It uses the summaries of Spark's own {@code approxQuantile} (Greenwald–Khanna, "Space-efficient online
 * computation of quantile summaries", SIGMOD 2001: {@link QuantileSummaries}, the same relative-error guarantee), but
 * merges them in <em>partition order</em> instead of task completion order ({@code approxQuantile} combines through
 * {@code treeAggregate}, whose final fold merges results as tasks finish, so two fits of one table could store
 * different knots on a loaded machine or a cluster):
 * <ol>
 *   <li>every partition summarises its rows (all columns at once; nulls and NaN skipped) and compresses the summaries;</li>
 *   <li>while there are more than {@value #FAN_IN} summaries, they are grouped by partition index ÷ {@value #FAN_IN}
 *       (one shuffle stage of the same job) and each group is merged in ascending partition index;</li>
 *   <li>the at most {@value #FAN_IN} group results come back to the driver in partition order ({@code collect}) and
 *       are merged in that order.</li>
 * </ol>
 * GK merges are deterministic for a fixed sequence of inputs, so the quantiles depend only on the table's partitions and
 * the rows' order within them (fixed for a given input and partitioning), never on scheduling. Cost: one pass; the
 * driver and each merging task hold at most {@value #FAN_IN} summaries per column (each O(1/ε) entries), never the
 * column.
 */
final class OrderedQuantiles {
    /** Most summaries merged by one task or by the driver. */
    static final int FAN_IN = 16;

    private OrderedQuantiles() {
    }

    /**
     * @param doubles       a table of double columns (null or NaN: skipped)
     * @param probabilities the probabilities to query, each in [0, 1]
     * @return per column, the quantiles at {@code probabilities}; an empty array for a column without values
     */
    static double[][] approxQuantiles(Dataset<Row> doubles, double[] probabilities, double relativeError) {
        int columns = doubles.schema().fields().length;
        JavaRDD<Row> rows = doubles.javaRDD();
        int parts = rows.getNumPartitions();
        JavaRDD<Tuple2<Integer, Sketch[]>> level = rows.mapPartitionsWithIndex(
                (p, it) -> List.of(new Tuple2<>(p, summarise(it, columns, relativeError))).iterator(), true);
        while (parts > FAN_IN) {
            int groups = (parts + FAN_IN - 1) / FAN_IN;
            level = level.mapToPair(t -> new Tuple2<>(t._1() / FAN_IN, t))
                    .partitionBy(new HashPartitioner(groups))
                    .mapPartitions(it -> {
                        List<Tuple2<Integer, Sketch[]>> group = new ArrayList<>();
                        int key = -1;
                        while (it.hasNext()) {
                            Tuple2<Integer, Tuple2<Integer, Sketch[]>> e = it.next();
                            key = e._1();
                            group.add(e._2());
                        }
                        if (group.isEmpty()) {
                            return java.util.Collections.<Tuple2<Integer, Sketch[]>>emptyIterator();
                        }
                        return List.of(new Tuple2<>(key, merge(group, columns, relativeError))).iterator();
                    }, true);
            parts = groups;
        }
        List<Tuple2<Integer, Sketch[]>> top = new ArrayList<>(level.collect());
        Sketch[] merged = merge(top, columns, relativeError);
        double[][] out = new double[columns][];
        for (int c = 0; c < columns; c++) {
            QuantileSummaries s = merged[c].summaries(relativeError);
            if (s.count() == 0) {
                out[c] = new double[0];
                continue;
            }
            out[c] = new double[probabilities.length];
            for (int j = 0; j < probabilities.length; j++) {
                Option<Object> q = s.query(probabilities[j]);
                out[c][j] = q.isDefined() ? (Double) q.get() : Double.NaN;
            }
        }
        return out;
    }

    /** One partition's compressed summaries, one per column. */
    static Sketch[] summarise(Iterator<Row> it, int columns, double relativeError) {
        QuantileSummaries[] s = new QuantileSummaries[columns];
        for (int c = 0; c < columns; c++) {
            s[c] = empty(relativeError);
        }
        while (it.hasNext()) {
            Row r = it.next();
            for (int c = 0; c < columns; c++) {
                if (!r.isNullAt(c)) {
                    double v = r.getDouble(c);
                    if (!Double.isNaN(v)) {
                        s[c] = s[c].insert(v + 0.0); // −0.0 as 0.0
                    }
                }
            }
        }
        Sketch[] out = new Sketch[columns];
        for (int c = 0; c < columns; c++) {
            out[c] = Sketch.of(s[c].compress());
        }
        return out;
    }

    /** Merges (partition index, summaries) pairs in ascending partition index. */
    static Sketch[] merge(List<Tuple2<Integer, Sketch[]>> parts, int columns, double relativeError) {
        List<Tuple2<Integer, Sketch[]>> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingInt(Tuple2::_1));
        Sketch[] out = new Sketch[columns];
        for (int c = 0; c < columns; c++) {
            QuantileSummaries m = empty(relativeError);
            for (Tuple2<Integer, Sketch[]> p : sorted) {
                m = m.merge(p._2()[c].summaries(relativeError));
            }
            out[c] = Sketch.of(m);
        }
        return out;
    }

    private static QuantileSummaries empty(double relativeError) {
        return new QuantileSummaries(QuantileSummaries.defaultCompressThreshold(), relativeError,
                new QuantileSummaries.Stats[0], 0L, true);
    }

    /** A compressed summary as plain arrays (what crosses the wire; Spark's class is rebuilt from it). */
    static final class Sketch implements Serializable {
        private static final long serialVersionUID = 1L;
        final double[] values;
        final long[] g;
        final long[] delta;
        final long count;

        Sketch(double[] values, long[] g, long[] delta, long count) {
            this.values = values;
            this.g = g;
            this.delta = delta;
            this.count = count;
        }

        static Sketch of(QuantileSummaries s) {
            QuantileSummaries.Stats[] stats = s.sampled();
            double[] v = new double[stats.length];
            long[] g = new long[stats.length];
            long[] d = new long[stats.length];
            for (int i = 0; i < stats.length; i++) {
                v[i] = stats[i].value();
                g[i] = stats[i].g();
                d[i] = stats[i].delta();
            }
            return new Sketch(v, g, d, s.count());
        }

        QuantileSummaries summaries(double relativeError) {
            QuantileSummaries.Stats[] stats = new QuantileSummaries.Stats[values.length];
            for (int i = 0; i < stats.length; i++) {
                stats[i] = new QuantileSummaries.Stats(values[i], g[i], delta[i]);
            }
            return new QuantileSummaries(QuantileSummaries.defaultCompressThreshold(), relativeError, stats, count,
                    true);
        }
    }
}
