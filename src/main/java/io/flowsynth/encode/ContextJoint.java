package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The joint distribution of a conditional model's categorical context columns, so that plain sampling draws their
 * levels together (a region with its own countries) rather than each column on its own: the training rows' counts of
 * each combination of kept levels, a combination seen in fewer than the rare-category threshold's rows left out (so
 * the model never names a rare combination; plain sampling draws the others in proportion). Rows holding a value
 * that is not kept (unseen or protected) in any of the columns count for no combination.
 *
 * <p>An automatic context may also have <b>children</b> ({@link Child}): columns drawn after the joint, each given
 * one parent column's level from the counts of their pairs (again only pairs seen in at least k rows), so a column
 * that one of the joint's columns nearly determines joins the context although its combinations with all of them
 * would be too rare to store (movies' Source given its Creative Type).
 *
 * @param columns  indices, among the encoder's columns, of the categorical context columns drawn together (two or
 *                 more; one when there are children)
 * @param levels   per combination, each column's kept-category index ({@link CategoricalEncoder#keptIndex})
 * @param counts   per combination, its training rows
 * @param children columns drawn after the joint, each given its parent's level, in drawing order (parents first)
 */
public record ContextJoint(int[] columns, int[][] levels, long[] counts, List<Child> children)
        implements Serializable {
    /** Most combinations kept; a larger joint is not stored (the columns are then drawn independently). */
    public static final int MAX_COMBINATIONS = 100_000;

    public ContextJoint {
        children = children == null ? List.of() : List.copyOf(children);
        if (columns.length < (children.isEmpty() ? 2 : 1) || levels.length != counts.length || levels.length == 0) {
            throw new IllegalArgumentException("A context joint needs two or more columns (one with children) and one "
                    + "or more combinations");
        }
        for (int[] l : levels) {
            if (l.length != columns.length) {
                throw new IllegalArgumentException("Every combination needs one level per column");
            }
        }
        java.util.Set<Integer> drawn = new java.util.HashSet<>();
        Arrays.stream(columns).forEach(drawn::add);
        for (Child c : children) {
            if (!drawn.contains(c.parent()) || !drawn.add(c.column())) {
                throw new IllegalArgumentException("Context child column " + c.column() + " needs a parent drawn "
                        + "before it (got " + c.parent() + ") and no other place in the joint");
            }
        }
    }

    public ContextJoint(int[] columns, int[][] levels, long[] counts) {
        this(columns, levels, counts, List.of());
    }

    /**
     * A context column drawn given one parent column's level: the training rows' counts of their pairs of kept levels,
     * a pair seen in fewer than k rows left out (a parent level without kept pairs draws the column by its own
     * frequencies).
     *
     * @param column index, among the encoder's columns, of the child column
     * @param parent index of its parent (a joint column or an earlier child)
     * @param pairs  per kept pair, the parent's and the child's kept-category index
     * @param counts per kept pair, its training rows
     */
    public record Child(int column, int parent, int[][] pairs, long[] counts) implements Serializable {
        public Child {
            if (pairs.length != counts.length || pairs.length == 0 || column == parent) {
                throw new IllegalArgumentException("A context child needs its own column and one or more pairs");
            }
            for (int[] p : pairs) {
                if (p.length != 2) {
                    throw new IllegalArgumentException("Every pair of a context child needs two levels");
                }
            }
        }

        /**
         * The child's kept pairs from counted groups of values.
         *
         * @param at       the child's and the parent's place within each group's values
         * @return null when no pair is seen in {@code minCount} rows
         */
        public static Child of(TableEncoder encoder, int column, int parent, int childAt, int parentAt,
                               List<Object[]> values, List<Long> rows, int minCount) {
            CategoricalEncoder c = (CategoricalEncoder) encoder.columns().get(column);
            CategoricalEncoder p = (CategoricalEncoder) encoder.columns().get(parent);
            Map<List<Integer>, Long> pairs = new LinkedHashMap<>();
            for (int g = 0; g < values.size(); g++) {
                int pk = p.keptIndex(values.get(g)[parentAt]);
                int ck = c.keptIndex(values.get(g)[childAt]);
                if (pk >= 0 && ck >= 0) {
                    pairs.merge(List.of(pk, ck), rows.get(g), Long::sum);
                }
            }
            pairs.values().removeIf(n -> n < minCount);
            if (pairs.isEmpty()) {
                return null;
            }
            List<List<Integer>> keys = new ArrayList<>(pairs.keySet());
            keys.sort((a, b) -> a.get(0).equals(b.get(0)) ? Integer.compare(a.get(1), b.get(1))
                    : Integer.compare(a.get(0), b.get(0)));
            int[][] out = new int[keys.size()][];
            long[] counts = new long[keys.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = new int[]{keys.get(i).get(0), keys.get(i).get(1)};
                counts[i] = pairs.get(keys.get(i));
            }
            return new Child(column, parent, out, counts);
        }

        ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("column", column);
            o.put("parent", parent);
            ArrayNode l = o.putArray("pairs");
            for (int[] p : pairs) {
                l.addArray().add(p[0]).add(p[1]);
            }
            ArrayNode n = o.putArray("counts");
            Arrays.stream(counts).forEach(n::add);
            return o;
        }

        static Child fromJson(JsonNode o) {
            return new Child(o.path("column").asInt(), o.path("parent").asInt(), intRows(o.path("pairs")),
                    longs(o.path("counts")));
        }
    }

    /** This joint with children drawn after it (see {@link Child}). */
    public ContextJoint withChildren(List<Child> children) {
        return new ContextJoint(columns, levels, counts, children);
    }

    /**
     * The joint of counted combinations of the columns' values.
     *
     * @param values   per counted group, the columns' values (in {@code columns} order)
     * @param rows     per counted group, its rows
     * @param minCount fewest rows of a combination kept
     * @return null when no combination is left or more than {@link #MAX_COMBINATIONS} are
     */
    public static ContextJoint of(TableEncoder encoder, int[] columns, List<Object[]> values, List<Long> rows,
                                  int minCount) {
        return of(encoder, columns, values, rows, minCount, List.of());
    }

    /** As above, with children drawn after the joint ({@link Child}). */
    public static ContextJoint of(TableEncoder encoder, int[] columns, List<Object[]> values, List<Long> rows,
                                  int minCount, List<Child> children) {
        Map<List<Integer>, Long> combos = new LinkedHashMap<>();
        for (int g = 0; g < values.size(); g++) {
            List<Integer> key = new ArrayList<>(columns.length);
            for (int j = 0; j < columns.length; j++) {
                int k = ((CategoricalEncoder) encoder.columns().get(columns[j])).keptIndex(values.get(g)[j]);
                if (k < 0) {
                    key = null;
                    break;
                }
                key.add(k);
            }
            if (key != null) {
                combos.merge(key, rows.get(g), Long::sum);
            }
        }
        combos.values().removeIf(c -> c < minCount);
        if (combos.isEmpty() || combos.size() > MAX_COMBINATIONS) {
            return null;
        }
        List<List<Integer>> keys = new ArrayList<>(combos.keySet());
        keys.sort((a, b) -> { // a fixed order whatever the counting's
            for (int j = 0; j < a.size(); j++) {
                int c = Integer.compare(a.get(j), b.get(j));
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        });
        int[][] levels = new int[keys.size()][];
        long[] counts = new long[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            levels[i] = keys.get(i).stream().mapToInt(Integer::intValue).toArray();
            counts[i] = combos.get(keys.get(i));
        }
        return new ContextJoint(columns.clone(), levels, counts, children);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode c = o.putArray("columns");
        Arrays.stream(columns).forEach(c::add);
        ArrayNode l = o.putArray("levels");
        for (int[] combo : levels) {
            ArrayNode a = l.addArray();
            Arrays.stream(combo).forEach(a::add);
        }
        ArrayNode n = o.putArray("counts");
        Arrays.stream(counts).forEach(n::add);
        if (!children.isEmpty()) {
            ArrayNode ch = o.putArray("children");
            children.forEach(child -> ch.add(child.toJson()));
        }
        return o;
    }

    public static ContextJoint fromJson(JsonNode o) {
        int[] columns = ints(o.path("columns"));
        int[][] levels = intRows(o.path("levels"));
        long[] counts = longs(o.path("counts"));
        List<Child> children = new ArrayList<>();
        o.path("children").forEach(c -> children.add(Child.fromJson(c)));
        return new ContextJoint(columns, levels, counts, children);
    }

    private static int[][] intRows(JsonNode a) {
        int[][] out = new int[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints(a.get(i));
        }
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
