package io.flowsynth.spark;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Progress lines from inside a task at a bounded rate ({@link TaskProgress}); no Spark session. */
class TaskProgressTest {

    @Test
    void logsOnlyWhenTheIntervalHasPassedSinceTheLastLine() {
        TaskProgress every = new TaskProgress("Round 1, partition 0: local Adam", 5, "steps", 0);
        for (int step = 1; step <= 5; step++) {
            every.advance(step);
        }
        assertThat(every.lines()).as("a zero interval logs every call").isEqualTo(5);
        TaskProgress bounded = new TaskProgress("Round 1, partition 0: local Adam", 1000, "steps");
        for (int step = 1; step <= 1000; step++) {
            bounded.advance(step);
        }
        assertThat(bounded.lines()).as("a loop shorter than the interval logs nothing").isZero();
    }
}
