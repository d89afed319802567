package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The outcome of one privacy attack, after Anonymeter (Giomi et al., "A Unified Framework for Quantifying Privacy
 * Risk in Synthetic Data", PoPETs 2023): the attack's successes on training rows (targets the model was fitted on),
 * on control rows (real rows it never saw) and of the baseline (the same attack with random guesses, on the training
 * targets). Success rates are Wilson score estimates with their 95 % half-widths; the risk is
 * <pre>risk = (success_train − success_control) / (1 − success_control)</pre>
 * (the share of the attacker's success on training rows that comes from the model having seen them, beyond what
 * the synthetic data teaches about the population), its error propagated from both half-widths as Anonymeter does,
 * reported clipped to [0, 1] with its interval.
 */
public record AttackRisk(long trainSuccesses, long trainTargets, long controlSuccesses, long controlTargets,
                         long baselineSuccesses, long baselineTargets) {
    /** z of a two-sided 95 % interval. */
    public static final double Z95 = 1.959963984540054;

    /** A success rate as Anonymeter reports it: the Wilson score centre and its 95 % half-width. */
    public record Rate(double value, double error) {
        public double low() {
            return Math.max(0, value - error);
        }

        public double high() {
            return Math.min(1, value + error);
        }
    }

    /** Wilson score interval of {@code successes} out of {@code total} at 95 %: centre and half-width (NaN, NaN for 0). */
    public static Rate wilson(long successes, long total) {
        if (total <= 0) {
            return new Rate(Double.NaN, Double.NaN);
        }
        double n = total;
        double p = successes / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
        return new Rate(centre, half);
    }

    public Rate train() {
        return wilson(trainSuccesses, trainTargets);
    }

    public Rate control() {
        return wilson(controlSuccesses, controlTargets);
    }

    public Rate baseline() {
        return wilson(baselineSuccesses, baselineTargets);
    }

    /** The risk estimate (unclipped) and its 95 % half-width; NaN, NaN when undefined (no targets, control rate 1). */
    private double[] estimate() {
        Rate t = train();
        Rate c = control();
        if (Double.isNaN(t.value()) || Double.isNaN(c.value()) || c.value() >= 1) {
            return new double[]{Double.NaN, Double.NaN};
        }
        double d = 1 - c.value();
        double risk = (t.value() - c.value()) / d;
        // ∂r/∂t = 1/d, ∂r/∂c = (t − 1)/d²
        double error = Math.sqrt(Math.pow(t.error() / d, 2) + Math.pow((1 - t.value()) * c.error() / (d * d), 2));
        return new double[]{risk, error};
    }

    /** The risk clipped to [0, 1] (NaN if undefined). */
    public double risk() {
        double r = estimate()[0];
        return Double.isNaN(r) ? r : Math.max(0, Math.min(1, r));
    }

    /** The lower end of the risk's 95 % interval, clipped to [0, 1] (NaN if undefined): what the verdict compares. */
    public double riskLow() {
        double[] e = estimate();
        return Double.isNaN(e[0]) ? Double.NaN : Math.max(0, Math.min(1, e[0] - e[1]));
    }

    /** The upper end of the risk's 95 % interval, clipped to [0, 1] (NaN if undefined). */
    public double riskHigh() {
        double[] e = estimate();
        return Double.isNaN(e[0]) ? Double.NaN : Math.max(0, Math.min(1, e[0] + e[1]));
    }

    /**
     * JSON: {@code targets_train}, {@code successes_train}, {@code success_train} and {@code success_train_interval}
     * [low, high], the same for {@code control} and {@code baseline}, {@code risk} and {@code risk_interval}, and
     * {@code better_than_baseline} (the attack on training rows beats random guessing beyond the intervals: when
     * false, the attack is too weak for its risk to mean much, as Anonymeter warns).
     */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        putSide(o, "train", trainSuccesses, trainTargets, train());
        putSide(o, "control", controlSuccesses, controlTargets, control());
        putSide(o, "baseline", baselineSuccesses, baselineTargets, baseline());
        number(o, "risk", risk());
        ArrayNode interval = o.putArray("risk_interval");
        number(interval, riskLow());
        number(interval, riskHigh());
        o.put("better_than_baseline", train().low() > baseline().high());
        return o;
    }

    private static void putSide(ObjectNode o, String side, long successes, long targets, Rate rate) {
        o.put("targets_" + side, targets);
        o.put("successes_" + side, successes);
        number(o, "success_" + side, rate.value());
        ArrayNode interval = o.putArray("success_" + side + "_interval");
        number(interval, rate.low());
        number(interval, rate.high());
    }

    private static void number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }

    private static void number(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
    }
}
