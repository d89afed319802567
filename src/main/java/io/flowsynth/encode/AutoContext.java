package io.flowsynth.encode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The automatic context of an unconditional fit ({@code flowsynth.condition.auto}): which categorical columns the flow
 * conditions on, their joint then coming from the training rows' counts ({@link ContextJoint}) and the flow learning
 * p(other columns | them), each level fed as its own conditioner input. Measured on real tables
 * ({@code jobs/bench.sh fidelity-real}): a categorical column is one dequantized frequency-interval feature, through
 * which the conditioners resolve its levels only roughly; conditioning on it instead closed most of the pair-trend gap
 * from the Gaussian copula to the real holdout.
 *
 * <p>Candidates: categorical columns of a non-numeric type (a whole-number column of few values keeps its order as a
 * learned column: measured on lending_club, conditioning on such counts lost to the text columns) with one
 * frequency-interval feature and 2 to {@link ContextLayout#MAX_INDICATOR_LEVELS} outcomes (nulls and "other"
 * included). They are tried in the order of what they explain of the other columns ({@link ContextScores},
 * {@link #rank}; one that explains less than {@link #MIN_SCORE} is not tried): measured on ames, the rule "fewest
 * outcomes first" took four binary columns that explain little where Neighborhood alone closed most of the gap
 * from the copula to the real holdout. A candidate joins when the joint of the chosen columns with it still has its
 * rows in combinations of kept levels seen in at least {@code minCount} rows (the only ones plain sampling can draw: a rarer combination is never
 * named in the model) for at least {@link #COVERAGE} of the rows (or all but {@link #MIN_UNCOVERED_COMBINATIONS}
 * combinations' worth of k − 1 rows on a small table), and at most {@link ContextJoint#MAX_COMBINATIONS}
 * combinations; so the joint stays close to the real one and nothing rare is stored.
 */
public final class AutoContext {
    /** Smallest share of the rows the chosen columns' kept combinations must hold. */
    public static final double COVERAGE = 0.99;

    /**
     * At least this many combinations just under the threshold (k − 1 rows each) may be left out whatever the
     * table's size: on a few hundred rows 1 − {@link #COVERAGE} is less than one such combination, so a column with
     * a few nulls spread over the other columns' levels could never join (penguins, 266 training rows: its sex,
     * 7 nulls, stayed out, and its pairs with sex were the table's worst; with it, quality 0.8826 → 0.8937).
     */
    public static final int MIN_UNCOVERED_COMBINATIONS = 2;

    /** The most rows the chosen columns' rarer combinations may hold: 1 − COVERAGE of them, or two combinations. */
    static double uncoveredAllowance(long total, int minCount) {
        return Math.max((1 - COVERAGE) * total, MIN_UNCOVERED_COMBINATIONS * Math.max(0, minCount - 1));
    }

    /**
     * Most rows, as a share of the table, that a candidate joining for its dependence ({@link #choose}'s
     * {@code dependenceRatio}) may leave in rarer combinations.
     */
    public static final double MAX_UNCOVERED_FOR_DEPENDENCE = 0.03;

    /** Least score ({@link ContextScores#scores}) of a candidate that is tried. */
    public static final double MIN_SCORE = 0.005;

    private AutoContext() {
    }

    /** Indices, among the encoder's columns, of the candidates, in the order they are tried. */
    public static List<Integer> candidates(TableEncoder encoder) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < encoder.columns().size(); i++) {
            if (encoder.columns().get(i) instanceof CategoricalEncoder cat && !cat.onehot() && !cat.split()
                    && cat.width() == 1
                    && cat.outcomeCount() <= ContextLayout.MAX_INDICATOR_LEVELS && !cat.type().isNumeric()) {
                out.add(i);
            }
        }
        out.sort(Comparator.<Integer>comparingInt(i -> ((CategoricalEncoder) encoder.columns().get(i)).outcomeCount())
                .thenComparing(i -> encoder.columns().get(i).column()));
        return out;
    }

    /**
     * The candidates ordered by what they explain of the other columns ({@link ContextScores}), most first (ties:
     * fewest outcomes, then name); a candidate that explains less than {@link #MIN_SCORE} is left out.
     *
     * @param scores per candidate (in {@code candidates} order), its score
     */
    public static List<Integer> rank(TableEncoder encoder, List<Integer> candidates, double[] scores) {
        if (scores.length != candidates.size()) {
            throw new IllegalArgumentException(scores.length + " scores for " + candidates.size() + " candidates");
        }
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < scores.length; j++) {
            if (scores[j] >= MIN_SCORE) {
                order.add(j);
            }
        }
        order.sort(Comparator.<Integer>comparingDouble(j -> -scores[j])
                .thenComparingInt(j -> ((CategoricalEncoder) encoder.columns().get(candidates.get(j))).outcomeCount())
                .thenComparing(j -> encoder.columns().get(candidates.get(j)).column()));
        List<Integer> out = new ArrayList<>(order.size());
        for (int j : order) {
            out.add(candidates.get(j));
        }
        return out;
    }

    /**
     * The context columns' names, in the order chosen (empty: none fits).
     *
     * @param candidates the candidates' indices ({@link #candidates}), in order
     * @param values     per counted group of the candidates' values, the values (in {@code candidates} order)
     * @param rows       per counted group, its rows
     * @param total      the table's rows
     */
    public static List<String> choose(TableEncoder encoder, List<Integer> candidates, List<Object[]> values,
                                      List<Long> rows, long total, int minCount) {
        return choose(encoder, candidates, values, rows, total, minCount, 0);
    }

    /**
     * As above, and a candidate also joins when the rows its rarer combinations leave out are at most
     * {@link #MAX_UNCOVERED_FOR_DEPENDENCE} of the rows and at most 1 / {@code dependenceRatio} of what it adds to the
     * joint ({@link #dependence}): a column that the chosen ones nearly determine (movies' Creative Type given its
     * Major Genre: 1.3 % of the rows in rare combinations, a total variation from independence of 0.36) is worth the
     * few rows' combinations that plain sampling can then not draw.
     *
     * @param dependenceRatio 0: the coverage rule alone
     */
    public static List<String> choose(TableEncoder encoder, List<Integer> candidates, List<Object[]> values,
                                      List<Long> rows, long total, int minCount, double dependenceRatio) {
        return choose(encoder, candidates, values, rows, total, minCount, dependenceRatio, false).columns();
    }

    /**
     * The context columns in the order chosen, and for each that joined as a child ({@link ContextJoint.Child}) its
     * parent's name.
     */
    public record Choice(List<String> columns, Map<String, String> parents) {
        public Choice {
            columns = List.copyOf(columns);
            parents = Map.copyOf(parents);
        }
    }

    /**
     * As above; with {@code children}, a candidate that cannot join the joint may join as a <b>child</b> of one chosen
     * column: drawn given that column's level from their pairs' counts, by the same rule applied to the pair (its
     * rows in pairs rarer than k within the allowance, or within {@link #MAX_UNCOVERED_FOR_DEPENDENCE} and 1 /
     * {@code dependenceRatio} of the pair's {@link #dependence}); the parent is the chosen column it depends on most.
     */
    public static Choice choose(TableEncoder encoder, List<Integer> candidates, List<Object[]> values,
                                List<Long> rows, long total, int minCount, double dependenceRatio, boolean children) {
        int groups = values.size();
        int[][] kept = new int[groups][candidates.size()]; // each group's kept level per candidate (−1: not kept)
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < candidates.size(); j++) {
                kept[g][j] = ((CategoricalEncoder) encoder.columns().get(candidates.get(j))).keptIndex(values.get(g)[j]);
            }
        }
        List<Integer> joint = new ArrayList<>();
        List<Integer> chosen = new ArrayList<>(); // the joint's columns and the children, in the order they joined
        Map<Integer, Integer> parentOf = new HashMap<>();
        for (int j = 0; j < candidates.size(); j++) {
            List<Integer> trial = new ArrayList<>(joint);
            trial.add(j);
            if (fits(kept, rows, trial, joint, j, total, minCount, dependenceRatio)) {
                joint = trial;
                chosen.add(j);
                continue;
            }
            if (!children) {
                continue;
            }
            int parent = -1;
            double most = -1;
            for (int p : chosen) {
                double d = dependence(kept, rows, List.of(p), j);
                if (d > most && fits(kept, rows, List.of(p, j), List.of(p), j, total, minCount, dependenceRatio)) {
                    parent = p;
                    most = d;
                }
            }
            if (parent >= 0) {
                parentOf.put(j, parent);
                chosen.add(j);
            }
        }
        // at least one learned column stays for the flow: a table of few-level categoricals only keeps its columns
        // with the most outcomes out (else its joint alone would be the model); the last chosen is no one's parent
        while (!chosen.isEmpty() && restWidth(encoder, candidates, chosen) == 0) {
            parentOf.remove(chosen.remove(chosen.size() - 1));
        }
        List<String> names = new ArrayList<>();
        Map<String, String> parents = new HashMap<>();
        for (int j : chosen) {
            names.add(encoder.columns().get(candidates.get(j)).column());
            if (parentOf.containsKey(j)) {
                parents.put(names.get(names.size() - 1), encoder.columns().get(candidates.get(parentOf.get(j))).column());
            }
        }
        return new Choice(names, parents);
    }

    /**
     * Whether the columns {@code trial} (candidate {@code j} added to {@code base}) may be drawn together: their rows
     * in combinations rarer than {@code minCount} within {@link #uncoveredAllowance}, or within
     * {@link #MAX_UNCOVERED_FOR_DEPENDENCE} and 1 / {@code dependenceRatio} of what j adds; at most
     * {@link ContextJoint#MAX_COMBINATIONS} combinations.
     */
    private static boolean fits(int[][] kept, List<Long> rows, List<Integer> trial, List<Integer> base, int j,
                                long total, int minCount, double dependenceRatio) {
        Map<List<Integer>, Long> combos = new HashMap<>();
        for (int g = 0; g < kept.length; g++) {
            List<Integer> key = new ArrayList<>(trial.size());
            for (int t : trial) {
                if (kept[g][t] < 0) {
                    key = null;
                    break;
                }
                key.add(kept[g][t]);
            }
            if (key != null) {
                combos.merge(key, rows.get(g), Long::sum);
            }
        }
        long covered = 0;
        int count = 0;
        for (long c : combos.values()) {
            if (c >= minCount) {
                covered += c;
                count++;
            }
        }
        long uncovered = total - covered;
        boolean fits = uncovered <= uncoveredAllowance(total, minCount)
                || (dependenceRatio > 0 && !base.isEmpty() && uncovered <= MAX_UNCOVERED_FOR_DEPENDENCE * total
                && uncovered * dependenceRatio <= dependence(kept, rows, base, j) * total);
        return count <= ContextJoint.MAX_COMBINATIONS && fits;
    }

    /**
     * What candidate {@code j} adds to the joint of {@code chosen}: the total variation distance between their joint
     * outcome counts and the product of the two sides' (a level that is not kept counts as one more outcome), in
     * [0, 1); 0 when the candidate is independent of the chosen columns.
     */
    static double dependence(int[][] kept, List<Long> rows, List<Integer> chosen, int j) {
        Map<List<Integer>, Long> joint = new HashMap<>();
        Map<List<Integer>, Long> left = new HashMap<>();
        Map<Integer, Long> right = new HashMap<>();
        double n = 0;
        for (int g = 0; g < kept.length; g++) {
            List<Integer> a = new ArrayList<>(chosen.size());
            for (int t : chosen) {
                a.add(kept[g][t]);
            }
            long r = rows.get(g);
            List<Integer> ab = new ArrayList<>(a);
            ab.add(kept[g][j]);
            joint.merge(ab, r, Long::sum);
            left.merge(a, r, Long::sum);
            right.merge(kept[g][j], r, Long::sum);
            n += r;
        }
        if (n == 0) {
            return 0;
        }
        double tv = 0;
        double productSeen = 0; // Σ of p(a)p(b) over the pairs seen: the unseen ones add 1 minus it
        for (Map.Entry<List<Integer>, Long> e : joint.entrySet()) {
            List<Integer> ab = e.getKey();
            double p = e.getValue() / n;
            double q = left.get(ab.subList(0, ab.size() - 1)) / n * (right.get(ab.get(ab.size() - 1)) / n);
            tv += Math.abs(p - q);
            productSeen += q;
        }
        return 0.5 * (tv + Math.max(0, 1 - productSeen));
    }

    private static int restWidth(TableEncoder encoder, List<Integer> candidates, List<Integer> chosen) {
        java.util.Set<Integer> in = new java.util.HashSet<>();
        for (int j : chosen) {
            in.add(candidates.get(j));
        }
        int width = 0;
        for (int i = 0; i < encoder.columns().size(); i++) {
            ColumnEncoder c = encoder.columns().get(i);
            if (!in.contains(i) && !(c instanceof GeneratedColumn)) {
                width += c.width();
            }
        }
        return width;
    }
}
