package io.flowsynth.encode;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The (child category, parent value) counts of the nesting pass's candidate pairs ({@link CategoryNesting}), folded
 * per partition and merged, on small integer codes instead of texts: each involved column's value is looked up once
 * per row ({@link #code}), and each pair adds one to a cell of a dense array (at most {@link #DENSE_CELLS} cells) or
 * of a hash map. A pair with a cap ({@link CategoryNesting#functionalMaxPairs}) is given up (null) once it has more
 * distinct cells. Spark-free; the estimator runs it.
 */
public final class PairCounts implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Most cells of a pair counted in a dense array (32 KB); more go to a hash map of their nonzero cells. */
    public static final int DENSE_CELLS = 4096;
    /** {@link #code} of a null value. */
    public static final int NULL = -2;
    /** {@link #code} of a value the column does not keep. */
    public static final int NOT_KEPT = -1;

    private final int[][] pairSlots;      // per pair: {child slot, parent slot}
    private final int[] childSize;        // per pair: the child's kept categories (+1 for its null row when counted)
    private final int[] parentSize;       // per pair: the parent's kept categories + null + other
    private final boolean[] nullChild;    // per pair: the child's null rows are counted (as its last code)
    private final long[] maxCells;        // per pair: most distinct cells before it is given up
    private final Object[] counts;        // per pair: long[] dense, HashMap<Long, long[]> sparse, or null
    private final long[] distinct;

    /**
     * @param pairSlots per pair its child's and parent's slot ({@link #code}'s column index)
     * @param kept      per slot, its kept key texts in code order
     * @param nullChild per pair, whether the child's null rows are counted
     * @param maxCells  per pair, the most distinct (child, parent) cells it may have ({@link Long#MAX_VALUE}: any)
     */
    public PairCounts(int[][] pairSlots, List<List<String>> kept, boolean[] nullChild, long[] maxCells) {
        int n = pairSlots.length;
        this.pairSlots = pairSlots;
        this.nullChild = nullChild;
        this.maxCells = maxCells;
        this.childSize = new int[n];
        this.parentSize = new int[n];
        this.counts = new Object[n];
        this.distinct = new long[n];
        for (int i = 0; i < n; i++) {
            childSize[i] = kept.get(pairSlots[i][0]).size() + (nullChild[i] ? 1 : 0);
            parentSize[i] = kept.get(pairSlots[i][1]).size() + 2;
            long cells = (long) childSize[i] * parentSize[i];
            counts[i] = cells <= DENSE_CELLS ? new long[(int) cells] : new HashMap<Long, long[]>();
        }
    }

    /** A column's code of a key text: its index among the kept texts, {@link #NULL} or {@link #NOT_KEPT}. */
    public static int code(Map<String, Integer> index, String text) {
        if (text == null) {
            return NULL;
        }
        Integer k = index.get(text);
        return k == null ? NOT_KEPT : k;
    }

    /** Adds one row, given each slot's {@link #code}. */
    @SuppressWarnings("unchecked")
    public void add(int[] codes) {
        for (int i = 0; i < counts.length; i++) {
            Object c = counts[i];
            if (c == null) {
                continue;
            }
            int child = codes[pairSlots[i][0]];
            if (child == NOT_KEPT || (child == NULL && !nullChild[i])) {
                continue;
            }
            if (child == NULL) {
                child = childSize[i] - 1;
            }
            int parent = codes[pairSlots[i][1]];
            int kept = parentSize[i] - 2;
            int p = parent == NULL ? kept : parent == NOT_KEPT ? kept + 1 : parent;
            long cell = (long) child * parentSize[i] + p;
            if (c instanceof long[] dense) {
                if (dense[(int) cell]++ == 0 && ++distinct[i] > maxCells[i]) {
                    counts[i] = null;
                }
            } else {
                long[] n = ((HashMap<Long, long[]>) c).computeIfAbsent(cell, k -> new long[1]);
                if (n[0]++ == 0 && ++distinct[i] > maxCells[i]) {
                    counts[i] = null;
                }
            }
        }
    }

    /** Adds another partition's counts into these; returns this. */
    @SuppressWarnings("unchecked")
    public PairCounts merge(PairCounts o) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == null || o.counts[i] == null) {
                counts[i] = null;
                continue;
            }
            long cells = 0;
            if (counts[i] instanceof long[] dense) {
                long[] other = (long[]) o.counts[i];
                for (int k = 0; k < dense.length; k++) {
                    dense[k] += other[k];
                    cells += dense[k] > 0 ? 1 : 0;
                }
            } else {
                HashMap<Long, long[]> into = (HashMap<Long, long[]>) counts[i];
                ((HashMap<Long, long[]>) o.counts[i]).forEach((k, v) ->
                        into.computeIfAbsent(k, x -> new long[1])[0] += v[0]);
                cells = into.size();
            }
            distinct[i] = cells;
            if (cells > maxCells[i]) {
                counts[i] = null;
            }
        }
        return this;
    }

    /**
     * Pair {@code i}'s counts as the nesting choice reads them: child key text ({@link CategoryNesting#NULL_TEXT}
     * for its null row) → parent key text ({@link CategoryNesting#NULL_TEXT}, {@link CategoryNesting#OTHER_TEXT})
     * → rows, nonzero only; null for a given-up pair.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Map<String, Long>> table(int i, List<List<String>> kept) {
        if (counts[i] == null) {
            return null;
        }
        List<String> children = kept.get(pairSlots[i][0]);
        List<String> parents = kept.get(pairSlots[i][1]);
        Map<String, Map<String, Long>> out = new HashMap<>();
        java.util.function.ObjLongConsumer<Long> put = (cell, n) -> {
            if (n == 0) {
                return;
            }
            int child = (int) (cell / parentSize[i]);
            int p = (int) (cell % parentSize[i]);
            String c = child < children.size() ? children.get(child) : CategoryNesting.NULL_TEXT;
            String parent = p < parents.size() ? parents.get(p)
                    : p == parents.size() ? CategoryNesting.NULL_TEXT : CategoryNesting.OTHER_TEXT;
            out.computeIfAbsent(c, k -> new HashMap<>()).merge(parent, n, Long::sum);
        };
        if (counts[i] instanceof long[] dense) {
            for (int k = 0; k < dense.length; k++) {
                put.accept((long) k, dense[k]);
            }
        } else {
            ((HashMap<Long, long[]>) counts[i]).forEach((k, v) -> put.accept(k, v[0]));
        }
        return out;
    }
}
