package io.flowsynth.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.error.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    @TempDir
    Path dir;

    private static TrainingState state(int round) {
        return new TrainingState(round, 10, new float[]{round, 2, 3}, new float[]{4, 5, 6, 7, 8, 9},
                new float[]{1, 1, 1}, round - 1, 1.5 - round * 0.01, 0,
                List.of(new RoundMetrics(round, round / 2.0, 2.0, 1.9, 1000, 0.5)), "{\"net\": " + round + "}");
    }

    @Test
    void latestCompleteRoundIsReadBackAndOlderRoundsAreRemoved() {
        Checkpoints c = new Checkpoints(dir.resolve("ck").toString(), "abc", new Configuration());
        assertThat(c.latest()).isNull();
        for (int r = 1; r <= 3; r++) {
            c.write(state(r));
            c.complete(state(r));
        }
        c.write(state(4)); // a crash before complete(): round 4 is incomplete
        TrainingState s = c.latest();
        assertThat(s.round).isEqualTo(3);
        assertThat(s.params).containsExactly(3, 2, 3);
        assertThat(s.updaterState).containsExactly(4, 5, 6, 7, 8, 9);
        assertThat(s.bestRound).isEqualTo(2);
        assertThat(s.history).hasSize(1);
        assertThat(s.networkJson).isEqualTo("{\"net\": 3}");
        assertThat(Files.exists(dir.resolve("ck").resolve("round-000001"))).isFalse();
        assertThat(Files.exists(dir.resolve("ck").resolve("round-000003"))).isTrue();
    }

    @Test
    void aCheckpointOfAnotherInputIsRefused() {
        Checkpoints mine = new Checkpoints(dir.resolve("ck").toString(), "abc", new Configuration());
        mine.write(state(1));
        mine.complete(state(1));
        Checkpoints other = new Checkpoints(dir.resolve("ck").toString(), "xyz", new Configuration());
        assertThatThrownBy(other::latest).isInstanceOf(BadInputException.class).hasMessageContaining("another input");
    }
}
