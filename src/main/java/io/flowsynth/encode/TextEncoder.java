package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A format model of a free-text or code column ({@code text}, {@code phone}): not learned, and it stores only
 * aggregates that at least {@code k} rows or words share, never a value seen fewer than {@code k} times:
 * <ul>
 *   <li>the distribution of the number of whitespace-separated words per value;</li>
 *   <li>the frequent words (seen ≥ k times, with their counts) and the share of all words they make up;</li>
 *   <li>the frequent word shapes (each character as its class: digit {@code 9}, lower case {@code a}, upper case
 *       {@code A}, anything else literally; seen ≥ k times, with counts), e.g. {@code (999)}, {@code 999-9999},
 *       {@code Aaaaa};</li>
 *   <li>the frequent shapes of whole values (seen ≥ k times, with counts), e.g. {@code (999) 999-9999},
 *       {@code AA-9999}.</li>
 * </ul>
 * When frequent words make up less than half of the words (codes, numbers), a value is generated, with the share of
 * the rows whose value has a frequent whole shape, as such a shape filled with random characters of its classes
 * (phone numbers, codes); otherwise as a bag of words (word order is not modelled):
 * a word count drawn from its distribution, then per word a frequent word (with the frequent
 * words' share, in proportion to their counts) or a shape (in proportion to its count) whose classes are filled with
 * random characters of the class: the real format (lengths, punctuation, digit groups, capitals, common words), fresh
 * content. Nulls at the source's share.
 */
public final class TextEncoder implements GeneratedColumn {
    private static final long serialVersionUID = 1L;
    /** Longest value, in words, the format model generates (longer values count as this many). */
    public static final int MAX_WORDS = 64;
    /** Whole-value shapes are used only when frequent words make up less than this share of the words. */
    static final double MAX_TOKEN_SHARE_FOR_SHAPES = 0.5;
    private static final String DIGITS = "0123456789";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final String column;
    private final String kind;
    private final long rows;
    private final long nulls;
    private final long[] wordCounts;       // wordCounts[n]: values of n words (n ≤ MAX_WORDS)
    private final long[] wordCumulative;
    private final String[] tokens;
    private final long[] tokenCumulative;
    private final String[] shapes;
    private final long[] shapeCumulative;
    private final double tokenShare;       // frequent words / all words
    private final String[] valueShapes;    // frequent shapes of whole values (each seen ≥ k times)
    private final long[] valueShapeCumulative;
    private final double valueShapeShare;  // rows whose value has a frequent whole shape / non-null rows

    /**
     * @param wordCounts values by number of words (index n: values of n words), at most {@link #MAX_WORDS} + 1 long
     * @param tokens     frequent words (each seen ≥ k times) with their counts
     * @param shapes     frequent word shapes (each seen ≥ k times) with their counts
     * @param totalWords words in all values
     */
    public TextEncoder(String column, String kind, long rows, long nulls, long[] wordCounts, Map<String, Long> tokens,
                       Map<String, Long> shapes, long totalWords) {
        this(column, kind, rows, nulls, wordCounts, tokens, shapes, totalWords, Map.of());
    }

    /**
     * @param valueShapes frequent shapes of whole values (each seen ≥ k times) with their counts: a value is drawn as
     *                    one of them (with their share of the non-null rows) before falling back to words
     */
    public TextEncoder(String column, String kind, long rows, long nulls, long[] wordCounts, Map<String, Long> tokens,
                       Map<String, Long> shapes, long totalWords, Map<String, Long> valueShapes) {
        this.column = QuantileEncoder.requireColumn(column);
        if (!EncodeOptions.TEXT.equals(kind) && !EncodeOptions.PHONE.equals(kind)) {
            throw new IllegalArgumentException("Column '" + column + "': not a text kind: " + kind);
        }
        if (rows < 1 || nulls < 0 || nulls > rows) {
            throw new IllegalArgumentException("Column '" + column + "': bad row counts " + rows + "/" + nulls);
        }
        this.kind = kind;
        this.rows = rows;
        this.nulls = nulls;
        this.wordCounts = wordCounts == null || wordCounts.length == 0 ? new long[]{0, 1}
                : Arrays.copyOf(wordCounts, Math.min(wordCounts.length, MAX_WORDS + 1));
        this.wordCumulative = cumulative(this.wordCounts);
        if (wordCumulative[wordCumulative.length - 1] == 0) {
            this.wordCounts[1] = 1;
            System.arraycopy(cumulative(this.wordCounts), 0, wordCumulative, 0, wordCumulative.length);
        }
        List<Map.Entry<String, Long>> t = sorted(tokens);
        this.tokens = t.stream().map(Map.Entry::getKey).toArray(String[]::new);
        this.tokenCumulative = cumulative(t.stream().mapToLong(Map.Entry::getValue).toArray());
        List<Map.Entry<String, Long>> s = sorted(shapes);
        if (s.isEmpty()) {
            s = List.of(Map.entry("aaaaa", 1L));
        }
        this.shapes = s.stream().map(Map.Entry::getKey).toArray(String[]::new);
        this.shapeCumulative = cumulative(s.stream().mapToLong(Map.Entry::getValue).toArray());
        long tokenWords = this.tokens.length == 0 ? 0 : tokenCumulative[tokenCumulative.length - 1];
        this.tokenShare = totalWords <= 0 ? 0.0 : Math.min(1.0, (double) tokenWords / totalWords);
        List<Map.Entry<String, Long>> v = sorted(valueShapes);
        this.valueShapes = v.stream().map(Map.Entry::getKey).toArray(String[]::new);
        this.valueShapeCumulative = cumulative(v.stream().mapToLong(Map.Entry::getValue).toArray());
        long shaped = this.valueShapes.length == 0 ? 0 : valueShapeCumulative[valueShapeCumulative.length - 1];
        // whole shapes suit codes and numbers; a text of mostly frequent words keeps them instead
        this.valueShapeShare = rows - nulls <= 0 || tokenShare >= MAX_TOKEN_SHARE_FOR_SHAPES ? 0.0
                : Math.min(1.0, (double) shaped / (rows - nulls));
    }

    private static List<Map.Entry<String, Long>> sorted(Map<String, Long> m) {
        List<Map.Entry<String, Long>> out = new ArrayList<>(m == null ? Map.<String, Long>of().entrySet()
                : m.entrySet());
        out.removeIf(e -> e.getValue() == null || e.getValue() <= 0 || e.getKey() == null);
        out.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        return out;
    }

    private static long[] cumulative(long[] counts) {
        long[] out = new long[counts.length];
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            sum += Math.max(0, counts[i]);
            out[i] = sum;
        }
        return out;
    }

    /** The index drawn in proportion to the counts whose running sums are {@code cumulative}. */
    private static int draw(long[] cumulative, Random rng) {
        long total = cumulative[cumulative.length - 1];
        long r = (long) (rng.nextDouble() * total);
        int i = Arrays.binarySearch(cumulative, r + 1);
        i = i >= 0 ? i : -i - 1;
        while (i > 0 && cumulative[i - 1] == cumulative[i]) {
            i--; // a zero count is never drawn
        }
        return Math.min(i, cumulative.length - 1);
    }

    /** The character class of one character: '9', 'a', 'A', or the character itself. */
    public static char shapeOf(char c) {
        if (c >= '0' && c <= '9') {
            return '9';
        } else if (c >= 'a' && c <= 'z') {
            return 'a';
        } else if (c >= 'A' && c <= 'Z') {
            return 'A';
        }
        return c;
    }

    @Override
    public String column() {
        return column;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public ColumnType type() {
        return ColumnType.of(ColumnType.Base.STRING);
    }

    @Override
    public Object generate(long row, long totalRows, long seed, Random rng) {
        if (drawsNull(rng)) {
            return null;
        }
        if (valueShapes.length > 0 && rng.nextDouble() < valueShapeShare) {
            StringBuilder b = new StringBuilder(16);
            fill(valueShapes[draw(valueShapeCumulative, rng)], b, rng);
            return b.toString();
        }
        int n = draw(wordCumulative, rng);
        StringBuilder b = new StringBuilder(8 * Math.max(1, n));
        for (int w = 0; w < n; w++) {
            if (w > 0) {
                b.append(' ');
            }
            if (tokens.length > 0 && rng.nextDouble() < tokenShare) {
                b.append(tokens[draw(tokenCumulative, rng)]);
            } else {
                fill(shapes[draw(shapeCumulative, rng)], b, rng);
            }
        }
        return b.toString();
    }

    /** Appends a random string of the shape: each class character replaced by a random one of its class. */
    private static void fill(String shape, StringBuilder b, Random rng) {
        for (int i = 0; i < shape.length(); i++) {
            char c = shape.charAt(i);
            b.append(c == '9' ? DIGITS.charAt(rng.nextInt(10)) : c == 'a' ? LOWER.charAt(rng.nextInt(26))
                    : c == 'A' ? UPPER.charAt(rng.nextInt(26)) : c);
        }
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = jsonHeader();
        json.put("rows", rows);
        json.put("nulls", nulls);
        ArrayNode words = json.putArray("word_counts");
        for (long c : wordCounts) {
            words.add(c);
        }
        json.put("token_share", tokenShare);
        write(json.putArray("tokens"), tokens, tokenCumulative);
        write(json.putArray("shapes"), shapes, shapeCumulative);
        write(json.putArray("value_shapes"), valueShapes, valueShapeCumulative);
        return json;
    }

    private static void write(ArrayNode array, String[] values, long[] cumulative) {
        for (int i = 0; i < values.length; i++) {
            array.addObject().put("value", values[i]).put("count", cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]));
        }
    }

    private static Map<String, Long> read(JsonNode array) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode e : array) {
            out.put(e.path("value").asText(), e.path("count").asLong());
        }
        return out;
    }

    static TextEncoder fromJson(JsonNode json) {
        JsonNode w = json.path("word_counts");
        long[] words = new long[w.size()];
        for (int i = 0; i < words.length; i++) {
            words[i] = w.get(i).asLong();
        }
        Map<String, Long> tokens = read(json.path("tokens"));
        long tokenWords = tokens.values().stream().mapToLong(Long::longValue).sum();
        double share = json.path("token_share").asDouble(0);
        long totalWords = share > 0 ? Math.round(tokenWords / share) : 0;
        return new TextEncoder(json.path("column").asText(), json.path("kind").asText(), json.path("rows").asLong(),
                json.path("nulls").asLong(), words, tokens, read(json.path("shapes")), totalWords,
                read(json.path("value_shapes")));
    }

    @Override
    public long fittedRows() {
        return rows;
    }

    @Override
    public long fittedNulls() {
        return nulls;
    }
}
