package io.flowsynth.flow;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The architecture of a flow, enough to rebuild it from its parameters: the flow type, the number of features it
 * maps, the number of coupling layers, and the conditioner MLP's width and depth. The seed fixes the random
 * permutations between layers, so the DL4J training graph and the plain-ND4J flow agree on them.
 *
 * @param type           flow family ("realnvp")
 * @param features       dimension D of the encoded rows
 * @param numLayers      number of coupling layers
 * @param hiddenFeatures width of each hidden layer of a conditioner
 * @param hiddenLayers   number of hidden layers of a conditioner
 * @param seed           seed of the permutations
 */
public record FlowSpec(String type, int features, int numLayers, int hiddenFeatures, int hiddenLayers, long seed) {
    public FlowSpec {
        if (!"realnvp".equals(type)) {
            throw new IllegalArgumentException("Unknown flow type '" + type + "' (supported: realnvp)");
        }
        if (features < 1) {
            throw new IllegalArgumentException("A flow needs at least one feature, got " + features);
        }
        if (numLayers < 1 || hiddenFeatures < 1 || hiddenLayers < 1) {
            throw new IllegalArgumentException("layers, hidden-features and hidden-layers must be ≥ 1, got "
                    + numLayers + ", " + hiddenFeatures + ", " + hiddenLayers);
        }
    }

    /**
     * The permutation applied after coupling layer {@code layer}: output column j takes input column perm[j].
     * Even layers reverse the order (so the halves swap roles), odd layers shuffle with the seed.
     */
    public int[] permutation(int layer) {
        int[] perm = new int[features];
        for (int i = 0; i < features; i++) {
            perm[i] = features - 1 - i;
        }
        if (layer % 2 == 1) {
            Random rng = new Random(seed * 1_000_003L + layer);
            for (int i = features - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
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

    /** Every trainable parameter with its shape, in the order of the flattened parameter vector. */
    public Map<String, long[]> paramShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (int k = 0; k < numLayers; k++) {
            long in = features;
            for (int j = 0; j < hiddenLayers; j++) {
                shapes.put(hiddenWeight(k, j), new long[]{in, hiddenFeatures});
                shapes.put(hiddenBias(k, j), new long[]{1, hiddenFeatures});
                in = hiddenFeatures;
            }
            shapes.put(scaleWeight(k), new long[]{hiddenFeatures, features});
            shapes.put(scaleBias(k), new long[]{1, features});
            shapes.put(shiftWeight(k), new long[]{hiddenFeatures, features});
            shapes.put(shiftBias(k), new long[]{1, features});
        }
        return shapes;
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

    /** Number of leading features a coupling layer leaves unchanged and conditions on. */
    public int conditioningFeatures() {
        return features / 2;
    }
}
