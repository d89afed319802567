package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.flowsynth.math.StandardNormal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Dequantized frequency intervals for a categorical column (strings, booleans, integers with few distinct values, or
 * any column forced to {@code categorical}). Categories are sorted by count descending, ties by value (null first);
 * category k owns [c_k, c_{k+1}) ⊂ [0, 1] with width equal to its frequency; a value encodes to z = Φ⁻¹(u) with u
 * uniform in its interval, and z decodes to the category whose interval holds Φ(z). Null is a category of its own.
 *
 * <p>Only the most frequent categories are kept (at most {@code maxCategories}, chosen by the estimator). Further
 * values share one last "other" interval; decoding it samples among a bounded list of them in proportion to their
 * counts, so memory is bounded by the number of kept values, never by the column's cardinality.
 *
 * <p><b>Rare-category protection</b> ({@link Protection}): values seen fewer than k times are neither kept nor among
 * the "other" values; only their number and rows are recorded ({@code protected_categories}, {@code protected_rows}
 * in the JSON). Such a value (or one never seen) is encoded as an outcome drawn in proportion to the outcomes' counts,
 * so its rows are redistributed over the kept categories and nothing of it is learned or published; in a column split
 * by its parent, over the kept pairs of the row's parent value (a once-seen city's row becomes a kept city of its own
 * state: over all cities, most of zipcodes' rows would pair a state with another state's city). Without
 * protection (k = 1, and models saved before it existed), a value that is not kept goes to "other", or, when the
 * column has no "other" interval, to the most frequent category.
 *
 * <p><b>One-hot/argmax layout</b> ({@link #onehot()}): instead of one interval feature, one feature per outcome (kept
 * categories, then "other"); decoding takes the argmax. Encoding outcome k draws v ~ N(0, I), swaps the largest entry
 * into position k (which gives exactly N(0, I) conditioned on argmax = k) and adds a {@link #ONEHOT_MARGIN} to it, so
 * the classes are separated by a low-density gap the flow's smooth density does not need to model sharply (argmax
 * dequantization, after Hoogeboom et al., "Argmax Flows and Multinomial Diffusion", NeurIPS 2021). It imposes no order
 * on the categories, at the price of one feature per category: the estimator uses it for low-cardinality columns.
 *
 * <p><b>Split by the parent</b> ({@link #split()}): a nested column ({@link #orderedBy()}, counties in states) whose
 * categories recur under several parent values (a Washington county in thirty states) keeps one interval per
 * (category, parent value) pair ({@link SplitKey}) instead of one per category, each in its parent's block, so that
 * given the parent the column's feature lies in that parent's block instead of also in the far blocks of the
 * parents its names recur under (a multi-modal conditional that an affine flow cannot follow). The row's parent value
 * comes with the value ({@link TableEncoder} passes a {@link SplitKey} of the raw value and the parent's key text);
 * a pair without its own interval (rarer than the protection's k) is encoded as the category's largest pair. Decoding
 * emits the category alone.
 *
 * <p><b>Within the parent's block</b> ({@link #withinParent()}, set on the split columns the estimator fits): the
 * feature is not the pair's place among all intervals but among the kept pairs of the parent outcome that the
 * parent's own feature in the same row decodes to (Φ⁻¹ of the renormalised place), and decoding reads it the same
 * way, so a county always comes out under its own state (zipcodes' state|county pair score 0.657 → 0.754, ceiling
 * 0.753; README "Benchmarks"). The {@link TableEncoder} binds such a column to its parent and encodes parents first;
 * the independent-columns baseline and a parent outcome without kept pairs read the feature as a plain one.
 */
public final class CategoricalEncoder implements ColumnEncoder {
    private static final long serialVersionUID = 1L;

    private final String column;
    private final ColumnType type;
    private final List<Object> keys;        // kept categories, ordered
    private final long[] counts;
    private final long otherCount;
    private final List<Object> rareKeys;    // values sampled for "other", ordered like keys
    private final long[] rareCumulative;    // running sums of their counts
    private final Map<Object, Integer> index;
    private final Map<Object, Integer> rareIndex;
    private final FrequencyIntervals intervals;
    private final boolean onehot;
    private final String orderedBy;
    private final int[] groups;             // per kept category: rank of its parent category, or null
    private final Protection protection;
    private final boolean indicators;       // a context column's level indicators after its interval feature
    private final boolean split;            // keys are SplitKeys: one interval per (category, parent value)
    private final Map<Object, Integer> modal; // split: category key → its largest pair's interval
    private final Map<String, Block> blocks;  // split: parent key text → its kept pairs' block
    private final Block[] blockOf;            // split: per kept interval, its parent's block
    private final int[] positionOf;           // split: per kept interval, its place in that block
    private final boolean withinParent;       // split: the feature is the row's place within its parent's block
    private final int parentDelta;            // bound (TableEncoder): the parent's feature offset minus this one's
    private final FrequencyIntervals parentIntervals; // bound: the parent's intervals (null: not bound)
    private final Block[] parentBlocks;       // bound: per parent outcome, this column's block under it, or null

    /**
     * A parent value's kept pairs in a split column: their intervals in layout order, the running sums of their
     * widths (∝ their rows) and the total. Protected rows of that parent are drawn from it; a within-parent feature
     * ({@link #withinParent}) is a row's place in it.
     */
    private record Block(int[] intervals, double[] cumulative, double mass) implements java.io.Serializable {
        int draw(Random rng) {
            return find(rng.nextDouble() * mass);
        }

        /** The position whose running width first exceeds {@code v} (the last for v ≥ mass). */
        int find(double v) {
            int i = Arrays.binarySearch(cumulative, v);
            i = i >= 0 ? i + 1 : -i - 1;
            return Math.min(i, intervals.length - 1);
        }

        /** The interval whose place in the block holds Φ(z). */
        int decode(double z) {
            return intervals[find(StandardNormal.cdf(z) * mass)];
        }

        /** Φ⁻¹ of the place {@code r} ∈ [0, 1) of the way through the pair at {@code position}, within the block. */
        double encode(int position, double r) {
            double before = position == 0 ? 0.0 : cumulative[position - 1];
            return StandardNormal.inverseCdf(FrequencyIntervals.clampU(
                    (before + r * (cumulative[position] - before)) / mass));
        }
    }

    /**
     * A kept interval of a column split by its parent ({@link #split()}): the category's key and the parent value's
     * key text ({@link CategoryNesting#NULL_TEXT} for null, {@link CategoryNesting#OTHER_TEXT} for a value the
     * parent does not keep). Also how a row's value reaches a split encoder: {@code child} its raw value.
     */
    public record SplitKey(Object child, String parent) implements java.io.Serializable {
        public SplitKey {
            java.util.Objects.requireNonNull(parent, "parent");
        }
    }

    /** Added to the winning feature of a one-hot encoding. */
    static final double ONEHOT_MARGIN = 1.0;

    /**
     * @param categories  kept category keys ({@link ColumnValues#key}; null for the null category) with their counts;
     *                    any order, no duplicates, counts positive
     * @param otherCount  rows whose value is not a kept category (0 when there are none)
     * @param rareValues  some of those other values with their counts (at least one when otherCount &gt; 0); decoding
     *                    "other" samples among them
     */
    public CategoricalEncoder(String column, ColumnType type, Map<Object, Long> categories, long otherCount,
                              Map<Object, Long> rareValues) {
        this(column, type, categories, otherCount, rareValues, false);
    }

    /** @param onehot one feature per outcome, decoded by argmax, instead of one frequency-interval feature */
    public CategoricalEncoder(String column, ColumnType type, Map<Object, Long> categories, long otherCount,
                              Map<Object, Long> rareValues, boolean onehot) {
        this(column, type, categories, otherCount, rareValues, onehot, null, Map.of());
    }

    /**
     * @param orderedBy the column whose categories this column's nest in, or null
     * @param groups    kept category key → rank of its parent category (smaller first); categories without one go last
     */
    public CategoricalEncoder(String column, ColumnType type, Map<Object, Long> categories, long otherCount,
                              Map<Object, Long> rareValues, boolean onehot, String orderedBy,
                              Map<Object, Integer> groups) {
        this(column, type, categories, otherCount, rareValues, onehot, orderedBy, groups, Protection.NONE);
    }

    /**
     * What rare-category protection removed from a column: {@code categories} distinct values seen fewer than
     * {@code minCount} times, covering {@code rows} rows. None of them is kept; their rows are redistributed over the
     * outcomes in proportion to the outcomes' counts (when encoding as when decoding), so nothing about them is stored.
     */
    public record Protection(int minCount, long categories, long rows) implements java.io.Serializable {
        public static final Protection NONE = new Protection(1, 0, 0);

        public Protection {
            if (minCount < 1 || categories < 0 || rows < categories) {
                throw new IllegalArgumentException("bad protection " + minCount + "/" + categories + "/" + rows);
            }
        }
    }

    /** @param protection what rare-category protection removed (see {@link Protection}) */
    public CategoricalEncoder(String column, ColumnType type, Map<Object, Long> categories, long otherCount,
                              Map<Object, Long> rareValues, boolean onehot, String orderedBy,
                              Map<Object, Integer> groups, Protection protection) {
        this(column, type, categories, otherCount, rareValues, onehot, orderedBy, groups, protection, false);
    }

    /**
     * @param split the categories' keys are {@link SplitKey}s (category key, parent key text), one interval per pair
     *              (see the class comment); needs {@code orderedBy}, the parent column, and no one-hot layout
     */
    public CategoricalEncoder(String column, ColumnType type, Map<Object, Long> categories, long otherCount,
                              Map<Object, Long> rareValues, boolean onehot, String orderedBy,
                              Map<Object, Integer> groups, Protection protection, boolean split) {
        this.indicators = false;
        this.split = split;
        if (split && (onehot || orderedBy == null)) {
            throw new IllegalArgumentException("Column '" + column + "': only a nested frequency-interval column is "
                    + "split by its parent");
        }
        if (split) {
            for (Object key : categories.keySet()) {
                if (!(key instanceof SplitKey)) {
                    throw new IllegalArgumentException("Column '" + column + "': a split column's categories are "
                            + "(category, parent) pairs, got " + key);
                }
            }
        }
        this.protection = protection == null ? Protection.NONE : protection;
        this.onehot = onehot;
        this.orderedBy = orderedBy;
        this.column = QuantileEncoder.requireColumn(column);
        this.type = type;
        if (categories.isEmpty() && otherCount == 0) {
            throw new IllegalArgumentException("Column '" + column + "': a categorical needs at least one category");
        }
        if (otherCount < 0 || (otherCount > 0 && rareValues.isEmpty())) {
            throw new IllegalArgumentException("Column '" + column + "': an 'other' interval needs rare values");
        }
        Map<Object, Integer> groupOf = orderedBy == null ? new HashMap<>() : new HashMap<>(groups);
        List<Map.Entry<Object, Long>> sorted = sortedEntries(categories, groupOf);
        this.modal = split ? new HashMap<>() : Map.of();
        this.groups = orderedBy == null ? null : new int[sorted.size()];
        this.keys = new ArrayList<>(sorted.size());
        this.counts = new long[sorted.size()];
        this.index = new HashMap<>();
        for (int k = 0; k < sorted.size(); k++) {
            keys.add(sorted.get(k).getKey());
            counts[k] = sorted.get(k).getValue();
            index.put(sorted.get(k).getKey(), k);
            if (split) {
                Object child = ((SplitKey) sorted.get(k).getKey()).child();
                Integer m = modal.get(child);
                if (m == null || counts[k] > counts[m]) {
                    modal.put(child, k);
                }
            }
            if (this.groups != null) {
                this.groups[k] = groupOf.getOrDefault(sorted.get(k).getKey(), Integer.MAX_VALUE);
            }
        }
        this.otherCount = otherCount;
        List<Map.Entry<Object, Long>> rare = otherCount > 0 ? sortedEntries(rareValues, new HashMap<>()) : List.of();
        this.rareKeys = new ArrayList<>(rare.size());
        this.rareCumulative = new long[rare.size()];
        this.rareIndex = new HashMap<>();
        long sum = 0;
        for (int i = 0; i < rare.size(); i++) {
            rareKeys.add(rare.get(i).getKey());
            rareIndex.put(rare.get(i).getKey(), i);
            sum += rare.get(i).getValue();
            rareCumulative[i] = sum;
        }
        long[] intervalCounts = Arrays.copyOf(counts, counts.length + (otherCount > 0 ? 1 : 0));
        if (otherCount > 0) {
            intervalCounts[counts.length] = otherCount;
        }
        this.intervals = new FrequencyIntervals(intervalCounts);
        this.blockOf = split ? new Block[keys.size()] : null;
        this.positionOf = split ? new int[keys.size()] : null;
        this.blocks = split ? blocks(keys, intervals.bounds(), blockOf, positionOf) : Map.of();
        this.withinParent = false;
        this.parentDelta = 0;
        this.parentIntervals = null;
        this.parentBlocks = null;
    }

    /**
     * Per parent key text, the block of the kept (category, parent) pairs under it; fills each interval's block and
     * place in it.
     */
    private static Map<String, Block> blocks(List<Object> keys, double[] bounds, Block[] blockOf, int[] positionOf) {
        Map<String, List<Integer>> members = new HashMap<>();
        for (int k = 0; k < keys.size(); k++) {
            members.computeIfAbsent(((SplitKey) keys.get(k)).parent(), p -> new ArrayList<>()).add(k);
        }
        Map<String, Block> out = new HashMap<>();
        for (Map.Entry<String, List<Integer>> e : members.entrySet()) {
            int[] intervals = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            double[] cumulative = new double[intervals.length];
            double sum = 0;
            for (int i = 0; i < intervals.length; i++) {
                sum += bounds[intervals[i] + 1] - bounds[intervals[i]];
                cumulative[i] = sum;
            }
            Block block = new Block(intervals, cumulative, sum);
            out.put(e.getKey(), block);
            for (int i = 0; i < intervals.length; i++) {
                blockOf[intervals[i]] = block;
                positionOf[intervals[i]] = i;
            }
        }
        return out;
    }

    private CategoricalEncoder(CategoricalEncoder o, boolean indicators) {
        this(o, indicators, o.withinParent, null, 0);
    }

    /** A copy with the given indicators, within-parent layout and binding to the parent (null: unbound). */
    private CategoricalEncoder(CategoricalEncoder o, boolean indicators, boolean withinParent,
                               CategoricalEncoder parent, int parentDelta) {
        this.column = o.column;
        this.type = o.type;
        this.keys = o.keys;
        this.counts = o.counts;
        this.otherCount = o.otherCount;
        this.rareKeys = o.rareKeys;
        this.rareCumulative = o.rareCumulative;
        this.index = o.index;
        this.rareIndex = o.rareIndex;
        this.intervals = o.intervals;
        this.onehot = o.onehot;
        this.orderedBy = o.orderedBy;
        this.groups = o.groups;
        this.protection = o.protection;
        this.split = o.split;
        this.modal = o.modal;
        this.blocks = o.blocks;
        this.blockOf = o.blockOf;
        this.positionOf = o.positionOf;
        this.indicators = indicators;
        this.withinParent = withinParent;
        this.parentDelta = parentDelta;
        this.parentIntervals = parent == null ? null : parent.intervals;
        this.parentBlocks = parent == null ? null : withinBlocks(parent);
    }

    /**
     * This split column encoded <b>within its parent's block</b> (or not): a row's feature is Φ⁻¹ of its place
     * among the kept pairs of its parent value only (their widths renormalised), and decoding reads the parent's
     * decoded outcome from the parent's feature in the same row, so a county never comes out in another state's
     * block. Saved as {@code "within_parent"}; needs a split column (see {@link #split()}) bound to its parent by the
     * {@link TableEncoder} ({@link #boundTo}); unbound (or when the parent's outcome has no kept pair) it encodes and
     * decodes as a plain split column.
     */
    public CategoricalEncoder withWithinParent(boolean on) {
        if (on && (!split || onehot)) {
            throw new IllegalArgumentException("Column '" + column + "': only a split frequency-interval column is "
                    + "encoded within its parent");
        }
        return on == withinParent ? this : new CategoricalEncoder(this, indicators, on, null, 0);
    }

    /** Whether the feature is the row's place within its parent's block ({@link #withWithinParent}). */
    public boolean withinParent() {
        return withinParent;
    }

    /**
     * This encoder bound to its parent column's encoder, whose first feature lies {@code delta} features after this
     * column's ({@link TableEncoder} binds each within-parent column when it is built); itself when not within its
     * parent or when the parent is not a frequency-interval column.
     */
    CategoricalEncoder boundTo(CategoricalEncoder parent, int delta) {
        if (!withinParent || parent.onehot || parent.width() == 0) {
            return this;
        }
        return new CategoricalEncoder(this, indicators, true, parent, delta);
    }

    /** Per parent outcome (kept category, then "other"), this column's block of kept pairs under it, or null. */
    private Block[] withinBlocks(CategoricalEncoder parent) {
        Block[] out = new Block[parent.intervals.size()];
        for (int pk = 0; pk < out.length; pk++) {
            Object key = pk < parent.keys.size() ? parent.keys.get(pk) : null;
            String text = pk >= parent.keys.size() ? CategoryNesting.OTHER_TEXT
                    : key == null ? CategoryNesting.NULL_TEXT : ColumnValues.keyToText(parent.type, key);
            Block b = blocks.get(text);
            out[pk] = b != null && b.mass() > 0 ? b : null;
        }
        return out;
    }

    /** The block of the parent outcome that the parent's feature in {@code f} decodes to, or null. */
    private Block withinAt(double[] f, int offset) {
        if (parentBlocks == null) {
            return null;
        }
        return parentBlocks[parentIntervals.decode(f[offset + parentDelta])];
    }

    /**
     * This encoder as a conditional model's context column with (or without) <b>level indicators</b>: after its
     * frequency-interval feature, one feature per outcome, 1 for the row's outcome and 0 for the others, so every
     * conditioner gets one input per level (a rare level's narrow interval is otherwise a sliver of one scalar input,
     * and its conditional came out like its neighbours'). Decoding reads the interval feature only; the indicators
     * are a function of it ({@code io.flowsynth.flow.DiscreteContext} keeps them in step).
     *
     * @throws IllegalArgumentException for a one-hot encoder (its features are one per level already)
     */
    public CategoricalEncoder withContextIndicators(boolean on) {
        if (on && onehot) {
            throw new IllegalArgumentException("Column '" + column + "': a one-hot encoder has no level indicators");
        }
        return on == indicators ? this : new CategoricalEncoder(this, on);
    }

    /** Whether the interval feature is followed by one indicator feature per outcome ({@link #withContextIndicators}). */
    public boolean indicators() {
        return indicators;
    }

    /**
     * This encoder with its kept categories laid out in the order of {@code ranks} (kept category key → rank, smaller
     * first; ties and categories without a rank by frequency), recorded as ordered by {@code column}; counts, "other",
     * its values and the protection unchanged. Not for a one-hot encoder or a context column's (their layout is
     * fixed).
     */
    public CategoricalEncoder laidOutBy(String column, Map<Object, Integer> ranks) {
        if (onehot || indicators) {
            throw new IllegalArgumentException("Column '" + this.column + "': a one-hot or context encoder keeps its "
                    + "layout");
        }
        Map<Object, Long> categories = new HashMap<>();
        for (int k = 0; k < keys.size(); k++) {
            categories.put(keys.get(k), counts[k]);
        }
        Map<Object, Long> rare = new HashMap<>();
        for (int i = 0; i < rareKeys.size(); i++) {
            rare.put(rareKeys.get(i), rareCumulative[i] - (i == 0 ? 0 : rareCumulative[i - 1]));
        }
        return new CategoricalEncoder(this.column, type, categories, otherCount, rare, false, column, ranks,
                protection, split).withWithinParent(withinParent);
    }

    private static List<Map.Entry<Object, Long>> sortedEntries(Map<Object, Long> counts, Map<Object, Integer> groups) {
        List<Map.Entry<Object, Long>> entries = new ArrayList<>(counts.entrySet());
        for (Map.Entry<Object, Long> e : entries) {
            if (e.getValue() == null || e.getValue() <= 0) {
                throw new IllegalArgumentException("category counts must be positive, got " + e);
            }
        }
        entries.sort(Comparator.<Map.Entry<Object, Long>>comparingInt(e -> groups.getOrDefault(e.getKey(),
                        Integer.MAX_VALUE))
                .thenComparing(Comparator.<Map.Entry<Object, Long>>comparingLong(Map.Entry::getValue).reversed())
                .thenComparing(Map.Entry::getKey, CategoricalEncoder::compareCategoryKeys));
        return entries;
    }

    /** {@link ColumnValues#compareKeys}, and for {@link SplitKey}s by category, then parent text. */
    private static int compareCategoryKeys(Object a, Object b) {
        if (a instanceof SplitKey x && b instanceof SplitKey y) {
            int c = ColumnValues.compareKeys(x.child(), y.child());
            return c != 0 ? c : x.parent().compareTo(y.parent());
        }
        return ColumnValues.compareKeys(a, b);
    }

    /**
     * This encoder with one interval per category again (a split column's pairs merged, each category in its largest
     * pair's parent block), as a context column needs (its levels are its categories); itself when not split.
     */
    public CategoricalEncoder unsplit() {
        if (!split) {
            return this;
        }
        Map<Object, Long> categories = new HashMap<>();
        Map<Object, Integer> ranks = new HashMap<>();
        for (int k = 0; k < keys.size(); k++) {
            Object child = categoryOf(keys.get(k));
            categories.merge(child, counts[k], Long::sum);
            if (modal.get(child) == k) {
                ranks.put(child, groups[k]);
            }
        }
        Map<Object, Long> rare = new HashMap<>();
        for (int i = 0; i < rareKeys.size(); i++) {
            rare.put(rareKeys.get(i), rareCumulative[i] - (i == 0 ? 0 : rareCumulative[i - 1]));
        }
        return new CategoricalEncoder(column, type, categories, otherCount, rare, false, orderedBy, ranks, protection)
                .withContextIndicators(indicators);
    }

    /**
     * Whether the intervals are one per (category, parent value) pair ({@link SplitKey}; see the class comment), the
     * parent being {@link #orderedBy()}.
     */
    public boolean split() {
        return split;
    }

    /**
     * The key text under which a nesting or a split child sees this (parent) column's {@code value}:
     * {@link CategoryNesting#NULL_TEXT} for null, the kept category's key text, or {@link CategoryNesting#OTHER_TEXT}
     * for a value this column does not keep.
     */
    public String parentText(Object value) {
        if (value == null) {
            return CategoryNesting.NULL_TEXT;
        }
        Object key = keyOf(value);
        return index.containsKey(key) ? ColumnValues.keyToText(type, key) : CategoryNesting.OTHER_TEXT;
    }

    @Override
    public String column() {
        return column;
    }

    /** The column whose categories this column's nest in (its interval layout follows that column's), or null. */
    public String orderedBy() {
        return orderedBy;
    }

    /**
     * The layout rank of the {@code k}-th kept category ({@link #categories()} order) under {@link #orderedBy()}
     * (its parent category's rank for a nested column), or {@link Integer#MAX_VALUE} without one.
     */
    public int group(int k) {
        return groups == null ? Integer.MAX_VALUE : groups[k];
    }

    /** Rows of a kept category while fitting (0 for any other value). */
    public long count(Object key) {
        Integer k = index.get(key);
        return k == null ? 0 : counts[k];
    }

    /** The kept categories in interval order (null stands for the null category). */
    public List<Object> categories() {
        return java.util.Collections.unmodifiableList(keys);
    }

    @Override
    public String kind() {
        return "categorical";
    }

    @Override
    public ColumnType type() {
        return type;
    }

    @Override
    public int width() {
        if (intervals.size() <= 1) {
            return 0;
        }
        return onehot ? intervals.size() : indicators ? 1 + intervals.size() : 1;
    }

    /**
     * The interval feature's boundaries (its first feature); none for one-hot features, level indicators, or a
     * within-parent feature (whose intervals depend on the parent's outcome).
     */
    @Override
    public java.util.function.DoubleUnaryOperator decodeEdges(int feature) {
        if (feature != 0 || width() == 0 || onehot || withinParent || parentBlocks != null) {
            return null;
        }
        return intervals::nearestEdge;
    }

    /** Whether the features are one per outcome (argmax) rather than one frequency interval. */
    public boolean onehot() {
        return onehot;
    }

    /** Kept categories plus the "other" bucket, if any. */
    public int outcomeCount() {
        return intervals.size();
    }

    @Override
    public List<String> featureNames() {
        if (width() == 0) {
            return List.of();
        }
        if (!onehot && !indicators) {
            return List.of(column);
        }
        List<String> names = new ArrayList<>();
        if (indicators) {
            names.add(column);
        }
        for (int k = 0; k < intervals.size(); k++) {
            names.add(column + (indicators ? "#is" : "#") + k);
        }
        return names;
    }

    /** Number of kept categories (the null category included, the "other" interval not). */
    public int categoryCount() {
        return keys.size();
    }

    /** Whether {@code value} is one of the kept categories (false for a value never seen or protected as rare). */
    public boolean isKept(Object value) {
        return keptInterval(keyOf(value)) != null;
    }

    /** The frequency intervals' bounds of the single-feature encoding (the kept categories and "other"). */
    double[] intervalBounds() {
        return intervals.bounds();
    }

    /** Index of the kept category holding {@code value} in {@link #categories()}, or −1 if it is not kept. */
    public int keptIndex(Object value) {
        Integer k = keptInterval(keyOf(value));
        return k == null ? -1 : k;
    }

    /**
     * The kept interval of a key ({@link #keyOf}), or null; a split column's pair without an interval of its own (or
     * a category given without its parent) falls back to the category's largest pair.
     */
    private Integer keptInterval(Object key) {
        Integer k = index.get(key);
        if (k == null && split) {
            k = modal.get(key instanceof SplitKey sk ? sk.child() : key);
        }
        return k;
    }

    /** The category of a key: a {@link SplitKey}'s category, else the key itself. */
    private static Object categoryOf(Object key) {
        return key instanceof SplitKey sk ? sk.child() : key;
    }

    /** Frequency of the kept category holding {@code value} (0 if it is not kept). */
    public double frequency(Object value) {
        Integer k = keptInterval(keyOf(value));
        return k == null ? 0.0 : intervals.frequency(k);
    }

    @Override
    public void encode(Object value, double[] out, int offset, Random rng) {
        if (width() == 0) {
            return;
        }
        int interval = interval(keyOf(value), rng);
        Block within = withinAt(out, offset);
        if (within != null) {
            // the row's place within its parent's block; a pair not under the parent's encoded outcome (a protected
            // parent's row redistributed to another parent) is drawn again within that outcome's block
            int position = interval < keys.size() && blockOf[interval] == within ? positionOf[interval] : -1;
            if (position < 0) {
                position = rng == null ? 0 : within.draw(rng);
                interval = within.intervals()[position];
            }
            out[offset] = within.encode(position, rng == null ? 0.5 : rng.nextDouble());
            return;
        }
        if (!onehot) {
            out[offset] = intervals.encode(interval, rng);
            if (indicators) {
                for (int j = 0; j < intervals.size(); j++) {
                    out[offset + 1 + j] = j == interval ? 1.0 : 0.0;
                }
            }
            return;
        }
        int n = intervals.size();
        int top = 0;
        for (int j = 0; j < n; j++) {
            out[offset + j] = rng.nextGaussian();
            if (out[offset + j] > out[offset + top]) {
                top = j;
            }
        }
        double winner = out[offset + top];
        out[offset + top] = out[offset + interval];
        out[offset + interval] = winner + ONEHOT_MARGIN;
    }

    /**
     * The outcome a value is encoded as: its kept category; "other" for a recorded further value (or any unseen value
     * when nothing was protected); an outcome drawn in proportion to the counts for a protected (or unseen) value when
     * rare categories were protected (in a split column, among the pairs of the row's parent value when it has any:
     * a protected city's row goes to a kept city of its own state, not of any state); else the most frequent
     * category.
     */
    private int interval(Object key, Random rng) {
        Integer k = keptInterval(key);
        if (k != null) {
            return k;
        }
        Object category = categoryOf(key);
        if (otherCount > 0 && (protection.rows() == 0 || rareIndex.containsKey(category))) {
            return keys.size();
        }
        if (protection.rows() > 0 && rng != null) {
            Block block = key instanceof SplitKey sk ? blocks.get(sk.parent()) : null;
            return block != null ? block.intervals()[block.draw(rng)]
                    : intervals.decode(StandardNormal.inverseCdf(FrequencyIntervals.clampU(rng.nextDouble())));
        }
        return 0;
    }

    /** Rare-category protection: the threshold and what it removed from this column. */
    public Protection protection() {
        return protection;
    }

    /**
     * ln f_k − ln φ(z) for a kept category k (the dequantization bound); for a value of the "other" bucket, ln f_other
     * − ln φ(z) plus ln(its count / the bucket's count) when it is one of the recorded rare values (decoding samples
     * only those), else {@link #OUT_OF_DOMAIN_LOG_PROB}; a value never seen in a column without "other" is scored as
     * the most frequent category (as it is encoded) plus {@link #OUT_OF_DOMAIN_LOG_PROB}. Feature-less columns: the
     * same without the feature terms.
     */
    @Override
    public double logDensityCorrection(Object value, double[] features, int offset) {
        Object key = keyOf(value);
        Integer k = keptInterval(key);
        key = categoryOf(key);
        double c = 0.0;
        int interval;
        if (k != null) {
            interval = k;
        } else if (protection.rows() > 0 && !rareIndex.containsKey(key)) {
            // a protected (or unseen) value was encoded as an outcome drawn in proportion: score it as that outcome
            interval = width() == 0 ? 0 : onehot ? argmax(features, offset, intervals.size())
                    : intervals.decode(features[offset]);
            c += OUT_OF_DOMAIN_LOG_PROB;
        } else if (otherCount > 0) {
            interval = keys.size();
            Integer r = rareIndex.get(key);
            c += r == null ? OUT_OF_DOMAIN_LOG_PROB
                    : Math.log((rareCumulative[r] - (r == 0 ? 0 : rareCumulative[r - 1])) / (double) otherCount);
        } else {
            interval = 0;
            c += OUT_OF_DOMAIN_LOG_PROB;
        }
        if (width() == 0) {
            return c; // a single interval: probability 1
        }
        if (onehot) {
            return c - oneHotLogNoiseDensity(interval, features, offset);
        }
        Block within = withinAt(features, offset);
        if (within != null) {
            // the encoded outcome is the one the feature's place in the parent's block gives
            int encoded = within.decode(features[offset]);
            if (encoded != interval) {
                c += OUT_OF_DOMAIN_LOG_PROB;
            }
            return c + intervals.logCorrection(encoded, features[offset]) - Math.log(within.mass());
        }
        return c + intervals.logCorrection(interval, features[offset]);
    }

    /**
     * ln P(value | its outcome): 0 for a kept category; for a value of the "other" bucket its share of the bucket's
     * rows when it is one of the recorded rare values, else (never seen, or protected) {@link #OUT_OF_DOMAIN_LOG_PROB}:
     * {@link #logDensityCorrection} without the feature's terms, for a context column whose outcome probability is
     * counted elsewhere.
     */
    public double logOutcomeShare(Object value) {
        Object key = keyOf(value);
        if (keptInterval(key) != null) {
            return 0.0;
        }
        key = categoryOf(key);
        Integer r = rareIndex.get(key);
        if (otherCount > 0 && r != null) {
            return Math.log((rareCumulative[r] - (r == 0 ? 0 : rareCumulative[r - 1])) / (double) otherCount);
        }
        return OUT_OF_DOMAIN_LOG_PROB;
    }

    /**
     * log q(f | k) of the one-hot encoding's noise: n iid normals, the largest swapped to position k and lifted by
     * {@link #ONEHOT_MARGIN}. Every one of the n positions the maximum could have come from gives the same product of
     * normal densities, so q(f | k) = n · φ(f_k − margin) · Π_{j≠k} φ(f_j) (where f_k − margin is the maximum).
     */
    private double oneHotLogNoiseDensity(int k, double[] f, int offset) {
        int n = intervals.size();
        double q = Math.log(n);
        for (int j = 0; j < n; j++) {
            q += StandardNormal.logDensity(j == k ? f[offset + j] - ONEHOT_MARGIN : f[offset + j]);
        }
        return q;
    }

    @Override
    public Object decode(double[] z, int offset, Random rng) {
        return ExternalValues.single(type, out -> decodeInto(z, offset, rng, out, 0));
    }

    @Override
    public void decodeInto(double[] z, int offset, Random rng, ValueSink out, int column) {
        Block within = withinAt(z, offset);
        int k = within != null ? within.decode(z[offset])
                : width() == 0 ? 0 : onehot ? argmax(z, offset, intervals.size()) : intervals.decode(z[offset]);
        valueOf(k, rng, out, column);
    }

    /** Only the "other" outcome draws (one of the rare values). */
    @Override
    public boolean decodesWithoutRandomness() {
        return otherCount == 0;
    }

    /** The value of outcome k into a sink: a kept category, or a rare value drawn by frequency for "other". */
    private void valueOf(int k, Random rng, ValueSink out, int column) {
        if (k < keys.size()) {
            ColumnValues.emit(type, categoryOf(keys.get(k)), out, column);
            return;
        }
        long total = rareCumulative[rareCumulative.length - 1];
        long r = (long) (rng.nextDouble() * total);
        int i = Arrays.binarySearch(rareCumulative, r + 1);
        i = i >= 0 ? i : -i - 1;
        ColumnValues.emit(type, rareKeys.get(Math.min(i, rareKeys.size() - 1)), out, column);
    }

    /**
     * The argmax of independent N(0, 1) features is uniform over the outcomes, not their frequencies: read the first
     * feature as a frequency-interval feature instead, which gives the fitted frequencies exactly.
     */
    @Override
    public Object decodeIndependent(double[] z, int offset, Random rng) {
        return ExternalValues.single(type, out -> decodeIndependentInto(z, offset, rng, out, 0));
    }

    @Override
    public void decodeIndependentInto(double[] z, int offset, Random rng, ValueSink out, int column) {
        if (width() == 0) {
            decodeInto(z, offset, rng, out, column);
            return;
        }
        // the column's own marginal (the first feature read as a frequency-interval feature; a within-parent one as
        // a plain one: its parent is drawn on its own)
        valueOf(intervals.decode(z[offset]), rng, out, column);
    }

    /** Index of the largest of z[offset..offset+n) (NaN never wins; all NaN gives 0). */
    private static int argmax(double[] z, int offset, int n) {
        int best = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            double v = z[offset + j];
            if (v > top) {
                top = v;
                best = j;
            }
        }
        return best;
    }

    private Object keyOf(Object value) {
        try {
            if (value instanceof SplitKey sk) {
                Object child = ColumnValues.key(type, sk.child());
                return split ? new SplitKey(child, sk.parent()) : child;
            }
            return ColumnValues.key(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Column '" + column + "': " + e.getMessage(), e);
        }
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = jsonHeader();
        json.put("encoding", onehot ? "onehot" : "frequency");
        if (indicators) {
            json.put("context_indicators", true);
        }
        if (orderedBy != null) {
            json.put("ordered_by", orderedBy);
        }
        if (split) {
            json.put("split_by_parent", true);
        }
        if (withinParent) {
            json.put("within_parent", true);
        }
        writeValues(json.putArray("categories"), keys, counts);
        if (groups != null) {
            ArrayNode categories = (ArrayNode) json.get("categories");
            for (int k = 0; k < groups.length; k++) {
                ((ObjectNode) categories.get(k)).put("group", groups[k]);
            }
        }
        json.put("otherCount", otherCount);
        long[] rareCounts = new long[rareKeys.size()];
        for (int i = 0; i < rareCounts.length; i++) {
            rareCounts[i] = rareCumulative[i] - (i == 0 ? 0 : rareCumulative[i - 1]);
        }
        writeValues(json.putArray("rareValues"), rareKeys, rareCounts);
        json.put("protected_min_count", protection.minCount());
        json.put("protected_categories", protection.categories());
        json.put("protected_rows", protection.rows());
        return json;
    }

    private void writeValues(ArrayNode array, List<Object> values, long[] valueCounts) {
        for (int k = 0; k < values.size(); k++) {
            ObjectNode entry = array.addObject();
            entry.put("value", ColumnValues.keyToText(type, categoryOf(values.get(k))));
            if (values.get(k) instanceof SplitKey sk) {
                entry.put("parent", sk.parent());
            }
            entry.put("count", valueCounts[k]);
        }
    }

    static CategoricalEncoder fromJson(JsonNode json) {
        return fromJsonPlain(json).withWithinParent(json.path("within_parent").asBoolean(false))
                .withContextIndicators(json.path("context_indicators").asBoolean(false));
    }

    private static CategoricalEncoder fromJsonPlain(JsonNode json) {
        ColumnType type = ColumnType.parse(json.path("type").asText());
        String orderedBy = json.hasNonNull("ordered_by") ? json.get("ordered_by").asText() : null;
        boolean split = json.path("split_by_parent").asBoolean(false);
        Map<Object, Integer> groups = new HashMap<>();
        if (orderedBy != null) {
            for (JsonNode entry : json.path("categories")) {
                groups.put(readKey(entry, type, split), entry.path("group").asInt(Integer.MAX_VALUE));
            }
        }
        return new CategoricalEncoder(json.path("column").asText(), type,
                readValues(json.path("categories"), type, split), json.path("otherCount").asLong(),
                readValues(json.path("rareValues"), type, false), "onehot".equals(json.path("encoding").asText()),
                orderedBy, groups, new Protection(json.path("protected_min_count").asInt(1),
                json.path("protected_categories").asLong(0), json.path("protected_rows").asLong(0)), split);
    }

    private static Map<Object, Long> readValues(JsonNode array, ColumnType type, boolean split) {
        Map<Object, Long> out = new HashMap<>();
        for (JsonNode entry : array) {
            out.put(readKey(entry, type, split), entry.path("count").asLong());
        }
        return out;
    }

    /** A saved category's key: its value's key, with its parent's text as a {@link SplitKey} when split. */
    private static Object readKey(JsonNode entry, ColumnType type, boolean split) {
        JsonNode v = entry.get("value");
        Object key = v == null || v.isNull() ? null : ColumnValues.keyFromText(type, v.asText());
        return split ? new SplitKey(key, entry.path("parent").asText()) : key;
    }
}
