package io.flowsynth.spark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One averaging round as logged and kept in the model's metadata. NLLs are in nats per row of encoded features
 * (−log p of the flow, including the (D/2)·ln 2π constant); the validation NLL is that of the parameters the
 * round started from.
 */
public record RoundMetrics(int round, double epoch, double trainNll, double validationNll, double rowsPerSecond,
                           double seconds) {
    /**
     * The round's one JSON form, in the model's {@code training.history} and a checkpoint's {@code state.json}:
     * {@code round}, {@code epoch}, {@code train_nll}, {@code validation_nll}, {@code rows_per_second},
     * {@code seconds}, in this order.
     */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("round", round);
        o.put("epoch", epoch);
        o.put("train_nll", trainNll);
        o.put("validation_nll", validationNll);
        o.put("rows_per_second", rowsPerSecond);
        o.put("seconds", seconds);
        return o;
    }

    /** The round of {@link #toJson}'s form; a missing validation NLL (a round without validation) reads as NaN. */
    public static RoundMetrics fromJson(JsonNode o) {
        return new RoundMetrics(o.get("round").asInt(), o.get("epoch").asDouble(), o.get("train_nll").asDouble(),
                o.get("validation_nll").asDouble(Double.NaN), o.get("rows_per_second").asDouble(),
                o.get("seconds").asDouble());
    }
}
