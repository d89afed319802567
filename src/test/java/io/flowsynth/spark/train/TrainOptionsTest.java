package io.flowsynth.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.config.ConfigKeys;
import org.junit.jupiter.api.Test;

class TrainOptionsTest {
    private static final TrainOptions.Dl4jSettings DL4J = new TrainOptions.Dl4jSettings(25, 0, true, "never", "/tmp/x");

    private static TrainOptions options(int epochs, long steps, int localSteps) {
        return new TrainOptions(epochs, 512, 1e-3, 0.1, localSteps, 5, 0, 1, DL4J, steps, 0, 0);
    }

    @Test
    void aStepBudgetGivesTheSameRoundsWhateverTheTableSize() {
        assertThat(options(0, 3000, 25).totalRounds(1)).isEqualTo(120);
        assertThat(options(0, 3000, 25).totalRounds(400)).isEqualTo(120);
        assertThat(options(0, 3010, 25).totalRounds(1)).isEqualTo(121);
        assertThat(options(0, 3, 25).totalRounds(1)).isEqualTo(1);
    }

    @Test
    void anExplicitEpochCountKeepsTheEpochBudget() {
        assertThat(options(20, 3000, 25).totalRounds(1)).isEqualTo(20);
        assertThat(options(20, 3000, 25).totalRounds(7)).isEqualTo(140);
        assertThat(new TrainOptions(3, 512, 1e-3, 0.1, 25, 5, 0, 1, DL4J).totalRounds(2)).isEqualTo(6);
    }

    @Test
    void theDefaultBudgetIsStepsWithAPlateauRuleAndNoWallTimeBound() {
        assertThat(ConfigKeys.TRAIN_EPOCHS_DEFAULT).isZero();
        assertThat(ConfigKeys.TRAIN_STEPS_DEFAULT).isPositive();
        assertThat(ConfigKeys.TRAIN_PATIENCE_DEFAULT).isPositive();
        assertThat(ConfigKeys.TRAIN_MAX_MINUTES_DEFAULT).isZero();
    }

    @Test
    void anEmptyBudgetIsRefused() {
        assertThatThrownBy(() -> options(0, 0, 25)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("steps");
        assertThatThrownBy(() -> options(-1, 10, 25)).isInstanceOf(IllegalArgumentException.class);
    }
}
