package io.flowsynth.encode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * The layout of a categorical column's frequency intervals by what it goes with ({@code flowsynth.encode.order-categories}):
 * a column whose levels explain an ordered column (a number's quantile feature, a date's, or a few-valued number's
 * value-ordered categories) by a bias-adjusted correlation ratio ε² of at least {@link #MIN_ETA_SQUARED} has its
 * kept categories laid out by their mean of that feature, smallest first. A frequency layout puts neighbours side by
 * side that have nothing in common (exterior materials of every age next to each other), a zigzag that the flow (and
 * a copula) can only follow with many bends; in the order of their mean build year the materials rise with the year,
 * and with what goes with it. Stored as the column's {@code ordered_by} layout (the companion column's name), so saved
 * models load as they were.
 *
 * <p>Candidates: categorical columns of one frequency-interval feature with at least {@link #MIN_CATEGORIES} kept
 * categories that are not a number's value order. A column nested in a parent column ({@link CategoryNesting}) keeps
 * its parents' blocks, its categories ordered by the companion within each block; when the parent is laid out anew
 * (states by their mean longitude), the blocks move with it (counties in the states' new order), else the child's
 * feature would be a zigzag of the parent's instead of a monotone step. The sums come
 * from one pass over the encoded rows ({@link ContextScores.Sums}, its candidates these columns); only means of levels
 * kept by the rare-category protection (each of at least k rows) decide the order, which is all the model stores.
 */
public final class CategoryOrder {
    /** Fewest kept categories for a column to be reordered (two have one order up to a flip). */
    public static final int MIN_CATEGORIES = 3;
    /** Least ε² of the best companion feature for a column to be reordered; below it the frequency layout stays. */
    public static final double MIN_ETA_SQUARED = 0.02;

    private CategoryOrder() {
    }

    /** Indices, among the encoder's columns, of the columns that may be reordered (see the class comment). */
    public static List<Integer> candidates(TableEncoder encoder) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < encoder.columns().size(); i++) {
            if (encoder.columns().get(i) instanceof CategoricalEncoder cat && !cat.onehot() && !cat.indicators()
                    && cat.width() == 1 && !cat.column().equals(cat.orderedBy())
                    && cat.categoryCount() >= MIN_CATEGORIES) {
                out.add(i);
            }
        }
        return out;
    }

    /** Whether any column has an ordered feature a categorical column could be laid out by. */
    public static boolean hasCompanions(TableEncoder encoder) {
        return java.util.Arrays.stream(orderedFeatures(encoder)).anyMatch(f -> f >= 0);
    }

    /**
     * Per encoder column, the index of its ordered feature (a quantile encoder's value feature, a date text's, a
     * value-ordered categorical's interval), or −1.
     */
    static int[] orderedFeatures(TableEncoder encoder) {
        int[] out = new int[encoder.columns().size()];
        for (int i = 0; i < out.length; i++) {
            ColumnEncoder c = encoder.columns().get(i);
            ColumnEncoder inner = c instanceof DateTextEncoder d ? d.dates() : c;
            boolean ordered = c.width() > 0 && (inner instanceof QuantileEncoder
                    || (inner instanceof CategoricalEncoder cat && !cat.onehot() && cat.width() == 1
                    && c.column().equals(cat.orderedBy())));
            out[i] = ordered ? encoder.offset(i) : -1;
        }
        return out;
    }

    /**
     * A reordered column: its companion column, the companion's ε², and each kept category's rank (a nested column
     * that only follows its parent's new layout: the parent and ε² 0).
     */
    public record Layout(int column, String companion, double etaSquared, Map<Object, Integer> ranks) {
    }

    /**
     * The new layouts of {@code candidates} (in their order) from their sums; a candidate whose best companion
     * explains less than {@link #MIN_ETA_SQUARED} is left out, unless it nests in a parent that is laid out anew: its
     * blocks then follow the parent's new order (within each its order stays), so the child stays a monotone function
     * of its parent.
     */
    public static List<Layout> layouts(TableEncoder encoder, List<Integer> candidates, ContextScores.Sums sums) {
        int[] ordered = orderedFeatures(encoder);
        List<Layout> out = new ArrayList<>();
        if (sums.rows() < 2) {
            return out;
        }
        Layout[] found = new Layout[candidates.size()];
        Map<String, Layout> byColumn = new HashMap<>();
        // parents first: a nested column's blocks follow its parent's layout (a parent is never nested itself)
        for (boolean nested : new boolean[]{false, true}) {
            for (int j = 0; j < candidates.size(); j++) {
                int column = candidates.get(j);
                CategoricalEncoder cat = (CategoricalEncoder) encoder.columns().get(column);
                if ((cat.orderedBy() != null) != nested) {
                    continue;
                }
                found[j] = layout(encoder, ordered, column, j, sums, nested ? byColumn.get(cat.orderedBy()) : null);
                if (found[j] != null) {
                    byColumn.put(cat.column(), found[j]);
                }
            }
        }
        for (Layout l : found) {
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * The layout of candidate {@code j} (encoder column {@code column}), or null: by its best companion's means
     * within its blocks, the blocks in the order of {@code parent}'s new layout when there is one.
     */
    private static Layout layout(TableEncoder encoder, int[] ordered, int column, int j, ContextScores.Sums sums,
                                 Layout parent) {
        int best = -1;
        double bestEta = MIN_ETA_SQUARED;
        for (int i = 0; i < ordered.length; i++) {
            if (i == column || ordered[i] < 0) {
                continue;
            }
            double eta = sums.adjustedEtaSquared(j, ordered[i]);
            if (eta >= bestEta) {
                best = i;
                bestEta = eta;
            }
        }
        if (best < 0 && parent == null) {
            return null;
        }
        CategoricalEncoder cat = (CategoricalEncoder) encoder.columns().get(column);
        int f = best < 0 ? -1 : ordered[best];
        List<Integer> levels = new ArrayList<>();
        for (int l = 0; l < cat.categoryCount(); l++) {
            levels.add(l);
        }
        IntUnaryOperator block = blocks(encoder, parent);
        // a nested column keeps its parents' blocks; its categories are ordered within each block, a category the
        // sums did not see (a sampled pass over a large table) last in its own block, not after every block
        levels.sort(Comparator.<Integer>comparingInt(l -> block.applyAsInt(cat.group(l)))
                .thenComparingDouble(l -> sums.count(j, l) == 0 ? Double.POSITIVE_INFINITY
                        : f < 0 ? 0.0 : sums.mean(j, l, f))
                .thenComparingInt(l -> l));
        Map<Object, Integer> ranks = new HashMap<>();
        for (int r = 0; r < levels.size(); r++) {
            ranks.put(cat.categories().get(levels.get(r)), r);
        }
        return best < 0 ? new Layout(column, cat.orderedBy(), 0.0, ranks)
                : new Layout(column, encoder.columns().get(best).column(), bestEta, ranks);
    }

    /**
     * A nested column's parent rank (its {@link CategoricalEncoder#group}: the index of the parent's category in the
     * parent's layout when it was nested) → the block's place under the parent's new layout: its new rank; a parent
     * category without one (no rows in the sums), "other" and none after all ranked ones, in their former order.
     */
    private static IntUnaryOperator blocks(TableEncoder encoder, Layout parent) {
        if (parent == null) {
            return g -> g;
        }
        CategoricalEncoder p = (CategoricalEncoder) encoder.columns().get(parent.column());
        List<Object> keys = p.categories();
        int size = keys.size();
        return g -> {
            if (g == Integer.MAX_VALUE) {
                return g;
            }
            Integer r = g >= 0 && g < size ? parent.ranks().get(keys.get(g)) : null;
            return r != null ? r : size + Math.min(g, Integer.MAX_VALUE - size - 1);
        };
    }

    /**
     * The encoder with {@code layouts} applied (each column's categories in its ranks' order; a nested column stays
     * recorded as ordered by its parent).
     */
    public static TableEncoder apply(TableEncoder encoder, List<Layout> layouts) {
        if (layouts.isEmpty()) {
            return encoder;
        }
        List<ColumnEncoder> columns = new ArrayList<>(encoder.columns());
        for (Layout l : layouts) {
            CategoricalEncoder cat = (CategoricalEncoder) columns.get(l.column());
            columns.set(l.column(), cat.laidOutBy(cat.orderedBy() != null ? cat.orderedBy() : l.companion(),
                    l.ranks()));
        }
        return new TableEncoder(columns, encoder.droppedColumns(), encoder.privacy())
                .withContextJoint(encoder.contextJoint()).withContextAuto(encoder.contextAuto());
    }
}
