package io.flowsynth.encode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Spark-free half of the category nesting of {@code TableEncoderEstimator} (pass 2b): which (child, parent) pairs
 * of categorical columns are candidates, and, from their counted (child category, parent value) table, which children
 * nest in which parent and the parent rank of each kept child category (a {@link CategoricalEncoder} then lays the
 * child's intervals out in that order, so the flow sees the nesting as a monotone relation).
 *
 * <p>Finds categorical columns with many categories whose categories (nearly) nest in a column with few (products in
 * categories, cities in states) among its {@link #NEST_MAX_PARENTS} nearest categorical columns, with one grouped
 * count of (child, parent) pairs over the kept categories only,
 * so at most kept(child) × outcomes(parent) rows per pair reach the driver. A child takes the parent that holds
 * the largest share of its rows in each category's most frequent parent value (its purity), if that share beats
 * the parent's own largest category by {@link #NEST_MIN_GAIN}; a column used as a parent is not reordered itself.
 */
public final class CategoryNesting {
    /** Fewest kept categories for a column to be laid out by a parent column. */
    public static final int NEST_MIN_CHILD_CATEGORIES = 20;
    /** Most outcomes a parent column may have. */
    public static final int NEST_MAX_PARENT_OUTCOMES = 64;
    /**
     * Most candidate parents per child column: the categorical columns nearest to it in the table's column order.
     * Keeps the nesting pass linear in the number of columns (all pairs would be quadratic: 3,160 pairs on a table of
     * 40 30-level strings and 40 small integers, 80,000 at 1,000 such columns).
     */
    public static final int NEST_MAX_PARENTS = 8;
    /** How far the share of rows in their category's modal parent value must beat the parent's largest category. */
    public static final double NEST_MIN_GAIN = 0.2;
    /**
     * Least Goodman–Kruskal λ of a functional nesting ({@link #functionalPairs}): the share of the errors made when
     * guessing the child's category by its most frequent one that guessing by the parent value's most frequent
     * child category avoids (1: the parent determines the child; 0: it does not help).
     */
    public static final double FUNCTIONAL_MIN_LAMBDA = 0.8;
    /**
     * Distinct (child, parent) pairs per kept child category beyond which a functional candidate is given up while
     * counting ({@link #functionalMaxPairs}); a near-function has about one.
     */
    public static final int FUNCTIONAL_PAIRS_PER_CATEGORY = 4;
    /** Distinct pairs a functional candidate may always have (small columns are never given up). */
    public static final int FUNCTIONAL_MIN_MAX_PAIRS = 1024;

    /** The most distinct (child, parent) pairs a functional candidate of a child with {@code kept} categories keeps. */
    public static long functionalMaxPairs(int kept) {
        return Math.max(FUNCTIONAL_MIN_MAX_PAIRS, (long) FUNCTIONAL_PAIRS_PER_CATEGORY * (kept + 1));
    }
    public static final String OTHER_TEXT = "\u0000other";
    public static final String NULL_TEXT = "\u0000null";

    private CategoryNesting() {
    }

    /**
     * A categorical column whose categories nest in another's, with each kept category's parent rank, and per kept
     * category its rows per parent key text ({@link #NULL_TEXT}, {@link #OTHER_TEXT}) and the rank of each parent
     * text (for {@link #split}).
     */
    public record Nesting(int child, int parent, double purity, Map<Object, Integer> groups,
                          Map<Object, Map<String, Long>> pairs, Map<String, Integer> parentRanks, double lambda) {
        public Nesting(int child, int parent, double purity, Map<Object, Integer> groups) {
            this(child, parent, purity, groups, Map.of(), Map.of());
        }

        public Nesting(int child, int parent, double purity, Map<Object, Integer> groups,
                       Map<Object, Map<String, Long>> pairs, Map<String, Integer> parentRanks) {
            this(child, parent, purity, groups, pairs, parentRanks, Double.NaN);
        }

        /**
         * Whether the child was chosen because its parent (nearly) determines it ({@link #functionalPairs}; its
         * Goodman–Kruskal {@code lambda}), not because it nests: it is always split by the parent and encoded within
         * the parent's block.
         */
        public boolean functional() {
            return !Double.isNaN(lambda);
        }
    }

    /**
     * A nested column's intervals split by its parent ({@link CategoricalEncoder#split()}): per kept category one
     * {@link CategoricalEncoder.SplitKey} for its modal parent (the one {@link #choose} ranks it by) and one for every
     * further parent value it is seen with in at least {@code minCount} rows (a rarer pair is never stored: its rows
     * count to the modal pair, as they are encoded); each pair ranked by its parent. A category whose pairs are all
     * rarer than {@code minCount} is stored under no parent ({@link #OTHER_TEXT}, ranked last): the model never names
     * a (category, parent) combination seen in fewer than k rows. Null when no category has a
     * second pair (the plain nested layout is then the same).
     *
     * @param kept the child's kept categories with their rows
     * @return the pairs' rows ({@code categories}) and parent ranks ({@code groups}), or null
     */
    public static Split split(Nesting nesting, Map<Object, Long> kept, int minCount) {
        return split(nesting, kept, minCount, false);
    }

    /**
     * {@link #split(Nesting, Map, int)}, or with {@code always} a split layout even when no category has a second
     * pair (a functional nesting: the column is encoded within its parent's block, which needs the split layout).
     */
    public static Split split(Nesting nesting, Map<Object, Long> kept, int minCount, boolean always) {
        Map<Object, Long> categories = new HashMap<>();
        Map<Object, Integer> groups = new HashMap<>();
        boolean any = false;
        long rows = 0;
        long moved = 0;
        for (Map.Entry<Object, Long> e : kept.entrySet()) {
            Map<String, Long> parents = nesting.pairs().get(e.getKey());
            String modal = parents == null || parents.isEmpty() ? null : modal(parents);
            long rest = e.getValue();
            rows += rest;
            if (parents != null) {
                for (Map.Entry<String, Long> p : parents.entrySet()) {
                    if (!p.getKey().equals(modal) && p.getValue() >= Math.max(1, minCount)
                            && p.getValue() < rest) {
                        CategoricalEncoder.SplitKey key = new CategoricalEncoder.SplitKey(e.getKey(), p.getKey());
                        categories.put(key, p.getValue());
                        groups.put(key, nesting.parentRanks().getOrDefault(p.getKey(), Integer.MAX_VALUE));
                        rest -= p.getValue();
                        any = true;
                    }
                }
            }
            // a category whose pairs are all rarer than k is stored under no parent (its largest pair would name a
            // combination seen in fewer than k rows in the model): its rows are all "moved"
            boolean unpaired = modal == null || parents.get(modal) < Math.max(1, minCount);
            CategoricalEncoder.SplitKey key = new CategoricalEncoder.SplitKey(e.getKey(),
                    unpaired ? OTHER_TEXT : modal);
            categories.put(key, rest);
            moved += modal == null ? 0 : unpaired ? rest : Math.max(0, rest - parents.get(modal));
            groups.put(key, unpaired ? nesting.parentRanks().getOrDefault(OTHER_TEXT, Integer.MAX_VALUE)
                    : nesting.groups().getOrDefault(e.getKey(), Integer.MAX_VALUE));
        }
        return any || always ? new Split(categories, groups, rows, moved) : null;
    }

    /**
     * A split layout's (category, parent) pairs with their rows, and their parent ranks; of the kept categories'
     * {@code rows}, {@code movedRows} are in pairs rarer than k, counted to their category's largest pair (under
     * another parent than their own).
     */
    public record Split(Map<Object, Long> categories, Map<Object, Integer> groups, long rows, long movedRows) {
        /** Most share of the rows in pairs rarer than k for the column to be encoded within its parent's block. */
        public static final double WITHIN_PARENT_MAX_MOVED = 0.05;

        /**
         * Whether the column is encoded within its parent's block ({@link CategoricalEncoder#withinParent()}): only
         * when almost every row has its own pair, since a row whose pair was merged into its category's largest one
         * (under another parent) would be redrawn among its own parent's pairs. zipcodes' counties (1,345 of 32,290
         * rows in rarer pairs): yes; its cities (5,168 of 14,087: names recurring in many states a few times each) and
         * movies' Director (234 of 1,661; its score fell 0.637 → 0.262 when encoded within its MPAA rating): no.
         */
        public boolean withinParent() {
            return movedRows <= WITHIN_PARENT_MAX_MOVED * rows;
        }

        /** Pairs beyond one per category. */
        public int extraPairs(int categories) {
            return this.categories.size() - categories;
        }
    }

    /** The parent text holding most of a category's rows (ties: the smallest text), as {@link #choose} takes it. */
    static String modal(Map<String, Long> parents) {
        return parents.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                .orElseThrow().getKey();
    }

    /**
     * The candidate (child, parent) pairs, as {@code {child, parent}} indexes into the categorical columns: a child
     * has at least {@link #NEST_MIN_CHILD_CATEGORIES} kept categories and is not one-hot; its candidate parents are
     * the {@link #NEST_MAX_PARENTS} nearest categorical columns in column order (left before right at equal
     * distance) with 2 to {@link #NEST_MAX_PARENT_OUTCOMES} outcomes, fewer than the child's.
     *
     * @param plain  every categorical column's encoder without nesting
     * @param others each column's "other" row count
     * @param onehots whether each column is one-hot encoded
     */
    public static List<int[]> candidatePairs(CategoricalEncoder[] plain, long[] others, boolean[] onehots) {
        int columns = plain.length;
        List<int[]> pairs = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            int levels = plain[c].categories().size();
            if (onehots[c] || levels < NEST_MIN_CHILD_CATEGORIES) {
                continue;
            }
            // candidate parents nearest in column order first (left before right at equal distance), at most
            // NEST_MAX_PARENTS of them: the pass costs rows × pairs, which must stay linear in the width
            int taken = 0;
            for (int d = 1; d < columns && taken < NEST_MAX_PARENTS; d++) {
                for (int q : new int[]{c - d, c + d}) {
                    if (q < 0 || q >= columns || taken >= NEST_MAX_PARENTS) {
                        continue;
                    }
                    int outcomes = plain[q].categories().size() + (others[q] > 0 ? 1 : 0);
                    if (outcomes >= 2 && outcomes <= NEST_MAX_PARENT_OUTCOMES && outcomes < levels) {
                        pairs.add(new int[]{c, q});
                        taken++;
                    }
                }
            }
        }
        return pairs;
    }

    /**
     * The candidate <b>functional</b> pairs, as {@code {child, parent, 1}}: a non-one-hot child of at least 2 kept
     * categories (its null included) and no "other" bucket and, as its candidate parents, the
     * {@link #NEST_MAX_PARENTS} nearest non-one-hot
     * categorical columns in column order with at least 2 outcomes (any number, relative to the child's too: a
     * county code and its name), less the pairs {@code nesting} already has. Counting gives a candidate up once it has
     * more distinct pairs than {@link #functionalMaxPairs} (it is then not chosen). Such a pair is chosen when the parent
     * (nearly) determines the child ({@link #FUNCTIONAL_MIN_LAMBDA}): a code and its label, a house's first and second
     * exterior. Its counts include the child's null rows (as {@link #NULL_TEXT}).
     *
     * @param nesting the pairs of {@link #candidatePairs}
     */
    public static List<int[]> functionalPairs(CategoricalEncoder[] plain, long[] others, boolean[] onehots,
                                              List<int[]> nesting) {
        int columns = plain.length;
        Set<Long> taken = new java.util.HashSet<>();
        for (int[] pair : nesting) {
            taken.add((long) pair[0] * columns + pair[1]);
        }
        List<int[]> pairs = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            if (onehots[c] || others[c] > 0 || plain[c].categories().size() < 2) {
                continue; // (an "other" bucket has no place in a parent's block)
            }
            int found = 0;
            for (int d = 1; d < columns && found < NEST_MAX_PARENTS; d++) {
                for (int q : new int[]{c - d, c + d}) {
                    if (q < 0 || q >= columns || found >= NEST_MAX_PARENTS || onehots[q]) {
                        continue;
                    }
                    int outcomes = plain[q].categories().size() + (others[q] > 0 ? 1 : 0);
                    if (outcomes >= 2) {
                        found++;
                        if (!taken.contains((long) c * columns + q)) {
                            pairs.add(new int[]{c, q, 1});
                        }
                    }
                }
            }
        }
        return pairs;
    }

    /** Whether a candidate pair is a functional one ({@link #functionalPairs}). */
    public static boolean functional(int[] pair) {
        return pair.length > 2 && pair[2] == 1;
    }

    /**
     * Goodman–Kruskal λ of the child given the parent from a pair's counts (child text → parent text → rows): (Σ over
     * parent values of their most frequent child category's rows − the child's most frequent category's rows) / (all
     * rows − the latter); 0 for a child of one category.
     */
    static double lambda(Map<String, Map<String, Long>> counts) {
        Map<String, Long> bestPerParent = new HashMap<>();
        long total = 0;
        long childMax = 0;
        for (Map<String, Long> parents : counts.values()) {
            long rows = 0;
            for (Map.Entry<String, Long> e : parents.entrySet()) {
                rows += e.getValue();
                bestPerParent.merge(e.getKey(), e.getValue(), Math::max);
            }
            total += rows;
            childMax = Math.max(childMax, rows);
        }
        if (total <= childMax) {
            return 0.0;
        }
        long guessed = bestPerParent.values().stream().mapToLong(Long::longValue).sum();
        return (double) (guessed - childMax) / (total - childMax);
    }

    /**
     * The rows of a pair's counts that a split layout ({@link #split}) moves to their category's largest pair: those
     * of (category, parent) pairs rarer than {@code minCount} under another parent than the category's modal one, and
     * all rows of a category whose pairs are all rarer (stored under no parent).
     */
    static long movedRows(Map<String, Map<String, Long>> counts, int minCount) {
        long moved = 0;
        for (Map<String, Long> parents : counts.values()) {
            String modal = modal(parents);
            boolean unpaired = parents.get(modal) < Math.max(1, minCount); // stored under no parent at all
            for (Map.Entry<String, Long> e : parents.entrySet()) {
                if ((unpaired || !e.getKey().equals(modal)) && e.getValue() < Math.max(1, minCount)) {
                    moved += e.getValue();
                }
            }
        }
        return moved;
    }

    /**
     * The nestings chosen from the counted pairs (see the class comment).
     *
     * @param pairs  the candidate pairs of {@link #candidatePairs}
     * @param table  per pair: child category key text → parent key text ({@link #NULL_TEXT} for null,
     *               {@link #OTHER_TEXT} for a value the parent does not keep) → rows, over the child's kept
     *               categories
     * @param cats   the categorical columns' plans
     * @param rows   the table's row count
     */
    public static List<Nesting> choose(List<int[]> pairs, List<Map<String, Map<String, Long>>> table,
                                       List<ColumnPlan> cats, CategoricalEncoder[] plain, long[] others, long rows) {
        return choose(pairs, table, cats, plain, others, rows, null);
    }

    /**
     * The nestings chosen from the counted pairs (see the class comment), then the functional ones
     * ({@link #functionalPairs}): by λ, highest first, each taken when λ ≥ {@link #FUNCTIONAL_MIN_LAMBDA}, when at
     * most {@link Split#WITHIN_PARENT_MAX_MOVED} of its rows are in (category, parent) pairs rarer than its column's
     * k (so that it is encoded within its parent's block), when the child is neither nested nor a parent already
     * and the parent is not nested.
     *
     * @param minCounts per categorical column, the k of its rare-category protection (null: 1)
     */
    public static List<Nesting> choose(List<int[]> pairs, List<Map<String, Map<String, Long>>> table,
                                       List<ColumnPlan> cats, CategoricalEncoder[] plain, long[] others, long rows,
                                       int[] minCounts) {
        double[] purity = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            if (functional(pairs.get(i)) || table.get(i) == null) {
                purity[i] = -1;
                continue;
            }
            double share = purityOf(table.get(i));
            CategoricalEncoder parent = plain[pairs.get(i)[1]];
            long largest = 0;
            for (Object key : parent.categories()) {
                largest = Math.max(largest, parent.count(key));
            }
            largest = Math.max(largest, others[pairs.get(i)[1]]);
            double gain = share - (double) largest / Math.max(1, rows);
            purity[i] = gain >= NEST_MIN_GAIN ? share : -1;
        }
        List<Nesting> out = new ArrayList<>();
        Set<Integer> parentsUsed = new java.util.HashSet<>();
        Set<Integer> nested = new java.util.HashSet<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            order.add(i);
        }
        // children with the most categories choose first; ties by purity
        order.sort((x, y) -> {
            int byLevels = Integer.compare(plain[pairs.get(y)[0]].categories().size(),
                    plain[pairs.get(x)[0]].categories().size());
            return byLevels != 0 ? byLevels : Double.compare(purity[y], purity[x]);
        });
        for (int i : order) {
            int c = pairs.get(i)[0];
            int q = pairs.get(i)[1];
            if (purity[i] < 0 || nested.contains(c) || parentsUsed.contains(c) || nested.contains(q)) {
                continue;
            }
            out.add(nesting(c, q, purity[i], Double.NaN, table.get(i), cats, plain,
                    k(minCounts, c)));
            nested.add(c);
            parentsUsed.add(q);
        }
        double[] lambda = new double[pairs.size()];
        List<Integer> functional = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (!functional(pairs.get(i)) || table.get(i) == null) {
                continue; // a given-up candidate: too many distinct pairs
            }
            Map<String, Map<String, Long>> counts = table.get(i);
            lambda[i] = lambda(counts);
            long total = counts.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
            int k = k(minCounts, pairs.get(i)[0]);
            if (lambda[i] >= FUNCTIONAL_MIN_LAMBDA
                    && movedRows(counts, k) <= Split.WITHIN_PARENT_MAX_MOVED * total) {
                functional.add(i);
            }
        }
        functional.sort(Comparator.<Integer>comparingDouble(i -> -lambda[i]).thenComparingInt(i -> i));
        for (int i : functional) {
            int c = pairs.get(i)[0];
            int q = pairs.get(i)[1];
            if (nested.contains(c) || parentsUsed.contains(c) || nested.contains(q)) {
                continue;
            }
            out.add(nesting(c, q, purityOf(table.get(i)), lambda[i], table.get(i), cats, plain, k(minCounts, c)));
            nested.add(c);
            parentsUsed.add(q);
        }
        return out;
    }

    /** The share of a pair's rows in their category's most frequent parent value. */
    private static double purityOf(Map<String, Map<String, Long>> counts) {
        long inMode = 0;
        long total = 0;
        for (Map<String, Long> parents : counts.values()) {
            inMode += parents.values().stream().mapToLong(Long::longValue).max().orElse(0);
            total += parents.values().stream().mapToLong(Long::longValue).sum();
        }
        return total == 0 ? 0.0 : (double) inMode / total;
    }

    private static int k(int[] minCounts, int column) {
        return minCounts == null ? 1 : Math.max(1, minCounts[column]);
    }

    /**
     * A chosen nesting of child column {@code c} in {@code q} from its counts ({@link #NULL_TEXT}: the null child); a
     * category whose most frequent pair is rarer than {@code k} is ranked last, as under no parent (its rank would
     * name a combination seen in fewer than k rows in the model).
     */
    private static Nesting nesting(int c, int q, double purity, double lambda, Map<String, Map<String, Long>> counts,
                                   List<ColumnPlan> cats, CategoricalEncoder[] plain, int k) {
        CategoricalEncoder parent = plain[q];
        ColumnPlan parentPlan = cats.get(q);
        Map<String, Integer> rank = new HashMap<>();
        List<Object> parentOrder = parent.categories();
        for (int r = 0; r < parentOrder.size(); r++) {
            Object key = parentOrder.get(r);
            rank.put(key == null ? NULL_TEXT : ColumnValues.keyToText(parentPlan.type, key), r);
        }
        rank.put(OTHER_TEXT, parentOrder.size());
        Map<Object, Integer> groups = new HashMap<>();
        Map<Object, Map<String, Long>> byKey = new HashMap<>();
        ColumnPlan childPlan = cats.get(c);
        for (Map.Entry<String, Map<String, Long>> e : counts.entrySet()) {
            String modal = modal(e.getValue());
            Object key = NULL_TEXT.equals(e.getKey()) ? null : ColumnValues.keyFromText(childPlan.type, e.getKey());
            groups.put(key, e.getValue().get(modal) < k ? parentOrder.size()
                    : rank.getOrDefault(modal, parentOrder.size()));
            byKey.put(key, e.getValue());
        }
        return new Nesting(c, q, purity, groups, byKey, rank, lambda);
    }

    /** The key texts ({@link ColumnValues#keyToText}) of an encoder's kept categories, null excluded. */
    public static Set<String> textSet(CategoricalEncoder e, ColumnType type) {
        Set<String> texts = new java.util.HashSet<>();
        for (Object text : keptTexts(e, type)) {
            texts.add((String) text);
        }
        return texts;
    }

    private static Object[] keptTexts(CategoricalEncoder e, ColumnType type) {
        List<Object> texts = new ArrayList<>();
        for (Object key : e.categories()) {
            if (key != null) {
                texts.add(ColumnValues.keyToText(type, key));
            }
        }
        return texts.toArray();
    }
}
