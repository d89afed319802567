package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.flowsynth.math.StandardNormal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mode-specific normalisation of a numeric, date or timestamp column, after CTGAN (Xu et al., "Modeling Tabular Data
 * using Conditional GAN", NeurIPS 2019): a {@link GaussianMixture} of K modes is fitted to the column; a value x is
 * assigned a mode k drawn with probability ∝ π_k N(x; μ_k, σ_k²) and represented by the pair
 * (α, k) with α = (x − μ_k)/σ_k (clamped to ±4.753). Unlike CTGAN's one-hot mode vector, k is a dequantized
 * {@link FrequencyIntervals} feature with interval widths π_k, so both features are continuous and close to standard
 * normal, as a flow needs. Decoding: k from the mode feature, x = μ_k + σ_k α, then rounding and clipping to the
 * bounds [min, max] (the protected bounds of extreme-value protection, or the observed range of older models; values
 * beyond them encode as the bounds) exactly as {@link QuantileEncoder} does (integers, dates, timestamps to their unit, decimals to
 * their scale, floats and doubles to their learned decimals). With K = 1 there is no mode feature.
 *
 * <p>Features: {@code <column>} (α), {@code <column>#mode} (when K ≥ 2), {@code <column>#null} (when the column had
 * nulls, NaN or ±∞: the same side channel as {@link QuantileEncoder}, {@link ValueStates}). Rounding and clipping:
 * {@link ValueRounding}, as in {@link QuantileEncoder}.
 */
public final class ModeEncoder implements ColumnEncoder {
    private static final long serialVersionUID = 1L;
    private static final double MAX_ALPHA = 4.753;

    private final String column;
    private final String kind;
    private final ColumnType type;
    /** Rounding and clipping of decoded values to the source type and [min, max]. */
    private final ValueRounding rounding;
    /** The null/NaN/±∞ side channel. */
    private final ValueStates valueStates;
    /** Extremes withheld at each end while fitting, −1 for models saved before that protection. */
    private final int extremeK;
    private final GaussianMixture mixture;
    private final FrequencyIntervals modes; // null when K = 1

    public ModeEncoder(String column, String kind, ColumnType type, double min, double max, double unit, int decimals,
                       long[] stateCounts, GaussianMixture mixture) {
        this(column, kind, type, min, max, unit, decimals, stateCounts, mixture, -1);
    }

    /**
     * @param min      lower bound of the decoded values (the protected bound when {@code extremeK} &gt; 0)
     * @param max      upper bound of the decoded values
     * @param extremeK extremes withheld at each end while fitting, −1 for models saved before that protection
     */
    public ModeEncoder(String column, String kind, ColumnType type, double min, double max, double unit, int decimals,
                       long[] stateCounts, GaussianMixture mixture, int extremeK) {
        this.column = QuantileEncoder.requireColumn(column);
        QuantileEncoder.checkKindAndType(column, kind, type);
        if (!Double.isFinite(min) || !Double.isFinite(max) || max < min) {
            throw new IllegalArgumentException("Column '" + column + "': bounds must be finite with min ≤ max, got ["
                    + min + ", " + max + "]");
        }
        if (extremeK < -1) {
            throw new IllegalArgumentException("Column '" + column + "': extreme k must be ≥ 0 (or −1), got " + extremeK);
        }
        this.kind = kind;
        this.type = type;
        this.rounding = new ValueRounding(column, type, min, max, unit, decimals);
        this.valueStates = new ValueStates(column, type, stateCounts);
        this.extremeK = extremeK;
        this.mixture = mixture;
        if (mixture.size() > 1) {
            long[] counts = new long[mixture.size()];
            for (int k = 0; k < counts.length; k++) {
                counts[k] = Math.max(1, Math.round(mixture.weight(k) * 1e12));
            }
            this.modes = new FrequencyIntervals(counts);
        } else {
            this.modes = null;
        }
    }

    @Override
    public String column() {
        return column;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public ColumnType type() {
        return type;
    }

    public GaussianMixture mixture() {
        return mixture;
    }

    public double min() {
        return rounding.min();
    }

    public double max() {
        return rounding.max();
    }

    public int decimals() {
        return rounding.decimals();
    }

    @Override
    public int width() {
        return 1 + (modes != null ? 1 : 0) + (valueStates.hasStates() ? 1 : 0);
    }

    @Override
    public List<String> featureNames() {
        List<String> names = new ArrayList<>();
        names.add(column());
        if (modes != null) {
            names.add(column() + "#mode");
        }
        if (valueStates.hasStates()) {
            names.add(column() + "#null");
        }
        return names;
    }

    /** The mode and state features' boundaries; the value feature α is continuous. */
    @Override
    public java.util.function.DoubleUnaryOperator decodeEdges(int feature) {
        if (feature == 1 && modes != null) {
            return modes::nearestEdge;
        }
        if (feature == stateOffset() && valueStates.hasStates()) {
            return valueStates::nearestStateEdge;
        }
        return null;
    }

    private int stateOffset() {
        return modes != null ? 2 : 1;
    }

    @Override
    public void encode(Object value, double[] out, int offset, Random rng) {
        if (valueStates.hasStates()) {
            out[offset + stateOffset()] = valueStates.encodeState(value, rng);
        }
        if (!valueStates.isValue(value)) {
            out[offset] = rng.nextGaussian();
            if (modes != null) {
                out[offset + 1] = rng.nextGaussian();
            }
            return;
        }
        double x;
        try {
            x = ColumnValues.toDouble(type(), value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Column '" + column() + "': " + e.getMessage(), e);
        }
        if ((x < min() || x > max()) && extremeK >= 0 && max() > min()) {
            // a withheld extreme: a random point of the outer 1 % of the range, so the withheld rows form no point
            // mass at the bound (models saved before extreme-value protection clamp)
            double w = QuantileEncoder.OUTSIDE_SPREAD * (max() - min()) * rng.nextDouble();
            x = x > max() ? max() - w : min() + w;
        }
        x = Math.max(min(), Math.min(max(), x));
        if (rounding.unit() > 0) {
            x += (rng.nextDouble() - 0.5) * QuantileEncoder.JITTER * rounding.unit();
        }
        int k = pickMode(x, rng);
        double alpha = (x - mixture.mean(k)) / mixture.sigma(k);
        out[offset] = Math.max(-MAX_ALPHA, Math.min(MAX_ALPHA, alpha));
        if (modes != null) {
            out[offset + 1] = modes.encode(k, rng);
        }
    }

    /** A mode drawn with probability ∝ π_k N(x; μ_k, σ_k²); the nearest mode when every density underflows. */
    private int pickMode(double x, Random rng) {
        int n = mixture.size();
        if (n == 1) {
            return 0;
        }
        double[] p = new double[n];
        double total = 0;
        int nearest = 0;
        double nearestT = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            double t = (x - mixture.mean(k)) / mixture.sigma(k);
            p[k] = mixture.weight(k) * StandardNormal.density(t) / mixture.sigma(k);
            total += p[k];
            if (Math.abs(t) < nearestT) {
                nearestT = Math.abs(t);
                nearest = k;
            }
        }
        if (!(total > 0)) {
            return nearest;
        }
        double u = rng.nextDouble() * total;
        for (int k = 0; k < n; k++) {
            u -= p[k];
            if (u < 0) {
                return k;
            }
        }
        return n - 1;
    }

    @Override
    public Object decode(double[] z, int offset, Random rng) {
        return ExternalValues.single(type(), out -> decodeInto(z, offset, rng, out, 0));
    }

    @Override
    public void decodeInto(double[] z, int offset, Random rng, ValueSink out, int column) {
        if (valueStates.hasStates()) {
            ValueStates.State state = valueStates.decodeState(z[offset + stateOffset()]);
            if (state != ValueStates.State.VALUE) {
                valueStates.special(state, out, column);
                return;
            }
        }
        int k = modes != null ? modes.decode(z[offset + 1]) : 0;
        double alpha = Double.isNaN(z[offset]) ? 0.0 : z[offset];
        rounding.valueOf(mixture.mean(k) + mixture.sigma(k) * alpha, out, column);
    }

    @Override
    public boolean decodesWithoutRandomness() {
        return true;
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode json = jsonHeader();
        json.put("unit", rounding.unit());
        json.put("decimals", rounding.decimals());
        valueStates.toJson(json);
        if (extremeK >= 0) {
            json.put("extreme_k", extremeK);
        }
        json.put("encoding", "mode");
        json.put("min", min());
        json.put("max", max());
        ArrayNode weights = json.putArray("weights");
        ArrayNode means = json.putArray("means");
        ArrayNode sigmas = json.putArray("sigmas");
        for (int k = 0; k < mixture.size(); k++) {
            weights.add(mixture.weight(k));
            means.add(mixture.mean(k));
            sigmas.add(mixture.sigma(k));
        }
        return json;
    }

    static ModeEncoder fromJson(JsonNode json) {
        double min = json.path("min").asDouble();
        double max = json.path("max").asDouble();
        GaussianMixture m = new GaussianMixture(QuantileEncoder.doubles(json.path("weights")),
                QuantileEncoder.doubles(json.path("means")), QuantileEncoder.doubles(json.path("sigmas")));
        return new ModeEncoder(json.path("column").asText(), json.path("kind").asText(),
                ColumnType.parse(json.path("type").asText()), min, max, json.path("unit").asDouble(),
                json.path("decimals").asInt(-1), ValueStates.countsFromJson(json), m, json.path("extreme_k").asInt(-1));
    }

    /**
     * The change of variables of one value (see {@link ColumnEncoder#logDensityCorrection}). The model's density of a
     * value x is the mixture over the modes, p(x) = Σ_k P(k, α_k(x)) / σ_k with α_k(x) = (x − μ_k)/σ_k, where P(k, α)
     * is the flow's joint density of α with the mode feature m integrated over mode k's interval I_k. The mode
     * indicator is handled by <em>dequantization</em>, as for categories: the encoder draws k from the mixture's
     * responsibilities r(k | x) = π_k N(x; μ_k, σ_k²) / Σ_j π_j N(x; μ_j, σ_j²) and m uniformly (in Φ-space) on I_k
     * (of width π_k), which gives the bound
     * <pre>  ln p(x) ≥ ln p_flow(α_k, m) − ln σ_k + ln π_k − ln φ(m) − ln r(k | x)</pre>
     * evaluated at the encoder's own draw (k, m): this method returns everything but ln p_flow. The bound is tight
     * (equal for every draw) when the flow's mode feature is exactly as the encoder spreads it: with the identity flow
     * (features i.i.d. N(0, 1)) it equals ln Σ_k π_k N(x; μ_k, σ_k²), the fitted mixture itself. Further terms, as in
     * {@link QuantileEncoder#logDensityCorrection}: the state channel's ln f_state − ln φ(z_state) when the column had
     * nulls, NaN or ±∞; a non-value row's value features are standard normal noise (−ln φ(α) − ln φ(m)); types with a
     * unit (integers, dates, timestamps, decimals) add ln(0.9 · unit) (the jitter's uniform density), so the result
     * is a log-probability of the value; a value beyond the bounds (a withheld extreme) or an unseen state adds
     * {@link #OUT_OF_DOMAIN_LOG_PROB}. x is read back from the features (x = μ_k + σ_k α, the jittered value), so a
     * value more than 4.753 σ_k from its drawn mode (α clamped, as the flow was trained) is scored at the clamp.
     */
    @Override
    public double logDensityCorrection(Object value, double[] features, int offset) {
        double c = valueStates.stateSeen(value) ? 0.0 : OUT_OF_DOMAIN_LOG_PROB;
        if (valueStates.hasStates()) {
            c += valueStates.stateLogCorrection(value, features[offset + stateOffset()]);
        }
        double alpha = features[offset];
        if (!valueStates.isValue(value)) {
            c -= StandardNormal.logDensity(alpha);
            return modes != null ? c - StandardNormal.logDensity(features[offset + 1]) : c;
        }
        double x;
        try {
            x = ColumnValues.toDouble(type(), value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Column '" + column() + "': " + e.getMessage(), e);
        }
        if ((x < min() || x > max()) && max() > min()) {
            c += OUT_OF_DOMAIN_LOG_PROB;
        }
        int k = modes != null ? modes.decode(features[offset + 1]) : 0;
        c -= Math.log(mixture.sigma(k));
        if (modes != null) {
            c += modes.logCorrection(k, features[offset + 1]) - logResponsibility(k, mixture.mean(k)
                    + mixture.sigma(k) * alpha);
        }
        return rounding.unit() > 0.0 ? c + Math.log(QuantileEncoder.JITTER * rounding.unit()) : c;
    }

    /** ln r(k | x), the log-responsibility of mode k for x, computed in log space (no underflow far from the modes). */
    double logResponsibility(int k, double x) {
        int n = mixture.size();
        double[] l = new double[n];
        double top = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            double t = (x - mixture.mean(j)) / mixture.sigma(j);
            l[j] = Math.log(mixture.weight(j)) - Math.log(mixture.sigma(j)) - 0.5 * t * t;
            top = Math.max(top, l[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(l[j] - top);
        }
        return l[k] - top - Math.log(sum);
    }
}
