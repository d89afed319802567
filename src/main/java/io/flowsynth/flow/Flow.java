package io.flowsynth.flow;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A normalizing flow: a bijection f from data to noise and a standard normal base, so that
 * log p(x) = log N(f(x); 0, I) + log|det Df(x)| (Dinh et al. 2017; Papamakarios et al. 2021).
 * Sampling is x = f⁻¹(z) with z ~ N(0, I).
 */
public final class Flow {
    /**
     * Scratch memory for {@link #sample}: the first batch learns how much the inverse needs, later batches reuse it
     * instead of allocating and freeing off-heap arrays op by op (measured outside Spark at batch 4096: 44k → 51k
     * rows/s on one thread).
     */
    private static final WorkspaceConfiguration SAMPLE_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE).build();
    private static final String SAMPLE_WORKSPACE_ID = "flowsynth-sample";

    private final Transform transform;
    private final StandardNormal base;
    private final MarginalCalibration calibration;

    public Flow(Transform transform) {
        this(transform, null);
    }

    private Flow(Transform transform, MarginalCalibration calibration) {
        if (calibration != null && calibration.features() != transform.features()) {
            throw new IllegalArgumentException("Calibration of " + calibration.features() + " features for a flow of "
                    + transform.features());
        }
        this.transform = transform;
        this.base = new StandardNormal(transform.features());
        this.calibration = calibration;
    }

    /** This flow followed by an elementwise marginal calibration (null: none). */
    public Flow withCalibration(MarginalCalibration c) {
        return new Flow(transform, c);
    }

    /** The marginal calibration after f⁻¹, or null. */
    public MarginalCalibration calibration() {
        return calibration;
    }

    public Transform transform() {
        return transform;
    }

    public int features() {
        return transform.features();
    }

    /** Per-row exact log density of the rows of {@code x} {@code [batch]}, through the calibration if there is one. */
    public INDArray logProb(INDArray x) {
        if (calibration == null) {
            TransformResult r = transform.forward(x);
            return base.logProb(r.output()).addi(r.logAbsDet());
        }
        int rows = (int) x.rows();
        double[][] values = x.toDoubleMatrix();
        double[] logDet = new double[rows];
        for (int i = 0; i < rows; i++) {
            logDet[i] = calibration.invert(values[i]);
        }
        INDArray inner = Nd4j.create(values).castTo(x.dataType());
        TransformResult r = transform.forward(inner);
        return base.logProb(r.output()).addi(r.logAbsDet()).addi(Nd4j.createFromArray(logDet).castTo(x.dataType()));
    }

    /** Maps base noise {@code z} to data rows before any calibration: x = f⁻¹(z). */
    public INDArray inverse(INDArray z) {
        return transform.inverse(z).output();
    }

    /**
     * Draws {@code rows} base-noise rows z ~ N(0, T²I) from {@code rng} and returns x = g(f⁻¹(z)) (g the
     * calibration, if any) row-major as {@code [rows × features]} floats on the Java heap; with {@code identity} the
     * noise itself, uncalibrated. All intermediate arrays live in a per-thread workspace.
     */
    public float[] sample(int rows, double temperature, Random rng, boolean identity) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager()
                .getAndActivateWorkspace(SAMPLE_WORKSPACE, SAMPLE_WORKSPACE_ID)) {
            INDArray z = base.sample(rows, DataType.FLOAT, rng);
            if (temperature != 1.0) {
                z.muli(temperature);
            }
            if (identity) {
                return z.reshape(-1).toFloatVector();
            }
            float[] x = inverse(z).reshape(-1).toFloatVector();
            if (calibration != null) {
                calibration.apply(x);
            }
            return x;
        }
    }
}
