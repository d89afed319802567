package io.flowsynth.fidelity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Streaming profile of a discrete column from its category counts (one {@link #add} per category, null being the
 * missing-value category, in any order): {@link Diagnostics#categoryAdherence}, {@link Diagnostics#categoryCoverage},
 * distinct counts per side and the {@code top} categories by the larger of their two frequencies (ties by name), so
 * that a category frequent on one side only still shows. Memory is O(top).
 */
public final class CategoryProfileAccumulator {
    /** Categories kept for charts and JSON per discrete column. */
    public static final int TOP_DEFAULT = 12;

    private final long realRows;
    private final long syntheticRows;
    private final int top;
    private final int minNamedRealCount;
    private final PriorityQueue<Entry> best;
    private long syntheticValid;
    private long realDistinct;
    private long syntheticDistinct;
    private long covered;

    private record Entry(String value, long real, long synthetic, double weight) {
    }

    /** Best first: larger weight, then value ascending, the missing-value category last. */
    private static final Comparator<Entry> RANK = Comparator.comparingDouble(Entry::weight).reversed()
            .thenComparing(Entry::value, Comparator.nullsLast(Comparator.<String>naturalOrder()));

    public CategoryProfileAccumulator(long realRows, long syntheticRows, int top) {
        this(realRows, syntheticRows, top, 1);
    }

    /**
     * @param minNamedRealCount a category seen in the real sample fewer times than this (but at least once) is never
     *                          named: it counts under "other" (the rare-category threshold, so that the report cannot
     *                          publish a rare real value); 1 names every category
     */
    public CategoryProfileAccumulator(long realRows, long syntheticRows, int top, int minNamedRealCount) {
        this.minNamedRealCount = Math.max(1, minNamedRealCount);
        if (top < 1) {
            throw new IllegalArgumentException("top must be >= 1, got " + top);
        }
        this.realRows = realRows;
        this.syntheticRows = syntheticRows;
        this.top = top;
        this.best = new PriorityQueue<>(RANK.reversed()); // worst first, so the head is evicted
    }

    /** One category (null = missing) with its counts in the real and synthetic samples. */
    public void add(String value, long realCount, long syntheticCount) {
        if (realCount < 0 || syntheticCount < 0) {
            throw new IllegalArgumentException("Counts must be >= 0");
        }
        if (realCount > 0) {
            syntheticValid += syntheticCount;
        }
        if (value != null) {
            if (realCount > 0) {
                realDistinct++;
                if (syntheticCount > 0) {
                    covered++;
                }
            }
            if (syntheticCount > 0) {
                syntheticDistinct++;
            }
        }
        if (realCount == 0 && syntheticCount == 0) {
            return;
        }
        if (value != null && realCount > 0 && realCount < minNamedRealCount) {
            return; // a rare real value: counted above and in "other", never named
        }
        best.add(new Entry(value, realCount, syntheticCount, Math.max(frequency(realCount, realRows),
                frequency(syntheticCount, syntheticRows))));
        if (best.size() > top) {
            best.poll();
        }
    }

    public double categoryAdherence() {
        return Diagnostics.categoryAdherence(syntheticRows, syntheticValid);
    }

    public double categoryCoverage() {
        return Diagnostics.categoryCoverage(realDistinct, covered);
    }

    public long realDistinct() {
        return realDistinct;
    }

    public long syntheticDistinct() {
        return syntheticDistinct;
    }

    /** The kept categories, most frequent first, with frequencies (count / rows; NaN for a side without rows). */
    public List<ColumnDiagnostics.CategoryCount> topCategories() {
        List<Entry> entries = new ArrayList<>(best);
        entries.sort(RANK);
        List<ColumnDiagnostics.CategoryCount> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(new ColumnDiagnostics.CategoryCount(e.value(), frequency(e.real(), realRows),
                    frequency(e.synthetic(), syntheticRows)));
        }
        return out;
    }

    /** Frequency of the categories not in {@link #topCategories()} on the real side. */
    public double otherReal() {
        return rest(realRows, true);
    }

    public double otherSynthetic() {
        return rest(syntheticRows, false);
    }

    private double rest(long rows, boolean real) {
        if (rows == 0) {
            return Double.NaN;
        }
        long kept = 0;
        for (Entry e : best) {
            kept += real ? e.real() : e.synthetic();
        }
        return (double) (rows - kept) / rows;
    }

    private static double frequency(long count, long rows) {
        return rows == 0 ? Double.NaN : (double) count / rows;
    }
}
