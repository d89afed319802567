package io.flowsynth.math;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

class StandardNormalTest {

    @Test
    void cdfMatchesReferenceValuesIncludingTheTails() {
        // references: R's pnorm / mpmath, 16 significant digits
        assertThat(StandardNormal.cdf(0.0)).isEqualTo(0.5);
        assertThat(StandardNormal.cdf(-1.0)).isCloseTo(0.15865525393145707, within(1e-15));
        assertThat(StandardNormal.cdf(1.96)).isCloseTo(0.9750021048517795, within(1e-15));
        assertThat(StandardNormal.cdf(-5.0)).isCloseTo(2.866515718791939e-07, withPercentage(1e-10));
        assertThat(StandardNormal.cdf(-10.0)).isCloseTo(7.619853024160527e-24, withPercentage(1e-9));
        assertThat(StandardNormal.cdf(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
        assertThat(StandardNormal.cdf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    }

    @Test
    void tableCdfStaysWithinItsStatedErrorOfErfcAndIsMonotone() {
        double previous = 0.0;
        double worstAbsolute = 0.0;
        double worstRelative = 0.0;
        for (int i = -120_000; i <= 120_000; i++) {
            double x = i * 1e-4 + 0.3e-5; // off the table's knots
            double exact = StandardNormal.erfcCdf(x);
            double fast = StandardNormal.cdf(x);
            worstAbsolute = Math.max(worstAbsolute, Math.abs(fast - exact));
            if (x < 0) {
                worstRelative = Math.max(worstRelative, Math.abs(fast - exact) / exact);
            }
            assertThat(fast).as("x = %s", x).isGreaterThanOrEqualTo(previous);
            previous = fast;
        }
        assertThat(worstAbsolute).isLessThan(1e-15);
        assertThat(worstRelative).isLessThan(1e-13);
        assertThat(StandardNormal.cdf(-9.0)).isEqualTo(StandardNormal.erfcCdf(-9.0));
        assertThat(StandardNormal.cdf(Double.NaN)).isNaN();
    }

    @Test
    void inverseCdfMatchesReferenceValues() {
        assertThat(StandardNormal.inverseCdf(0.5)).isCloseTo(0.0, within(1e-15));
        assertThat(StandardNormal.inverseCdf(0.975)).isCloseTo(1.959963984540054, within(1e-13));
        assertThat(StandardNormal.inverseCdf(0.025)).isCloseTo(-1.959963984540054, within(1e-13));
        assertThat(StandardNormal.inverseCdf(1e-6)).isCloseTo(-4.753424308822899, within(1e-12));
        assertThat(StandardNormal.inverseCdf(1 - 1e-6)).isCloseTo(4.753424308822899, within(1e-9));
        assertThat(StandardNormal.inverseCdf(1e-20)).isCloseTo(-9.262340089798408, within(1e-10));
        assertThat(StandardNormal.inverseCdf(0.0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(StandardNormal.inverseCdf(1.0)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void inverseCdfUndoesCdfFromTheDeepTailToTheCentre() {
        for (double p = 1e-300; p < 0.5; p *= 1.7) {
            double z = StandardNormal.inverseCdf(p);
            assertThat(StandardNormal.cdf(z)).as("p = %s", p).isCloseTo(p, withPercentage(1e-10));
        }
        for (double p = 0.001; p < 1.0; p += 0.001) {
            assertThat(StandardNormal.cdf(StandardNormal.inverseCdf(p))).isCloseTo(p, within(1e-15));
        }
    }

    @Test
    void inverseCdfIsAntisymmetric() {
        for (double p = 1e-6; p < 0.5; p *= 3) {
            assertThat(StandardNormal.inverseCdf(1 - p)).isCloseTo(-StandardNormal.inverseCdf(p), within(1e-9));
        }
    }

    @Test
    void inverseCdfRejectsProbabilitiesOutsideTheUnitInterval() {
        assertThatThrownBy(() -> StandardNormal.inverseCdf(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StandardNormal.inverseCdf(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
