package io.flowsynth.encode;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** A date column's weekday profile ({@link QuantileEncoder#withWeekdays}, {@link EncoderChoice#weekdayProfile}). */
class WeekdayProfileTest {
    private static final ColumnType DATE = ColumnType.of(ColumnType.Base.DATE);

    /** 4,000 release dates over about 11 years: 80 % on Fridays, 20 % on Wednesdays. */
    private static List<Object> releases(Random rng) {
        List<Object> values = new ArrayList<>();
        LocalDate start = LocalDate.of(2000, 1, 7); // a Friday
        for (int i = 0; i < 4000; i++) {
            LocalDate friday = start.plusWeeks(rng.nextInt(580));
            values.add(Date.valueOf(rng.nextDouble() < 0.8 ? friday : friday.minusDays(2)));
        }
        return values;
    }

    private static long day(Object date) {
        return (long) ColumnValues.toDouble(DATE, date);
    }

    @Test
    void decodedDatesFollowTheProfileMovedAtMostThreeDays() throws Exception {
        Random rng = new Random(3);
        List<Object> values = releases(rng);
        QuantileEncoder plain = Fixtures.quantile("released", "datetime", DATE, values, 100);
        long[] counts = new long[7];
        for (Object v : values) {
            counts[QuantileEncoder.weekday(day(v))]++;
        }
        assertThat(counts[DayOfWeek.FRIDAY.getValue() - 1]).isGreaterThan(3000);
        assertThat(EncoderChoice.weekdayProfile(counts)).isTrue();
        QuantileEncoder profiled = plain.withWeekdays(counts);
        QuantileEncoder back = QuantileEncoder.fromJson(
                new ObjectMapper().readTree(profiled.toJson().toString()));
        assertThat(back.weekdays()).containsExactly(counts);
        long lo = values.stream().mapToLong(WeekdayProfileTest::day).min().orElseThrow();
        long hi = values.stream().mapToLong(WeekdayProfileTest::day).max().orElseThrow();
        long[] seen = new long[7];
        double[] z = new double[1];
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            z[0] = rng.nextGaussian();
            long before = day(plain.decode(z, 0, rng));
            long after = day(profiled.decode(z, 0, rng));
            // at most 3 days, or 4 to 6 inwards for a date within a week of the column's bounds
            boolean nearBound = before - lo < 7 || hi - before < 7;
            assertThat(Math.abs(after - before)).isLessThanOrEqualTo(nearBound ? 6 : 3);
            assertThat(after).isBetween(lo, hi);
            assertThat(day(back.decode(z, 0, rng))).isEqualTo(after);
            seen[QuantileEncoder.weekday(after)]++;
        }
        assertThat(seen[DayOfWeek.FRIDAY.getValue() - 1] / (double) draws).isCloseTo(0.8, within(0.02));
        assertThat(seen[DayOfWeek.WEDNESDAY.getValue() - 1] / (double) draws).isCloseTo(0.2, within(0.02));
        assertThat(seen[DayOfWeek.SUNDAY.getValue() - 1]).isZero();
        // the density of a Friday against the Wednesday two days before it: ln(0.8 / 0.2) more, as the profile gives
        Object friday = Date.valueOf(LocalDate.of(2005, 6, 17));
        Object wednesday = Date.valueOf(LocalDate.of(2005, 6, 15));
        double gain = (profiled.logDensityCorrection(friday, encoded(profiled, friday), 0)
                - plain.logDensityCorrection(friday, encoded(plain, friday), 0))
                - (profiled.logDensityCorrection(wednesday, encoded(profiled, wednesday), 0)
                - plain.logDensityCorrection(wednesday, encoded(plain, wednesday), 0));
        double fri = counts[4] / 4000.0;
        double wed = counts[2] / 4000.0;
        assertThat(gain).isCloseTo(Math.log(fri / wed), within(1e-9));
    }

    private static double[] encoded(QuantileEncoder e, Object value) {
        double[] z = new double[1];
        e.encode(value, z, 0, new Random(1));
        return z;
    }

    @Test
    void onlyAClearlyUnevenSpreadIsAProfile() {
        assertThat(EncoderChoice.weekdayProfile(new long[]{100, 100, 100, 100, 100, 100, 100})).isFalse();
        assertThat(EncoderChoice.weekdayProfile(new long[]{103, 98, 95, 104, 99, 101, 100})).isFalse();
        // business days only
        assertThat(EncoderChoice.weekdayProfile(new long[]{200, 200, 200, 200, 200, 0, 0})).isTrue();
        // the same shape on 20 dates is within what chance gives so few
        assertThat(EncoderChoice.weekdayProfile(new long[]{4, 4, 4, 4, 4, 0, 0})).isFalse();
        assertThat(EncoderChoice.weekdayProfile(new long[7])).isFalse();
    }

    @Test
    void aProfileNeedsADateColumnOfOneDayAndSevenCounts() {
        QuantileEncoder amounts = new QuantileEncoder("amount", "continuous",
                ColumnType.of(ColumnType.Base.DOUBLE), new double[]{0, 1}, new double[]{0, 1}, 0, new long[]{10, 0, 0, 0, 0});
        assertThatThrownBy(() -> amounts.withWeekdays(new long[7])).hasMessageContaining("'amount'");
        QuantileEncoder days = new QuantileEncoder("d", "datetime", DATE, new double[]{0, 100}, new double[]{0, 1}, 1,
                new long[]{10, 0, 0, 0, 0});
        assertThatThrownBy(() -> days.withWeekdays(new long[6])).hasMessageContaining("7 counts");
        assertThatThrownBy(() -> days.withWeekdays(new long[7])).hasMessageContaining("positive");
        assertThat(days.withWeekdays(null).weekdays()).isNull();
    }
}
