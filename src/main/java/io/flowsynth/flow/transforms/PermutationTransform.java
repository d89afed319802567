package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Transform;
import io.flowsynth.flow.TransformResult;
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
