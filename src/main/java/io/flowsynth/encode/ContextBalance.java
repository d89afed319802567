package io.flowsynth.encode;

import java.util.ArrayList;
import java.util.List;

/**
 * Context-balanced training of a conditional model ({@code flowsynth.condition.balance} = α): training rows are drawn
 * with a weight that grows as their categorical context gets rarer, so that a rare level's conditional
 * p(rest | c) is learned from more than its share of the steps. A row whose categorical context columns hold the kept
 * levels c₁ … c_m is drawn with weight Π_j min((f_max,j / f_j(c_j))^α, {@link #MAX_FACTOR}^(1/m)), f_j the
 * column's kept-category frequencies (so a level's rows are drawn at most {@link #MAX_FACTOR} times as often as the
 * most frequent level's rows, whatever α). α = 0 is plain uniform sampling, α = 1 balances the levels.
 *
 * <p>p(rest | c) is what the maximum-likelihood fit targets for every level whatever the weights (the weights only
 * change how many steps each level gets), and the held-out validation rows keep the table's own distribution. p(c)
 * itself (the ActNorm's context scale) is learned on the weighted rows; the marginal calibration, fitted afterwards
 * on unweighted training rows, maps it back to the context's real marginal. Context values that are not kept (rare,
 * protected values) and numeric, date or timestamp context columns get weight 1: a rare value is never up-weighted.
 */
public final class ContextBalance implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** Most a level's rows are up-weighted against the most frequent level's. */
    public static final double MAX_FACTOR = 10;

    private final int[] columns;             // indices (in the encoder's columns) of the categorical context columns
    private final double[][] levelWeights;   // per such column, per kept level
    private final int[] radix;               // per such column, its kept levels + 1 (for "not kept")

    private ContextBalance(int[] columns, double[][] levelWeights) {
        this.columns = columns;
        this.levelWeights = levelWeights;
        this.radix = new int[columns.length];
        for (int j = 0; j < columns.length; j++) {
            radix[j] = levelWeights[j].length + 1;
        }
    }

    /**
     * The balance of an encoder whose leading {@code contextColumns} columns are the context, or null when it
     * changes nothing (α = 0, or no categorical context column with two or more kept levels).
     */
    public static ContextBalance of(TableEncoder encoder, int contextColumns, double alpha) {
        if (alpha <= 0 || contextColumns == 0) {
            return null;
        }
        List<Integer> cols = new ArrayList<>();
        List<double[]> weights = new ArrayList<>();
        for (int i = 0; i < contextColumns; i++) {
            if (encoder.columns().get(i) instanceof CategoricalEncoder cat && cat.categories().size() >= 2) {
                cols.add(i);
            }
        }
        if (cols.isEmpty()) {
            return null;
        }
        double cap = Math.pow(MAX_FACTOR, 1.0 / cols.size());
        for (int i : cols) {
            CategoricalEncoder cat = (CategoricalEncoder) encoder.columns().get(i);
            List<Object> levels = cat.categories();
            double max = 0;
            for (Object level : levels) {
                max = Math.max(max, cat.frequency(level));
            }
            double[] w = new double[levels.size()];
            for (int k = 0; k < w.length; k++) {
                double f = cat.frequency(levels.get(k));
                w[k] = f > 0 ? Math.min(Math.pow(max / f, alpha), cap) : 1;
            }
            weights.add(w);
        }
        ContextBalance b = new ContextBalance(cols.stream().mapToInt(Integer::intValue).toArray(),
                weights.toArray(new double[0][]));
        return b.groups() < 0 ? null : b;
    }

    /**
     * The group of a row given its values (in the encoder's column order): rows of one group share a weight. Groups
     * are numbered 0 … {@link #groups()} − 1.
     */
    public int group(Object[] values, TableEncoder encoder) {
        int g = 0;
        for (int j = 0; j < columns.length; j++) {
            int k = ((CategoricalEncoder) encoder.columns().get(columns[j])).keptIndex(values[columns[j]]);
            g = g * radix[j] + (k + 1);
        }
        return g;
    }

    /** Number of groups (every combination of kept levels and "not kept"). */
    public int groups() {
        long n = 1;
        for (int r : radix) {
            n *= r;
            if (n > MAX_GROUPS) {
                return -1;
            }
        }
        return (int) n;
    }

    /** More combinations than this: no balancing (too many groups to track per partition). */
    public static final int MAX_GROUPS = 1 << 20;

    /** The weight of a group's rows. */
    public double weight(int group) {
        double w = 1;
        for (int j = columns.length - 1; j >= 0; j--) {
            int k = group % radix[j] - 1;
            group /= radix[j];
            if (k >= 0) {
                w *= levelWeights[j][k];
            }
        }
        return w;
    }
}
