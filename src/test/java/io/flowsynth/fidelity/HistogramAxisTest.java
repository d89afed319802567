package io.flowsynth.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Histogram axes of the report page: equal-width for balanced columns, log-spaced for skewed ones. */
class HistogramAxisTest {
    private static final int BINS = 20;

    /** Counts of {@code values} per bin of {@code edges} (end bins take what lies outside). */
    private static long[] counts(double[] values, double[] edges) {
        long[] c = new long[edges.length - 1];
        for (double v : values) {
            c[Metrics.binIndex(edges, v)]++;
        }
        return c;
    }

    private static double[] axis(double[] v) {
        double lo = Arrays.stream(v).min().orElseThrow();
        double hi = Arrays.stream(v).max().orElseThrow();
        double mean = Arrays.stream(v).average().orElseThrow();
        double std = Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length);
        return HistogramAxis.edges(lo, hi, mean, std, BINS);
    }

    private static long occupied(long[] counts, long min) {
        return Arrays.stream(counts).filter(c -> c >= min).count();
    }

    @Test
    void aLogNormalIncomeGetsALogAxisThatSpreadsItsRowsOverManyBars() {
        Random r = new Random(3);
        double[] income = new double[20_000];
        for (int i = 0; i < income.length; i++) {
            income[i] = 30_000 * Math.exp(1.1 * r.nextGaussian());
        }
        double[] edges = axis(income);
        assertThat(HistogramAxis.scale(edges)).isEqualTo("log");
        for (int k = 1; k < edges.length; k++) {
            assertThat(edges[k]).isGreaterThan(edges[k - 1]);
        }
        double[] linear = Metrics.equalWidthEdges(edges[0], edges[BINS], BINS);
        long onLog = occupied(counts(income, edges), income.length / 100);
        long onLinear = occupied(counts(income, linear), income.length / 100);
        assertThat(onLinear).isLessThanOrEqualTo(6);
        assertThat(onLog).isGreaterThanOrEqualTo(12).isGreaterThan(2 * onLinear);
    }

    @Test
    void aLeftSkewedColumnIsMirroredAndABalancedOneStaysLinear() {
        Random r = new Random(4);
        double[] left = new double[10_000];
        double[] normal = new double[10_000];
        for (int i = 0; i < left.length; i++) {
            left[i] = 100 - Math.exp(2 * r.nextGaussian());
            normal[i] = 50 + 10 * r.nextGaussian();
        }
        double[] e = axis(left);
        assertThat(HistogramAxis.scale(e)).isEqualTo("log");
        assertThat(e[BINS] - e[BINS - 1]).as("fine bins where the values crowd, at the top")
                .isLessThan(e[1] - e[0]);
        assertThat(HistogramAxis.scale(axis(normal))).isEqualTo("linear");
        assertThat(HistogramAxis.scale(HistogramAxis.edges(5, 5, 5, 0, BINS))).isEqualTo("linear");
    }

    @Test
    void theReportPageLabelsALogAxisAndTicksBetweenMinAndMax() throws Exception {
        ObjectNode d = (ObjectNode) new ObjectMapper().readTree("""
                {"name": "income", "kind": "numerical", "wasserstein_normalized": 0.01,
                 "histogram": {"scale": "log", "edges": [0, 1, 3, 7, 15, 31, 63, 127, 255],
                   "real": [10, 20, 30, 20, 10, 5, 3, 2], "synthetic": [12, 18, 30, 20, 10, 5, 3, 2]}}""");
        StringBuilder h = new StringBuilder();
        ReportPage.histogramForTest(h, "income", d, 0);
        String svg = h.toString();
        assertThat(svg).contains("log-spaced bins").contains("on a log axis");
        for (String tick : new String[]{"0", "3", "15", "63", "255"}) { // the edges at each quarter of the bins
            assertThat(svg).containsPattern(">" + tick + "(\\.0*)?</text>");
        }
        assertThat(svg.split("<text", -1).length - 1).isEqualTo(5);
        d.with("histogram").put("scale", "linear");
        StringBuilder linear = new StringBuilder();
        ReportPage.histogramForTest(linear, "income", d, 0);
        assertThat(linear.toString()).contains("equal-width bins").doesNotContain("log axis");
    }
}
