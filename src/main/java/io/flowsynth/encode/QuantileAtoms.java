package io.flowsynth.encode;

import java.util.ArrayList;
import java.util.List;

/**
 * Point masses ("atoms") of a quantile column's frequent values: a value seen in at least k rows whose share of the
 * rows is at least {@link #MIN_EXCESS} times what the knots' linear interpolation gives to its unit cell becomes a run
 * of two tied knots holding exactly its share, so it decodes to itself that often. Release dates are the case: films
 * open on Fridays, a date of 5 films in 2,554 rows is 0.2 % of them, while the knots (500 of them, a few days apart)
 * spread each segment's rows evenly over all its days, so the synthetic dates fell on Fridays one day in seven and
 * almost never on a real release date. Values seen fewer than k times are never atoms (they never reach the driver);
 * an atom lies strictly inside the column's (protected) bounds and off a segment with a Pareto tail. Measured
 * ({@code jobs/bench.sh fidelity-real movies}): 37 of Release Date's dates (190 of 2,554 training rows) became atoms;
 * the column's score 0.096 → 0.135 (ceiling 0.305: most real dates are seen fewer than 5 times), its pairs' mean
 * 0.038 → 0.056, the table's quality 0.7977 → 0.8009. Only dates written as text get them (their values are read as
 * text; their dates are counted in the estimator's grouped count of categories, no pass of their own); other numeric,
 * date and timestamp columns keep the sketch alone.
 *
 * <p>Spark-free: the counts come from {@code TableEncoderEstimator}; the knots from the column's sketch.
 */
public final class QuantileAtoms {
    /** Least ratio of a value's share to the share the knots give its unit cell for it to become an atom. */
    public static final double MIN_EXCESS = 3.0;
    /** Most atoms per column (the most frequent values first). */
    public static final int MAX_ATOMS = 1000;
    /** Probability kept between an atom's run and the neighbouring knots (probabilities must increase strictly). */
    private static final double GAP = 1e-9;

    private QuantileAtoms() {
    }

    /** Knots and probabilities with the atoms' runs, and how many atoms and rows they hold. */
    public record Result(double[] knots, double[] probabilities, int atoms, long rows) {
    }

    /**
     * The knots with atoms inserted.
     *
     * @param knots         non-decreasing knot values, bounds first and last
     * @param probabilities strictly increasing, from 0 to 1
     * @param values        candidate values (each seen in at least k rows), any order
     * @param counts        their rows
     * @param finite        the column's rows with a finite value (the probabilities' total)
     * @param unit          the column's resolution (1 for dates and integers); a value's cell is ±unit/2
     * @param lowerTail     whether the first segment carries a tail law (no atom there)
     * @param upperTail     whether the last segment carries a tail law (no atom there)
     */
    public static Result insert(double[] knots, double[] probabilities, double[] values, long[] counts, long finite,
                                double unit, boolean lowerTail, boolean upperTail) {
        if (values.length != counts.length) {
            throw new IllegalArgumentException("need as many counts as values");
        }
        if (knots.length < 2 || values.length == 0 || finite <= 0 || !(unit > 0)) {
            return new Result(knots, probabilities, 0, 0);
        }
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // the most frequent first (ties by value), at most MAX_ATOMS of them
        java.util.Arrays.sort(order, (a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a])
                : Double.compare(values[a], values[b]));
        List<Double> q = new ArrayList<>();
        List<Double> p = new ArrayList<>();
        for (int j = 0; j < knots.length; j++) {
            q.add(knots[j]);
            p.add(probabilities[j]);
        }
        int atoms = 0;
        long rows = 0;
        for (int o = 0; o < order.length && atoms < MAX_ATOMS; o++) {
            double v = values[order[o]];
            double share = counts[order[o]] / (double) finite;
            int last = q.size() - 1;
            if (!(v > q.get(0) && v < q.get(last)) || !(share > 0)) {
                continue;
            }
            int a = firstAtLeast(q, v);            // first knot ≥ v
            int b = a;                              // one past the last knot equal to v
            while (b <= last && q.get(b) == v) {
                b++;
            }
            int left = a - 1;                       // last knot < v
            int right = b;                          // first knot > v
            if ((lowerTail && left == 0) || (upperTail && right == last)) {
                continue;
            }
            double pl = p.get(left);
            double pr = p.get(right);
            double center;
            double given;                           // the share the knots give the value's cell now
            if (b - a >= 2) {
                continue;                           // already a run of tied knots: the sketch saw its mass
            } else if (b - a == 1) {
                center = p.get(a);
                given = cellShare(q, p, a - 1, v, unit) + cellShare(q, p, a, v, unit);
            } else {
                double s = (v - q.get(left)) / (q.get(right) - q.get(left));
                center = pl + s * (pr - pl);
                given = cellShare(q, p, left, v, unit);
            }
            if (share < MIN_EXCESS * given) {
                continue;
            }
            double room = pr - pl - 2 * GAP;
            if (!(room > 0)) {
                continue;
            }
            double width = Math.min(share, room);
            double lo = Math.max(pl + GAP, Math.min(center - width / 2, pr - GAP - width));
            double hi = lo + width;
            // replace the knots equal to v (at most one) by the run (v, lo), (v, hi)
            for (int j = b - 1; j >= a; j--) {
                q.remove(j);
                p.remove(j);
            }
            q.add(a, v);
            p.add(a, lo);
            q.add(a + 1, v);
            p.add(a + 1, hi);
            atoms++;
            rows += counts[order[o]];
        }
        double[] outQ = new double[q.size()];
        double[] outP = new double[p.size()];
        for (int j = 0; j < outQ.length; j++) {
            outQ[j] = q.get(j);
            outP[j] = p.get(j);
        }
        return new Result(outQ, outP, atoms, rows);
    }

    /** The share segment j (q_j < q_{j+1}) gives to [v − unit/2, v + unit/2] by linear interpolation. */
    private static double cellShare(List<Double> q, List<Double> p, int j, double v, double unit) {
        double q0 = q.get(j);
        double q1 = q.get(j + 1);
        if (!(q1 > q0)) {
            return 0.0;
        }
        double overlap = Math.min(q1, v + unit / 2) - Math.max(q0, v - unit / 2);
        return overlap <= 0 ? 0.0 : (p.get(j + 1) - p.get(j)) * overlap / (q1 - q0);
    }

    private static int firstAtLeast(List<Double> q, double v) {
        int lo = 0;
        int hi = q.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (q.get(mid) < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
