package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The side channel of a numeric, date or timestamp column's row states {value, null, NaN, +∞, −∞}, shared by
 * {@link QuantileEncoder} and {@link ModeEncoder}: when the column had any state besides values while fitting, one
 * feature ({@code <column>#null}) encodes the state with {@link FrequencyIntervals} over the states seen, in
 * {@link State} order. A state not seen while fitting (e.g. a null in a column fitted without nulls) is encoded as
 * VALUE. Without a second state there is no feature ({@link #hasStates()} is false).
 */
final class ValueStates implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Row states of the side channel, in JSON order. */
    public enum State { VALUE, NULL, NAN, POSITIVE_INFINITY, NEGATIVE_INFINITY }

    private final long[] stateCounts;
    private final State[] presentStates;
    private final FrequencyIntervals states; // null when only VALUE occurs

    /**
     * @param stateCounts rows per {@link State}, in enum order; the VALUE count must be positive, and only float and
     *                    double columns may have NaN or ±∞
     */
    ValueStates(String column, ColumnType type, long[] stateCounts) {
        if (stateCounts.length != State.values().length || stateCounts[0] <= 0) {
            throw new IllegalArgumentException("Column '" + column + "': need one count per state, with values");
        }
        if (!type.isFloatingPoint() && (stateCounts[2] != 0 || stateCounts[3] != 0 || stateCounts[4] != 0)) {
            throw new IllegalArgumentException("Column '" + column + "': NaN/infinity counts on type " + type);
        }
        this.stateCounts = stateCounts.clone();
        List<State> present = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (State s : State.values()) {
            if (stateCounts[s.ordinal()] < 0) {
                throw new IllegalArgumentException("Column '" + column + "': negative count for " + s);
            }
            if (stateCounts[s.ordinal()] > 0) {
                present.add(s);
                counts.add(stateCounts[s.ordinal()]);
            }
        }
        this.presentStates = present.toArray(new State[0]);
        this.states = present.size() > 1
                ? new FrequencyIntervals(counts.stream().mapToLong(Long::longValue).toArray())
                : null;
    }

    /** Rows per {@link State} while fitting, in enum order (copy). */
    long[] stateCounts() {
        return stateCounts.clone();
    }

    /** Whether the column has the state side channel (a second feature). */
    boolean hasStates() {
        return states != null;
    }

    /** The state feature's decoding boundary nearest to z ({@link FrequencyIntervals#nearestEdge}). */
    double nearestStateEdge(double z) {
        return states.nearestEdge(z);
    }

    /** The state feature of a value (any state not seen while fitting is encoded as VALUE). */
    double encodeState(Object value, Random rng) {
        int stateIndex = indexOf(stateOf(value));
        return states.encode(stateIndex >= 0 ? stateIndex : indexOf(State.VALUE), rng);
    }

    /** The state a state feature decodes to. */
    State decodeState(double z) {
        return presentStates[states.decode(z)];
    }

    /** Whether the value's state (value, null, NaN, ±∞) occurred while fitting. */
    boolean stateSeen(Object value) {
        return indexOf(stateOf(value)) >= 0;
    }

    /**
     * The state channel's term of a log-density correction (needs {@link #hasStates()}): ln f_state − ln φ(z) for
     * the state the value was encoded as (an unseen state is encoded as VALUE).
     */
    double stateLogCorrection(Object value, double zState) {
        int stateIndex = indexOf(stateOf(value));
        return states.logCorrection(stateIndex >= 0 ? stateIndex : indexOf(State.VALUE), zState);
    }

    /** Whether {@code value} is a finite value (not null, NaN or ±∞). */
    boolean isValue(Object value) {
        return stateOf(value) == State.VALUE;
    }

    /** The value of a non-VALUE state into a sink: null, or NaN, ±∞ of the column's floating-point type. */
    void special(State state, ValueSink out, int column) {
        switch (state) {
            case NULL -> out.setNull(column);
            case NAN -> out.setDouble(column, Double.NaN);
            case POSITIVE_INFINITY -> out.setDouble(column, Double.POSITIVE_INFINITY);
            case NEGATIVE_INFINITY -> out.setDouble(column, Double.NEGATIVE_INFINITY);
            default -> throw new IllegalArgumentException("not a special state: " + state);
        }
    }

    State stateOf(Object value) {
        if (value == null) {
            return State.NULL;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d)) {
                return State.NAN;
            }
            if (d == Double.POSITIVE_INFINITY) {
                return State.POSITIVE_INFINITY;
            }
            if (d == Double.NEGATIVE_INFINITY) {
                return State.NEGATIVE_INFINITY;
            }
        }
        return State.VALUE;
    }

    private int indexOf(State state) {
        for (int k = 0; k < presentStates.length; k++) {
            if (presentStates[k] == state) {
                return k;
            }
        }
        return -1;
    }

    /** Writes the counts as {@code "stateCounts": {"value": …, "null": …, "nan": …, …}}. */
    void toJson(ObjectNode json) {
        ObjectNode counts = json.putObject("stateCounts");
        for (State s : State.values()) {
            counts.put(s.name().toLowerCase(java.util.Locale.ROOT), stateCounts[s.ordinal()]);
        }
    }

    /** The counts written by {@link #toJson} (0 for a state missing from the JSON). */
    static long[] countsFromJson(JsonNode json) {
        long[] counts = new long[State.values().length];
        for (State s : State.values()) {
            counts[s.ordinal()] = json.path("stateCounts").path(s.name().toLowerCase(java.util.Locale.ROOT)).asLong();
        }
        return counts;
    }
}
