package io.flowsynth.encode;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The null/NaN/±∞ side channel ({@link ValueStates}) and the rounding and clipping of decoded values
 * ({@link ValueRounding}) that {@link QuantileEncoder} and {@link ModeEncoder} share.
 */
class ValueStatesAndRoundingTest {
    private static final ColumnType INT = ColumnType.of(ColumnType.Base.INT);
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);

    @Test
    void aColumnWithOnlyValuesHasNoSideChannel() {
        ValueStates states = new ValueStates("x", DOUBLE, new long[]{10, 0, 0, 0, 0});
        assertThat(states.hasStates()).isFalse();
        assertThat(states.isValue(1.5)).isTrue();
        assertThat(states.stateSeen(null)).isFalse();
        assertThat(states.stateSeen(Double.NaN)).isFalse();
    }

    @Test
    void everySeenStateRoundTripsAndAnUnseenStateIsEncodedAsAValue() {
        ValueStates states = new ValueStates("x", DOUBLE, new long[]{60, 20, 10, 10, 0});
        assertThat(states.hasStates()).isTrue();
        Random rng = new Random(1);
        Object[] values = {1.0, null, Double.NaN, Double.POSITIVE_INFINITY};
        ValueStates.State[] expected = {ValueStates.State.VALUE, ValueStates.State.NULL, ValueStates.State.NAN,
            ValueStates.State.POSITIVE_INFINITY};
        for (int i = 0; i < values.length; i++) {
            for (int draw = 0; draw < 50; draw++) {
                assertThat(states.decodeState(states.encodeState(values[i], rng))).isEqualTo(expected[i]);
            }
            assertThat(states.stateSeen(values[i])).isTrue();
        }
        assertThat(states.stateSeen(Double.NEGATIVE_INFINITY)).isFalse();
        assertThat(states.decodeState(states.encodeState(Double.NEGATIVE_INFINITY, rng)))
                .isEqualTo(ValueStates.State.VALUE);
        assertThat(ExternalValues.single(DOUBLE, out -> states.special(ValueStates.State.NULL, out, 0))).isNull();
        assertThat((Double) ExternalValues.single(DOUBLE, out -> states.special(ValueStates.State.NAN, out, 0)))
                .isNaN();
        assertThat(ExternalValues.single(DOUBLE, out -> states.special(ValueStates.State.NEGATIVE_INFINITY, out, 0)))
                .isEqualTo(Double.NEGATIVE_INFINITY);
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        states.toJson(json);
        assertThat(json.toString())
                .isEqualTo("{\"stateCounts\":{\"value\":60,\"null\":20,\"nan\":10,\"positive_infinity\":10,"
                        + "\"negative_infinity\":0}}");
        assertThat(ValueStates.countsFromJson(json)).containsExactly(60, 20, 10, 10, 0);
    }

    @Test
    void impossibleCountsAreRefusedNamingTheColumn() {
        assertThatThrownBy(() -> new ValueStates("n", INT, new long[]{5, 0, 1, 0, 0}))
                .hasMessage("Column 'n': NaN/infinity counts on type int");
        assertThatThrownBy(() -> new ValueStates("n", INT, new long[]{0, 5, 0, 0, 0}))
                .hasMessage("Column 'n': need one count per state, with values");
        assertThatThrownBy(() -> new ValueRounding("n", INT, 0, 1, 1, 2))
                .hasMessage("Column 'n': decimals 2 (expected -1, or 0..6 for float and double)");
        assertThatThrownBy(() -> new ValueRounding("n", DOUBLE, 0, 1, Double.POSITIVE_INFINITY, -1))
                .hasMessageStartingWith("Column 'n': unit must be finite");
    }

    @Test
    void decodedNumbersAreRoundedToTheTypeAndClippedToTheBounds() {
        ValueRounding ints = new ValueRounding("n", INT, 0, 10, 1, -1);
        assertThat(ExternalValues.single(INT, out -> ints.valueOf(3.6, out, 0))).isEqualTo(4);
        assertThat(ExternalValues.single(INT, out -> ints.valueOf(12.2, out, 0))).isEqualTo(10);
        assertThat(ExternalValues.single(INT, out -> ints.valueOf(Double.NaN, out, 0))).isEqualTo(0);
        assertThat(ExternalValues.single(INT, out -> ints.emit(7, -0.4, out, 0))).isEqualTo(7);
        ValueRounding cents = new ValueRounding("p", DOUBLE, -5, 5, 0, 2);
        assertThat(cents.resolution()).isEqualTo(0.01);
        assertThat(ExternalValues.single(DOUBLE, out -> cents.valueOf(1.23456, out, 0))).isEqualTo(1.23);
        assertThat(ExternalValues.single(DOUBLE, out -> cents.valueOf(Double.NEGATIVE_INFINITY, out, 0)))
                .isEqualTo(-5.0);
        ColumnType money = ColumnType.decimal(5, 2);
        ValueRounding decimals = new ValueRounding("m", money, -1, 2000, 0.01, -1);
        assertThat(ExternalValues.single(money, out -> decimals.emit(3.14159, 0.0, out, 0)))
                .isEqualTo(new BigDecimal("3.14"));
        assertThat(ExternalValues.single(money, out -> decimals.emit(1500, 0.0, out, 0)))
                .as("within decimal(5,2)").isEqualTo(new BigDecimal("999.99"));
        ValueRounding seconds = new ValueRounding("t", ColumnType.of(ColumnType.Base.TIMESTAMP), 0, 1e7, 1e6, -1);
        assertThat(seconds.resolution()).isEqualTo(1e6);
    }

    @Test
    void aModeEncoderWritesTheModelJsonOfBeforeTheSplitAndReadsItBack() {
        // the exact JSON of the former ModeEncoder (over a two-knot QuantileEncoder), field order included
        GaussianMixture m = new GaussianMixture(new double[]{0.3, 0.7}, new double[]{-5, 10}, new double[]{0.5, 2});
        ModeEncoder e = new ModeEncoder("x", "continuous", DOUBLE, -6.5, 17.25, 0.0, 2, new long[]{90, 5, 3, 2, 0}, m,
                5);
        String json = "{\"column\":\"x\",\"kind\":\"continuous\",\"type\":\"double\",\"unit\":0.0,\"decimals\":2,"
                + "\"stateCounts\":{\"value\":90,\"null\":5,\"nan\":3,\"positive_infinity\":2,\"negative_infinity\":0},"
                + "\"extreme_k\":5,\"encoding\":\"mode\",\"min\":-6.5,\"max\":17.25,\"weights\":[0.3,0.7],"
                + "\"means\":[-5.0,10.0],\"sigmas\":[0.5,2.0]}";
        assertThat(e.toJson().toString()).isEqualTo(json);
        assertThat(ModeEncoder.fromJson(e.toJson()).toJson().toString()).isEqualTo(json);
        ModeEncoder old = new ModeEncoder("n", "integer", INT, 1, 99, 1.0, -1, new long[]{100, 7, 0, 0, 0}, m, -1);
        assertThat(old.toJson().toString()).as("no extreme_k before extreme-value protection")
                .doesNotContain("extreme_k");
        assertThatThrownBy(() -> new ModeEncoder("n", "integer", INT, 5, 1, 1.0, -1, new long[]{1, 0, 0, 0, 0}, m))
                .hasMessageContaining("Column 'n': bounds");
    }
}
