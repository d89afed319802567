package io.flowsynth.spark.encode;

import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The m smallest and m largest values of a double column (nulls skipped), exactly, in one pass: each partition keeps
 * two bounded sorted buffers of m values (O(m) per insertion, m = 2k + 1 is small), merged pairwise by Spark's
 * aggregation; the result is one string "s1,s2,…;l1,l2,…" (smallest ascending; largest descending), each value in
 * {@link Double#toString} form so it parses back exactly. Used as an untyped aggregate ({@code functions.udaf}) next
 * to the estimator's other aggregates, so the k-th order statistics cost no extra pass over the table.
 */
final class ExtremeValues extends Aggregator<Double, ExtremeValues.Buffer, String> {
    private static final long serialVersionUID = 1L;
    private final int m;

    ExtremeValues(int m) {
        if (m < 1) {
            throw new IllegalArgumentException("m must be ≥ 1, got " + m);
        }
        this.m = m;
    }

    /** The two bounded buffers: {@code low[0..nLow)} ascending, {@code high[0..nHigh)} descending. */
    public static final class Buffer implements Serializable {
        private static final long serialVersionUID = 1L;
        double[] low;
        double[] high;
        int nLow;
        int nHigh;

        public Buffer() {
        }

        Buffer(int m) {
            low = new double[m];
            high = new double[m];
        }

        void add(double x) {
            nLow = insert(low, nLow, x, true);
            nHigh = insert(high, nHigh, x, false);
        }

        /** Adds the other buffer's values (same m). */
        void merge(Buffer b) {
            for (int i = 0; i < b.nLow; i++) {
                nLow = insert(low, nLow, b.low[i], true);
            }
            for (int i = 0; i < b.nHigh; i++) {
                nHigh = insert(high, nHigh, b.high[i], false);
            }
        }

        /** The smallest values, ascending. */
        double[] smallest() {
            return Arrays.copyOf(low, nLow);
        }

        /** The largest values, descending. */
        double[] largest() {
            return Arrays.copyOf(high, nHigh);
        }

        /** Inserts x into the sorted prefix a[0..n) (ascending or descending), dropping the last one when full. */
        private static int insert(double[] a, int n, double x, boolean ascending) {
            int cap = a.length;
            if (n == cap && !(ascending ? x < a[n - 1] : x > a[n - 1])) {
                return n;
            }
            int i = Math.min(n, cap - 1);
            while (i > 0 && (ascending ? x < a[i - 1] : x > a[i - 1])) {
                a[i] = a[i - 1];
                i--;
            }
            a[i] = x;
            return Math.min(n + 1, cap);
        }
    }

    @Override
    public Buffer zero() {
        return new Buffer(m);
    }

    @Override
    public Buffer reduce(Buffer b, Double x) {
        if (x != null && Double.isFinite(x)) {
            b.add(x + 0.0); // −0.0 as 0.0: which of two equal zeros a buffer keeps would depend on the merge order
        }
        return b;
    }

    @Override
    public Buffer merge(Buffer a, Buffer b) {
        for (int i = 0; i < b.nLow; i++) {
            a.nLow = Buffer.insert(a.low, a.nLow, b.low[i], true);
        }
        for (int i = 0; i < b.nHigh; i++) {
            a.nHigh = Buffer.insert(a.high, a.nHigh, b.high[i], false);
        }
        return a;
    }

    @Override
    public String finish(Buffer b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < b.nLow; i++) {
            s.append(i > 0 ? "," : "").append(b.low[i]);
        }
        s.append(';');
        for (int i = 0; i < b.nHigh; i++) {
            s.append(i > 0 ? "," : "").append(b.high[i]);
        }
        return s.toString();
    }

    /** Parses {@link #finish}'s string: {smallest ascending, largest descending}. */
    static double[][] parse(String s) {
        if (s == null) {
            return new double[][]{new double[0], new double[0]};
        }
        int semi = s.indexOf(';');
        return new double[][]{values(s.substring(0, semi)), values(s.substring(semi + 1))};
    }

    private static double[] values(String s) {
        return s.isEmpty() ? new double[0] : Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    @Override
    public Encoder<Buffer> bufferEncoder() {
        return Encoders.kryo(Buffer.class);
    }

    @Override
    public Encoder<String> outputEncoder() {
        return Encoders.STRING();
    }
}
