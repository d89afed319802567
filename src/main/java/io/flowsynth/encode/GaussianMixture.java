package io.flowsynth.encode;

import io.flowsynth.math.StandardNormal;
import java.util.Arrays;

/**
 * A one-dimensional Gaussian mixture Σ_k π_k N(μ_k, σ_k²), fitted by expectation–maximisation (Dempster, Laird and
 * Rubin, 1977) to a column's <em>quantile sketch</em> rather than to its rows: the knots (q_j, p_j) of the empirical
 * CDF stand for a piecewise-uniform density, whose mass p_{j+1} − p_j sits on the interval's midpoint. So the mixture is
 * fitted on the driver from the few hundred numbers Spark's {@code approxQuantile} already returned, without collecting
 * or re-reading the column. Immutable.
 */
public final class GaussianMixture {
    /** Iterations of EM per component count. */
    static final int ITERATIONS = 200;
    /** Smallest σ, as a fraction of the column's range (keeps EM off point masses). */
    static final double MIN_SIGMA_FRACTION = 1e-3;

    private final double[] weights;
    private final double[] means;
    private final double[] sigmas;

    public GaussianMixture(double[] weights, double[] means, double[] sigmas) {
        if (weights.length == 0 || weights.length != means.length || weights.length != sigmas.length) {
            throw new IllegalArgumentException("a mixture needs as many weights, means and sigmas (≥ 1)");
        }
        double total = 0;
        for (int k = 0; k < weights.length; k++) {
            if (!(weights[k] > 0) || !Double.isFinite(means[k]) || !(sigmas[k] > 0) || !Double.isFinite(sigmas[k])) {
                throw new IllegalArgumentException("component " + k + ": weight and sigma must be positive and finite, "
                        + "mean finite");
            }
            total += weights[k];
        }
        this.weights = new double[weights.length];
        for (int k = 0; k < weights.length; k++) {
            this.weights[k] = weights[k] / total;
        }
        this.means = means.clone();
        this.sigmas = sigmas.clone();
    }

    public int size() {
        return weights.length;
    }

    public double[] weights() {
        return weights.clone();
    }

    public double[] means() {
        return means.clone();
    }

    public double[] sigmas() {
        return sigmas.clone();
    }

    double weight(int k) {
        return weights[k];
    }

    double mean(int k) {
        return means[k];
    }

    double sigma(int k) {
        return sigmas[k];
    }

    /** Mixture density at x. */
    public double density(double x) {
        double d = 0;
        for (int k = 0; k < weights.length; k++) {
            d += weights[k] * StandardNormal.density((x - means[k]) / sigmas[k]) / sigmas[k];
        }
        return d;
    }

    /** Mixture CDF at x. */
    public double cdf(double x) {
        double c = 0;
        for (int k = 0; k < weights.length; k++) {
            c += weights[k] * StandardNormal.cdf((x - means[k]) / sigmas[k]);
        }
        return c;
    }

    /** Kolmogorov distance between this mixture's CDF and the sketch's, at the knots. */
    public double ksDistance(double[] knots, double[] probabilities) {
        double d = 0;
        for (int j = 0; j < knots.length; j++) {
            d = Math.max(d, Math.abs(cdf(knots[j]) - probabilities[j]));
        }
        return d;
    }

    /** A valley must fall below this share of the lower of its two peaks for them to count as separate modes. */
    static final double VALLEY = 0.7;

    /**
     * Number of distinct modes of the density on a grid of 512 points over [lo, hi]: local maxima, where two maxima
     * count as one unless the density between them dips below {@link #VALLEY} times the lower of the two (so the
     * ripples of several components fitted to one flat hump are not modes).
     */
    public int peaks(double lo, double hi) {
        int n = 512;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = density(lo + (hi - lo) * i / (n - 1));
        }
        return countPeaks(d);
    }

    /** Bins of the histogram {@link #sketchPeaks} reads off a quantile sketch. */
    static final int SKETCH_BINS = 48;

    /**
     * Number of modes of the column itself, read off its quantile sketch: the mass of {@value #SKETCH_BINS} equal-width
     * bins over [min, max] from the piecewise-linear CDF, smoothed with weights (1, 2, 1)/4, then counted like
     * {@link #peaks}: two maxima are separate modes only if the histogram dips below {@link #VALLEY} times the lower one
     * between them.
     */
    public static int sketchPeaks(double[] knots, double[] probabilities) {
        double lo = knots[0];
        double hi = knots[knots.length - 1];
        if (!(hi > lo)) {
            return 1;
        }
        double[] mass = new double[SKETCH_BINS];
        double previous = 0;
        for (int b = 0; b < SKETCH_BINS; b++) {
            double edge = b == SKETCH_BINS - 1 ? hi : lo + (hi - lo) * (b + 1) / SKETCH_BINS;
            double c = b == SKETCH_BINS - 1 ? 1.0 : sketchCdf(knots, probabilities, edge);
            mass[b] = c - previous;
            previous = c;
        }
        double[] smooth = new double[SKETCH_BINS];
        for (int b = 0; b < SKETCH_BINS; b++) {
            double left = b > 0 ? mass[b - 1] : mass[b];
            double right = b < SKETCH_BINS - 1 ? mass[b + 1] : mass[b];
            smooth[b] = 0.25 * left + 0.5 * mass[b] + 0.25 * right;
        }
        return countPeaks(smooth);
    }

    /** F̂(x) of the sketch (the largest probability of knots equal to x, for point masses). */
    private static double sketchCdf(double[] knots, double[] probabilities, double x) {
        int n = knots.length;
        if (x < knots[0]) {
            return 0;
        }
        if (x >= knots[n - 1]) {
            return 1;
        }
        int j = 0;
        while (j + 1 < n && knots[j + 1] <= x) {
            j++;
        }
        double width = knots[j + 1] - knots[j];
        double t = width > 0 ? (x - knots[j]) / width : 0;
        return probabilities[j] + t * (probabilities[j + 1] - probabilities[j]);
    }

    /** Maxima of d separated by a valley below {@link #VALLEY} times the lower of the two. */
    static int countPeaks(double[] d) {
        int n = d.length;
        int peaks = 0;
        double lastPeak = 0;
        double valley = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            valley = Math.min(valley, d[i]);
            boolean left = i == 0 || d[i] > d[i - 1];
            boolean right = i == n - 1 || d[i] >= d[i + 1];
            if (!(left && right && d[i] > 0)) {
                continue;
            }
            if (peaks == 0 || valley < VALLEY * Math.min(lastPeak, d[i])) {
                peaks++;
                lastPeak = d[i];
                valley = d[i];
            } else if (d[i] > lastPeak) {
                lastPeak = d[i];
                valley = d[i];
            }
        }
        return peaks;
    }

    /**
     * The best mixture of 1 to {@code maxModes} components for a quantile sketch: the one with the smallest
     * {@link #ksDistance}, preferring fewer components unless more improve it by more than 0.002.
     *
     * @param knots         non-decreasing quantiles, at least 2, first &lt; last
     * @param probabilities their probabilities, increasing from 0 to 1
     */
    public static GaussianMixture fitSketch(double[] knots, double[] probabilities, int maxModes) {
        int n = knots.length - 1;
        double lo = knots[0];
        double hi = knots[n];
        if (n < 1 || !(hi > lo)) {
            throw new IllegalArgumentException("a mixture needs a sketch with a positive range");
        }
        double[] x = new double[n];
        double[] w = new double[n];
        for (int j = 0; j < n; j++) {
            x[j] = 0.5 * (knots[j] + knots[j + 1]);
            w[j] = probabilities[j + 1] - probabilities[j];
        }
        double minSigma = (hi - lo) * MIN_SIGMA_FRACTION;
        GaussianMixture best = null;
        double bestKs = Double.POSITIVE_INFINITY;
        for (int k = 1; k <= maxModes; k++) {
            GaussianMixture m = em(x, w, k, knots, probabilities, minSigma);
            double ks = m.ksDistance(knots, probabilities);
            if (best == null || ks < bestKs - 0.002) {
                best = m;
                bestKs = ks;
            }
        }
        return best;
    }

    private static GaussianMixture em(double[] x, double[] w, int k, double[] knots, double[] probabilities,
                                      double minSigma) {
        double[] pi = new double[k];
        double[] mu = new double[k];
        double[] sigma = new double[k];
        double range = knots[knots.length - 1] - knots[0];
        for (int c = 0; c < k; c++) {
            pi[c] = 1.0 / k;
            mu[c] = quantile(knots, probabilities, (c + 0.5) / k);
            sigma[c] = Math.max(minSigma, range / (2.0 * k));
        }
        double[] r = new double[k];
        for (int it = 0; it < ITERATIONS; it++) {
            double[] sw = new double[k];
            double[] sx = new double[k];
            double[] sxx = new double[k];
            for (int i = 0; i < x.length; i++) {
                double total = 0;
                for (int c = 0; c < k; c++) {
                    double t = (x[i] - mu[c]) / sigma[c];
                    r[c] = pi[c] * Math.exp(-0.5 * t * t) / sigma[c];
                    total += r[c];
                }
                if (!(total > 0)) {
                    continue; // far from every component: no information
                }
                for (int c = 0; c < k; c++) {
                    double g = w[i] * r[c] / total;
                    sw[c] += g;
                    sx[c] += g * x[i];
                    sxx[c] += g * x[i] * x[i];
                }
            }
            double mass = Arrays.stream(sw).sum();
            for (int c = 0; c < k; c++) {
                if (sw[c] < 1e-9) { // an empty component: restart it at the median
                    pi[c] = 1e-6;
                    continue;
                }
                pi[c] = sw[c] / mass;
                mu[c] = sx[c] / sw[c];
                double var = sxx[c] / sw[c] - mu[c] * mu[c];
                sigma[c] = Math.max(minSigma, Math.sqrt(Math.max(0, var)));
            }
        }
        return new GaussianMixture(pi, mu, sigma);
    }

    private static double quantile(double[] knots, double[] probabilities, double p) {
        int j = Arrays.binarySearch(probabilities, p);
        if (j >= 0) {
            return knots[j];
        }
        j = Math.max(0, Math.min(knots.length - 2, -j - 2));
        double t = (p - probabilities[j]) / (probabilities[j + 1] - probabilities[j]);
        return knots[j] + t * (knots[j + 1] - knots[j]);
    }
}
