package io.flowsynth.flow;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The flow families ({@code flowsynth.flow.type}), each with the lower-case name that configuration files, model
 * metadata and DL4J network configurations use ({@link #id()}, also {@link #toString()}):
 * <ul>
 *   <li>{@link #REALNVP} {@code realnvp}: affine coupling layers (Dinh et al. 2017);</li>
 *   <li>{@link #MAF} {@code maf}: masked affine autoregressive layers with MADE masks (Papamakarios et al. 2017);</li>
 *   <li>{@link #SPLINE} {@code spline}: rational-quadratic spline coupling layers (Durkan et al. 2019);</li>
 *   <li>{@link #LINEAR} {@code linear}: ActNorm then one LU linear layer, a Gaussian copula of the table.</li>
 * </ul>
 */
public enum FlowType {
    REALNVP("realnvp"),
    MAF("maf"),
    SPLINE("spline"),
    LINEAR("linear");

    private final String id;

    FlowType(String id) {
        this.id = id;
    }

    /** The name in configuration and model files. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }

    /** Every accepted name, comma-separated, in declaration order: {@code realnvp, maf, spline, linear}. */
    public static String ids() {
        return Arrays.stream(values()).map(FlowType::id).collect(Collectors.joining(", "));
    }

    /**
     * The family named {@code id} (exact, lower case, as written by {@link #id()}).
     *
     * @throws IllegalArgumentException naming the value and the accepted ones, e.g. {@code unknown flow type 'nvp'
     *                                  (supported: realnvp, maf, spline, linear)}
     */
    public static FlowType parse(String id) {
        for (FlowType t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown flow type '" + id + "' (supported: " + ids() + ")");
    }

    /** Whether the flow is a stack of {@code numLayers} coupling/autoregressive layers (all but {@link #LINEAR}). */
    public boolean layered() {
        return this != LINEAR;
    }
}
