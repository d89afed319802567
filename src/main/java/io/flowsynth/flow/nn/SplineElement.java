package io.flowsynth.flow.nn;

import io.flowsynth.flow.transforms.RationalQuadraticSpline;

/**
 * The rational-quadratic spline of one (row, feature) of a spline coupling layer (Durkan et al. 2019), forward and
 * hand-derived backward, exactly the function {@link FlowOutputLayer}'s one-hot graph computes: widths and heights
 * from softmaxes with floors, interior knot derivatives from a shifted softplus with a floor, boundary derivatives 1,
 * identity outside [−B, B). The bin search and every derivative happen in one pass over the element's K values.
 *
 * <p>With ξ = (x − x_k)/w_k, s = h_k/w_k, ω = ξ(1 − ξ), den = s + (δ_k + δ_{k+1} − 2s)·ω:
 * y = y_k + h_k·(sξ² + δ_k·ω)/den and ℓ = log dy/dx = 2 log s + log(δ_{k+1}ξ² + 2sω + δ_k(1 − ξ)²) − 2 log den.
 * {@link #backward} returns ∂(g·y − ℓ)/∂x and leaves ∂(g·y − ℓ)/∂(raw head values) in place of the raw values
 * (three head buffers: widths and heights K values each, interior derivatives K − 1).
 * Not thread-safe (scratch arrays).
 */
final class SplineElement {
    private static final double MIN_W = RationalQuadraticSpline.MIN_BIN_WIDTH;
    private static final double MIN_H = RationalQuadraticSpline.MIN_BIN_HEIGHT;
    private static final double MIN_D = RationalQuadraticSpline.MIN_DERIVATIVE;
    private static final double SHIFT = RationalQuadraticSpline.DERIVATIVE_SHIFT;

    private final int k;
    private final double b;
    private final double[] pw;
    private final double[] ph;
    private final double[] cw;
    private final double[] ch;
    private final double[] gw;
    private final double[] gh;

    // forward results
    boolean inside;
    double y;
    double logDeriv;
    // saved for backward
    private int bin;
    private double xi;
    private double s;
    private double om;
    private double den;
    private double q;
    private double n2;
    private double binW;
    private double binH;
    private double dk;
    private double dk1;

    SplineElement(int bins, double tailBound) {
        this.k = bins;
        this.b = tailBound;
        pw = new double[bins];
        ph = new double[bins];
        cw = new double[bins + 1];
        ch = new double[bins + 1];
        gw = new double[bins];
        gh = new double[bins];
    }

    private static void softmax(Buf u, int off, double[] p, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, u.get(off + i));
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(u.get(off + i) - max);
            p[i] = e;
            sum += e;
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
    }

    private static double softplus(double v) {
        return v > 30 ? v : Math.log1p(Math.exp(v));
    }

    private static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }

    /**
     * The raw head values (biases included): widths in {@code uw} at {@code wOff}, heights in {@code uh} at
     * {@code hOff} (K each), interior derivatives in {@code ud} at {@code dOff} (K − 1).
     */
    void forward(double x, Buf uw, int wOff, Buf uh, int hOff, Buf ud, int dOff) {
        softmax(uw, wOff, pw, k);
        softmax(uh, hOff, ph, k);
        double sw = 1.0 - MIN_W * k;
        double sh = 1.0 - MIN_H * k;
        cw[0] = 0;
        ch[0] = 0;
        for (int i = 0; i < k; i++) {
            cw[i + 1] = cw[i] + MIN_W + sw * pw[i];
            ch[i + 1] = ch[i] + MIN_H + sh * ph[i];
        }
        double span = 2 * b;
        inside = x >= -b && x < span * cw[k] - b;
        if (!inside) {
            y = x;
            logDeriv = 0;
            return;
        }
        int kk = 0;
        while (kk < k - 1 && x >= span * cw[kk + 1] - b) {
            kk++;
        }
        bin = kk;
        double left = span * cw[kk] - b;
        binW = span * (cw[kk + 1] - cw[kk]);
        binH = span * (ch[kk + 1] - ch[kk]);
        double bottom = span * ch[kk] - b;
        dk = kk == 0 ? 1.0 : MIN_D + softplus(ud.get(dOff + kk - 1) + SHIFT);
        dk1 = kk == k - 1 ? 1.0 : MIN_D + softplus(ud.get(dOff + kk) + SHIFT);
        xi = (x - left) / binW;
        s = binH / binW;
        om = xi * (1 - xi);
        den = s + (dk1 + dk - 2 * s) * om;
        q = s * xi * xi + dk * om;
        y = bottom + binH * q / den;
        double oneMinus = 1 - xi;
        n2 = dk1 * xi * xi + 2 * s * om + dk * oneMinus * oneMinus;
        logDeriv = Math.log(s * s * n2 / (den * den));
    }

    /**
     * After {@link #forward} of the same element: returns ∂(gy·y − ℓ)/∂x and overwrites the element's raw head values
     * in their buffers with ∂(gy·y − ℓ)/∂(raw values).
     */
    double backward(double gy, Buf uw, int wOff, Buf uh, int hOff, Buf ud, int dOff) {
        return backward(gy, 1.0, uw, wOff, uh, hOff, ud, dOff);
    }

    /**
     * As {@link #backward(double, Buf, int, Buf, int, Buf, int)} for the loss gy·y − lw·ℓ: the log-derivative's term
     * weighted by {@code lw} (a row's loss weight under DP-SGD clipping; 1 otherwise).
     */
    double backward(double gy, double lw, Buf uw, int wOff, Buf uh, int hOff, Buf ud, int dOff) {
        if (!inside) {
            for (int i = 0; i < k; i++) {
                uw.set(wOff + i, 0.0);
                uh.set(hOff + i, 0.0);
            }
            for (int i = 0; i < k - 1; i++) {
                ud.set(dOff + i, 0.0);
            }
            return gy;
        }
        int kk = bin;
        double a = dk1 + dk - 2 * s;
        double oneMinus = 1 - xi;
        double den2 = den * den;
        double dDenDxi = a * (1 - 2 * xi);
        double dQdxi = 2 * s * xi + dk * (1 - 2 * xi);
        double dyDxi = binH * (dQdxi * den - q * dDenDxi) / den2;
        double dyDs = binH * (xi * xi * den - q * (1 - 2 * om)) / den2;
        double dyDdk = binH * om * (den - q) / den2;
        double dyDdk1 = -binH * q * om / den2;
        double dN2dxi = 2 * dk1 * xi + 2 * s * (1 - 2 * xi) - 2 * dk * oneMinus;
        double dlDxi = dN2dxi / n2 - 2 * dDenDxi / den;
        double dlDs = 2 / s + 2 * om / n2 - 2 * (1 - 2 * om) / den;
        double dlDdk = oneMinus * oneMinus / n2 - 2 * om / den;
        double dlDdk1 = xi * xi / n2 - 2 * om / den;
        double gXi = gy * dyDxi - lw * dlDxi;
        double gS = gy * dyDs - lw * dlDs;
        double gDk = gy * dyDdk - lw * dlDdk;
        double gDk1 = gy * dyDdk1 - lw * dlDdk1;
        double gBinH = gy * q / den + gS / binW;
        double gLeft = -gXi / binW;
        double gBinW = -gXi * xi / binW - gS * s / binW;
        double span = 2 * b;
        for (int i = 0; i < k; i++) {
            gw[i] = i < kk ? span * gLeft : 0.0;
            gh[i] = i < kk ? span * gy : 0.0;
        }
        gw[kk] += span * gBinW;
        gh[kk] += span * gBinH;
        softmaxBackward(uw, wOff, pw, gw, 1.0 - MIN_W * k);
        softmaxBackward(uh, hOff, ph, gh, 1.0 - MIN_H * k);
        double rawLeft = kk > 0 ? ud.get(dOff + kk - 1) : 0;
        double rawRight = kk < k - 1 ? ud.get(dOff + kk) : 0;
        for (int i = 0; i < k - 1; i++) {
            ud.set(dOff + i, 0.0);
        }
        if (kk > 0) {
            ud.set(dOff + kk - 1, gDk * sigmoid(rawLeft + SHIFT));
        }
        if (kk < k - 1) {
            ud.set(dOff + kk, gDk1 * sigmoid(rawRight + SHIFT));
        }
        return gXi / binW;
    }

    /** p = softmax(u), values = floor + scale·p: ∂/∂u_i = p_i·(scale·g_i − Σ_j p_j·scale·g_j), written over u. */
    private static void softmaxBackward(Buf u, int off, double[] p, double[] g, double scale) {
        double dot = 0;
        for (int i = 0; i < p.length; i++) {
            dot += p[i] * g[i];
        }
        for (int i = 0; i < p.length; i++) {
            u.set(off + i, scale * p[i] * (g[i] - dot));
        }
    }
}
