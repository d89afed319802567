package io.flowsynth.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AutoSizingTest {
    @Test
    void smallTablesGetTheSmallNetworkAndExplicitValuesWin() {
        assertThat(AutoSizing.hiddenFeatures(0, 266, 16)).isEqualTo(32);
        assertThat(AutoSizing.layers(0, 266)).isEqualTo(4);
        assertThat(AutoSizing.hiddenFeatures(0, 3_554, 16)).isEqualTo(64);
        assertThat(AutoSizing.layers(0, 3_554)).isEqualTo(6);
        assertThat(AutoSizing.hiddenFeatures(128, 266, 16)).isEqualTo(128);
        assertThat(AutoSizing.layers(2, 1_000_000)).isEqualTo(2);
    }

    @Test
    void autoLocalStepsAreAboutOnePassPerRoundWithinBounds() {
        assertThat(AutoSizing.localSteps(0, 234, 2, 512)).isEqualTo(5);
        assertThat(AutoSizing.localSteps(0, 12_000, 2, 512)).isEqualTo(12);
        assertThat(AutoSizing.localSteps(0, 40_000, 2, 512)).isEqualTo(25);
        assertThat(AutoSizing.localSteps(0, 10_000_000, 8, 512)).isEqualTo(25);
        assertThat(AutoSizing.localSteps(7, 10_000_000, 8, 512)).isEqualTo(7);
    }

    @Test
    void autoLocalStepsKeepThePatienceInSteps() {
        assertThat(AutoSizing.patience(8, 0, 5)).isEqualTo(40);
        assertThat(AutoSizing.patience(8, 0, 25)).isEqualTo(8);
        assertThat(AutoSizing.patience(8, 5, 5)).isEqualTo(8);
        assertThat(AutoSizing.patience(0, 0, 5)).isZero();
    }

    @Test
    void theDefaultsAreAutoAndAutoIsAValidValue() {
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null, Map.of());
        assertThat(c.flow().hiddenFeatures()).isZero();
        assertThat(c.flow().hiddenFeaturesAuto()).isTrue();
        assertThat(c.flow().layers()).isZero();
        assertThat(c.train().localSteps()).isZero();
    }
}
