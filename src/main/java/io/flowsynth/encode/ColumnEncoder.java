package io.flowsynth.encode;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.List;
import java.util.Random;

/**
 * A fitted, invertible map between one source column and {@link #width()} continuous features that are approximately
 * standard normal (the flow models them). Implementations hold fitted statistics only and are immutable.
 *
 * <p>Values are Spark's external Java values: {@code Byte, Short, Integer, Long, Float, Double, BigDecimal, Boolean,
 * String, java.sql.Date, java.sql.Timestamp} (encoders also accept {@code java.time.LocalDate} and {@code Instant},
 * which Spark returns when {@code spark.sql.datetime.java8API.enabled} is set), or {@code null}.
 */
public interface ColumnEncoder extends Serializable {

    /** Source column name. */
    String column();

    /** {@code "continuous" | "integer" | "categorical" | "datetime" | "constant"}. */
    String kind();

    /** Source type of the column; {@link #decode} returns values of this type. */
    ColumnType type();

    /** Number of continuous features it emits (0 for constant columns). */
    int width();

    /** One name per feature, e.g. {@code price}, {@code price#null}. */
    List<String> featureNames();

    /**
     * Writes {@link #width()} finite features at {@code out[offset..]}. {@code rng} gives dequantization noise.
     */
    void encode(Object value, double[] out, int offset, Random rng);

    /**
     * Inverse of {@link #encode}: reads {@link #width()} features from {@code z[offset..]}, returns a value of the
     * column's source type or {@code null}. Never throws on any finite, infinite or NaN input.
     */
    Object decode(double[] z, int offset, Random rng);

    /**
     * {@link #decode} into column {@code column} of a sink, drawing the same random numbers: the sampler's encoders
     * override it to hand over primitives (no boxed numbers, dates or decimals per value); by default it passes on
     * {@link #decode}'s value.
     */
    default void decodeInto(double[] z, int offset, Random rng, ValueSink out, int column) {
        out.setValue(column, decode(z, offset, rng));
    }

    /**
     * Log-probability charged, in place of nothing, for a value outside what the encoder was fitted on: a category
     * never seen, a value other than a constant column's constant, a number below the minimum or above the maximum, a
     * null/NaN/±∞ state the column never had. Such a value is scored as its encoding treats it (the most frequent
     * category, the clamped extreme, a random value channel) plus this penalty: finite, never NaN, and at least
     * ln 10⁶ ≈ 13.8 nats below the value it stands in for.
     */
    double OUT_OF_DOMAIN_LOG_PROB = Math.log(1e-6);

    /**
     * The change of variables from this column to its features, for exact density scoring: with
     * {@code features = encode(value)} (written at {@code offset}), log p(value) = log p(features) + this, where p(value)
     * is a density in the column's own units for continuous values (per unit of the number, per day for dates) and a
     * probability for discrete ones (integers, dates, timestamps at their precision, categories, null states).
     * Continuous: log F̂'(x) + log|du/dû| − log φ(z) (x → u = F̂(x) → z = Φ⁻¹(u)). Discrete: the dequantization bound
     * log P(value) ≥ log p(z) − log q(z), with q the encoder's noise density (uniform on the value's interval, mapped
     * through Φ⁻¹), evaluated at the encoder's own draw. Feature-less columns give the log-probability of the value
     * (0 for a constant). Never NaN; see {@link #OUT_OF_DOMAIN_LOG_PROB} for values outside the fitted domain.
     */
    double logDensityCorrection(Object value, double[] features, int offset);

    /**
     * Where decoding of this column's feature {@code feature} (0-based within the column) changes its output, for the
     * marginal calibration ({@code MarginalCalibration}), which places its knots only there so that its map is affine
     * inside every decoded cell (a category's interval, an integer's ±0.5 cell) and bends neither the cells' inner
     * density nor a rarely seen cell's: the boundary nearest to a feature value z (a finite z; NaN when there is
     * none), or null when the feature is continuous (decoding varies with z everywhere) or its cells depend on
     * another feature. Null by default.
     */
    default java.util.function.DoubleUnaryOperator decodeEdges(int feature) {
        return null;
    }

    /**
     * Decodes features drawn from N(0, I) <em>independently of every other column</em> into a draw from this column's
     * fitted marginal (the independent-columns baseline). For most encoders this is {@link #decode}; an encoding whose
     * standard normal features do not map to the marginal (one-hot) overrides it.
     */
    default Object decodeIndependent(double[] z, int offset, Random rng) {
        return decode(z, offset, rng);
    }

    /**
     * Whether {@link #decodeInto} and {@link #decodeIndependentInto} never draw from their {@code rng}: such a column
     * can be decoded out of row order (a batch column by column) without changing any row's values or the random
     * numbers left for the other columns.
     */
    default boolean decodesWithoutRandomness() {
        return false;
    }

    /**
     * {@link #decodeIndependent} into a sink, like {@link #decodeInto}; by default {@link #decodeInto}, so an encoder
     * that overrides {@link #decodeIndependent} overrides this too.
     */
    default void decodeIndependentInto(double[] z, int offset, Random rng, ValueSink out, int column) {
        decodeInto(z, offset, rng, out, column);
    }

    /** Fitted statistics as JSON; {@link TableEncoder#fromJson} reads them back exactly. */
    ObjectNode toJson();

    /** The fields every encoder's JSON starts with: column, kind and type. */
    default ObjectNode jsonHeader() {
        ObjectNode json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        json.put("column", column());
        json.put("kind", kind());
        json.put("type", type().toString());
        return json;
    }
}
