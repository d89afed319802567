package io.flowsynth.spark.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A round's one JSON form (model metadata's training history and a checkpoint's state.json). */
class RoundMetricsTest {
    @Test
    void aRoundRoundTripsThroughItsJsonTextInTheSavedKeyOrder() throws Exception {
        RoundMetrics m = new RoundMetrics(7, 3.5, 12.25, 12.5, 4096.75, 1.125);
        assertThat(m.toJson().toString()).isEqualTo("{\"round\":7,\"epoch\":3.5,\"train_nll\":12.25,"
                + "\"validation_nll\":12.5,\"rows_per_second\":4096.75,\"seconds\":1.125}");
        assertThat(RoundMetrics.fromJson(new ObjectMapper().readTree(m.toJson().toString()))).isEqualTo(m);
    }

    @Test
    void aRoundWithoutValidationKeepsItsNaN() throws Exception {
        RoundMetrics m = new RoundMetrics(1, 0.25, 20.0, Double.NaN, 100.0, 2.0);
        RoundMetrics back = RoundMetrics.fromJson(new ObjectMapper().readTree(m.toJson().toString()));
        assertThat(back.validationNll()).isNaN();
        assertThat(back.round()).isEqualTo(1);
        assertThat(back.trainNll()).isEqualTo(20.0);
    }
}
