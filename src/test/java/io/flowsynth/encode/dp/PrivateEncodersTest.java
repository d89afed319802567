package io.flowsynth.encode.dp;

import io.flowsynth.encode.ColumnType;
import io.flowsynth.error.BadInputException;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Spark-free parts of the DP encoder fit: bounds settings and the knot count. */
class PrivateEncodersTest {

    @Test
    void boundsAreParsedWithTheColumnsType() {
        assertThat(PrivateEncoders.parseBounds("x", ColumnType.of(ColumnType.Base.DOUBLE), " -1.5, 2e3"))
                .containsExactly(-1.5, 2000.0);
        assertThat(PrivateEncoders.parseBounds("d", ColumnType.of(ColumnType.Base.DATE), "2020-01-01,2020-12-31"))
                .containsExactly(LocalDate.of(2020, 1, 1).toEpochDay(), LocalDate.of(2020, 12, 31).toEpochDay());
        assertThat(PrivateEncoders.parseBounds("t", ColumnType.of(ColumnType.Base.TIMESTAMP),
                "1970-01-01, 1970-01-01 00:00:01.5")).containsExactly(0.0, 1_500_000.0);
        assertThat(PrivateEncoders.parseBounds("t", ColumnType.of(ColumnType.Base.TIMESTAMP),
                "1970-01-02T00:00:00Z,1970-01-03")).containsExactly(86_400e6, 2 * 86_400e6);
    }

    @Test
    void badBoundsNameTheColumnAndTheValue() {
        assertThatThrownBy(() -> PrivateEncoders.parseBounds("age", ColumnType.of(ColumnType.Base.INT), "0,old"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Configuration flowsynth.columns.age.bounds: 'old' is not a finite number for column "
                        + "'age' of type int");
        assertThatThrownBy(() -> PrivateEncoders.parseBounds("age", ColumnType.of(ColumnType.Base.INT), "5"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("expected lo,hi, got '5'");
        assertThatThrownBy(() -> PrivateEncoders.parseBounds("age", ColumnType.of(ColumnType.Base.INT), "9,1"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("lo must be below hi");
        assertThatThrownBy(() -> PrivateEncoders.parseBounds("d", ColumnType.of(ColumnType.Base.DATE), "2020-13-01,x"))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'2020-13-01' is not a date");
    }

    @Test
    void theKnotCountGrowsWithRowsAndBudget() {
        assertThat(PrivateEncoders.knotCount(33, 3_000, 0.03)).isEqualTo(2);
        int mid = PrivateEncoders.knotCount(33, 100_000, 0.03);
        assertThat(mid).isBetween(3, 32);
        assertThat(PrivateEncoders.knotCount(33, 10_000_000, 0.03)).isEqualTo(33);
        assertThat(PrivateEncoders.knotCount(33, 1_000_000, 0.03)).isGreaterThanOrEqualTo(mid);
    }
}
