package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * An identifier-like column (unique per row): not learned (no features). Sampling generates <em>fresh</em> unique
 * values of the same type and shape, never copies of real ids, from the synthetic row's global index r ∈ [0, N) through
 * the bijection h(r) = (a·r + b) mod N with a coprime to N, a and b drawn from the sampling seed:
 * <ul>
 *   <li>integers: max + 1 + h(r), i.e. a fresh range just beyond the observed maximum (or min − 1 − h(r) below the
 *       minimum when the type would overflow; null when neither fits, which needs N larger than the type's free
 *       range);</li>
 *   <li>strings whose ids all have one shape (digits '9', lower case 'a', upper case 'A', other characters literal,
 *       e.g. {@code AA-99999}): shape strings are numbers in mixed radix (ordered like the strings), and the id is
 *       rank(max) + 1 + h(r) written back in that shape (or rank(min) − 1 − h(r) when the shape has no room above):
 *       same shape and length, lexicographically beyond every real id;</li>
 *   <li>otherwise (or when the shape has no room): the common prefix of all real ids (that of their minimum and
 *       maximum), then h(r) written in mixed radix over the observed character classes and length. Freshness: every
 *       real id has, right after the prefix, a character between those of the minimum and the maximum; generated ids
 *       take one outside that range, or are one character longer than the longest real id when the classes offer
 *       none.</li>
 * </ul>
 * Nulls are drawn independently at the source's null rate. Ids are unique within one sampled table: the sampler passes
 * the global row index through {@link #generate}; {@link #decode} without it draws a random index (not unique).
 */
public final class IdEncoder implements ColumnEncoder {
    private static final long serialVersionUID = 1L;
    private static final String DIGITS = "0123456789";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final String column;
    private final ColumnType type;
    private final long rows;
    private final long nulls;
    private final long min;          // integral types
    private final long max;
    private final String prefix;     // strings
    private final String shape;      // '9', 'a', 'A' per class position, literal otherwise; null if ids differ in shape
    private final int maxLength;
    private final String classes;    // subset of "9aA": character classes seen in the ids
    private final String minString;
    private final String maxString;
    // string generation plan
    private final String[] alphabets;
    // one-shape plan: alphabets of every position of the shape, ranks of min and max, number of shape strings
    private final String[] shapeAlphabets;
    private final BigInteger rankMin;
    private final BigInteger rankMax;
    private final BigInteger shapeCapacity;

    private IdEncoder(String column, ColumnType type, long rows, long nulls, long min, long max, String prefix,
                      String shape, int maxLength, String classes, String minString, String maxString) {
        this.column = QuantileEncoder.requireColumn(column);
        if (!(type.isIntegral() || type.base() == ColumnType.Base.STRING)) {
            throw new IllegalArgumentException("Column '" + column + "': id columns must be integers or strings, got "
                    + type);
        }
        if (rows < 1 || nulls < 0 || nulls >= rows) {
            throw new IllegalArgumentException("Column '" + column + "': an id column needs non-null rows");
        }
        this.type = type;
        this.rows = rows;
        this.nulls = nulls;
        this.min = min;
        this.max = max;
        this.prefix = prefix;
        this.shape = shape;
        this.maxLength = maxLength;
        this.classes = classes;
        this.minString = minString;
        this.maxString = maxString;
        this.alphabets = type.base() == ColumnType.Base.STRING ? plan() : null;
        if (shape != null && shape.length() == minString.length() && shape.length() == maxString.length()) {
            shapeAlphabets = new String[shape.length()];
            BigInteger capacity = BigInteger.ONE;
            for (int i = 0; i < shape.length(); i++) {
                shapeAlphabets[i] = alphabet(shape.charAt(i));
                capacity = capacity.multiply(BigInteger.valueOf(shapeAlphabets[i].length()));
            }
            shapeCapacity = capacity;
            rankMin = rank(minString);
            rankMax = rank(maxString);
        } else {
            shapeAlphabets = null;
            rankMin = null;
            rankMax = null;
            shapeCapacity = null;
        }
    }

    /** The mixed-radix number of a string of the shape (null if a character is not in its position's alphabet). */
    private BigInteger rank(String text) {
        BigInteger r = BigInteger.ZERO;
        for (int i = 0; i < shapeAlphabets.length; i++) {
            int digit = shapeAlphabets[i].indexOf(text.charAt(i));
            if (digit < 0) {
                return null;
            }
            r = r.multiply(BigInteger.valueOf(shapeAlphabets[i].length())).add(BigInteger.valueOf(digit));
        }
        return r;
    }

    private String unrank(BigInteger r) {
        char[] out = new char[shapeAlphabets.length];
        for (int i = shapeAlphabets.length - 1; i >= 0; i--) {
            BigInteger[] qr = r.divideAndRemainder(BigInteger.valueOf(shapeAlphabets[i].length()));
            out[i] = shapeAlphabets[i].charAt(qr[1].intValue());
            r = qr[0];
        }
        return new String(out);
    }

    /** An integer id column with its observed minimum and maximum. */
    public static IdEncoder integral(String column, ColumnType type, long rows, long nulls, long min, long max) {
        return new IdEncoder(column, type, rows, nulls, min, max, null, null, 0, null, null, null);
    }

    /**
     * A string id column.
     *
     * @param minString  the smallest id
     * @param maxString  the largest id
     * @param shape      the ids' common shape (digits as '9', lower case as 'a', upper case as 'A', other characters
     *                   as they are), or null when they differ
     * @param maxLength  the longest id's length
     * @param classes    the character classes the ids use, a subset of "9aA"
     */
    public static IdEncoder string(String column, long rows, long nulls, String minString, String maxString,
                                   String shape, int maxLength, String classes) {
        return new IdEncoder(column, ColumnType.of(ColumnType.Base.STRING), rows, nulls, 0, 0,
                commonPrefix(minString, maxString), shape, maxLength, classes == null ? "" : classes, minString,
                maxString);
    }

    static String commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return a.substring(0, i);
    }

    @Override
    public String column() {
        return column;
    }

    @Override
    public String kind() {
        return "id";
    }

    @Override
    public ColumnType type() {
        return type;
    }

    @Override
    public int width() {
        return 0;
    }

    @Override
    public List<String> featureNames() {
        return List.of();
    }

    @Override
    public void encode(Object value, double[] out, int offset, Random rng) {
        // not learned
    }

    @Override
    public Object decode(double[] z, int offset, Random rng) {
        long n = 1L << 40;
        return generate(Math.floorMod(rng.nextLong(), n), n, rng.nextLong(), rng);
    }

    /**
     * The id of synthetic row {@code row} of a table of {@code totalRows} rows sampled with {@code seed}: distinct rows
     * give distinct ids, none equal to a real id. Null at the source's null rate (drawn from {@code rng}).
     */
    public Object generate(long row, long totalRows, long seed, Random rng) {
        if (nulls > 0 && rng.nextDouble() < (double) nulls / rows) {
            return null;
        }
        long n = Math.max(1, totalRows);
        long h = permute(row, n, seed);
        if (type.base() == ColumnType.Base.STRING) {
            if (rankMin != null && rankMax != null) {
                BigInteger big = BigInteger.valueOf(n);
                if (shapeCapacity.subtract(rankMax).subtract(BigInteger.ONE).compareTo(big) >= 0) {
                    return unrank(rankMax.add(BigInteger.ONE).add(BigInteger.valueOf(h)));
                }
                if (rankMin.compareTo(big) >= 0) {
                    return unrank(rankMin.subtract(BigInteger.ONE).subtract(BigInteger.valueOf(h)));
                }
            }
            return string(h, n);
        }
        long typeMin;
        long typeMax;
        switch (type.base()) {
            case BYTE:
                typeMin = Byte.MIN_VALUE;
                typeMax = Byte.MAX_VALUE;
                break;
            case SHORT:
                typeMin = Short.MIN_VALUE;
                typeMax = Short.MAX_VALUE;
                break;
            case INT:
                typeMin = Integer.MIN_VALUE;
                typeMax = Integer.MAX_VALUE;
                break;
            default:
                typeMin = Long.MIN_VALUE;
                typeMax = Long.MAX_VALUE;
        }
        long v;
        if (max < typeMax && n <= typeMax - max) {
            v = max + 1 + h;
        } else if (min > typeMin && n <= min - typeMin) {
            v = min - 1 - h;
        } else {
            return null;
        }
        return ColumnValues.value(type, v);
    }

    /** (a·row + b) mod n with a coprime to n: a bijection of [0, n). */
    static long permute(long row, long n, long seed) {
        if (n == 1) {
            return 0;
        }
        Random r = new Random(seed ^ 0x6A09E667F3BCC909L);
        long a = 1 + Math.floorMod(r.nextLong(), n - 1);
        while (BigInteger.valueOf(a).gcd(BigInteger.valueOf(n)).longValue() != 1) {
            a = a + 1 >= n ? 1 : a + 1;
        }
        long b = Math.floorMod(r.nextLong(), n);
        long x = Math.floorMod(row, n);
        if (n < 3_000_000_000L) {
            return (a * x + b) % n;
        }
        return BigInteger.valueOf(a).multiply(BigInteger.valueOf(x)).add(BigInteger.valueOf(b))
                .mod(BigInteger.valueOf(n)).longValue();
    }

    /** Alphabets of the positions after the prefix; position 0 holds only characters no real id has there. */
    private String[] plan() {
        List<String> out = new ArrayList<>();
        int p = prefix.length();
        if (shape != null) {
            for (int i = p; i < shape.length(); i++) {
                out.add(alphabet(shape.charAt(i)));
            }
        } else {
            String all = (classes.contains("9") ? DIGITS : "") + (classes.contains("A") ? UPPER : "")
                    + (classes.contains("a") ? LOWER : "");
            if (all.isEmpty()) {
                all = DIGITS;
            }
            for (int i = p; i < Math.max(p + 1, maxLength); i++) {
                out.add(all);
            }
        }
        if (out.isEmpty()) {
            out.add(DIGITS);
        }
        // position 0 after the prefix: keep only characters outside [min's, max's] character there
        char lo = minString.length() > p ? minString.charAt(p) : 0;
        char hi = maxString.length() > p ? maxString.charAt(p) : 0;
        StringBuilder fresh = new StringBuilder();
        for (char c : out.get(0).toCharArray()) {
            if (c > hi || (minString.length() > p && c < lo)) {
                fresh.append(c);
            }
        }
        if (fresh.length() > 0) {
            out.set(0, fresh.toString());
        } else {
            out.add(out.get(out.size() - 1)); // one character longer than every real id (when shapes agree)
            if (shape == null) {
                while (p + out.size() <= maxLength) {
                    out.add(out.get(out.size() - 1));
                }
            }
        }
        return out.toArray(new String[0]);
    }

    private static String alphabet(char shapeChar) {
        switch (shapeChar) {
            case '9':
                return DIGITS;
            case 'a':
                return LOWER;
            case 'A':
                return UPPER;
            default:
                return String.valueOf(shapeChar);
        }
    }

    /** Prefix + h in mixed radix over the plan's alphabets (widened with digits until n values fit). */
    private String string(long h, long n) {
        List<String> alph = new ArrayList<>(List.of(alphabets));
        double capacity = 1;
        for (String a : alph) {
            capacity *= a.length();
        }
        while (capacity < n) {
            alph.add(DIGITS);
            capacity *= DIGITS.length();
        }
        char[] body = new char[alph.size()];
        long rest = h;
        for (int i = alph.size() - 1; i >= 0; i--) {
            String a = alph.get(i);
            body[i] = a.charAt((int) (rest % a.length()));
            rest /= a.length();
        }
        return prefix + new String(body);
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = jsonHeader();
        json.put("rows", rows);
        json.put("nulls", nulls);
        if (type.isIntegral()) {
            json.put("min", min);
            json.put("max", max);
        } else {
            json.put("minString", minString);
            json.put("maxString", maxString);
            json.put("shape", shape);
            json.put("maxLength", maxLength);
            json.put("classes", classes);
        }
        return json;
    }

    static IdEncoder fromJson(JsonNode json) {
        ColumnType type = ColumnType.parse(json.path("type").asText());
        String column = json.path("column").asText();
        long rows = json.path("rows").asLong();
        long nulls = json.path("nulls").asLong();
        if (type.isIntegral()) {
            return integral(column, type, rows, nulls, json.path("min").asLong(), json.path("max").asLong());
        }
        JsonNode shape = json.get("shape");
        return string(column, rows, nulls, json.path("minString").asText(), json.path("maxString").asText(),
                shape == null || shape.isNull() ? null : shape.asText(), json.path("maxLength").asInt(),
                json.path("classes").asText());
    }

    /** Identifier values are not modelled (fresh ones are generated), so they add nothing to a row's log density. */
    @Override
    public double logDensityCorrection(Object value, double[] features, int offset) {
        return 0.0;
    }
}
