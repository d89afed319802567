package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Transform;
import io.flowsynth.flow.TransformResult;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** y_j = x_{perm[j]}: reorders features; volume-preserving, so log|det| = 0. */
public final class PermutationTransform implements Transform {
    private final int[] perm;
    private final int[] inversePerm;

    public PermutationTransform(int[] perm) {
        this.perm = perm.clone();
        this.inversePerm = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int j = 0; j < perm.length; j++) {
            int i = perm[j];
            if (i < 0 || i >= perm.length || seen[i]) {
                throw new IllegalArgumentException("Not a permutation of 0.." + (perm.length - 1) + ": index " + i);
            }
            seen[i] = true;
            inversePerm[i] = j;
        }
    }

    /** Reverses the feature order. */
    public static PermutationTransform reverse(int features) {
        int[] p = new int[features];
        for (int i = 0; i < features; i++) {
            p[i] = features - 1 - i;
        }
        return new PermutationTransform(p);
    }

    /** A uniformly random permutation (Fisher–Yates) from the seed. */
    public static PermutationTransform random(int features, long seed) {
        int[] p = new int[features];
        for (int i = 0; i < features; i++) {
            p[i] = i;
        }
        Random rng = new Random(seed);
        for (int i = features - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return new PermutationTransform(p);
    }

    public int[] permutation() {
        return perm.clone();
    }

    @Override
    public int features() {
        return perm.length;
    }

    @Override
    public TransformResult forward(INDArray x) {
        return new TransformResult(x.getColumns(perm), Nd4j.zeros(x.dataType(), x.size(0)));
    }

    @Override
    public TransformResult inverse(INDArray z) {
        return new TransformResult(z.getColumns(inversePerm), Nd4j.zeros(z.dataType(), z.size(0)));
    }
}
