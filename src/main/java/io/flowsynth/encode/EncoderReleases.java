package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a differentially private encoder fit released from the real rows: the noisy row count and one entry per
 * statistic (which statistic of which column, by which mechanism, with which ε and δ and noise scale). Its JSON is the
 * encoders' part of the model's {@code privacy.releases} list. Immutable.
 *
 * @param epsilon  the encoders' ε (their share of {@code flowsynth.privacy.epsilon}); the entries' ε sum to at most it
 * @param delta    the encoders' δ; the entries' δ sum to at most it
 * @param rowCount the released (noisy) row count, the only row count anything after the encoders may use
 * @param releases the entries, in release order
 */
public record EncoderReleases(double epsilon, double delta, long rowCount, List<Release> releases)
        implements Serializable {

    /**
     * One release.
     *
     * @param column    the column, or null for a table-wide statistic (the row count)
     * @param statistic e.g. {@code row_count}, {@code null_count}, {@code range},
     *                  {@code histogram}, {@code range_zoom}, {@code category_counts}
     * @param mechanism e.g. {@code laplace}, {@code laplace-threshold-histogram}, {@code laplace-histogram-isotonic},
     *                  {@code laplace-log-histogram-range}, {@code public} (user-given bounds: no data read)
     * @param epsilon   ε spent (0 for {@code public})
     * @param delta     δ spent
     * @param scale     the Laplace scale b = 1/ε, or NaN when not a noise scale
     * @param detail    free text: threshold, levels, bounds
     */
    public record Release(String column, String statistic, String mechanism, double epsilon, double delta,
                          double scale, String detail) implements Serializable {
        ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("stage", "encoders");
            if (column != null) {
                o.put("column", column);
            }
            o.put("statistic", statistic);
            o.put("mechanism", mechanism);
            o.put("epsilon", epsilon);
            o.put("delta", delta);
            if (Double.isFinite(scale)) {
                o.put("laplace_scale", scale);
            }
            if (detail != null) {
                o.put("detail", detail);
            }
            return o;
        }

        static Release fromJson(JsonNode o) {
            return new Release(o.hasNonNull("column") ? o.get("column").asText() : null, o.path("statistic").asText(),
                    o.path("mechanism").asText(), o.path("epsilon").asDouble(), o.path("delta").asDouble(),
                    o.has("laplace_scale") ? o.get("laplace_scale").asDouble() : Double.NaN,
                    o.hasNonNull("detail") ? o.get("detail").asText() : null);
        }
    }

    public EncoderReleases {
        releases = List.copyOf(releases);
        if (rowCount < 1) {
            throw new IllegalArgumentException("released row count must be ≥ 1, got " + rowCount);
        }
    }

    /** ε spent by the entries (basic composition). */
    public double spentEpsilon() {
        return releases.stream().mapToDouble(Release::epsilon).sum();
    }

    /** δ spent by the entries. */
    public double spentDelta() {
        return releases.stream().mapToDouble(Release::delta).sum();
    }

    /** The entries of one column. */
    public List<Release> of(String column) {
        List<Release> out = new ArrayList<>();
        for (Release r : releases) {
            if (column.equals(r.column())) {
                out.add(r);
            }
        }
        return out;
    }

    /** {"encoder_epsilon", "encoder_delta", "released_rows", "releases": [...]}. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("encoder_epsilon", epsilon);
        o.put("encoder_delta", delta);
        o.put("encoder_epsilon_spent", spentEpsilon());
        o.put("encoder_delta_spent", spentDelta());
        o.put("released_rows", rowCount);
        o.set("releases", releasesJson());
        return o;
    }

    /** The entries alone, for the model's {@code privacy.releases} list. */
    public ArrayNode releasesJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        releases.forEach(r -> a.add(r.toJson()));
        return a;
    }

    public static EncoderReleases fromJson(JsonNode o) {
        List<Release> list = new ArrayList<>();
        o.path("releases").forEach(r -> list.add(Release.fromJson(r)));
        return new EncoderReleases(o.path("encoder_epsilon").asDouble(), o.path("encoder_delta").asDouble(),
                o.path("released_rows").asLong(), list);
    }
}
