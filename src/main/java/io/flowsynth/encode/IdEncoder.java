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
 * the bijection h(r) = (a·r + b) mod N with a coprime to N, a and b drawn from the sampling seed. <b>No real id is
 * stored</b>: instead of the minimum and maximum, the model keeps fresh bounds beyond them, rounded outwards to a step
 * of two significant digits less than the ids' spread (ids 1 to 4,873 store 4,900: how far they reach, not an id),
 * from which fresh ids count away:
 * <ul>
 *   <li>integers: above + h(r) with above = the rounded bound just beyond the observed maximum (or below − h(r) under
 *       the minimum when the type would overflow; null when neither fits, which needs N larger than the type's free
 *       range);</li>
 *   <li>strings whose ids all have one shape (digits '9', lower case 'a', upper case 'A', other characters literal,
 *       e.g. {@code AA-99999}): shape strings are numbers in mixed radix (ordered like the strings), and the id is
 *       the rounded rank above rank(max), plus h(r), written back in that shape (or the rounded rank below rank(min)
 *       minus h(r) when the shape has no room above): same shape and length, lexicographically beyond every real
 *       id;</li>
 *   <li>otherwise (or when the shape has no room): the common prefix of all real ids (that of their minimum and
 *       maximum), then h(r) written in mixed radix over the observed character classes and length. Freshness: every
 *       real id has, right after the prefix, a character between those of the minimum and the maximum; generated ids
 *       take one outside that range, or are one character longer than the longest real id when the classes offer
 *       none.</li>
 * </ul>
 * Nulls are drawn independently at the source's null rate. Ids are unique within one sampled table: the sampler passes
 * the global row index through {@link #generate}; {@link #decode} without it draws a random index (not unique).
 */
public final class IdEncoder implements GeneratedColumn {
    private static final long serialVersionUID = 1L;
    private static final String DIGITS = "0123456789";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final String column;
    private final ColumnType type;
    private final long rows;
    private final long nulls;
    private final Long above;        // integral types: first fresh id above every real one (null: none in the type)
    private final Long below;        // last fresh id below every real one (null: none)
    private final String prefix;     // strings: the common prefix of all ids
    private final String shape;      // '9', 'a', 'A' per class position, literal otherwise; null if ids differ in shape
    private final int maxLength;
    private final String classes;    // subset of "9aA": character classes seen in the ids
    private final char lo;           // character right after the prefix in the smallest id (0: none)
    private final char hi;           // ... in the largest id (0: none)
    // string generation plan
    private final String[] alphabets;
    // one-shape plan: alphabets of every position of the shape, the fresh ranks, number of shape strings
    private final String[] shapeAlphabets;
    private final BigInteger rankAbove;
    private final BigInteger rankBelow;
    private final BigInteger shapeCapacity;

    private IdEncoder(String column, ColumnType type, long rows, long nulls, Long above, Long below, String prefix,
                      String shape, int maxLength, String classes, char lo, char hi, String freshAbove,
                      String freshBelow) {
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
        this.above = above;
        this.below = below;
        this.prefix = prefix;
        this.shape = shape;
        this.maxLength = maxLength;
        this.classes = classes;
        this.lo = lo;
        this.hi = hi;
        this.alphabets = type.base() == ColumnType.Base.STRING ? plan() : null;
        if (shape != null && type.base() == ColumnType.Base.STRING) {
            shapeAlphabets = new String[shape.length()];
            BigInteger capacity = BigInteger.ONE;
            for (int i = 0; i < shape.length(); i++) {
                shapeAlphabets[i] = alphabet(shape.charAt(i));
                capacity = capacity.multiply(BigInteger.valueOf(shapeAlphabets[i].length()));
            }
            shapeCapacity = capacity;
            rankAbove = freshAbove == null || freshAbove.length() != shape.length() ? null : rank(freshAbove);
            rankBelow = freshBelow == null || freshBelow.length() != shape.length() ? null : rank(freshBelow);
        } else {
            shapeAlphabets = null;
            rankAbove = null;
            rankBelow = null;
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

    /**
     * x rounded up (or down) to a multiple of a step of two significant digits less than the ids' spread
     * (10^(digits(spread) − 2)): the stored bound tells how far the ids reach, to about 1 % of their range, not an id.
     */
    static BigInteger round(BigInteger x, BigInteger spread, boolean up) {
        int digits = spread.abs().toString().length();
        if (digits <= 2) {
            return x;
        }
        BigInteger step = BigInteger.TEN.pow(digits - 2);
        BigInteger[] qr = x.divideAndRemainder(step);
        BigInteger q = qr[0];
        if (qr[1].signum() != 0 && up == (qr[1].signum() > 0)) {
            q = q.add(BigInteger.valueOf(qr[1].signum()));
        }
        return q.multiply(step);
    }

    /** An integer id column with its observed minimum and maximum (kept only as rounded fresh bounds). */
    public static IdEncoder integral(String column, ColumnType type, long rows, long nulls, long min, long max) {
        long typeMin = typeMin(type);
        long typeMax = typeMax(type);
        Long above = null;
        BigInteger spread = BigInteger.valueOf(max).subtract(BigInteger.valueOf(min)).add(BigInteger.ONE);
        if (max < typeMax) {
            BigInteger a = round(BigInteger.valueOf(max).add(BigInteger.ONE), spread, true);
            above = a.compareTo(BigInteger.valueOf(typeMax)) <= 0 ? a.longValue() : max + 1;
        }
        Long below = null;
        if (min > typeMin) {
            BigInteger b = round(BigInteger.valueOf(min).subtract(BigInteger.ONE), spread, false);
            below = b.compareTo(BigInteger.valueOf(typeMin)) >= 0 ? b.longValue() : min - 1;
        }
        return new IdEncoder(column, type, rows, nulls, above, below, null, null, 0, null, (char) 0, (char) 0, null,
                null);
    }

    /**
     * A string id column; the smallest and largest ids are read here (on the driver) and not kept.
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
        String prefix = commonPrefix(minString, maxString);
        int p = prefix.length();
        char lo = minString.length() > p ? minString.charAt(p) : 0;
        char hi = maxString.length() > p ? maxString.charAt(p) : 0;
        String freshAbove = null;
        String freshBelow = null;
        if (shape != null && shape.length() == minString.length() && shape.length() == maxString.length()) {
            IdEncoder plain = new IdEncoder(column, ColumnType.of(ColumnType.Base.STRING), rows, nulls, null, null,
                    prefix, shape, maxLength, classes == null ? "" : classes, lo, hi, null, null);
            BigInteger rankMin = plain.rank(minString);
            BigInteger rankMax = plain.rank(maxString);
            if (rankMin != null && rankMax != null) {
                BigInteger spread = rankMax.subtract(rankMin).add(BigInteger.ONE);
                BigInteger a = round(rankMax.add(BigInteger.ONE), spread, true);
                if (a.compareTo(plain.shapeCapacity) < 0) {
                    freshAbove = plain.unrank(a);
                }
                BigInteger b = round(rankMin.subtract(BigInteger.ONE), spread, false);
                if (b.signum() >= 0) {
                    freshBelow = plain.unrank(b);
                }
            }
        } else {
            shape = null;
        }
        return new IdEncoder(column, ColumnType.of(ColumnType.Base.STRING), rows, nulls, null, null, prefix, shape,
                maxLength, classes == null ? "" : classes, lo, hi, freshAbove, freshBelow);
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

    /** Fresh by construction (beyond every real id): no redraw needed. */
    @Override
    public boolean mayRepeatRealValues() {
        return false;
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
    @Override
    public Object generate(long row, long totalRows, long seed, Random rng) {
        if (drawsNull(rng)) {
            return null;
        }
        long n = Math.max(1, totalRows);
        long h = permute(row, n, seed);
        if (type.base() == ColumnType.Base.STRING) {
            BigInteger big = BigInteger.valueOf(n);
            if (rankAbove != null && shapeCapacity.subtract(rankAbove).compareTo(big) >= 0) {
                return unrank(rankAbove.add(BigInteger.valueOf(h)));
            }
            if (rankBelow != null && rankBelow.add(BigInteger.ONE).compareTo(big) >= 0) {
                return unrank(rankBelow.subtract(BigInteger.valueOf(h)));
            }
            return string(h, n);
        }
        long typeMin = typeMin(type);
        long typeMax = typeMax(type);
        long v;
        if (above != null && n - 1 <= typeMax - above) {
            v = above + h;
        } else if (below != null && n - 1 <= below - typeMin) {
            v = below - h;
        } else {
            return null;
        }
        return ColumnValues.value(type, v);
    }

    private static long typeMin(ColumnType type) {
        switch (type.base()) {
            case BYTE:
                return Byte.MIN_VALUE;
            case SHORT:
                return Short.MIN_VALUE;
            case INT:
                return Integer.MIN_VALUE;
            default:
                return Long.MIN_VALUE;
        }
    }

    private static long typeMax(ColumnType type) {
        switch (type.base()) {
            case BYTE:
                return Byte.MAX_VALUE;
            case SHORT:
                return Short.MAX_VALUE;
            case INT:
                return Integer.MAX_VALUE;
            default:
                return Long.MAX_VALUE;
        }
    }

    /** The last permutation's (n, seed) → (a, b): the same for every row of a sampled table. */
    private record Affine(long n, long seed, long a, long b) {
    }

    private static final ThreadLocal<Affine> LAST = new ThreadLocal<>();

    /** (a·row + b) mod n with a coprime to n: a bijection of [0, n). */
    static long permute(long row, long n, long seed) {
        if (n == 1) {
            return 0;
        }
        Affine f = LAST.get();
        if (f == null || f.n() != n || f.seed() != seed) {
            Random r = new Random(seed ^ 0x6A09E667F3BCC909L);
            long a0 = 1 + Math.floorMod(r.nextLong(), n - 1);
            while (BigInteger.valueOf(a0).gcd(BigInteger.valueOf(n)).longValue() != 1) {
                a0 = a0 + 1 >= n ? 1 : a0 + 1;
            }
            f = new Affine(n, seed, a0, Math.floorMod(r.nextLong(), n));
            LAST.set(f);
        }
        long a = f.a();
        long b = f.b();
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
        StringBuilder fresh = new StringBuilder();
        for (char c : out.get(0).toCharArray()) {
            if (c > hi || (lo != 0 && c < lo)) {
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
            json.put("fresh_above", above);
            json.put("fresh_below", below);
        } else {
            json.put("prefix", prefix);
            json.put("shape", shape);
            json.put("maxLength", maxLength);
            json.put("classes", classes);
            json.put("fresh_lo", (int) lo);
            json.put("fresh_hi", (int) hi);
            json.put("fresh_above", rankAbove == null ? null : unrank(rankAbove));
            json.put("fresh_below", rankBelow == null ? null : unrank(rankBelow));
        }
        return json;
    }

    /** Reads {@link #toJson()}, or the older form that stored the real minimum and maximum (not written again). */
    static IdEncoder fromJson(JsonNode json) {
        ColumnType type = ColumnType.parse(json.path("type").asText());
        String column = json.path("column").asText();
        long rows = json.path("rows").asLong();
        long nulls = json.path("nulls").asLong();
        JsonNode shape = json.get("shape");
        String shapeText = shape == null || shape.isNull() ? null : shape.asText();
        if (type.isIntegral()) {
            if (json.has("min")) {
                return integral(column, type, rows, nulls, json.path("min").asLong(), json.path("max").asLong());
            }
            return new IdEncoder(column, type, rows, nulls, longOrNull(json.get("fresh_above")),
                    longOrNull(json.get("fresh_below")), null, null, 0, null, (char) 0, (char) 0, null, null);
        }
        if (json.has("minString")) {
            return string(column, rows, nulls, json.path("minString").asText(), json.path("maxString").asText(),
                    shapeText, json.path("maxLength").asInt(), json.path("classes").asText());
        }
        return new IdEncoder(column, type, rows, nulls, null, null, json.path("prefix").asText(), shapeText,
                json.path("maxLength").asInt(), json.path("classes").asText(), (char) json.path("fresh_lo").asInt(),
                (char) json.path("fresh_hi").asInt(), textOrNull(json.get("fresh_above")),
                textOrNull(json.get("fresh_below")));
    }

    private static Long longOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asLong();
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
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
