package io.flowsynth.spark.encode;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.util.QuantileSummaries;
import scala.Option;
import io.flowsynth.spark.OrderedReduce;

import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Approximate quantiles of several double columns in one Spark job whose result does not depend on the order in which
 * tasks finish. It uses the summaries of Spark's own {@code approxQuantile} (Greenwald–Khanna, "Space-efficient online
 * computation of quantile summaries", SIGMOD 2001: {@link QuantileSummaries}, the same relative-error guarantee), but
 * merges them in <em>partition order</em> instead of task completion order ({@code approxQuantile} combines through
 * {@code treeAggregate}, whose final fold merges results as tasks finish, so two fits of one table could store
 * different knots on a loaded machine or a cluster):
 * every partition summarises its rows (all columns at once; nulls and NaN skipped) and compresses the summaries, and
 * {@link OrderedReduce} merges them in ascending partition index. GK merges are deterministic for a fixed sequence of
 * inputs, so the quantiles depend only on the table's partitions and the rows' order within them (fixed for a given
 * input and partitioning), never on scheduling. Cost: one pass; the driver and each merging task hold at most
 * {@value OrderedReduce#FAN_IN} summaries per column (each O(1/ε) entries), never the column.
 */
final class OrderedQuantiles {
    private OrderedQuantiles() {
    }

    /**
     * @param doubles       a table of double columns (null or NaN: skipped)
     * @param probabilities the probabilities to query, each in [0, 1]
     * @return per column, the quantiles at {@code probabilities}; an empty array for a column without values
     */
    static double[][] approxQuantiles(Dataset<Row> doubles, double[] probabilities, double relativeError) {
        int columns = doubles.schema().fields().length;
        JavaRDD<Sketch[]> summaries = doubles.javaRDD().mapPartitions(
                it -> Collections.singletonList(summarise(it, columns, relativeError)).iterator(), true);
        Sketch[] merged = OrderedReduce.reduce(summaries, (a, b) -> merge(a, b, relativeError));
        double[][] out = new double[columns][];
        for (int c = 0; c < columns; c++) {
            QuantileSummaries s = merged == null ? empty(relativeError) : merged[c].summaries(relativeError);
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

    /** Merges two partitions' summaries, column by column (the earlier partition first). */
    static Sketch[] merge(Sketch[] a, Sketch[] b, double relativeError) {
        Sketch[] out = new Sketch[a.length];
        for (int c = 0; c < a.length; c++) {
            out[c] = Sketch.of(a[c].summaries(relativeError).merge(b[c].summaries(relativeError)));
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
