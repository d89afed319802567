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
        // a wide table's conditioners grow with its features only from 10,000 rows
        assertThat(AutoSizing.hiddenFeatures(0, 2_331, 97)).isEqualTo(64);
        assertThat(AutoSizing.hiddenFeatures(0, 400, 300)).isEqualTo(32);
        assertThat(AutoSizing.hiddenFeatures(0, 10_000, 97)).isEqualTo(128);
        assertThat(AutoSizing.hiddenFeatures(0, 1_000_000, 1_000)).isEqualTo(256);
        assertThat(AutoSizing.layers(2, 1_000_000)).isEqualTo(2);
    }

    @Test
    void autoLocalStepsAreAboutOnePassPerRoundWithinBounds() {
        // small tables: one pass over a partition's rows, at least 5 steps
        assertThat(AutoSizing.localSteps(0, 234, 2, 512, 0, 3000)).isEqualTo(5);
        assertThat(AutoSizing.localSteps(0, 12_000, 2, 512, 0, 3000)).isEqualTo(12);
        assertThat(AutoSizing.localSteps(0, 40_000, 2, 512, 0, 3000)).isEqualTo(40);
        // an explicit value always wins
        assertThat(AutoSizing.localSteps(7, 10_000_000, 8, 512, 0, 3000)).isEqualTo(7);
        assertThat(AutoSizing.localSteps(7, 100, 1, 512, 0, 3000)).isEqualTo(7);
    }

    @Test
    void largeTablesGetRoundsOfAFixedAmountOfWorkCappedByTheBudget() {
        // 65,536 rows per partition per round = 128 steps of 512, but a 3,000-step budget keeps 30 rounds: 100 steps
        assertThat(AutoSizing.localSteps(0, 180_000, 2, 512, 0, 3000)).isEqualTo(100);
        assertThat(AutoSizing.localSteps(0, 10_000_000, 8, 512, 0, 3000)).isEqualTo(100);
        // a larger budget lets the round reach the full 65,536 rows per partition
        assertThat(AutoSizing.localSteps(0, 10_000_000, 8, 512, 0, 100_000)).isEqualTo(128);
        assertThat(AutoSizing.localSteps(0, 10_000_000, 8, 2048, 0, 100_000)).isEqualTo(32);
        // the rows per round, not the steps, are what the rule fixes: larger batches, fewer steps (at least 25)
        assertThat(AutoSizing.localSteps(0, 10_000_000, 8, 4096, 0, 100_000)).isEqualTo(25);
        // a short budget never makes rounds shorter than the former 25-step ones ...
        assertThat(AutoSizing.localSteps(0, 180_000, 2, 512, 0, 200)).isEqualTo(25);
        // ... and a 1,500-step budget affords 30 rounds of 50 steps
        assertThat(AutoSizing.localSteps(0, 180_000, 2, 512, 0, 1500)).isEqualTo(50);
        // an epoch budget counts its passes: 2 epochs of 176 steps per partition = 352 steps, 30 rounds of 11: 25
        assertThat(AutoSizing.localSteps(0, 180_000, 2, 512, 2, 3000)).isEqualTo(25);
        assertThat(AutoSizing.localSteps(0, 180_000, 2, 512, 20, 3000)).isEqualTo(117);
        // the round never holds more than one pass over a partition's rows
        assertThat(AutoSizing.localSteps(0, 50_000, 2, 512, 0, 3000)).isEqualTo(49);
    }

    @Test
    void autoRoundValidationScoresAnEighthOfTheRowsTrainedPerRoundAndAtLeast10000() {
        // 2 partitions x 100 steps x 512 rows = 102,400 trained rows per round: 12,800 validation rows
        assertThat(AutoSizing.roundValidationRows(0, 2, 100, 512)).isEqualTo(12_800);
        assertThat(AutoSizing.roundValidationRows(0, 8, 128, 512)).isEqualTo(65_536);
        // short rounds still score 10,000 rows (or all of them)
        assertThat(AutoSizing.roundValidationRows(0, 2, 5, 512)).isEqualTo(10_000);
        assertThat(AutoSizing.roundValidationRows(4_000, 2, 100, 512)).isEqualTo(4_000);
        // the stride: all rows when there are no more than that, else every k-th with k = ceil(rows / cap)
        assertThat(AutoSizing.validationStride(20_000, 25_600)).isEqualTo(1);
        assertThat(AutoSizing.validationStride(25_600, 25_600)).isEqualTo(1);
        assertThat(AutoSizing.validationStride(50_000, 25_600)).isEqualTo(2);
        assertThat(AutoSizing.validationStride(50_000, 10_000)).isEqualTo(5);
        assertThat(AutoSizing.validationStride(50_001, 10_000)).isEqualTo(6);
        assertThat(AutoSizing.validationStride(50_000, 0)).isEqualTo(1);
    }

    @Test
    void autoLocalStepsKeepThePatienceInSteps() {
        assertThat(AutoSizing.patience(8, 0, 5)).isEqualTo(40);
        assertThat(AutoSizing.patience(8, 0, 25)).isEqualTo(8);
        assertThat(AutoSizing.patience(8, 5, 5)).isEqualTo(8);
        assertThat(AutoSizing.patience(0, 0, 5)).isZero();
        // long rounds: 8 rounds of 25 steps are 2 rounds of 100
        assertThat(AutoSizing.patience(8, 0, 100)).isEqualTo(2);
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
