package io.flowsynth.flow;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A conditional flow ({@link FlowSpec#contextFeatures()} &gt; 0) as sampling and scoring use it. Its layers never
 * change the leading context features c except element-wise through the ActNorms, so the context's noise is the
 * affine map z_c = scale ⊙ c' + shift ({@link FlowSpec#contextToNoise}) of c' = g⁻¹(c), g the flow's marginal
 * calibration (identity without one). Then
 * <ul>
 *   <li>sampling given c: z = [z_c, z_rest] with z_rest ~ N(0, T²I), x = g(f⁻¹(z)), whose context part is c again
 *       (and is set to c exactly);</li>
 *   <li>log p(c) = Σ_i log φ(z_c,i) + Σ_i log scale_i + log|det (g⁻¹)'| over the context features, a diagonal
 *       Gaussian in the flow's space;</li>
 *   <li>log p(rest | c) = log p(x) − log p(c), exact.</li>
 * </ul>
 */
public final class ConditionalFlow {
    private final Flow flow;
    private final int features;
    private final int context;
    private final double[] scale;
    private final double[] shift;
    private final double logScaleSum;

    /**
     * @param flow          the flow of a conditional spec (with its calibration, if any)
     * @param contextToNoise {@link FlowSpec#contextToNoise} of the flow's parameters
     */
    public ConditionalFlow(Flow flow, double[][] contextToNoise) {
        this.flow = flow;
        this.features = flow.features();
        this.scale = contextToNoise[0].clone();
        this.shift = contextToNoise[1].clone();
        this.context = scale.length;
        if (context < 1 || context >= features || shift.length != context) {
            throw new IllegalArgumentException("A conditional flow of " + features + " features needs 1 … "
                    + (features - 1) + " context features, got " + context);
        }
        double sum = 0;
        for (double v : scale) {
            sum += Math.log(v);
        }
        this.logScaleSum = sum;
    }

    public Flow flow() {
        return flow;
    }

    public int contextFeatures() {
        return context;
    }

    /**
     * x = g(f⁻¹(z)) for base-noise rows whose context part is replaced by the noise of the given context rows.
     *
     * @param noise   row-major {@code [rows × features]} base noise; only its non-context part is used (overwritten)
     * @param context row-major {@code [rows × contextFeatures]}: the encoded context of each row
     * @return row-major {@code [rows × features]}, the context part equal to {@code context}
     */
    public float[] sampleGiven(float[] noise, float[] context, int rows) {
        MarginalCalibration calibration = flow.calibration();
        double[] c = new double[this.context];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < this.context; i++) {
                c[i] = context[r * this.context + i];
            }
            if (calibration != null) {
                calibration.invert(c, this.context);
            }
            for (int i = 0; i < this.context; i++) {
                noise[r * features + i] = (float) (scale[i] * c[i] + shift[i]);
            }
        }
        float[] x = flow.sampleFrom(noise, rows, false);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(context, r * this.context, x, r * features, this.context);
        }
        return x;
    }

    /** log p(c) of one row's context (its first {@link #contextFeatures()} values; the row is not changed). */
    public double logProbContext(double[] row) {
        double[] c = new double[context];
        System.arraycopy(row, 0, c, 0, context);
        MarginalCalibration calibration = flow.calibration();
        double logDet = calibration == null ? 0 : calibration.invert(c, context);
        double lp = logScaleSum + logDet - 0.5 * context * StandardNormalBase.LOG_2PI;
        for (int i = 0; i < context; i++) {
            double z = scale[i] * c[i] + shift[i];
            lp -= 0.5 * z * z;
        }
        return lp;
    }

    /** log p(rest | c) per row of {@code x} {@code [rows, features]}. */
    public INDArray logProbRest(INDArray x) {
        INDArray joint = flow.logProb(x);
        double[][] rows = x.toDoubleMatrix();
        double[] out = joint.toDoubleVector();
        for (int r = 0; r < rows.length; r++) {
            out[r] -= logProbContext(rows[r]);
        }
        return Nd4j.createFromArray(out).castTo(joint.dataType());
    }
}
