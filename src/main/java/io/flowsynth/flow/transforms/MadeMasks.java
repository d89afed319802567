package io.flowsynth.flow.transforms;

/**
 * MADE connectivity masks (Germain, Gregor, Murray and Larochelle 2015) for D inputs in their given order, hidden
 * layers of H units and outputs (one per input and head). Input i has degree i+1; hidden unit k has degree
 * (k mod (D−1)) + 1 (0 when D = 1: it sees no input); a hidden unit of degree m sees inputs and units of degree ≤ m;
 * output i sees units of degree ≤ i. So output i depends on inputs 0 … i−1 only.
 */
public final class MadeMasks {
    private MadeMasks() {
    }

    static int hiddenDegree(int unit, int features) {
        return features == 1 ? 0 : (unit % (features - 1)) + 1;
    }

    /** Mask {@code [D, H]} of the first hidden layer. */
    public static double[][] input(int features, int hidden) {
        double[][] m = new double[features][hidden];
        for (int i = 0; i < features; i++) {
            for (int k = 0; k < hidden; k++) {
                m[i][k] = hiddenDegree(k, features) >= i + 1 ? 1.0 : 0.0;
            }
        }
        return m;
    }

    /** Mask {@code [H, H]} between hidden layers. */
    public static double[][] hidden(int features, int hidden) {
        double[][] m = new double[hidden][hidden];
        for (int a = 0; a < hidden; a++) {
            for (int b = 0; b < hidden; b++) {
                m[a][b] = hiddenDegree(b, features) >= hiddenDegree(a, features) ? 1.0 : 0.0;
            }
        }
        return m;
    }

    /** Mask {@code [H, D]} of an output head. */
    public static double[][] output(int features, int hidden) {
        double[][] m = new double[hidden][features];
        for (int k = 0; k < hidden; k++) {
            for (int i = 0; i < features; i++) {
                m[k][i] = i + 1 > hiddenDegree(k, features) ? 1.0 : 0.0;
            }
        }
        return m;
    }
}
