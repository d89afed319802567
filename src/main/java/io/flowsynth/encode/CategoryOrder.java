package io.flowsynth.encode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * its parents' blocks, its categories ordered by the companion within each block. The sums come
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

    /** A reordered column: its companion column, the companion's ε², and each kept category's rank. */
    public record Layout(int column, String companion, double etaSquared, Map<Object, Integer> ranks) {
    }

    /**
     * The new layouts of {@code candidates} (in their order) from their sums; a candidate whose best companion
     * explains less than {@link #MIN_ETA_SQUARED} is left out.
     */
    public static List<Layout> layouts(TableEncoder encoder, List<Integer> candidates, ContextScores.Sums sums) {
        int[] ordered = orderedFeatures(encoder);
        List<Layout> out = new ArrayList<>();
        if (sums.rows() < 2) {
            return out;
        }
        for (int j = 0; j < candidates.size(); j++) {
            int column = candidates.get(j);
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
            if (best < 0) {
                continue;
            }
            CategoricalEncoder cat = (CategoricalEncoder) encoder.columns().get(column);
            int f = ordered[best];
            List<Integer> levels = new ArrayList<>();
            for (int l = 0; l < cat.categoryCount(); l++) {
                if (sums.count(j, l) > 0) {
                    levels.add(l);
                }
            }
            int jj = j;
            // a nested column keeps its parents' blocks; its categories are ordered within each block
            levels.sort(Comparator.<Integer>comparingInt(cat::group)
                    .thenComparingDouble(l -> sums.mean(jj, l, f)).thenComparingInt(l -> l));
            Map<Object, Integer> ranks = new HashMap<>();
            for (int r = 0; r < levels.size(); r++) {
                ranks.put(cat.categories().get(levels.get(r)), r);
            }
            out.add(new Layout(column, encoder.columns().get(best).column(), bestEta, ranks));
        }
        return out;
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
