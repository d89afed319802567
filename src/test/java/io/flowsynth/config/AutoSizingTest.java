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
        assertThat(c.train().batchSize()).isZero();
    }

    @Test
    void autoBatchIs512ButGivesAnEpochAtLeast100Steps() {
        // steps budget: always 512
        assertThat(AutoSizing.batchSize(0, 0, 9_000, 2)).isEqualTo(512);
        // one epoch of 9,000 rows on 2 partitions: 45-row batches, 100 steps
        assertThat(AutoSizing.batchSize(0, 1, 9_000, 2)).isEqualTo(45);
        assertThat(Math.ceil(9_000 / 2.0 / AutoSizing.batchSize(0, 1, 9_000, 2))).isGreaterThanOrEqualTo(100);
        // large tables keep 512; tiny ones do not go below 32
        assertThat(AutoSizing.batchSize(0, 1, 10_000_000, 8)).isEqualTo(512);
        assertThat(AutoSizing.batchSize(0, 3, 500, 2)).isEqualTo(32);
        // an explicit batch always wins
        assertThat(AutoSizing.batchSize(256, 1, 9_000, 2)).isEqualTo(256);
        assertThat(AutoSizing.batchSize(1024, 0, 9_000, 2)).isEqualTo(1024);
    }
}
