package io.flowsynth.encode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Rare-category protection in the categorical encoder, and the generated columns: fake values, text, ids. */
class GeneratedColumnsTest {
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);

    @Test
    void protectedValuesAreEncodedAsKeptCategoriesInProportionAndRecordedOnlyAsCounts() {
        Map<Object, Long> kept = new LinkedHashMap<>(Map.of("A", 600L, "B", 300L, "C", 100L));
        CategoricalEncoder e = new CategoricalEncoder("code", STRING, kept, 0, Map.of(), false, null, Map.of(),
                new CategoricalEncoder.Protection(5, 20, 23));
        Random rng = new Random(3);
        Map<Object, Integer> decoded = new HashMap<>();
        double[] z = new double[1];
        for (int i = 0; i < 20_000; i++) {
            e.encode("Q99.7", z, 0, rng); // a protected once-seen code
            decoded.merge(e.decode(z, 0, rng), 1, Integer::sum);
        }
        assertThat(decoded.keySet()).containsExactlyInAnyOrder("A", "B", "C");
        assertThat(decoded.get("A") / 20_000.0).isCloseTo(0.6, within(0.015));
        assertThat(decoded.get("C") / 20_000.0).isCloseTo(0.1, within(0.01));
        ObjectNode json = e.toJson();
        assertThat(json.path("protected_categories").asLong()).isEqualTo(20);
        assertThat(json.path("protected_rows").asLong()).isEqualTo(23);
        assertThat(json.path("protected_min_count").asInt()).isEqualTo(5);
        assertThat(json.toString()).doesNotContain("Q99");
        CategoricalEncoder back = (CategoricalEncoder) TableEncoder.columnFromJson(json);
        assertThat(back.protection()).isEqualTo(e.protection());
        assertThat(back.decodesWithoutRandomness()).isTrue();
    }

    @Test
    void olderModelsWithStoredRareValuesStillLoadAndSampleThem() throws Exception {
        String old = "{\"column\":\"c\",\"kind\":\"categorical\",\"type\":\"string\",\"encoding\":\"frequency\","
                + "\"categories\":[{\"value\":\"a\",\"count\":10}],\"otherCount\":2,"
                + "\"rareValues\":[{\"value\":\"r1\",\"count\":1},{\"value\":\"r2\",\"count\":1}]}";
        CategoricalEncoder e = (CategoricalEncoder) TableEncoder.columnFromJson(new ObjectMapper().readTree(old));
        assertThat(e.protection().rows()).isZero();
        Set<Object> seen = new HashSet<>();
        Random rng = new Random(1);
        for (double z = -4; z <= 4; z += 0.01) {
            seen.add(e.decode(new double[]{z}, 0, rng));
        }
        assertThat(seen).containsExactlyInAnyOrder("a", "r1", "r2");
    }

    @Test
    void fakeEmailsHaveVariedLocalPartsAndFrequentRealDomainsInProportion() {
        FakeEncoder e = new FakeEncoder("email", EncodeOptions.EMAIL, 2000, 200, "en",
                Map.of("gmail.com", 600L, "acme.com", 300L));
        Random rng = new Random(5);
        Set<String> locals = new HashSet<>();
        Map<String, Integer> domains = new HashMap<>();
        int nulls = 0;
        for (int r = 0; r < 5000; r++) {
            String v = (String) e.generate(r, 5000, 9, rng);
            if (v == null) {
                nulls++;
                continue;
            }
            assertThat(v).matches("[a-z0-9._]+@[a-z0-9.-]+\\.[a-z]{2,}");
            locals.add(v.substring(0, v.indexOf('@')));
            domains.merge(v.substring(v.indexOf('@') + 1), 1, Integer::sum);
        }
        int emails = 5000 - nulls;
        assertThat(nulls / 5000.0).isCloseTo(0.1, within(0.02)); // 200 of 2000 rows null
        assertThat(locals.size()).isGreaterThan((int) (0.95 * emails));
        assertThat(domains.get("gmail.com") / (double) emails).isGreaterThan(600 / 1800.0 - 0.03); // datafaker's too
        assertThat(domains.get("acme.com") / (double) emails).isCloseTo(300 / 1800.0, within(0.03));
        assertThat(domains.size()).isGreaterThan(3); // the rows of rare real domains: datafaker's domains
        FakeEncoder back = (FakeEncoder) TableEncoder.columnFromJson(e.toJson());
        assertThat(back.generate(7, 10, 1, new Random(2))).isEqualTo(e.generate(7, 10, 1, new Random(2)));
    }

    @Test
    void fakeNamesAndAddressesAreVariedAndDeterministicFromTheRandomStream() {
        FakeEncoder names = new FakeEncoder("full_name", EncodeOptions.PERSON_NAME, 100, 0, null, null);
        FakeEncoder streets = new FakeEncoder("street", EncodeOptions.ADDRESS, 100, 0, null, null);
        Set<Object> distinct = new HashSet<>();
        Random a = new Random(11);
        Random b = new Random(11);
        for (int r = 0; r < 2000; r++) {
            Object v = names.generate(r, 2000, 1, a);
            assertThat(v).isEqualTo(names.generate(r, 2000, 1, b));
            assertThat((String) v).matches("\\S+( \\S+)+");
            distinct.add(v);
        }
        assertThat(distinct.size()).isGreaterThan(1900);
        assertThat((String) streets.generate(0, 1, 1, a)).matches("[0-9]+ \\S.*");
    }

    @Test
    void textFormatModelKeepsShapesAndFrequentWordsOnly() {
        long[] words = new long[TextEncoder.MAX_WORDS + 1];
        words[3] = 100;
        TextEncoder phone = new TextEncoder("phone", EncodeOptions.PHONE, 100, 0, words, Map.of("+1", 100L),
                Map.of("(999)", 100L, "999-9999", 100L, "+9", 100L), 300);
        Random rng = new Random(4);
        Set<Object> distinct = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String v = (String) phone.generate(i, 1000, 1, rng);
            assertThat(v.split(" ")).hasSize(3);
            for (String w : v.split(" ")) {
                assertThat(w).matches("\\+1|\\+[0-9]|\\([0-9]{3}\\)|[0-9]{3}-[0-9]{4}");
            }
            distinct.add(v);
        }
        assertThat(distinct.size()).isGreaterThan(800); // of 3 × 3 × 3 shapes and tokens, ~10^7 fillings
        TextEncoder back = (TextEncoder) TableEncoder.columnFromJson(phone.toJson());
        assertThat(back.generate(1, 2, 3, new Random(8))).isEqualTo(phone.generate(1, 2, 3, new Random(8)));
    }

    @Test
    void idModelsStoreNoRealIdAndOlderOnesLoad() throws Exception {
        IdEncoder ints = IdEncoder.integral("id", ColumnType.of(ColumnType.Base.INT), 5000, 0, 1, 4873);
        assertThat(ints.toJson().toString()).doesNotContain("4873").contains("\"fresh_above\":4900");
        IdEncoder strings = IdEncoder.string("cust", 3000, 0, "CUST-10000", "CUST-30993", "AAAA-99999", 10, "9A");
        String json = strings.toJson().toString();
        assertThat(json).doesNotContain("CUST-10000").doesNotContain("CUST-30993").contains("CUST-31000");
        IdEncoder back = (IdEncoder) TableEncoder.columnFromJson(strings.toJson());
        for (long r = 0; r < 100; r++) {
            assertThat(back.generate(r, 100, 3, new Random(r))).isEqualTo(strings.generate(r, 100, 3, new Random(r)));
        }
        String old = "{\"column\":\"id\",\"kind\":\"id\",\"type\":\"int\",\"rows\":100,\"nulls\":0,\"min\":1,"
                + "\"max\":100}";
        IdEncoder loaded = (IdEncoder) TableEncoder.columnFromJson(new ObjectMapper().readTree(old));
        assertThat((Integer) loaded.generate(0, 10, 1, new Random(1))).isGreaterThan(100);
        assertThat(loaded.toJson().has("max")).isFalse();
    }

    @Test
    void generatedColumnsAreDrawnAgainWhenTheRealValuesMightHoldThem() {
        FakeEncoder first = new FakeEncoder("first_name", EncodeOptions.FIRST_NAME, 10, 0, null, null);
        TableEncoder plain = new TableEncoder(List.of(first));
        Set<Object> all = new HashSet<>();
        Random rng = new Random(1);
        for (int r = 0; r < 500; r++) {
            all.add(plain.decode(new double[0], rng, r, 500, 1)[0]);
        }
        Object banned = all.iterator().next();
        TableEncoder guarded = plain.withRealValues((column, value) -> value.equals(banned));
        rng = new Random(1);
        for (int r = 0; r < 2000; r++) {
            assertThat(guarded.decode(new double[0], rng, r, 2000, 1)[0]).isNotEqualTo(banned);
        }
    }
}
