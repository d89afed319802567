package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Frequent values of a quantile column as point masses: runs of two tied knots holding exactly their share. */
class QuantileAtomsTest {
    private static final ColumnType DATE = ColumnType.of(ColumnType.Base.DATE);

    /** Knots of days 0 … 700 spread evenly: 101 knots a week apart. */
    private static double[][] evenWeeks() {
        double[] q = new double[101];
        double[] p = new double[101];
        for (int j = 0; j <= 100; j++) {
            q[j] = 7.0 * j;
            p[j] = j / 100.0;
        }
        return new double[][]{q, p};
    }

    @Test
    void aValueFarAboveItsDaysShareBecomesARunOfTwoTiedKnotsHoldingExactlyItsShare() {
        // 1,980 rows spread over days 0 … 700 and 20 more on day 352 (a release Friday): 1 % of the rows, seven
        // times a day's share; knots every 40 rows, so at most one of them is day 352
        Random rng = new Random(8);
        double[] values = new double[2000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i < 20 ? 352 : rng.nextInt(701);
        }
        java.util.Arrays.sort(values);
        values[0] = 0;
        values[values.length - 1] = 700;
        int knots = 51;
        double[] q = new double[knots];
        double[] p = new double[knots];
        for (int j = 0; j < knots; j++) {
            p[j] = j / (knots - 1.0);
            q[j] = values[(int) Math.round(p[j] * (values.length - 1))];
        }
        long at100 = java.util.Arrays.stream(values).filter(v -> v == 100).count();
        // day 100 holds about a day's share: no atom; the bounds 0 and 700 never are
        QuantileAtoms.Result r = QuantileAtoms.insert(q, p, new double[]{352, 100, 0, 700},
                new long[]{java.util.Arrays.stream(values).filter(v -> v == 352).count(), at100, 30, 30},
                2000, 1.0, false, false);
        assertThat(r.atoms()).isEqualTo(1);
        long at352 = java.util.Arrays.stream(values).filter(v -> v == 352).count();
        assertThat(r.rows()).isEqualTo(at352);
        int first = 0;
        while (r.knots()[first] != 352.0) {
            first++;
        }
        assertThat(r.knots()[first + 1]).isEqualTo(352.0);
        assertThat(r.probabilities()[first + 1] - r.probabilities()[first]).isCloseTo(at352 / 2000.0,
                within(1e-12));
        for (int j = 1; j < r.probabilities().length; j++) {
            assertThat(r.probabilities()[j]).isGreaterThan(r.probabilities()[j - 1]);
            assertThat(r.knots()[j]).isGreaterThanOrEqualTo(r.knots()[j - 1]);
        }

        // a quantile encoder on them decodes day 352 as often as the rows hold it (the segments' days round onto it
        // only when within half a day), and the days around it still about 1/700 of the time each
        QuantileEncoder e = new QuantileEncoder("released", "datetime", DATE, r.knots(), r.probabilities(), 1.0,
                new long[]{2000, 0, 0, 0, 0});
        QuantileEncoder plain = new QuantileEncoder("released", "datetime", DATE, q, p, 1.0,
                new long[]{2000, 0, 0, 0, 0});
        Random draw = new Random(4);
        double[] z = new double[1];
        int hits = 0;
        int plainHits = 0;
        int near = 0;
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            z[0] = draw.nextGaussian();
            long day = ((java.sql.Date) e.decode(z, 0, draw)).toLocalDate().toEpochDay();
            hits += day == 352 ? 1 : 0;
            near += day >= 345 && day <= 359 && day != 352 ? 1 : 0;
            plainHits += ((java.sql.Date) plain.decode(z, 0, draw)).toLocalDate().toEpochDay() == 352 ? 1 : 0;
        }
        assertThat(hits / (double) draws).isCloseTo(at352 / 2000.0, within(0.003));
        assertThat(plainHits / (double) draws).as("without the atom the knots smear it").isLessThan(0.006);
        assertThat(near / 14.0 / draws).isBetween(0.4 / 700, 2.5 / 700);
    }

    @Test
    void anAtomNeverSitsOnATailSegmentOrOnAnExistingRunAndTheMostFrequentComeFirst() {
        double[][] k = evenWeeks();
        // day 3 lies in the first segment: skipped when it carries a tail law
        assertThat(QuantileAtoms.insert(k[0], k[1], new double[]{3}, new long[]{40}, 2000, 1.0, true, false).atoms())
                .isZero();
        assertThat(QuantileAtoms.insert(k[0], k[1], new double[]{3}, new long[]{40}, 2000, 1.0, false, false).atoms())
                .isEqualTo(1);
        // a value already a run of tied knots (the sketch saw its mass) stays as it is
        double[] q = {0, 5, 10, 10, 10, 20};
        double[] p = {0, 0.2, 0.3, 0.5, 0.6, 1.0};
        QuantileAtoms.Result run = QuantileAtoms.insert(q, p, new double[]{10}, new long[]{300}, 1000, 1.0, false,
                false);
        assertThat(run.atoms()).isZero();
        assertThat(run.knots()).containsExactly(q);
        // a value equal to a single knot: that knot becomes the run, centred on it
        QuantileAtoms.Result onKnot = QuantileAtoms.insert(q, p, new double[]{5}, new long[]{100}, 1000, 1.0, false,
                false);
        assertThat(onKnot.knots()).containsExactly(0, 5, 5, 10, 10, 10, 20);
        assertThat(onKnot.probabilities()[1]).isCloseTo(0.15, within(1e-12));
        assertThat(onKnot.probabilities()[2]).isCloseTo(0.25, within(1e-12));
        // two atoms in one segment, adjacent days: both fit, the larger first, the probabilities stay increasing
        QuantileAtoms.Result two = QuantileAtoms.insert(new double[]{0, 100, 200}, new double[]{0, 0.5, 1},
                new double[]{150, 151}, new long[]{30, 50}, 1000, 1.0, false, false);
        assertThat(two.atoms()).isEqualTo(2);
        assertThat(two.knots()).containsExactly(0, 100, 150, 150, 151, 151, 200);
        assertThat(two.probabilities()[3] - two.probabilities()[2]).isCloseTo(0.03, within(1e-12));
        assertThat(two.probabilities()[5] - two.probabilities()[4]).isCloseTo(0.05, within(1e-12));
        for (int j = 1; j < two.probabilities().length; j++) {
            assertThat(two.probabilities()[j]).isGreaterThan(two.probabilities()[j - 1]);
            assertThat(two.knots()[j]).isGreaterThanOrEqualTo(two.knots()[j - 1]);
        }
    }
}
