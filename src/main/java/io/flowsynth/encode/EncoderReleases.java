package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.math.RdpAccountant;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a differentially private encoder fit released from the real rows: the noisy row count and one entry per
 * statistic (which statistic of which column, by which mechanism, with which noise and sensitivity). Its JSON is the
 * encoders' part of the model's {@code privacy.releases} list. Immutable.
 *
 * <p><b>Composition</b>: the entries compose in Rényi DP, order by order ({@link #rdp()}: the sum of every entry's
 * RDP curve; a Gaussian entry of L2 sensitivity Δ and std σ contributes α·Δ²/(2σ²), the Laplace row count Mironov's
 * curve), and convert to (ε, δ) once; the category thresholds' δ ({@link #thresholdDelta()}) adds to the δ of that
 * conversion. The model's whole fit composes {@link #rdp()} with the flow's releases in the same accountant.
 *
 * @param epsilon  the encoders' ε (their share of {@code flowsynth.privacy.epsilon}); {@link #accountedEpsilon()} is
 *                 at most it
 * @param delta    the encoders' δ: the thresholds' δ plus the δ of the RDP conversion
 * @param rowCount the released (noisy) row count, the only row count anything after the encoders may use
 * @param releases the entries, in release order
 */
public record EncoderReleases(double epsilon, double delta, long rowCount, List<Release> releases)
        implements Serializable {

    /** {@link Release#mechanism} of a Gaussian release. */
    public static final String GAUSSIAN = "gaussian";
    /** {@link Release#mechanism} of a Laplace release (the row count). */
    public static final String LAPLACE = "laplace";

    /**
     * One release.
     *
     * @param column      the column, or null for a table-wide statistic (the row count)
     * @param statistic   e.g. {@code row_count}, {@code null_count}, {@code range}, {@code histogram},
     *                    {@code range_zoom}, {@code category_counts}, {@code rounding_precision}
     * @param mechanism   {@value #GAUSSIAN} or {@value #LAPLACE}
     * @param sensitivity the query's sensitivity: L2 for Gaussian, L1 for Laplace
     * @param noise       the Gaussian σ (noise std per count) or the Laplace scale b
     * @param epsilon     ε of this release accounted alone (the Laplace Δ/b; a Gaussian's RDP converted at the
     *                    encoders' conversion δ): for reading, the fit's ε is the composition
     * @param delta       δ spent outside RDP (a category threshold's δ_c), else 0
     * @param detail      free text: threshold, levels, bounds
     */
    public record Release(String column, String statistic, String mechanism, double sensitivity, double noise,
                          double epsilon, double delta, String detail) implements Serializable {

        /** zCDP ρ = Δ²/(2σ²) of a Gaussian release (its RDP at order α is α·ρ); NaN for Laplace. */
        public double rho() {
            return GAUSSIAN.equals(mechanism) ? sensitivity * sensitivity / (2 * noise * noise) : Double.NaN;
        }

        /** RDP of this release at order α. */
        public double rdp(double alpha) {
            return GAUSSIAN.equals(mechanism) ? RdpAccountant.gaussianRdp(sensitivity, noise, alpha)
                    : RdpAccountant.laplaceRdp(sensitivity, noise, alpha);
        }

        ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("stage", "encoders");
            if (column != null) {
                o.put("column", column);
            }
            o.put("statistic", statistic);
            o.put("mechanism", mechanism);
            if (GAUSSIAN.equals(mechanism)) {
                o.put("sigma", noise);
                o.put("l2_sensitivity", sensitivity);
                o.put("rho", rho());
            } else {
                o.put("laplace_scale", noise);
                o.put("l1_sensitivity", sensitivity);
            }
            o.put("epsilon", epsilon);
            o.put("delta", delta);
            if (detail != null) {
                o.put("detail", detail);
            }
            return o;
        }

        static Release fromJson(JsonNode o) {
            boolean gaussian = GAUSSIAN.equals(o.path("mechanism").asText());
            // models of earlier versions: Laplace releases named by their use, with laplace_scale only
            return new Release(o.hasNonNull("column") ? o.get("column").asText() : null, o.path("statistic").asText(),
                    gaussian ? GAUSSIAN : LAPLACE,
                    o.path(gaussian ? "l2_sensitivity" : "l1_sensitivity").asDouble(1.0),
                    o.path(gaussian ? "sigma" : "laplace_scale").asDouble(Double.NaN), o.path("epsilon").asDouble(),
                    o.path("delta").asDouble(), o.hasNonNull("detail") ? o.get("detail").asText() : null);
        }
    }

    public EncoderReleases {
        releases = List.copyOf(releases);
        if (rowCount < 1) {
            throw new IllegalArgumentException("released row count must be ≥ 1, got " + rowCount);
        }
    }

    /** The composed RDP of the entries over {@link RdpAccountant#DEFAULT_ORDERS} (order by order, summed). */
    public double[] rdp() {
        double[] orders = RdpAccountant.DEFAULT_ORDERS;
        double[] out = new double[orders.length];
        for (Release r : releases) {
            if (!(r.noise() > 0)) {
                continue; // public: nothing read
            }
            for (int i = 0; i < orders.length; i++) {
                out[i] += r.rdp(orders[i]);
            }
        }
        return out;
    }

    /** δ spent outside RDP: the category thresholds' (summed over the columns). */
    public double thresholdDelta() {
        return releases.stream().mapToDouble(Release::delta).sum();
    }

    /** δ of the RDP conversion: the encoders' δ less the thresholds'. */
    public double conversionDelta() {
        return delta - thresholdDelta();
    }

    /** ε of the encoders' releases composed in RDP and converted at {@link #conversionDelta()}. */
    public double accountedEpsilon() {
        if (!(conversionDelta() > 0)) { // a model of an earlier version: Laplace releases, basic composition
            return releases.stream().mapToDouble(Release::epsilon).sum();
        }
        return RdpAccountant.epsilon(rdp(), conversionDelta()).epsilon();
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

    /** {"encoder_epsilon", "encoder_delta", "encoder_epsilon_accounted", …, "released_rows", "releases": [...]}. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("encoder_epsilon", epsilon);
        o.put("encoder_delta", delta);
        o.put("composition", COMPOSITION);
        o.put("encoder_epsilon_accounted", accountedEpsilon());
        o.put("encoder_threshold_delta", thresholdDelta());
        o.put("released_rows", rowCount);
        o.set("releases", releasesJson());
        return o;
    }

    /** How the entries compose (the model's metadata says it). */
    public static final String COMPOSITION = "rdp: every release's Renyi DP summed order by order (Gaussian: "
            + "alpha * sensitivity^2 / (2 sigma^2); Laplace row count: Mironov 2017), converted to (epsilon, delta) "
            + "once (Balle et al. 2020); category thresholds add their delta";

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
