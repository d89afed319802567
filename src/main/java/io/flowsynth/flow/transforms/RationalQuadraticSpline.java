package io.flowsynth.flow.transforms;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The monotone rational-quadratic spline of neural spline flows (Durkan, Bekasov, Murray and Papamakarios 2019,
 * eq. 4–8), as an {@link ElementwiseBijection}. On [−B, B] it has K bins whose widths and heights come from softmaxes
 * of the conditioner's raw widths and heights (floored at {@link #MIN_BIN_WIDTH} / {@link #MIN_BIN_HEIGHT}) and whose
 * K−1 interior knot derivatives are {@link #MIN_DERIVATIVE} + softplus(raw + {@link #DERIVATIVE_SHIFT}); the two
 * boundary derivatives are 1, so the identity tails outside [−B, B] join smoothly. The shift makes raw = 0 the
 * derivative 1: with all heads at zero the spline is exactly the identity.
 *
 * <p>θ = (widths {@code [batch, D·K]}, heights {@code [batch, D·K]}, derivatives {@code [batch, D·(K−1)]}), feature i
 * owning columns {@code i·K … i·K+K−1} (resp. {@code i·(K−1) …}). Forward evaluates the bin's rational quadratic; the
 * inverse solves its quadratic per element (the numerically stable root 2c / (−b − √(b² − 4ac))). Computed per
 * element in double precision and returned in the input's data type; the training twin is
 * {@link io.flowsynth.flow.nn.FlowOutputLayer}'s one-hot formulation of the same formulas.
 */
public final class RationalQuadraticSpline implements ElementwiseBijection {
    public static final double MIN_BIN_WIDTH = 1e-3;
    public static final double MIN_BIN_HEIGHT = 1e-3;
    public static final double MIN_DERIVATIVE = 1e-3;
    /** softplus(DERIVATIVE_SHIFT) + MIN_DERIVATIVE = 1. */
    public static final double DERIVATIVE_SHIFT = Math.log(Math.expm1(1.0 - MIN_DERIVATIVE));

    private final int bins;
    private final double tailBound;

    public RationalQuadraticSpline(int bins, double tailBound) {
        if (bins < 2) {
            throw new IllegalArgumentException("A spline needs at least 2 bins, got " + bins);
        }
        if (!(tailBound > 0) || Double.isInfinite(tailBound)) {
            throw new IllegalArgumentException("The tail bound must be finite and > 0, got " + tailBound);
        }
        if (MIN_BIN_WIDTH * bins >= 1.0 || MIN_BIN_HEIGHT * bins >= 1.0) {
            throw new IllegalArgumentException("Too many bins for the minimal bin size: " + bins);
        }
        this.bins = bins;
        this.tailBound = tailBound;
    }

    public int bins() {
        return bins;
    }

    public double tailBound() {
        return tailBound;
    }

    static double softplus(double v) {
        return v > 30 ? v : Math.log1p(Math.exp(v));
    }

    /** Knot positions −B = k_0 < … < k_K ≈ B from raw sizes at {@code raw[off … off+K)}. */
    private void knots(double[] raw, int off, double minSize, double[] sizes, double[] left) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < bins; k++) {
            max = Math.max(max, raw[off + k]);
        }
        double sum = 0;
        for (int k = 0; k < bins; k++) {
            sizes[k] = Math.exp(raw[off + k] - max);
            sum += sizes[k];
        }
        double acc = 0;
        for (int k = 0; k < bins; k++) {
            double w = minSize + (1.0 - minSize * bins) * (sizes[k] / sum);
            left[k] = acc * 2 * tailBound - tailBound;
            acc += w;
            sizes[k] = w * 2 * tailBound;
        }
        left[bins] = acc * 2 * tailBound - tailBound;
    }

    private INDArray[] map(INDArray in, INDArray[] theta, boolean forward) {
        int rows = (int) in.size(0);
        int d = (int) in.size(1);
        double[] v = in.dup('c').data().asDouble();
        double[] rw = theta[0].dup('c').data().asDouble();
        double[] rh = theta[1].dup('c').data().asDouble();
        double[] rd = theta[2].dup('c').data().asDouble();
        double[] out = new double[v.length];
        double[] logd = new double[v.length];
        double[] widths = new double[bins];
        double[] heights = new double[bins];
        double[] xs = new double[bins + 1];
        double[] ys = new double[bins + 1];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < d; i++) {
                int e = r * d + i;
                double value = v[e];
                // the side the input lives on decides the bin: x-knots forward, y-knots inverse
                if (!(value >= -tailBound && value < tailBound)) {
                    out[e] = value;
                    logd[e] = 0.0;
                    continue;
                }
                knots(rw, e * bins, MIN_BIN_WIDTH, widths, xs);
                knots(rh, e * bins, MIN_BIN_HEIGHT, heights, ys);
                double[] searched = forward ? xs : ys;
                if (!(value < searched[bins])) {
                    out[e] = value;
                    logd[e] = 0.0;
                    continue;
                }
                int k = 0;
                while (k < bins - 1 && value >= searched[k + 1]) {
                    k++;
                }
                int dOff = e * (bins - 1);
                double dk = k == 0 ? 1.0 : MIN_DERIVATIVE + softplus(rd[dOff + k - 1] + DERIVATIVE_SHIFT);
                double dk1 = k == bins - 1 ? 1.0 : MIN_DERIVATIVE + softplus(rd[dOff + k] + DERIVATIVE_SHIFT);
                double w = widths[k];
                double h = heights[k];
                double s = h / w;
                double xi;
                if (forward) {
                    xi = (value - xs[k]) / w;
                } else {
                    double delta = value - ys[k];
                    double t = dk1 + dk - 2 * s;
                    double a = h * (s - dk) + delta * t;
                    double b = h * dk - delta * t;
                    double c = -s * delta;
                    double disc = Math.max(0.0, b * b - 4 * a * c);
                    xi = 2 * c / (-b - Math.sqrt(disc));
                }
                double om = xi * (1 - xi);
                double den = s + (dk1 + dk - 2 * s) * om;
                double deriv = s * s * (dk1 * xi * xi + 2 * s * om + dk * (1 - xi) * (1 - xi)) / (den * den);
                if (forward) {
                    out[e] = ys[k] + h * (s * xi * xi + dk * om) / den;
                    logd[e] = Math.log(deriv);
                } else {
                    out[e] = xi * w + xs[k];
                    logd[e] = -Math.log(deriv);
                }
            }
        }
        INDArray y = Nd4j.createFromArray(out).reshape('c', rows, d).castTo(in.dataType());
        INDArray l = Nd4j.createFromArray(logd).reshape('c', rows, d).castTo(in.dataType());
        return new INDArray[]{y, l};
    }

    @Override
    public INDArray[] forward(INDArray x, INDArray[] theta) {
        return map(x, theta, true);
    }

    @Override
    public INDArray[] inverse(INDArray y, INDArray[] theta) {
        return map(y, theta, false);
    }
}
