package io.flowsynth.flow;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A conditional flow ({@link FlowSpec#contextFeatures()} &gt; 0) as sampling and scoring use it. Its layers never
 * change the leading context features c except element-wise through the ActNorms, so the context's noise is the
 * affine map z_c = A(c) = scale ⊙ c + shift ({@link FlowSpec#contextToNoise}) of the encoded context c, exactly the
 * value the conditioners saw in training. The marginal calibration g splits in two: g_rest calibrates the other
 * features (fitted on draws given the training rows' own contexts), g_c only turns the flow's p(c) into the real
 * context marginal for plain sampling (the flow learns a re-weighted p(c) under context-balanced training). Then
 * <ul>
 *   <li>sampling given c: z = [A(c), z_rest] with z_rest ~ N(0, T²I), x = g_rest(f⁻¹(z)), whose context part is c
 *       (set to c exactly);</li>
 *   <li>plain sampling ({@link #sampleFrom}): c = g_c(A⁻¹(z_c)) for z_c ~ N(0, T²I), then as given c;</li>
 *   <li>log p(c) = log φ(A(g_c⁻¹(c))) + Σ_i log scale_i + log|det (g_c⁻¹)'|, the density plain sampling draws c
 *       from;</li>
 *   <li>log p(rest | c) = log p_f(c, g_rest⁻¹(rest)) + log|det (g_rest⁻¹)'| − log φ(A(c)) − Σ_i log scale_i,
 *       exact for the rows sampling given c draws.</li>
 * </ul>
 */
public final class ConditionalFlow {
    private final Flow flow;
    private final MarginalCalibration contextCalibration;
    private final DiscreteContext discrete; // null: every context feature continuous
    private final int features;
    private final int context;
    private final double[] scale;
    private final double[] shift;
    private final double logScaleSum;

    /**
     * @param flow          the flow of a conditional spec (with its whole calibration, if any)
     * @param contextToNoise {@link FlowSpec#contextToNoise} of the flow's parameters
     */
    public ConditionalFlow(Flow flow, double[][] contextToNoise) {
        this(flow, contextToNoise, null);
    }

    /**
     * @param discrete the context's categorical features, fed at fixed values ({@link DiscreteContext}), or null
     */
    public ConditionalFlow(Flow flow, double[][] contextToNoise, DiscreteContext discrete) {
        this.discrete = discrete;
        this.features = flow.features();
        this.contextCalibration = flow.calibration();
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
        if (discrete != null && discrete.features() != context) {
            throw new IllegalArgumentException("The discrete context describes " + discrete.features()
                    + " features, the flow has " + context);
        }
        this.flow = contextCalibration == null ? flow : flow.withCalibration(contextCalibration.withIdentity(context));
    }

    /** The flow with the rest's calibration only (the context features uncalibrated). */
    public Flow flow() {
        return flow;
    }

    /**
     * The context feature whose base noise alone picks a row's discrete context levels in {@link #sampleFrom}
     * ({@link DiscreteContext#drawnBy}), or −1.
     */
    public int stratifiableFeature() {
        return discrete == null ? -1 : discrete.drawnBy();
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
        if (discrete != null) {
            context = context.clone();
            discrete.snapRows(context, rows, this.context);
        }
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < this.context; i++) {
                noise[r * features + i] = (float) (scale[i] * context[r * this.context + i] + shift[i]);
            }
        }
        float[] x = flow.sampleFrom(noise, rows, false);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(context, r * this.context, x, r * features, this.context);
        }
        return x;
    }

    /**
     * Plain sampling of a conditional model: each row's context c = g_c(A⁻¹(z_c)) from its base noise, then the rest
     * given c ({@link #sampleGiven}).
     *
     * @param noise row-major {@code [rows × features]} base noise (overwritten)
     */
    public float[] sampleFrom(float[] noise, int rows) {
        float[] context = new float[rows * this.context];
        double[] c = new double[this.context];
        double[] z = new double[this.context];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < this.context; i++) {
                c[i] = (noise[r * features + i] - shift[i]) / scale[i];
            }
            if (contextCalibration != null) {
                contextCalibration.apply(c, this.context);
            }
            if (discrete != null) { // levels with their frequencies (or the joint's), from the features' base noise
                for (int i = 0; i < this.context; i++) {
                    z[i] = noise[r * features + i];
                }
                discrete.draw(z, c);
            }
            for (int i = 0; i < this.context; i++) {
                context[r * this.context + i] = (float) c[i];
            }
        }
        return sampleGiven(noise, context, rows);
    }

    /**
     * log p(c) of one row's context (its first {@link #contextFeatures()} values; the row is not changed): a discrete
     * feature's level frequency (or the joint's), a continuous feature's calibrated Gaussian.
     */
    public double logProbContext(double[] row) {
        double[] c = new double[context];
        System.arraycopy(row, 0, c, 0, context);
        double lp = discrete == null ? 0 : discrete.logProbDiscrete(row);
        for (int i = 0; i < context; i++) {
            if (discrete != null && discrete.discrete(i)) {
                continue;
            }
            double logDet = contextCalibration == null ? 0 : contextCalibration.invertOne(c, i);
            double z = scale[i] * c[i] + shift[i];
            lp += logDet + Math.log(scale[i]) - 0.5 * StandardNormalBase.LOG_2PI - 0.5 * z * z;
        }
        return lp;
    }

    /** log φ(A(c)) + Σ log scale: the flow's own density of the encoded context c (its first values). */
    private double logProbContextUncalibrated(double[] c) {
        double lp = logScaleSum - 0.5 * context * StandardNormalBase.LOG_2PI;
        for (int i = 0; i < context; i++) {
            double z = scale[i] * c[i] + shift[i];
            lp -= 0.5 * z * z;
        }
        return lp;
    }

    /** log p(rest | c) per row of {@code x} {@code [rows, features]}. */
    public INDArray logProbRest(INDArray x) {
        if (discrete != null) {
            float[] v = x.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(-1).toFloatVector();
            int n = (int) x.size(0);
            discrete.snapRows(v, n, features);
            x = Nd4j.createFromArray(v).reshape(n, features).castTo(x.dataType());
        }
        INDArray joint = flow.logProb(x);
        double[][] rows = x.toDoubleMatrix();
        double[] out = joint.toDoubleVector();
        for (int r = 0; r < rows.length; r++) {
            out[r] -= logProbContextUncalibrated(rows[r]);
        }
        return Nd4j.createFromArray(out).castTo(joint.dataType());
    }

    /** log p(c) + log p(rest | c) per row of {@code x}: the density of the rows plain sampling draws. */
    public INDArray logProb(INDArray x) {
        INDArray rest = logProbRest(x);
        double[][] rows = x.toDoubleMatrix();
        double[] out = rest.toDoubleVector();
        for (int r = 0; r < rows.length; r++) {
            out[r] += logProbContext(rows[r]);
        }
        return Nd4j.createFromArray(out).castTo(rest.dataType());
    }
}
