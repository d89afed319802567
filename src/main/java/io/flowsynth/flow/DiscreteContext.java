package io.flowsynth.flow;

import io.flowsynth.math.StandardNormal;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The categorical features of a conditional flow's context, fed to the flow as one fixed value per category (the
 * midpoint of its frequency interval, z = Φ⁻¹((c_k + c_{k+1}) / 2)) rather than dequantized within the interval: the
 * conditioners then see exactly one input per level, so a level's conditional p(rest | c) is not blurred into its
 * neighbours' near the interval boundaries (a rare level's interval is narrow, and with dequantized inputs its rows
 * came out like those of the level beside it). p(c) of these features is the categories' frequencies themselves:
 * plain sampling draws a level with its frequency from the feature's base noise (the interval holding Φ(z)).
 *
 * <p>Immutable; per context feature either discrete (the frequency intervals' bounds) or continuous (null).
 */
public final class DiscreteContext implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[][] lower;     // per feature: interval bounds c_0 = 0 … c_n = 1, or null
    private final double[][] midpoint;  // per feature: Φ⁻¹ of each interval's midpoint
    private final double[][] logFrequency;

    /**
     * @param lower per context feature, its categories' interval bounds in [0, 1] (n + 1 increasing values from 0 to
     *              1), or null for a continuous feature
     */
    public DiscreteContext(double[][] lower) {
        this.lower = new double[lower.length][];
        this.midpoint = new double[lower.length][];
        this.logFrequency = new double[lower.length][];
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] == null) {
                continue;
            }
            double[] b = lower[i].clone();
            if (b.length < 2) {
                throw new IllegalArgumentException("Context feature " + i + " needs at least one category");
            }
            this.lower[i] = b;
            midpoint[i] = new double[b.length - 1];
            logFrequency[i] = new double[b.length - 1];
            for (int k = 0; k < b.length - 1; k++) {
                midpoint[i][k] = StandardNormal.inverseCdf(0.5 * (b[k] + b[k + 1]));
                logFrequency[i][k] = Math.log(b[k + 1] - b[k]);
            }
        }
    }

    /** Number of context features described (discrete or not). */
    public int features() {
        return lower.length;
    }

    /** Whether context feature {@code i} is discrete. */
    public boolean discrete(int i) {
        return lower[i] != null;
    }

    /** The category of a discrete feature's value z: the interval holding Φ(z). */
    int category(int i, double z) {
        double u = StandardNormal.cdf(Double.isNaN(z) ? 0.0 : z);
        int k = Arrays.binarySearch(lower[i], u);
        k = k >= 0 ? k : -k - 2;
        return Math.max(0, Math.min(midpoint[i].length - 1, k));
    }

    /** The fixed value of a discrete feature's value z (its category's midpoint); z itself for a continuous one. */
    public double snap(int i, double z) {
        return lower[i] == null ? z : midpoint[i][category(i, z)];
    }

    /** {@link #snap} of the context features of row-major rows of {@code width} features, in place. */
    public void snapRows(float[] rows, int count, int width) {
        for (int r = 0; r < count; r++) {
            for (int i = 0; i < lower.length; i++) {
                if (lower[i] != null) {
                    rows[r * width + i] = (float) snap(i, rows[r * width + i]);
                }
            }
        }
    }

    /** {@link #snap} of one row's context features, in place. */
    public void snapRow(double[] row) {
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] != null) {
                row[i] = snap(i, row[i]);
            }
        }
    }

    /** ln f_k of a discrete feature's value (its category's frequency). */
    public double logProb(int i, double z) {
        return logFrequency[i][category(i, z)];
    }
}
