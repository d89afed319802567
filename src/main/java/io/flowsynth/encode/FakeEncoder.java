package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.datafaker.Faker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A personal-data column of a known semantic type ({@code person-name, first-name, last-name, email, address}): not
 * learned, and nothing of its real values is stored but its null share and, for emails, the mail domains that at least
 * {@code k} rows share (e.g. {@code gmail.com}, a company's domain), with their counts. Sampling composes fresh values
 * from dictionaries of datafaker ({@code net.datafaker}, the fake-value library; its English dictionaries by default):
 * <ul>
 *   <li>person-name: "First Last"; first-name, last-name: one of them;</li>
 *   <li>email: a local part made of a fake first and last name in one of the common styles ({@code first.last},
 *       {@code flast}, {@code first_last}, {@code firstlast} with two digits, {@code first} with four digits), lower
 *       case, at a frequent real domain in proportion to its share of the rows, else at one of datafaker's (a free-mail domain
 *       such as gmail.com 3 times in 5, a fake company domain otherwise);</li>
 *   <li>address: a house number and a fake street ("4821 Maple Avenue").</li>
 * </ul>
 * The dictionaries are drawn once per JVM from datafaker with a fixed seed and cached, so a value costs a few array
 * lookups (datafaker itself resolves expressions per call, microseconds each) and depends only on the {@code rng} the
 * sampler derives from (seed, partition). The values are independent of the training rows; a generated value that is
 * equal to a real one by chance is drawn again when the sampler knows the real values ({@link RealValues}, in
 * {@code run}).
 */
public final class FakeEncoder implements GeneratedColumn {
    private static final long serialVersionUID = 1L;
    /** Seed of the dictionaries drawn from datafaker (fixed: the same dictionaries on every executor). */
    static final long DICTIONARY_SEED = 0x5EEDFACEL;
    static final int POOL = 3000;
    private static final Map<String, Dictionaries> CACHE = new ConcurrentHashMap<>();

    private final String column;
    private final String kind;
    private final long rows;
    private final long nulls;
    private final String locale;
    private final String[] domains;       // frequent real mail domains (each in ≥ k rows)
    private final long[] domainCumulative; // running sums of their counts
    private final long domainRows;        // non-null rows (the domains' counts share them)

    /**
     * @param domains email only: mail domains seen in at least k rows, with their row counts (may be empty)
     */
    public FakeEncoder(String column, String kind, long rows, long nulls, String locale, Map<String, Long> domains) {
        this.column = QuantileEncoder.requireColumn(column);
        if (!EncodeOptions.FAKE_KINDS.contains(kind)) {
            throw new IllegalArgumentException("Column '" + column + "': not a fake-value kind: " + kind);
        }
        if (rows < 1 || nulls < 0 || nulls > rows) {
            throw new IllegalArgumentException("Column '" + column + "': bad row counts " + rows + "/" + nulls);
        }
        this.kind = kind;
        this.rows = rows;
        this.nulls = nulls;
        this.locale = locale == null || locale.isBlank() ? "en" : locale;
        Map<String, Long> d = domains == null ? Map.of() : new LinkedHashMap<>(domains);
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(d.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        this.domains = new String[sorted.size()];
        this.domainCumulative = new long[sorted.size()];
        long sum = 0;
        for (int i = 0; i < sorted.size(); i++) {
            this.domains[i] = sorted.get(i).getKey();
            sum += sorted.get(i).getValue();
            this.domainCumulative[i] = sum;
        }
        this.domainRows = Math.max(sum, rows - nulls);
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
        Dictionaries dict = dictionaries(locale);
        switch (kind) {
            case EncodeOptions.FIRST_NAME:
                return pick(dict.firstNames, rng);
            case EncodeOptions.LAST_NAME:
                return pick(dict.lastNames, rng);
            case EncodeOptions.PERSON_NAME:
                return pick(dict.firstNames, rng) + " " + pick(dict.lastNames, rng);
            case EncodeOptions.ADDRESS:
                return (1 + rng.nextInt(rng.nextInt(4) == 0 ? 99 : 9999)) + " " + pick(dict.streets, rng);
            default:
                return email(dict, rng);
        }
    }

    private String email(Dictionaries dict, Random rng) {
        String first = ascii(pick(dict.firstNames, rng));
        String last = ascii(pick(dict.lastNames, rng));
        String local;
        int style = rng.nextInt(20);
        if (style < 7) {
            local = first + "." + last;
        } else if (style < 11) {
            local = first.charAt(0) + last;
        } else if (style < 13) {
            local = first + "_" + last;
        } else if (style < 17) {
            int d = rng.nextInt(100);
            local = first + last + (d < 10 ? "0" : "") + d;
        } else {
            local = first + (1000 + rng.nextInt(9000));
        }
        return local + "@" + domain(dict, rng);
    }

    private String domain(Dictionaries dict, Random rng) {
        if (domains.length > 0) {
            long r = (long) (rng.nextDouble() * domainRows);
            if (r < domainCumulative[domains.length - 1]) {
                int i = java.util.Arrays.binarySearch(domainCumulative, r + 1);
                i = i >= 0 ? i : -i - 1;
                return domains[Math.min(i, domains.length - 1)];
            }
        }
        return pick(rng.nextInt(5) < 3 ? dict.freeMailDomains : dict.domains, rng);
    }

    /** Lower-case letters and digits only (a name such as "O'Connor" or "Zoë" as a mail local part). */
    static String ascii(String name) {
        String n = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD);
        StringBuilder b = new StringBuilder(n.length());
        for (int i = 0; i < n.length(); i++) {
            char c = Character.toLowerCase(n.charAt(i));
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                b.append(c);
            }
        }
        return b.length() == 0 ? "x" : b.toString();
    }

    private static String pick(String[] pool, Random rng) {
        return pool[rng.nextInt(pool.length)];
    }

    /** The JVM's dictionaries for a locale, drawn from datafaker once. */
    static Dictionaries dictionaries(String locale) {
        return CACHE.computeIfAbsent(locale, Dictionaries::new);
    }

    /** Distinct fake first names, last names, streets and mail domains drawn from datafaker with a fixed seed. */
    static final class Dictionaries {
        final String[] firstNames;
        final String[] lastNames;
        final String[] streets;
        final String[] domains;
        final String[] freeMailDomains;

        Dictionaries(String locale) {
            Faker faker = new Faker(Locale.forLanguageTag(locale), new Random(DICTIONARY_SEED));
            firstNames = distinct(() -> faker.name().firstName());
            lastNames = distinct(() -> faker.name().lastName());
            streets = distinct(() -> faker.address().streetName());
            freeMailDomains = distinct(() -> {
                String e = faker.internet().emailAddress();
                return e.substring(e.indexOf('@') + 1);
            });
            domains = distinct(() -> faker.internet().domainName());
        }

        private static String[] distinct(Supplier<String> draw) {
            Set<String> out = new LinkedHashSet<>();
            int misses = 0;
            while (out.size() < POOL && misses < POOL) {
                if (!out.add(draw.get())) {
                    misses++;
                }
            }
            return out.toArray(new String[0]);
        }
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = jsonHeader();
        json.put("rows", rows);
        json.put("nulls", nulls);
        json.put("locale", locale);
        ArrayNode d = json.putArray("domains");
        for (int i = 0; i < domains.length; i++) {
            d.addObject().put("value", domains[i]).put("count",
                    domainCumulative[i] - (i == 0 ? 0 : domainCumulative[i - 1]));
        }
        return json;
    }

    static FakeEncoder fromJson(JsonNode json) {
        Map<String, Long> domains = new LinkedHashMap<>();
        for (JsonNode e : json.path("domains")) {
            domains.put(e.path("value").asText(), e.path("count").asLong());
        }
        return new FakeEncoder(json.path("column").asText(), json.path("kind").asText(), json.path("rows").asLong(),
                json.path("nulls").asLong(), json.path("locale").asText("en"), domains);
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
