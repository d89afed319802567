package io.flowsynth.flow;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A normalizing flow: a bijection f from data to noise and a standard normal base, so that
 * log p(x) = log N(f(x); 0, I) + log|det Df(x)| (Dinh et al. 2017; Papamakarios et al. 2021).
 * Sampling is x = f⁻¹(z) with z ~ N(0, I).
 */
public final class Flow {
    /**
     * Scratch memory for {@link #sample} through the composed inverse (flows without a {@link FastInverse}): the
     * first batch learns how much the inverse needs, later batches reuse it
     * instead of allocating and freeing off-heap arrays op by op ({@code jobs/bench.sh sample} measures the inverse).
     */
    private static final WorkspaceConfiguration SAMPLE_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE).build();
    private static final String SAMPLE_WORKSPACE_ID = "flowsynth-sample";

    private final Transform transform;
    private final StandardNormalBase base;
    private final MarginalCalibration calibration;
    private final FastInverse fastInverse;
    private final ThreadLocal<FastInverse.Evaluator> evaluators;

    public Flow(Transform transform) {
        this(transform, null, null);
    }

    /** @param fastInverse the same f⁻¹ as {@code transform.inverse}, faster (null: none) */
    public Flow(Transform transform, FastInverse fastInverse) {
        this(transform, null, fastInverse);
    }

    private Flow(Transform transform, MarginalCalibration calibration, FastInverse fastInverse) {
        if (calibration != null && calibration.features() != transform.features()) {
            throw new IllegalArgumentException("Calibration of " + calibration.features() + " features for a flow of "
                    + transform.features());
        }
        this.transform = transform;
        this.base = new StandardNormalBase(transform.features());
        this.calibration = calibration;
        this.fastInverse = fastInverse;
        this.evaluators = fastInverse == null ? null : ThreadLocal.withInitial(fastInverse::newEvaluator);
    }

    /** This flow followed by an elementwise marginal calibration (null: none). */
    public Flow withCalibration(MarginalCalibration c) {
        return new Flow(transform, c, fastInverse);
    }

    /** The compiled inverse {@link #sample} uses, or null when it composes the parts' inverses. */
    public FastInverse fastInverse() {
        return fastInverse;
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
     * Draws {@code rows} base-noise rows z ~ N(0, T²I) from {@code rng} (row by row, feature by feature) and returns
     * x = g(f⁻¹(z)) (g the calibration, if any) row-major as {@code [rows × features]} floats on the Java heap; with
     * {@code identity} the noise itself, uncalibrated. Through the {@link FastInverse} when the flow has one (one
     * evaluator per thread), else through the parts' inverses in a per-thread workspace.
     */
    public float[] sample(int rows, double temperature, SplittableRandom rng, boolean identity) {
        float[] x = new float[rows * features()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextGaussian() * temperature);
        }
        return sampleFrom(x, rows, identity);
    }

    /**
     * x = g(f⁻¹(z)) for base-noise rows given row-major in {@code noise} ({@code [rows × features]}, overwritten when the
     * flow has a fast inverse; the result is returned); with {@code identity} {@code z} itself. Lets a caller draw each
     * row's noise from its own generator (the sampler's exact-copy redraw does).
     */
    public float[] sampleFrom(float[] noise, int rows, boolean identity) {
        float[] x = noise;
        if (identity) {
            return x;
        }
        if (fastInverse != null) {
            evaluators.get().inverseInPlace(x, rows);
        } else {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager()
                    .getAndActivateWorkspace(SAMPLE_WORKSPACE, SAMPLE_WORKSPACE_ID)) {
                INDArray z = Nd4j.createFromArray(x).reshape(rows, features());
                x = inverse(z).reshape(-1).toFloatVector();
            }
        }
        if (calibration != null) {
            calibration.apply(x);
        }
        return x;
    }
}
