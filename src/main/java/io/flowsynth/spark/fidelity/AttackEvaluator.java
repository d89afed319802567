package io.flowsynth.spark.fidelity;

import io.flowsynth.fidelity.AttackRisk;
import io.flowsynth.spark.Seeds;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attack-based privacy measures after Anonymeter (Giomi et al., PoPETs 2023): three attacks an adversary holding the
 * synthetic table could mount, each run against real rows the model was trained on ("train" targets) and against
 * real rows it never saw ("control" targets, the holdout), plus the same attack guessing at random (the baseline).
 * Only the difference between train and control is privacy risk ({@link AttackRisk}); what the attack achieves on
 * control rows is what the synthetic data teaches about the population, which is its purpose.
 *
 * <ul>
 *   <li><b>Singling-out</b>: predicates that isolate exactly one row of the synthetic sample — univariate ({@code
 *   c = v} for a value unique in the sample, {@code c ≤ min}, {@code c ≥ max}, {@code c is null}) and multivariate
 *   (a random synthetic row's values on {@value #MULTIVARIATE_COLUMNS} random columns: {@code =} for categories,
 *   {@code ≥ v} above the sample median, {@code ≤ v} otherwise) — succeed when they isolate exactly one row of the
 *   train sample, respectively of the control sample (both the same size). Baseline: predicates from uniformly random
 *   values, not checked against the synthetic rows.</li>
 *   <li><b>Linkability</b>: the columns are split into two disjoint sets A (first half) and B (the rest), the
 *   attacker's two auxiliary sources; for a target, the closest synthetic row on A and the closest on B (first in
 *   sample order on ties) are the same row: the attacker links the target's two halves. Baseline: two random rows.</li>
 *   <li><b>Attribute inference</b>, each column in turn as the secret: the attacker knows every other column, takes
 *   the closest synthetic row on them and guesses its value; correct when equal (categories, nulls), within
 *   {@value #TOLERANCE} × |true value| (numbers) or {@value #TOLERANCE} × the column's range (datetimes). Baseline:
 *   the value of a random synthetic row.</li>
 * </ul>
 * Distances are {@link PrivacyEvaluator}'s (SDMetrics' per-column distance, averaged), restricted to the attacker's
 * columns. Everything is bounded: the synthetic sample, the train and control samples are at most
 * {@code flowsynth.report.privacy-rows} rows (broadcast, as for DCR), at most {@code targets} targets per side and
 * predicates per singling-out kind; targets and predicates are spread over Spark tasks, one scan of the synthetic
 * sample per target serves linkability and every inference secret at once. Seeded: same inputs, same result.
 */
public final class AttackEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(AttackEvaluator.class);
    /** Anonymeter's default tolerance for numeric secrets. */
    public static final double TOLERANCE = 0.05;
    /** Columns in a multivariate singling-out predicate (Anonymeter's default). */
    public static final int MULTIVARIATE_COLUMNS = 3;
    static final int TRAIN = 0;
    static final int CONTROL = 1;

    private AttackEvaluator() {
    }

    /** All attacks; {@code linkability} is null for a one-column table, {@code columnsA/B} its column sets. */
    public record Result(AttackRisk singlingOutUnivariate, AttackRisk singlingOutMultivariate, AttackRisk linkability,
                         List<String> columnsA, List<String> columnsB, List<String> names, List<AttackRisk> inference,
                         double seconds) {
    }

    /** The broadcast state: the three encoded samples and the columns' roles. */
    static final class Samples implements Serializable {
        private static final long serialVersionUID = 1L;
        final PrivacyEvaluator.Reference train;
        final PrivacyEvaluator.Reference control;
        final PrivacyEvaluator.Reference synthetic;
        final boolean[] datetime;
        final boolean[] inA;

        Samples(PrivacyEvaluator.Reference train, PrivacyEvaluator.Reference control,
                PrivacyEvaluator.Reference synthetic, boolean[] datetime, boolean[] inA) {
            this.train = train;
            this.control = control;
            this.synthetic = synthetic;
            this.datetime = datetime;
            this.inA = inA;
        }
    }

    /**
     * Runs the attacks. {@code train} and {@code control} should be samples of the same size (the singling-out
     * success depends on it), {@code synthetic} the synthetic sample; all encoded with one dictionary.
     */
    static Result evaluate(JavaSparkContext jsc, PrivacyEvaluator.Reference train, PrivacyEvaluator.Reference control,
                           PrivacyEvaluator.Reference synthetic, String[] names, boolean[] datetime, int targets,
                           long seed) {
        long start = System.nanoTime();
        int n = names.length;
        boolean[] inA = new boolean[n];
        for (int c = 0; c < (n + 1) / 2; c++) {
            inA[c] = true;
        }
        Samples samples = new Samples(train, control, synthetic, datetime, inA);
        Broadcast<Samples> b = jsc.broadcast(samples);
        int parallelism = Math.max(1, jsc.defaultParallelism());
        try {
            // targets: seeded choices of rows of each side
            List<long[]> tasks = new ArrayList<>();
            SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, 11));
            for (int side : new int[]{TRAIN, CONTROL}) {
                int[] rows = choose(side == TRAIN ? train.rows : control.rows, targets, rng);
                for (int r : rows) {
                    tasks.add(new long[]{side, r});
                }
            }
            long targetSeed = Seeds.mix(seed, 12);
            int width = 2 + 2 * n;
            long[][] counts = synthetic.rows == 0 ? new long[2][width + 1] : jsc.parallelize(tasks, parallelism)
                    .mapPartitions(it -> Collections.singletonList(attackTargets(it, b.value(), targetSeed))
                            .iterator())
                    .reduce(AttackEvaluator::add);
            // singling-out predicates, built on the driver from the synthetic sample (bounded), checked in tasks
            List<Predicate> predicates = new ArrayList<>();
            List<Predicate> uni = univariate(synthetic, targets, new SplittableRandom(Seeds.mix(seed, 13)));
            List<Predicate> multi = multivariate(synthetic, targets, new SplittableRandom(Seeds.mix(seed, 14)));
            List<Predicate> uniBase = random(synthetic, uni.size() == 0 ? 0 : targets, 1,
                    new SplittableRandom(Seeds.mix(seed, 15)), 0);
            List<Predicate> multiBase = random(synthetic, multi.size() == 0 ? 0 : targets,
                    Math.min(MULTIVARIATE_COLUMNS, n), new SplittableRandom(Seeds.mix(seed, 16)), 1);
            predicates.addAll(uni);
            predicates.addAll(multi);
            predicates.addAll(uniBase);
            predicates.addAll(multiBase);
            // [kind][train singled, control singled, baseline singled, count, baseline count]
            long[][] so = predicates.isEmpty() ? new long[2][5] : jsc.parallelize(predicates, parallelism)
                    .mapPartitions(it -> Collections.singletonList(singleOut(it, b.value())).iterator())
                    .reduce(AttackEvaluator::add);
            AttackRisk univariate = new AttackRisk(so[0][0], so[0][3], so[0][1], so[0][3], so[0][2], so[0][4]);
            AttackRisk multivariate = new AttackRisk(so[1][0], so[1][3], so[1][1], so[1][3], so[1][2], so[1][4]);
            long trainTargets = counts[TRAIN][width];
            long controlTargets = counts[CONTROL][width];
            AttackRisk linkability = n < 2 ? null : new AttackRisk(counts[TRAIN][0], trainTargets, counts[CONTROL][0],
                    controlTargets, counts[TRAIN][1], trainTargets);
            List<AttackRisk> inference = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                inference.add(new AttackRisk(counts[TRAIN][2 + c], trainTargets, counts[CONTROL][2 + c],
                        controlTargets, counts[TRAIN][2 + n + c], trainTargets));
            }
            List<String> a = new ArrayList<>();
            List<String> bCols = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                (inA[c] ? a : bCols).add(names[c]);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double maxInference = inference.stream().mapToDouble(AttackRisk::risk).filter(Double::isFinite).max()
                    .orElse(Double.NaN);
            LOG.info(String.format("Privacy attacks on %d train and %d control targets, %d synthetic rows: "
                            + "singling-out risk %.3f (univariate) / %.3f (multivariate), linkability %.3f, "
                            + "inference max %.3f (%.1f s)", trainTargets, controlTargets, synthetic.rows,
                    univariate.risk(), multivariate.risk(), linkability == null ? Double.NaN : linkability.risk(),
                    maxInference, seconds));
            return new Result(univariate, multivariate, linkability, a, bCols, List.of(names), inference, seconds);
        } finally {
            b.destroy();
        }
    }

    /** {@code k} distinct indices of [0, n) (all of them in random order when k ≥ n). */
    static int[] choose(int n, int k, SplittableRandom rng) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        int m = Math.min(n, k);
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, m);
    }

    private static long[][] add(long[][] a, long[][] b) {
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                a[i][j] += b[i][j];
            }
        }
        return a;
    }

    /**
     * Linkability and inference for a partition of targets: per side {@code [link, link baseline, inference per
     * column (n), inference baseline per column (n), targets]}.
     */
    static long[][] attackTargets(Iterator<long[]> it, Samples s, long seed) {
        PrivacyEvaluator.Reference syn = s.synthetic;
        int n = syn.continuous.length;
        int width = 2 + 2 * n;
        long[][] out = new long[2][width + 1];
        double[] x = new double[n];
        int[] k = new int[n];
        double[] d = new double[n];
        double[] best = new double[n];
        int[] bestRow = new int[n];
        while (it.hasNext()) {
            long[] task = it.next();
            int side = (int) task[0];
            int row = (int) task[1];
            PrivacyEvaluator.Reference ref = side == TRAIN ? s.train : s.control;
            ref.row(row, x, k);
            double bestA = Double.POSITIVE_INFINITY;
            double bestB = Double.POSITIVE_INFINITY;
            int rowA = -1;
            int rowB = -1;
            Arrays.fill(best, Double.POSITIVE_INFINITY);
            Arrays.fill(bestRow, -1);
            for (int r = 0; r < syn.rows; r++) {
                double total = 0;
                double a = 0;
                for (int c = 0; c < n; c++) {
                    d[c] = syn.column(r, c, x, k);
                    total += d[c];
                    if (s.inA[c]) {
                        a += d[c];
                    }
                }
                double bDist = total - a;
                if (a < bestA) {
                    bestA = a;
                    rowA = r;
                }
                if (bDist < bestB) {
                    bestB = bDist;
                    rowB = r;
                }
                for (int c = 0; c < n; c++) {
                    double aux = total - d[c];
                    if (aux < best[c]) {
                        best[c] = aux;
                        bestRow[c] = r;
                    }
                }
            }
            long[] o = out[side];
            o[width]++;
            if (rowA >= 0 && rowA == rowB) {
                o[0]++;
            }
            SplittableRandom guess = new SplittableRandom(Seeds.mix(seed, side * 1_000_003L + row));
            if (syn.rows > 0 && guess.nextInt(syn.rows) == guess.nextInt(syn.rows)) {
                o[1]++;
            }
            for (int c = 0; c < n; c++) {
                if (bestRow[c] >= 0 && correct(syn, bestRow[c], c, x, k, s)) {
                    o[2 + c]++;
                }
                if (syn.rows > 0 && correct(syn, guess.nextInt(syn.rows), c, x, k, s)) {
                    o[2 + n + c]++;
                }
            }
        }
        return out;
    }

    /** Whether synthetic row {@code r}'s value of column {@code c} is a correct guess of the target's. */
    static boolean correct(PrivacyEvaluator.Reference syn, int r, int c, double[] x, int[] k, Samples s) {
        if (!syn.continuous[c]) {
            return syn.codes[c][r] == k[c];
        }
        double g = syn.values[c][r];
        double t = x[c];
        if (Double.isNaN(g) || Double.isNaN(t)) {
            return Double.isNaN(g) && Double.isNaN(t);
        }
        double tolerance = s.datetime[c] ? TOLERANCE * s.train.range[c] : TOLERANCE * Math.abs(t);
        return Math.abs(g - t) <= tolerance;
    }

    /** A conjunction of conditions on columns; {@code kind} 0/1 univariate/multivariate, 2/3 their baselines. */
    static final class Predicate implements Serializable {
        private static final long serialVersionUID = 1L;
        static final int EQ = 0;
        static final int LE = 1;
        static final int GE = 2;
        static final int NULL = 3;
        final int[] columns;
        final int[] ops;
        final double[] values;
        final int[] codes;
        final int kind;

        Predicate(int[] columns, int[] ops, double[] values, int[] codes, int kind) {
            this.columns = columns;
            this.ops = ops;
            this.values = values;
            this.codes = codes;
            this.kind = kind;
        }

        boolean matches(PrivacyEvaluator.Reference ref, int r) {
            for (int i = 0; i < columns.length; i++) {
                int c = columns[i];
                boolean ok;
                if (ref.continuous[c]) {
                    double v = ref.values[c][r];
                    ok = switch (ops[i]) {
                        case NULL -> Double.isNaN(v);
                        case EQ -> v == values[i];
                        case LE -> !Double.isNaN(v) && v <= values[i];
                        default -> !Double.isNaN(v) && v >= values[i];
                    };
                } else {
                    int code = ref.codes[c][r];
                    ok = ops[i] == NULL ? code == -1 : code == codes[i];
                }
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        /** Rows of {@code ref} matched, stopping at 2. */
        int count(PrivacyEvaluator.Reference ref) {
            int m = 0;
            for (int r = 0; r < ref.rows && m < 2; r++) {
                if (matches(ref, r)) {
                    m++;
                }
            }
            return m;
        }
    }

    /** Per singling-out kind (univariate, multivariate): [train singled, control singled, baseline, n, baseline n]. */
    static long[][] singleOut(Iterator<Predicate> it, Samples s) {
        long[][] out = new long[2][5];
        while (it.hasNext()) {
            Predicate p = it.next();
            boolean baseline = p.kind >= 2;
            long[] o = out[p.kind % 2];
            if (baseline) {
                o[4]++;
                if (p.count(s.train) == 1) {
                    o[2]++;
                }
            } else {
                o[3]++;
                if (p.count(s.train) == 1) {
                    o[0]++;
                }
                if (p.count(s.control) == 1) {
                    o[1]++;
                }
            }
        }
        return out;
    }

    /** Univariate predicates isolating one synthetic row, a seeded choice of at most {@code max}. */
    static List<Predicate> univariate(PrivacyEvaluator.Reference syn, int max, SplittableRandom rng) {
        int n = syn.continuous.length;
        List<Predicate> all = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            if (syn.continuous[c]) {
                Map<Double, Integer> counts = new HashMap<>();
                int nulls = 0;
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int r = 0; r < syn.rows; r++) {
                    double v = syn.values[c][r];
                    if (Double.isNaN(v)) {
                        nulls++;
                    } else {
                        counts.merge(v, 1, Integer::sum);
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
                for (Map.Entry<Double, Integer> e : counts.entrySet()) {
                    if (e.getValue() == 1) {
                        all.add(condition(c, Predicate.EQ, e.getKey(), 0));
                    }
                }
                if (lo <= hi && counts.get(lo) == 1) {
                    all.add(condition(c, Predicate.LE, lo, 0));
                }
                if (lo <= hi && counts.get(hi) == 1) {
                    all.add(condition(c, Predicate.GE, hi, 0));
                }
                if (nulls == 1) {
                    all.add(condition(c, Predicate.NULL, 0, 0));
                }
            } else {
                Map<Integer, Integer> counts = new HashMap<>();
                for (int r = 0; r < syn.rows; r++) {
                    counts.merge(syn.codes[c][r], 1, Integer::sum);
                }
                for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                    if (e.getValue() == 1) {
                        all.add(e.getKey() == -1 ? condition(c, Predicate.NULL, 0, 0)
                                : condition(c, Predicate.EQ, 0, e.getKey()));
                    }
                }
            }
        }
        all.sort((a, b) -> {
            int cmp = Integer.compare(a.columns[0], b.columns[0]);
            cmp = cmp != 0 ? cmp : Integer.compare(a.ops[0], b.ops[0]);
            cmp = cmp != 0 ? cmp : Integer.compare(a.codes[0], b.codes[0]);
            return cmp != 0 ? cmp : Double.compare(a.values[0], b.values[0]);
        }); // HashMap order is not a contract: sort before the seeded choice
        int[] pick = choose(all.size(), max, rng);
        List<Predicate> out = new ArrayList<>();
        for (int i : pick) {
            out.add(all.get(i));
        }
        return out;
    }

    private static Predicate condition(int column, int op, double value, int code) {
        return new Predicate(new int[]{column}, new int[]{op}, new double[]{value}, new int[]{code}, 0);
    }

    /**
     * Multivariate predicates from random synthetic rows on random column subsets, kept when they isolate exactly
     * one synthetic row: at most {@code max}, from at most 20·max tries.
     */
    static List<Predicate> multivariate(PrivacyEvaluator.Reference syn, int max, SplittableRandom rng) {
        int n = syn.continuous.length;
        int width = Math.min(MULTIVARIATE_COLUMNS, n);
        List<Predicate> out = new ArrayList<>();
        if (syn.rows == 0 || n == 0) {
            return out;
        }
        double[] median = medians(syn);
        for (int t = 0; t < 20 * max && out.size() < max; t++) {
            int r = rng.nextInt(syn.rows);
            int[] cols = choose(n, width, rng);
            Arrays.sort(cols);
            int[] ops = new int[width];
            double[] values = new double[width];
            int[] codes = new int[width];
            for (int i = 0; i < width; i++) {
                int c = cols[i];
                if (syn.continuous[c]) {
                    double v = syn.values[c][r];
                    values[i] = v;
                    ops[i] = Double.isNaN(v) ? Predicate.NULL : v > median[c] ? Predicate.GE : Predicate.LE;
                } else {
                    codes[i] = syn.codes[c][r];
                    ops[i] = codes[i] == -1 ? Predicate.NULL : Predicate.EQ;
                }
            }
            Predicate p = new Predicate(cols, ops, values, codes, 1);
            if (p.count(syn) == 1) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Baseline predicates on {@code width} random columns with uniformly random values: a value of the column's
     * distinct synthetic values for categories, uniform in the synthetic range with a random ≤/≥ for numbers.
     */
    static List<Predicate> random(PrivacyEvaluator.Reference syn, int count, int width, SplittableRandom rng,
                                  int kind) {
        int n = syn.continuous.length;
        List<Predicate> out = new ArrayList<>();
        if (syn.rows == 0 || n == 0 || width == 0) {
            return out;
        }
        double[] lo = new double[n];
        double[] hi = new double[n];
        int[][] distinct = new int[n][];
        for (int c = 0; c < n; c++) {
            if (syn.continuous[c]) {
                lo[c] = Double.POSITIVE_INFINITY;
                hi[c] = Double.NEGATIVE_INFINITY;
                for (int r = 0; r < syn.rows; r++) {
                    double v = syn.values[c][r];
                    if (!Double.isNaN(v)) {
                        lo[c] = Math.min(lo[c], v);
                        hi[c] = Math.max(hi[c], v);
                    }
                }
            } else {
                distinct[c] = Arrays.stream(syn.codes[c]).distinct().sorted().toArray();
            }
        }
        for (int t = 0; t < count; t++) {
            int[] cols = choose(n, width, rng);
            Arrays.sort(cols);
            int[] ops = new int[width];
            double[] values = new double[width];
            int[] codes = new int[width];
            for (int i = 0; i < width; i++) {
                int c = cols[i];
                if (syn.continuous[c]) {
                    if (!(lo[c] <= hi[c])) {
                        ops[i] = Predicate.NULL;
                    } else {
                        values[i] = lo[c] + rng.nextDouble() * (hi[c] - lo[c]);
                        ops[i] = rng.nextBoolean() ? Predicate.LE : Predicate.GE;
                    }
                } else {
                    codes[i] = distinct[c][rng.nextInt(distinct[c].length)];
                    ops[i] = codes[i] == -1 ? Predicate.NULL : Predicate.EQ;
                }
            }
            out.add(new Predicate(cols, ops, values, codes, 2 + kind));
        }
        return out;
    }

    private static double[] medians(PrivacyEvaluator.Reference syn) {
        double[] median = new double[syn.continuous.length];
        for (int c = 0; c < median.length; c++) {
            if (syn.continuous[c]) {
                double[] v = Arrays.stream(syn.values[c]).filter(x -> !Double.isNaN(x)).sorted().toArray();
                median[c] = v.length == 0 ? Double.NaN : v[(v.length - 1) / 2];
            }
        }
        return median;
    }
}
