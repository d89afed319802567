package io.flowsynth.encode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Fits encoders in memory from a sample, the way the Spark estimator does with aggregates (tests only). */
final class Fixtures {
    private Fixtures() {
    }

    /** The knot probabilities j/(n − 1) of {@link #quantile}. */
    static double[] probabilities(int knotCount) {
        double[] p = new double[knotCount];
        for (int j = 0; j < knotCount; j++) {
            p[j] = (double) j / (knotCount - 1);
        }
        return p;
    }

    static QuantileEncoder quantile(String column, String kind, ColumnType type, List<?> values, int knotCount) {
        long[] states = new long[ValueStates.State.values().length];
        List<Double> finite = new ArrayList<>();
        long subSecond = 0;
        long subMilli = 0;
        for (Object v : values) {
            if (v == null) {
                states[1]++;
                continue;
            }
            if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d)) {
                    states[2]++;
                    continue;
                } else if (d == Double.POSITIVE_INFINITY) {
                    states[3]++;
                    continue;
                } else if (d == Double.NEGATIVE_INFINITY) {
                    states[4]++;
                    continue;
                }
            }
            double x = ColumnValues.toDouble(type, v);
            if (type.base() == ColumnType.Base.TIMESTAMP) {
                long micros = (long) x;
                subSecond += Math.floorMod(micros, 1_000_000L) != 0 ? 1 : 0;
                subMilli += Math.floorMod(micros, 1_000L) != 0 ? 1 : 0;
            }
            finite.add(x);
            states[0]++;
        }
        double[] sorted = finite.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] knots = new double[knotCount];
        double[] probabilities = new double[knotCount];
        for (int j = 0; j < knotCount; j++) {
            probabilities[j] = (double) j / (knotCount - 1);
            int rank = (int) Math.ceil(probabilities[j] * sorted.length) - 1;
            knots[j] = sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
        }
        knots[0] = sorted[0];
        knots[knotCount - 1] = sorted[sorted.length - 1];
        double unit;
        switch (type.base()) {
            case FLOAT:
            case DOUBLE:
                unit = 0.0;
                break;
            case DECIMAL:
                unit = BigDecimal.ONE.movePointLeft(type.scale()).doubleValue();
                break;
            case TIMESTAMP:
                unit = subMilli > 0 ? 1.0 : subSecond > 0 ? 1_000.0 : 1_000_000.0;
                break;
            default:
                unit = 1.0;
        }
        return new QuantileEncoder(column, kind, type, knots, probabilities, unit, states);
    }

    /**
     * A quantile encoder fitted as the estimator does with extreme-value protection: the raw sketch of
     * {@link #quantile}, the exact 2k + 1 smallest and largest finite values, then {@link ExtremeBounds#protect}.
     */
    static QuantileEncoder protectedQuantile(String column, String kind, ColumnType type, List<?> values,
                                             int knotCount, int k, double clippedTail) {
        QuantileEncoder raw = quantile(column, kind, type, values, knotCount);
        double[] sorted = values.stream().filter(v -> v != null && raw.isValue(v))
                .mapToDouble(v -> ColumnValues.toDouble(type, v)).sorted().toArray();
        int m = Math.min(sorted.length, 2 * k + 1);
        double[] smallest = Arrays.copyOf(sorted, m);
        double[] largest = new double[m];
        for (int i = 0; i < m; i++) {
            largest[i] = sorted[sorted.length - 1 - i];
        }
        double[] probabilities = new double[knotCount];
        for (int j = 0; j < knotCount; j++) {
            probabilities[j] = (double) j / (knotCount - 1);
        }
        if (clippedTail > 0) { // as the estimator asks the sketch for α and 1 − α too
            probabilities = java.util.stream.DoubleStream.concat(Arrays.stream(probabilities),
                    java.util.stream.DoubleStream.of(clippedTail, 1 - clippedTail)).sorted().distinct().toArray();
        }
        double[] knots = new double[probabilities.length];
        for (int j = 0; j < knots.length; j++) {
            int rank = (int) Math.ceil(probabilities[j] * sorted.length) - 1;
            knots[j] = sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
        }
        knots[0] = sorted[0];
        knots[knots.length - 1] = sorted[sorted.length - 1];
        ExtremeBounds.Result r = ExtremeBounds.protect(knots, probabilities, smallest, largest, sorted.length, k,
                clippedTail, raw.unit());
        return new QuantileEncoder(column, kind, type, r.knots(), r.probabilities(), raw.unit(), -1,
                raw.stateCounts(), r.lowerTail(), r.upperTail(), k);
    }

    static CategoricalEncoder categorical(String column, ColumnType type, List<?> values, int maxCategories) {
        Map<Object, Long> counts = new HashMap<>();
        for (Object v : values) {
            counts.merge(ColumnValues.key(type, v), 1L, Long::sum);
        }
        Long nulls = counts.remove(null);
        List<Map.Entry<Object, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<Object, Long>comparingByValue().reversed()
                .thenComparing(Map.Entry::getKey, ColumnValues::compareKeys));
        Map<Object, Long> kept = new HashMap<>();
        Map<Object, Long> rare = new HashMap<>();
        long other = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (i < maxCategories) {
                kept.put(entries.get(i).getKey(), entries.get(i).getValue());
            } else {
                other += entries.get(i).getValue();
                if (i < 2 * maxCategories) {
                    rare.put(entries.get(i).getKey(), entries.get(i).getValue());
                }
            }
        }
        if (nulls != null) {
            kept.put(null, nulls);
        }
        return new CategoricalEncoder(column, type, kept, other, rare);
    }

    static double mean(double[] x) {
        return Arrays.stream(x).average().orElseThrow();
    }

    static double std(double[] x) {
        double m = mean(x);
        return Math.sqrt(Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1));
    }
}
