package io.flowsynth.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The architecture of a flow, enough to rebuild it from its parameters: the flow family, the number of features it
 * maps, the number of layers, the conditioner MLP's width and depth, the spline's bins and tail bound, and the seed of
 * the fixed permutations. The DL4J training graph ({@link io.flowsynth.flow.nn.FlowOutputLayer}) and the plain-ND4J
 * flow ({@link io.flowsynth.flow.transforms.Flows#build}) both read their layout from here, and
 * {@link #paramShapes()} is the single source of parameter names and shapes.
 *
 * <p>Families, each layer k = 0 … numLayers−1 followed by ActNorm k and permutation k ({@link #permutation}):
 * <ul>
 *   <li>{@code realnvp}: affine coupling (Dinh et al. 2017);</li>
 *   <li>{@code maf}: masked affine autoregressive layer with MADE masks (Papamakarios et al. 2017);</li>
 *   <li>{@code spline}: rational-quadratic spline coupling with {@code bins} bins on [−tailBound, tailBound]
 *       (Durkan et al. 2019);</li>
 *   <li>{@code linear}: a single ActNorm then one LU linear layer, whatever {@code numLayers} says — a Gaussian in
 *       the encoded space, i.e. a Gaussian copula of the table (the fallback baseline).</li>
 * </ul>
 * Permutations rather than LU layers mix the coupling/autoregressive families: they are exact, free and keep the
 * parameter count of a layer independent of D²; the LU layer is the whole of {@code linear}.
 *
 * @param type           flow family ({@link FlowType}: realnvp, maf, spline or linear)
 * @param features       dimension D of the encoded rows
 * @param numLayers      number of coupling / autoregressive layers (ignored by linear)
 * @param hiddenFeatures width of each hidden layer of a conditioner
 * @param hiddenLayers   number of hidden layers of a conditioner
 * @param bins           spline bins K (spline only)
 * @param tailBound      spline interval half-width B; identity outside [−B, B] (spline only)
 * @param seed           seed of the permutations
 * @param activation     hidden activation of the conditioners: {@code relu} (default) or {@code tanh} (models saved
 *                       before the field existed)
 * @param affineScale    how an affine layer's raw head value v becomes its scale: {@code sigmoid}, scale =
 *                       a + (2 − 2a)·σ(v) with a = e⁻³ (default; one exponential to invert), or {@code clamp},
 *                       scale = exp(3·tanh(v/3)) (models saved before the field existed). Both are 1 at v = 0, so
 *                       zero-initialized heads start every layer as the identity.
 * @param copulaLayer    realnvp, maf, spline: the flow starts with a shift and an LU linear layer,
 *                       y = (x + b)·L·U·P ({@link #copulaShift()}, {@link #luLower} etc. of layer 0), before its first
 *                       coupling/autoregressive layer. Training initialises it to whiten the training rows
 *                       ({@link GaussianInit}), so that with the zero-initialised layers after it the untrained flow
 *                       is the Gaussian copula of the encoded table. False for models saved before it existed and
 *                       for {@code linear} (which is that layer).
 * @param contextFeatures a conditional flow (realnvp, maf, spline; no copula layer): the first contextFeatures
 *                       features are the encoded context columns c. Every layer conditions on them and never changes
 *                       them (they are in every coupling's conditioning half, MAF leaves them as they are and only
 *                       feeds them to MADE as its first inputs, and the permutations keep them in place); only the
 *                       ActNorm layers map them, element-wise. So the flow is p(c)·p(rest | c) with p(c) a diagonal
 *                       Gaussian in the encoded space ({@link #contextToNoise}), the rest's part being the flow
 *                       p(rest | c) that sampling inverts with c fixed. 0 for an unconditional flow (and models saved
 *                       before the field existed).
 */
public record FlowSpec(FlowType type, int features, int numLayers, int hiddenFeatures, int hiddenLayers, int bins,
                       double tailBound, long seed, String activation, String affineScale, boolean copulaLayer,
                       int contextFeatures) {
    public static final int BINS_DEFAULT = 8;
    public static final double TAIL_BOUND_DEFAULT = 3.0;
    public static final List<String> ACTIVATIONS = List.of("relu", "tanh");
    public static final List<String> AFFINE_SCALES = List.of("sigmoid", "clamp");
    public static final String ACTIVATION_DEFAULT = "relu";
    public static final String AFFINE_SCALE_DEFAULT = "sigmoid";
    /** What a model saved without these fields used. */
    public static final String ACTIVATION_LEGACY = "tanh";
    public static final String AFFINE_SCALE_LEGACY = "clamp";

    /** How a parameter starts before training. */
    public enum Init {
        /** Xavier-uniform from the spec's seed (hidden weights of the conditioners). */
        XAVIER,
        /** Zero: heads, biases, ActNorm and LU parameters, so every layer starts as the identity. */
        ZERO
    }

    public FlowSpec {
        if (type == null) {
            throw new IllegalArgumentException("A flow spec needs a flow type (supported: " + FlowType.ids() + ")");
        }
        if (features < 1) {
            throw new IllegalArgumentException("A flow needs at least one feature, got " + features);
        }
        if (numLayers < 1 || hiddenFeatures < 1 || hiddenLayers < 1) {
            throw new IllegalArgumentException("layers, hidden-features and hidden-layers must be ≥ 1, got "
                    + numLayers + ", " + hiddenFeatures + ", " + hiddenLayers);
        }
        if (bins < 2) {
            throw new IllegalArgumentException("A spline needs at least 2 bins, got " + bins);
        }
        if (!(tailBound > 0) || Double.isInfinite(tailBound)) {
            throw new IllegalArgumentException("The spline tail bound must be finite and > 0, got " + tailBound);
        }
        if (!ACTIVATIONS.contains(activation)) {
            throw new IllegalArgumentException("Unknown activation '" + activation + "' (supported: "
                    + String.join(", ", ACTIVATIONS) + ")");
        }
        if (!AFFINE_SCALES.contains(affineScale)) {
            throw new IllegalArgumentException("Unknown affine scale '" + affineScale + "' (supported: "
                    + String.join(", ", AFFINE_SCALES) + ")");
        }
        if (copulaLayer && !type.layered()) {
            throw new IllegalArgumentException("A linear flow is itself the copula layer: copulaLayer must be false");
        }
        if (contextFeatures < 0 || contextFeatures >= features) {
            throw new IllegalArgumentException("A conditional flow needs 0 ≤ context features < features, got "
                    + contextFeatures + " of " + features);
        }
        if (contextFeatures > 0 && (!type.layered() || copulaLayer)) {
            throw new IllegalArgumentException("A conditional flow needs a layered flow type (realnvp, maf, spline) "
                    + "without the copula layer, got " + type.id() + (copulaLayer ? " with the copula layer" : ""));
        }
    }

    /** A spec without context features. */
    public FlowSpec(FlowType type, int features, int numLayers, int hiddenFeatures, int hiddenLayers, int bins,
                    double tailBound, long seed, String activation, String affineScale, boolean copulaLayer) {
        this(type, features, numLayers, hiddenFeatures, hiddenLayers, bins, tailBound, seed, activation, affineScale,
                copulaLayer, 0);
    }

    /** A spec without the copula layer (the layout of models saved before it existed). */
    public FlowSpec(FlowType type, int features, int numLayers, int hiddenFeatures, int hiddenLayers, int bins,
                    double tailBound, long seed, String activation, String affineScale) {
        this(type, features, numLayers, hiddenFeatures, hiddenLayers, bins, tailBound, seed, activation, affineScale,
                false);
    }

    /** A spec with the default activation and affine scale. */
    public FlowSpec(FlowType type, int features, int numLayers, int hiddenFeatures, int hiddenLayers, int bins,
                    double tailBound, long seed) {
        this(type, features, numLayers, hiddenFeatures, hiddenLayers, bins, tailBound, seed, ACTIVATION_DEFAULT,
                AFFINE_SCALE_DEFAULT);
    }

    /** A spec with the default spline settings (they matter only for {@code spline}), activation and affine scale. */
    public FlowSpec(FlowType type, int features, int numLayers, int hiddenFeatures, int hiddenLayers, long seed) {
        this(type, features, numLayers, hiddenFeatures, hiddenLayers, BINS_DEFAULT, TAIL_BOUND_DEFAULT, seed);
    }

    /** This spec with another hidden activation and affine scale. */
    public FlowSpec withConditioner(String activation, String affineScale) {
        return new FlowSpec(type, features, numLayers, hiddenFeatures, hiddenLayers, bins, tailBound, seed, activation,
                affineScale, copulaLayer, contextFeatures);
    }

    /** This spec with or without the copula layer (always without for linear, which is that layer). */
    public FlowSpec withCopulaLayer(boolean on) {
        return new FlowSpec(type, features, numLayers, hiddenFeatures, hiddenLayers, bins, tailBound, seed, activation,
                affineScale, on && type.layered(), contextFeatures);
    }

    /** This spec conditioned on its first {@code context} features (0: unconditional). */
    public FlowSpec withContextFeatures(int context) {
        return new FlowSpec(type, features, numLayers, hiddenFeatures, hiddenLayers, bins, tailBound, seed, activation,
                affineScale, copulaLayer, context);
    }

    /** Whether the flow is conditional ({@link #contextFeatures()} &gt; 0). */
    public boolean conditional() {
        return contextFeatures > 0;
    }

    /** Whether the flow starts with a linear layer that {@link GaussianInit} can set to the Gaussian copula. */
    public boolean hasLinearInput() {
        return copulaLayer || !type.layered();
    }

    /**
     * The spec's one JSON form, as in {@code metadata.json}'s {@code "flow"} object: {@code type}, {@code features},
     * {@code layers}, {@code hidden_features}, {@code hidden_layers}, {@code bins}, {@code tail_bound}, {@code seed},
     * {@code activation}, {@code affine_scale}, in this order, then {@code copula_layer} only when the spec has the
     * copula layer and {@code context_features} only when it is conditional (so a spec without them writes the form
     * of models saved before the fields existed). Read back by
     * {@link #fromJson}.
     */
    public ObjectNode toJson() {
        ObjectNode flow = JsonNodeFactory.instance.objectNode();
        flow.put("type", type.id());
        flow.put("features", features);
        flow.put("layers", numLayers);
        flow.put("hidden_features", hiddenFeatures);
        flow.put("hidden_layers", hiddenLayers);
        flow.put("bins", bins);
        flow.put("tail_bound", tailBound);
        flow.put("seed", seed);
        flow.put("activation", activation);
        flow.put("affine_scale", affineScale);
        if (copulaLayer) {
            flow.put("copula_layer", true);
        }
        if (contextFeatures > 0) {
            flow.put("context_features", contextFeatures);
        }
        return flow;
    }

    /**
     * The spec of {@link #toJson}'s form (other fields, such as the parameter layout beside it in
     * {@code metadata.json}, are ignored). Fields that older models lack take the values those models used: bins and
     * tail bound their defaults, activation {@link #ACTIVATION_LEGACY}, affine scale {@link #AFFINE_SCALE_LEGACY},
     * copula layer false.
     *
     * @throws IllegalArgumentException naming a missing or invalid field
     */
    public static FlowSpec fromJson(JsonNode flow) {
        if (flow == null || !flow.isObject()) {
            throw new IllegalArgumentException("the flow spec is not a JSON object");
        }
        return new FlowSpec(FlowType.parse(required(flow, "type").asText()), required(flow, "features").asInt(),
                required(flow, "layers").asInt(), required(flow, "hidden_features").asInt(),
                required(flow, "hidden_layers").asInt(), flow.path("bins").asInt(BINS_DEFAULT),
                flow.path("tail_bound").asDouble(TAIL_BOUND_DEFAULT), required(flow, "seed").asLong(),
                flow.path("activation").asText(ACTIVATION_LEGACY), flow.path("affine_scale").asText(AFFINE_SCALE_LEGACY),
                flow.path("copula_layer").asBoolean(false), flow.path("context_features").asInt(0));
    }

    private static JsonNode required(JsonNode flow, String field) {
        JsonNode v = flow.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("the flow spec has no '" + field + "'");
        }
        return v;
    }

    /** Number of coupling/autoregressive layers actually built (0 for linear). */
    public int bodyLayers() {
        return type.layered() ? numLayers : 0;
    }

    /**
     * The permutation applied after layer {@code layer}: output column j takes input column perm[j].
     * Even layers reverse the order (so coupling halves swap roles), odd layers shuffle with the seed. A conditional
     * flow's context features stay in place: the same rule permutes the other features among themselves.
     */
    public int[] permutation(int layer) {
        int m = features - contextFeatures;
        int[] rest = new int[m];
        for (int i = 0; i < m; i++) {
            rest[i] = m - 1 - i;
        }
        if (layer % 2 == 1) {
            Random rng = new Random(seed * 1_000_003L + layer);
            for (int i = m - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = rest[i];
                rest[i] = rest[j];
                rest[j] = t;
            }
        }
        int[] perm = new int[features];
        for (int i = 0; i < contextFeatures; i++) {
            perm[i] = i;
        }
        for (int i = 0; i < m; i++) {
            perm[contextFeatures + i] = contextFeatures + rest[i];
        }
        return perm;
    }

    /** The fixed permutation P of the LU layer (seeded shuffle). */
    public int[] luPermutation() {
        int[] perm = new int[features];
        for (int i = 0; i < features; i++) {
            perm[i] = i;
        }
        Random rng = new Random(seed * 7_919L + 17);
        for (int i = features - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    /** Name of hidden weight j of coupling layer k (no '_': DL4J's updater splits keys at '_'). */
    public static String hiddenWeight(int layer, int j) {
        return "c" + layer + "w" + j;
    }

    public static String hiddenBias(int layer, int j) {
        return "c" + layer + "b" + j;
    }

    public static String scaleWeight(int layer) {
        return "c" + layer + "ws";
    }

    public static String scaleBias(int layer) {
        return "c" + layer + "bs";
    }

    public static String shiftWeight(int layer) {
        return "c" + layer + "wt";
    }

    public static String shiftBias(int layer) {
        return "c" + layer + "bt";
    }

    /** Spline heads: unnormalized widths ("w"), heights ("h") and interior derivatives ("d") of layer k. */
    public static String splineWeight(int layer, char part) {
        return "c" + layer + "w" + part;
    }

    public static String splineBias(int layer, char part) {
        return "c" + layer + "b" + part;
    }

    /** ActNorm after layer k: log-scale and shift, each {@code [1, D]}. */
    public static String actNormLogScale(int layer) {
        return "a" + layer + "s";
    }

    public static String actNormShift(int layer) {
        return "a" + layer + "b";
    }

    /** LU layer: strictly lower part of L, strictly upper part of U (both {@code [D, D]}) and log-diagonal of U. */
    public static String luLower(int layer) {
        return "l" + layer + "l";
    }

    public static String luUpper(int layer) {
        return "l" + layer + "u";
    }

    public static String luLogDiagonal(int layer) {
        return "l" + layer + "d";
    }

    /** The copula layer's shift b {@code [1, D]}, added before its LU map. */
    public static String copulaShift() {
        return "l0b";
    }

    /** Every trainable parameter with its shape, in the order of the flattened parameter vector. */
    public Map<String, long[]> paramShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        layout(shapes, null);
        return Collections.unmodifiableMap(shapes);
    }

    /** How each parameter of {@link #paramShapes()} is initialized, same order. */
    public Map<String, Init> paramInits() {
        Map<String, Init> inits = new LinkedHashMap<>();
        layout(new LinkedHashMap<>(), inits);
        return Collections.unmodifiableMap(inits);
    }

    private void layout(Map<String, long[]> shapes, Map<String, Init> inits) {
        long d = features;
        if (!type.layered()) {
            put(shapes, inits, actNormLogScale(0), 1, d, Init.ZERO);
            put(shapes, inits, actNormShift(0), 1, d, Init.ZERO);
            put(shapes, inits, luLower(0), d, d, Init.ZERO);
            put(shapes, inits, luUpper(0), d, d, Init.ZERO);
            put(shapes, inits, luLogDiagonal(0), 1, d, Init.ZERO);
            return;
        }
        if (copulaLayer) {
            put(shapes, inits, copulaShift(), 1, d, Init.ZERO);
            put(shapes, inits, luLower(0), d, d, Init.ZERO);
            put(shapes, inits, luUpper(0), d, d, Init.ZERO);
            put(shapes, inits, luLogDiagonal(0), 1, d, Init.ZERO);
        }
        for (int k = 0; k < numLayers; k++) {
            long in = d;
            for (int j = 0; j < hiddenLayers; j++) {
                put(shapes, inits, hiddenWeight(k, j), in, hiddenFeatures, Init.XAVIER);
                put(shapes, inits, hiddenBias(k, j), 1, hiddenFeatures, Init.ZERO);
                in = hiddenFeatures;
            }
            if (type == FlowType.SPLINE) {
                for (char part : new char[]{'w', 'h', 'd'}) {
                    long out = d * (part == 'd' ? bins - 1 : bins);
                    put(shapes, inits, splineWeight(k, part), hiddenFeatures, out, Init.ZERO);
                    put(shapes, inits, splineBias(k, part), 1, out, Init.ZERO);
                }
            } else {
                put(shapes, inits, scaleWeight(k), hiddenFeatures, d, Init.ZERO);
                put(shapes, inits, scaleBias(k), 1, d, Init.ZERO);
                put(shapes, inits, shiftWeight(k), hiddenFeatures, d, Init.ZERO);
                put(shapes, inits, shiftBias(k), 1, d, Init.ZERO);
            }
            put(shapes, inits, actNormLogScale(k), 1, d, Init.ZERO);
            put(shapes, inits, actNormShift(k), 1, d, Init.ZERO);
        }
    }

    private static void put(Map<String, long[]> shapes, Map<String, Init> inits, String name, long rows, long cols,
                            Init init) {
        shapes.put(name, new long[]{rows, cols});
        if (inits != null) {
            inits.put(name, init);
        }
    }

    /** Total number of trainable parameters. */
    public long parameterCount() {
        long n = 0;
        for (long[] s : paramShapes().values()) {
            n += s[0] * s[1];
        }
        return n;
    }

    /** The conditioning mask {@code [features]}: 1 for the first {@link #conditioningFeatures()} features. */
    public double[] conditioningMask() {
        double[] m = new double[features];
        for (int i = 0; i < conditioningFeatures(); i++) {
            m[i] = 1.0;
        }
        return m;
    }

    /**
     * Number of leading features a coupling layer leaves unchanged and conditions on: the context features and
     * half of the others.
     */
    public int conditioningFeatures() {
        return contextFeatures + (features - contextFeatures) / 2;
    }

    /**
     * Whether a layer transforms feature i: a coupling's second half; for MAF every feature except the context.
     */
    public boolean transformed(int feature) {
        return feature >= (type == FlowType.MAF ? contextFeatures : conditioningFeatures());
    }

    /**
     * A conditional flow's map of the context features to their noise, z_c = scale ⊙ c + shift (only ActNorm layers
     * act on them: z_c = (…((c·e^{s_0} + b_0)·e^{s_1} + b_1)…)), as {@code [scale, shift]} of length
     * {@link #contextFeatures()}; log p(c) = Σ log φ(z_c) + Σ log scale.
     *
     * @param params the flow's parameters by name (any data type)
     */
    public double[][] contextToNoise(Map<String, ? extends org.nd4j.linalg.api.ndarray.INDArray> params) {
        double[] scale = new double[contextFeatures];
        double[] shift = new double[contextFeatures];
        java.util.Arrays.fill(scale, 1.0);
        for (int k = 0; k < numLayers; k++) {
            org.nd4j.linalg.api.ndarray.INDArray s = params.get(actNormLogScale(k));
            org.nd4j.linalg.api.ndarray.INDArray b = params.get(actNormShift(k));
            for (int i = 0; i < contextFeatures; i++) {
                double e = Math.exp(s.getDouble(i));
                scale[i] *= e;
                shift[i] = shift[i] * e + b.getDouble(i);
            }
        }
        return new double[][]{scale, shift};
    }
}
