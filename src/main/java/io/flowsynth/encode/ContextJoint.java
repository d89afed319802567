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
 * @param columns indices, among the encoder's columns, of the categorical context columns (at least two)
 * @param levels  per combination, each column's kept-category index ({@link CategoricalEncoder#keptIndex})
 * @param counts  per combination, its training rows
 */
public record ContextJoint(int[] columns, int[][] levels, long[] counts) implements Serializable {
    /** Most combinations kept; a larger joint is not stored (the columns are then drawn independently). */
    public static final int MAX_COMBINATIONS = 100_000;

    public ContextJoint {
        if (columns.length < 2 || levels.length != counts.length || levels.length == 0) {
            throw new IllegalArgumentException("A context joint needs two or more columns and one or more combinations");
        }
        for (int[] l : levels) {
            if (l.length != columns.length) {
                throw new IllegalArgumentException("Every combination needs one level per column");
            }
        }
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
        return new ContextJoint(columns.clone(), levels, counts);
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
        return o;
    }

    public static ContextJoint fromJson(JsonNode o) {
        int[] columns = ints(o.path("columns"));
        JsonNode l = o.path("levels");
        int[][] levels = new int[l.size()][];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = ints(l.get(i));
        }
        JsonNode n = o.path("counts");
        long[] counts = new long[n.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = n.get(i).asLong();
        }
        return new ContextJoint(columns, levels, counts);
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
