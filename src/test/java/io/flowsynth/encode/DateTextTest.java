package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Dates written as text: which patterns are recognised, and the exact round trip of the encoder built on them. */
class DateTextTest {
    private static List<String> texts(String pattern, int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(DateText.format(LocalDate.of(1990, 1, 1).plusDays(r.nextInt(12_000)), pattern));
        }
        return out;
    }

    @Test
    void eachPatternIsRecognisedFromItsOwnTextsAndRoundTripsExactly() {
        for (String p : DateText.PATTERNS) {
            List<String> values = texts(p, 200, p.hashCode());
            String found = DateText.detect(values);
            assertThat(found).as(p).isNotNull();
            for (String v : values) { // whichever pattern was found, every text comes back exactly
                assertThat(DateText.format(DateText.parse(v, found), found)).isEqualTo(v);
            }
        }
        assertThat(DateText.detect(Arrays.asList("Jun 12 1998", null, "Dec 25 2001", "Jan 01 1970", "Feb 28 1999",
                "Mar 03 2003", "Apr 30 2010", "May 15 1985", "Jul 04 1976", "Aug 09 1995", "Sep 11 2011")))
                .isEqualTo("MMM dd yyyy");
    }

    @Test
    void textsThatAreNotExactlyDatesStayText() {
        // zip codes and ids are digit runs; a padded or impossible date is not its own round trip
        assertThat(DateText.detect(List.of("00501", "00544", "01001", "01002", "01003", "01004", "01005", "01007",
                "01008", "01009", "01010"))).isNull();
        assertThat(DateText.detect(List.of("19980612", "19980613", "19980614", "19980615", "19980616", "19980617",
                "19980618", "19980619", "19980620", "19980621"))).isNull();
        assertThat(DateText.parse("2021-02-30", "yyyy-MM-dd")).isNull();
        assertThat(DateText.parse("2021-2-3", "yyyy-MM-dd")).isNull();
        assertThat(DateText.parse(" 2021-02-03", "yyyy-MM-dd")).isNull();
        List<String> mixed = new ArrayList<>(texts("yyyy-MM-dd", 50, 1));
        mixed.add("unknown");
        assertThat(DateText.detect(mixed)).isNull();
        assertThat(DateText.detect(List.of("2021-02-03", "2021-02-04"))).as("too few distinct values").isNull();
    }

    @Test
    void theEncoderLearnsTheDatesAndDecodesTextInThePattern() throws Exception {
        List<String> values = texts("MMM dd yyyy", 500, 7);
        List<Object> dates = new ArrayList<>();
        values.forEach(v -> dates.add(java.sql.Date.valueOf(DateText.parse(v, "MMM dd yyyy"))));
        QuantileEncoder inner = Fixtures.quantile("released", "datetime", ColumnType.of(ColumnType.Base.DATE),
                dates, 100);
        DateTextEncoder e = new DateTextEncoder(inner, "MMM dd yyyy");
        assertThat(e.type().base()).isEqualTo(ColumnType.Base.STRING);
        ColumnEncoder back = TableEncoder.columnFromJson(new ObjectMapper().readTree(e.toJson().toString()));
        assertThat(back).isInstanceOf(DateTextEncoder.class);
        Random rng = new Random(1);
        double[] z = new double[e.width()];
        for (String v : values.subList(0, 50)) {
            back.encode(v, z, 0, rng);
            Object decoded = back.decode(z, 0, rng);
            assertThat(decoded).isInstanceOf(String.class);
            assertThat(DateText.parse((String) decoded, "MMM dd yyyy")).as("decoded '%s' of '%s'", decoded, v)
                    .isNotNull();
        }
        for (int i = 0; i < 200; i++) { // any features decode to a date in the pattern
            for (int f = 0; f < z.length; f++) {
                z[f] = rng.nextGaussian() * 2;
            }
            assertThat(DateText.parse((String) back.decode(z, 0, rng), "MMM dd yyyy")).isNotNull();
        }
        // a text that is no date of the pattern scores out of domain, below a real date's score
        back.encode("Jun 12 1998", z, 0, new Random(2));
        double real = back.logDensityCorrection("Jun 12 1998", z, 0);
        back.encode("not a date", z, 0, new Random(2));
        assertThat(back.logDensityCorrection("not a date", z, 0)).isLessThan(real);
    }
}
