package io.flowsynth.encode;

import io.flowsynth.math.StandardNormal;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class QuantileEncoderTest {
    private static final ColumnType INT = ColumnType.of(ColumnType.Base.INT);
    private static final ColumnType LONG = ColumnType.of(ColumnType.Base.LONG);
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);
    private static final ColumnType FLOAT = ColumnType.of(ColumnType.Base.FLOAT);
    private static final ColumnType DATE = ColumnType.of(ColumnType.Base.DATE);
    private static final ColumnType TIMESTAMP = ColumnType.of(ColumnType.Base.TIMESTAMP);
    private static final ColumnType DECIMAL = ColumnType.decimal(10, 2);

    /** 30 % zeros, the rest log-normal: a skewed column with a point mass. */
    private static List<Object> skewedDoubles(int n, Random rng) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(rng.nextDouble() < 0.3 ? 0.0 : Math.exp(1.5 * rng.nextGaussian()));
        }
        return values;
    }

    private static void assertRoundTrip(ColumnEncoder encoder, List<?> values, long seed) {
        Random rng = new Random(seed);
        double[] z = new double[encoder.width()];
        for (Object v : values) {
            encoder.encode(v, z, 0, rng);
            assertThat(Arrays.stream(z).allMatch(Double::isFinite)).isTrue();
            assertThat(encoder.decode(z, 0, rng)).as("round trip of %s", v).isEqualTo(v);
        }
    }

    @Test
    void integersRoundTripExactlyWithNulls() {
        Random rng = new Random(1);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            values.add(rng.nextDouble() < 0.1 ? null : (int) Math.floor(Math.exp(4 * rng.nextDouble()) * 10) - 30);
        }
        QuantileEncoder encoder = Fixtures.quantile("n", "integer", INT, values, 200);
        assertThat(encoder.width()).isEqualTo(2);
        assertThat(encoder.featureNames()).containsExactly("n", "n#null");
        assertRoundTrip(encoder, values, 2);
    }

    @Test
    void longsRoundTripExactly() {
        Random rng = new Random(3);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            values.add(1_000_000_000_000L + (long) (rng.nextGaussian() * 1e9));
        }
        assertRoundTrip(Fixtures.quantile("id", "integer", LONG, values, 100), values, 4);
    }

    @Test
    void datesRoundTripExactly() {
        Random rng = new Random(5);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            values.add(Date.valueOf(LocalDate.of(1990, 1, 1).plusDays((long) (Math.abs(rng.nextGaussian()) * 4000))));
        }
        QuantileEncoder encoder = Fixtures.quantile("day", "datetime", DATE, values, 100);
        assertThat(encoder.width()).isEqualTo(1);
        assertRoundTrip(encoder, values, 6);
    }

    @Test
    void decimalsRoundTripAndKeepTheirScale() {
        Random rng = new Random(7);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            values.add(BigDecimal.valueOf(Math.round(Math.exp(rng.nextGaussian() * 2) * 100), 2));
        }
        QuantileEncoder encoder = Fixtures.quantile("price", "continuous", DECIMAL, values, 200);
        Random r = new Random(8);
        double[] z = new double[1];
        for (Object v : values) {
            encoder.encode(v, z, 0, r);
            BigDecimal back = (BigDecimal) encoder.decode(z, 0, r);
            assertThat(back.scale()).isEqualTo(2);
            assertThat(back).isEqualTo(v);
        }
    }

    @Test
    void timestampsRoundTripAndKeepTheirPrecision() {
        Random rng = new Random(9);
        List<Object> millis = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            millis.add(new Timestamp(1_600_000_000_000L + (long) (rng.nextDouble() * 86_400_000L)));
        }
        QuantileEncoder encoder = Fixtures.quantile("at", "datetime", TIMESTAMP, millis, 200);
        assertThat(encoder.unit()).isEqualTo(1000.0);
        assertRoundTrip(encoder, millis, 10);
        Random r = new Random(11);
        double[] z = new double[1];
        for (int i = 0; i < 1000; i++) {
            z[0] = r.nextGaussian() * 2;
            Timestamp t = (Timestamp) encoder.decode(z, 0, r);
            assertThat(t.getNanos() % 1_000_000).isZero();
        }

        List<Object> micros = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Timestamp t = new Timestamp(1_600_000_000_000L + (long) (rng.nextDouble() * 3_600_000L));
            t.setNanos(t.getNanos() + rng.nextInt(1000) * 1000);
            micros.add(t);
        }
        QuantileEncoder fine = Fixtures.quantile("at", "datetime", TIMESTAMP, micros, 500);
        assertThat(fine.unit()).isEqualTo(1.0);
        assertRoundTrip(fine, micros, 12);
    }

    @Test
    void doublesRoundTripCloselyAndNaNInfinityAndNullSurvive() {
        Random rng = new Random(13);
        List<Object> values = skewedDoubles(3000, rng);
        values.addAll(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, null, null));
        QuantileEncoder encoder = Fixtures.quantile("x", "continuous", DOUBLE, values, 500);
        assertThat(encoder.width()).isEqualTo(2);
        Random r = new Random(14);
        double[] z = new double[2];
        for (Object v : values) {
            encoder.encode(v, z, 0, r);
            assertThat(Arrays.stream(z).allMatch(Double::isFinite)).isTrue();
            Object back = encoder.decode(z, 0, r);
            if (v == null) {
                assertThat(back).isNull();
            } else if (Double.isInfinite((Double) v) || Double.isNaN((Double) v) || (Double) v == 0.0) {
                assertThat(back).isEqualTo(v);
            } else {
                assertThat((Double) back).isCloseTo((Double) v, within(1e-9 * Math.max(1.0, (Double) v)));
            }
        }
    }

    @Test
    void floatsDecodeAsFloats() {
        List<Object> values = new ArrayList<>();
        Random rng = new Random(15);
        for (int i = 0; i < 1000; i++) {
            values.add((float) rng.nextGaussian());
        }
        QuantileEncoder encoder = Fixtures.quantile("f", "continuous", FLOAT, values, 50);
        double[] z = new double[1];
        encoder.encode(values.get(0), z, 0, rng);
        assertThat(encoder.decode(z, 0, rng)).isInstanceOf(Float.class);
        assertThat((Float) encoder.decode(z, 0, rng)).isCloseTo((Float) values.get(0), within(1e-5f));
    }

    @Test
    void encodedFeaturesOfASkewedColumnAreStandardNormal() {
        Random rng = new Random(17);
        List<Object> values = skewedDoubles(10_000, rng);
        QuantileEncoder encoder = Fixtures.quantile("x", "continuous", DOUBLE, values, 500);
        double[] z = new double[values.size()];
        double[] out = new double[1];
        for (int i = 0; i < z.length; i++) {
            encoder.encode(values.get(i), out, 0, rng);
            z[i] = out[0];
        }
        assertThat(Fixtures.mean(z)).isCloseTo(0.0, within(0.03));
        assertThat(Fixtures.std(z)).isCloseTo(1.0, within(0.03));
        long belowMinusOne = Arrays.stream(z).filter(v -> v < -1).count();
        assertThat(belowMinusOne / (double) z.length).isCloseTo(0.1587, within(0.015)); // not a point mass at 0
    }

    @Test
    void gridValuesOfASmallTableFillTheirCellsAndRoundTripExactly() {
        // 240 rows of a 1-decimal measurement (like bill lengths in mm): fewer rows than knots, so every distinct
        // value is a run of tied knots with an empty segment to the next one
        Random rng = new Random(23);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            values.add(Math.round((45 + rng.nextGaussian()) * 10) / 10.0);
        }
        QuantileEncoder raw = Fixtures.quantile("x", "continuous", DOUBLE, values, 500);
        QuantileEncoder encoder = new QuantileEncoder("x", "continuous", DOUBLE, raw.knots(),
                Fixtures.probabilities(500), 0.0, 1, raw.stateCounts());
        assertThat(encoder.resolution()).isCloseTo(0.1, within(1e-12));
        int bins = 1000;
        int[] hits = new int[bins];
        double[] z = new double[1];
        for (int rep = 0; rep < 200; rep++) {
            for (Object v : values) {
                encoder.encode(v, z, 0, rng);
                hits[Math.min(bins - 1, (int) (StandardNormal.cdf(z[0]) * bins))]++;
                assertThat(encoder.decode(z, 0, rng)).as("round trip of %s", v).isEqualTo(v);
            }
        }
        // u fills [0, 1] evenly: no spikes at the values, no empty gaps between them (a comb of runs and gaps left
        // about half of these bins empty or doubled)
        int expected = 200 * values.size() / bins;
        for (int b = 300; b < 700; b++) { // the centre, where neighbouring values are one grid step apart
            assertThat(hits[b]).as("bin %d", b).isBetween(expected / 4, expected * 4);
        }
        // a grid value's log-probability is that of its cell: the cells of the distinct values carry nearly all the
        // mass (the rest is the 10 % of each gap between neighbouring values that no cell reaches)
        double total = 0;
        for (Object v : values.stream().distinct().toList()) {
            encoder.encode(v, z, 0, rng);
            total += Math.exp(encoder.logDensityCorrection(v, z, 0) + StandardNormal.logDensity(z[0]));
        }
        assertThat(total).isBetween(0.85, 1.0);
    }

    @Test
    void pointMassIsSpreadUniformlyAcrossItsRunOfTiedKnots() {
        Random rng = new Random(19);
        List<Object> values = skewedDoubles(10_000, rng);
        QuantileEncoder encoder = Fixtures.quantile("x", "continuous", DOUBLE, values, 500);
        double[] out = new double[1];
        double lo = 1;
        double hi = 0;
        for (int i = 0; i < 2000; i++) {
            encoder.encode(0.0, out, 0, rng);
            double u = StandardNormal.cdf(out[0]);
            lo = Math.min(lo, u);
            hi = Math.max(hi, u);
        }
        // the zeros hold about the lowest 30 % of probability
        assertThat(lo).isLessThan(0.01);
        assertThat(hi).isBetween(0.28, 0.32);
    }

    @Test
    void decodingStandardNormalDrawsReproducesTheMarginal() {
        Random rng = new Random(21);
        List<Object> values = skewedDoubles(20_000, rng);
        QuantileEncoder encoder = Fixtures.quantile("x", "continuous", DOUBLE, values, 500);
        double[] source = values.stream().mapToDouble(v -> (Double) v).sorted().toArray();
        double[] synthetic = new double[source.length];
        double[] z = new double[1];
        for (int i = 0; i < synthetic.length; i++) {
            z[0] = rng.nextGaussian();
            synthetic[i] = (Double) encoder.decode(z, 0, rng);
        }
        Arrays.sort(synthetic);
        long zeros = Arrays.stream(synthetic).filter(v -> v == 0.0).count();
        assertThat(zeros / (double) synthetic.length).isCloseTo(0.3, within(0.02));
        for (double p : new double[]{0.4, 0.5, 0.75, 0.9, 0.99}) {
            double s = source[(int) (p * source.length)];
            double x = synthetic[(int) (p * synthetic.length)];
            assertThat(x).as("quantile %s", p).isCloseTo(s, within(0.05 * s + 0.01));
        }
    }

    @Test
    void decodeOfExtremeOrInvalidFeaturesNeverThrowsAndStaysInRange() {
        Random rng = new Random(23);
        List<Object> values = skewedDoubles(1000, rng);
        values.add(null);
        QuantileEncoder doubles = Fixtures.quantile("x", "continuous", DOUBLE, values, 100);
        List<Object> ints = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ints.add(rng.nextInt(1000));
        }
        QuantileEncoder integers = Fixtures.quantile("n", "integer", INT, ints, 100);
        List<Object> decimals = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            decimals.add(BigDecimal.valueOf(rng.nextInt(99_999_999) - 50_000_000, 2));
        }
        decimals.add(new BigDecimal("99999999.99"));
        QuantileEncoder dec = Fixtures.quantile("d", "continuous", DECIMAL, decimals, 100);
        double[] extremes = {1e6, -1e6, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 0.0};
        for (double a : extremes) {
            for (double b : extremes) {
                Object x = doubles.decode(new double[]{a, b}, 0, rng);
                if (x != null) {
                    assertThat((Double) x).isBetween(doubles.min(), doubles.max());
                }
                assertThat((Integer) integers.decode(new double[]{a}, 0, rng)).isBetween(0, 999);
                BigDecimal d = (BigDecimal) dec.decode(new double[]{a}, 0, rng);
                assertThat(d.precision()).isLessThanOrEqualTo(10);
                assertThat(d.scale()).isEqualTo(2);
            }
        }
    }

    @Test
    void unseenNullAndOutOfRangeValuesEncodeToFiniteFeatures() {
        List<Object> ints = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ints.add(i);
        }
        QuantileEncoder encoder = Fixtures.quantile("n", "integer", INT, ints, 20);
        double[] z = new double[1];
        Random rng = new Random(25);
        for (Object v : Arrays.asList(null, -1000, 1000, Integer.MAX_VALUE)) {
            encoder.encode(v, z, 0, rng);
            assertThat(z[0]).isFinite().isBetween(-4.8, 4.8);
        }
    }
}
