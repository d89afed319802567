package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Transform;
import io.flowsynth.flow.TransformResult;
import io.flowsynth.flow.conditioner.Mlp;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An autoregressive layer as a template (Papamakarios, Pavlakou and Murray 2017): θ = MADE(x), where θ_i depends on
 * x_1 … x_{i−1} only, and y_i = g(x_i; θ_i) for a pluggable {@link ElementwiseBijection} g. The forward direction
 * (density) is one pass; the inverse (sampling) takes D passes, the i-th fixing x_i. The Jacobian is lower-triangular
 * with log|det J| = Σ_i log g'(x_i).
 */
public class AutoregressiveTransform implements Transform {
    private static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE).build();
    private static final String STEP_WORKSPACE_ID = "flowsynth-maf-inverse-step";
    private final int features;
    private final Mlp made;
    private final ElementwiseBijection bijection;
    private final INDArray transformed; // [1, D] 1 where g applies, 0 on context features it leaves as they are; or null

    /** @param made an MLP whose weights are already multiplied by their MADE masks ({@link MadeMasks}) */
    public AutoregressiveTransform(int features, Mlp made, ElementwiseBijection bijection) {
        this(features, made, bijection, null);
    }

    /**
     * @param transformed {@code [features]}: 1 for the features the layer transforms, 0 for (leading) context features
     *                    it only conditions on; null transforms every feature
     */
    public AutoregressiveTransform(int features, Mlp made, ElementwiseBijection bijection, INDArray transformed) {
        this.features = features;
        this.made = made;
        this.bijection = bijection;
        this.transformed = transformed == null ? null : transformed.reshape(1, features);
    }

    private TransformResult masked(INDArray in, INDArray[] r) {
        if (transformed == null) {
            return new TransformResult(r[0], r[1].sum(1));
        }
        INDArray keep = transformed.rsub(1.0);
        INDArray out = in.mulRowVector(keep).addi(r[0].muliRowVector(transformed));
        return new TransformResult(out, r[1].muliRowVector(transformed).sum(1));
    }

    @Override
    public int features() {
        return features;
    }

    @Override
    public TransformResult forward(INDArray x) {
        return masked(x, bijection.forward(x, made.apply(x)));
    }

    @Override
    public TransformResult inverse(INDArray y) {
        INDArray x = Nd4j.zeros(y.dataType(), y.size(0), features);
        for (int i = 0; i < features - 1; i++) {
            // each pass's MADE activations live in a step workspace reused by the next pass: D passes would otherwise
            // hold D × rows × hidden floats at once (a 97-feature MAF ran its calibration's samples out of native
            // memory); only x, written in place, outlives the pass
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE,
                    STEP_WORKSPACE_ID)) {
                pass(y, x, i);
            }
        }
        // the last pass (which fixes x_D) also gives the log-derivatives: outside the step workspace
        INDArray[] r = pass(y, x, features - 1);
        return masked(y, new INDArray[]{x, r[1]});
    }

    /** Pass i of the inverse: x_i from y_i and θ_i(x_<i), written into x; returns g⁻¹'s outputs. */
    private INDArray[] pass(INDArray y, INDArray x, int i) {
        // after pass i, x_0 … x_i are exact (θ_i needs only x_<i)
        INDArray[] r = bijection.inverse(y, made.apply(x));
        // a context feature is not transformed: its input is its output
        boolean context = transformed != null && transformed.getDouble(i) == 0;
        x.putColumn(i, (context ? y : r[0]).getColumn(i));
        return r;
    }
}
