package io.flowsynth.spark.train;

import io.flowsynth.config.ConfigKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The calibration's rows: the configured count on narrow tables, capped by rows × features on wide ones. */
class CalibrationRowsTest {
    private static final int ROWS = ConfigKeys.TRAIN_CALIBRATION_ROWS_DEFAULT;
    private static final long CAP = ConfigKeys.TRAIN_CALIBRATION_MAX_VALUES_DEFAULT;

    @Test
    void narrowTablesKeepTheConfiguredRows() {
        assertThat(CalibrationFit.rows(ROWS, 1, CAP)).isEqualTo(200_000);
        assertThat(CalibrationFit.rows(ROWS, 125, CAP)).isEqualTo(200_000);
        assertThat(CalibrationFit.rows(500, 1_000, CAP)).isEqualTo(500);
    }

    @Test
    void wideTablesAreCappedByRowsTimesFeaturesButKeepAFloor() {
        assertThat(CalibrationFit.rows(ROWS, 126, CAP)).isEqualTo(198_412);
        assertThat(CalibrationFit.rows(ROWS, 1_000, CAP)).isEqualTo(25_000);
        assertThat((long) CalibrationFit.rows(ROWS, 1_200, CAP) * 1_200).isLessThanOrEqualTo(CAP);
        assertThat(CalibrationFit.rows(ROWS, 1_000_000, CAP)).isEqualTo(CalibrationFit.MIN_ROWS);
    }

    @Test
    void anAutoregressiveFlowDrawsAtMostTheSlowFlowCap() {
        assertThat(CalibrationFit.flowRows(ROWS, false, 2_000)).isEqualTo(200_000);
        assertThat(CalibrationFit.flowRows(1, false, 2_000)).isEqualTo(2);
        // MAF: 4 draws per data row, at least 10,000, at most 50,000, never more than configured
        assertThat(CalibrationFit.flowRows(ROWS, true, 2_097)).isEqualTo(10_000);
        assertThat(CalibrationFit.flowRows(ROWS, true, 5_000)).isEqualTo(20_000);
        assertThat(CalibrationFit.flowRows(ROWS, true, 200_000)).isEqualTo(CalibrationFit.SLOW_FLOW_ROWS);
        assertThat(CalibrationFit.flowRows(3_000, true, 200_000)).isEqualTo(3_000);
    }
}
