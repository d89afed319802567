package io.flowsynth.flow;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts a flow at the Gaussian copula of its training rows: the parameters of its linear input (the {@code linear}
 * family's ActNorm + LU layer, or another family's copula layer, {@link FlowSpec#copulaLayer()}) that map the rows'
 * mean to 0 and their covariance Σ to the identity, so that with every later layer at its zero (identity)
 * initialisation the untrained flow's density is N(μ, Σ) in the encoded space — the maximum-likelihood Gaussian, i.e.
 * what the {@code linear} flow converges to. Training then starts from the copula instead of from independent
 * features, and since the best validation round is kept (the initial parameters included), a fit never ends below it.
 *
 * <p>The map: with Σ + λI = C·Cᵀ (Cholesky, C lower-triangular), A = C⁻ᵀ is upper-triangular with a positive diagonal
 * and Aᵀ(Σ + λI)A = I, so y = (x − μ)·A·P whitens the rows for any permutation P: L = I (l = 0), U = A (u = its strict
 * upper part, d_i = −log C_ii), shift −μ. The ridge λ = {@value #RIDGE} × mean(diag Σ) (raised tenfold until the
 * factorisation succeeds) keeps near-collinear features (one-hot groups, duplicated columns) finite.
 */
public final class GaussianInit {
    /** The ridge added to Σ's diagonal, relative to its mean diagonal. */
    public static final double RIDGE = 1e-6;

    private GaussianInit() {
    }

    /** Sums of a block of rows for the mean and covariance (mergeable; double precision). */
    public static final class Moments implements Serializable {
        private static final long serialVersionUID = 1L;
        final int features;
        long rows;
        final double[] sum;
        /** Σ x·xᵀ, upper triangle row-major (i ≤ j). */
        final double[] cross;

        public Moments(int features) {
            this.features = features;
            this.sum = new double[features];
            this.cross = new double[features * (features + 1) / 2];
        }

        /** Adds {@code n} rows given row-major in {@code rows}. */
        public Moments add(float[] rows, int n) {
            double[] x = new double[features];
            for (int r = 0; r < n; r++) {
                accumulate(rows, r, 1.0, x);
            }
            return this;
        }

        /** Adds row {@code r} of {@code rows} times {@code scale} ({@code x}: a buffer of the features). */
        private void accumulate(float[] rows, int r, double scale, double[] x) {
            int d = features;
            for (int i = 0; i < d; i++) {
                x[i] = rows[r * d + i] * scale;
                sum[i] += x[i];
            }
            for (int i = 0, t = 0; i < d; i++) {
                double xi = x[i];
                for (int j = i; j < d; j++, t++) {
                    cross[t] += xi * x[j];
                }
            }
            this.rows++;
        }

        /**
         * Adds {@code n} rows, each first scaled down to L2 norm at most {@code clip} (the DP copula: one row then
         * changes the cross products by at most clip² in L2, {@link #privateGaussian}).
         */
        public Moments addClipped(float[] rows, int n, double clip) {
            int d = features;
            double[] x = new double[d];
            for (int r = 0; r < n; r++) {
                double norm = 0;
                for (int i = 0; i < d; i++) {
                    norm += (double) rows[r * d + i] * rows[r * d + i];
                }
                accumulate(rows, r, norm > clip * clip ? clip / Math.sqrt(norm) : 1.0, x);
            }
            return this;
        }

        public Moments merge(Moments o) {
            if (o.features != features) {
                throw new IllegalArgumentException("Moments of " + o.features + " features merged into " + features);
            }
            rows += o.rows;
            for (int i = 0; i < sum.length; i++) {
                sum[i] += o.sum[i];
            }
            for (int i = 0; i < cross.length; i++) {
                cross[i] += o.cross[i];
            }
            return this;
        }

        public long rows() {
            return rows;
        }

        public double[] mean() {
            double[] m = new double[features];
            for (int i = 0; i < features; i++) {
                m[i] = sum[i] / rows;
            }
            return m;
        }

        /** The maximum-likelihood covariance (divided by the row count). */
        public double[][] covariance() {
            double[] m = mean();
            double[][] c = new double[features][features];
            for (int i = 0, t = 0; i < features; i++) {
                for (int j = i; j < features; j++, t++) {
                    c[i][j] = cross[t] / rows - m[i] * m[j];
                    c[j][i] = c[i][j];
                }
            }
            return c;
        }
    }

    /**
     * The values of the linear input's parameters (by name, each {@code [rows][cols]} as in
     * {@link FlowSpec#paramShapes()}) that whiten rows of mean {@code mean} and covariance {@code covariance}.
     */
    public static Map<String, double[][]> parameters(FlowSpec spec, double[] mean, double[][] covariance) {
        if (!spec.hasLinearInput()) {
            throw new IllegalArgumentException("A " + spec.type() + " flow without the copula layer has no linear input");
        }
        int d = spec.features();
        if (mean.length != d || covariance.length != d) {
            throw new IllegalArgumentException("Moments of " + mean.length + " features for a flow of " + d);
        }
        double[][] c = cholesky(covariance);
        double[][] a = transpose(lowerInverse(c)); // C⁻ᵀ, upper-triangular
        double[][] lower = new double[d][d];
        double[][] upper = new double[d][d];
        double[][] logDiagonal = new double[1][d];
        double[][] shift = new double[1][d];
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                upper[i][j] = a[i][j];
            }
            logDiagonal[0][i] = -Math.log(c[i][i]);
            shift[0][i] = -mean[i];
        }
        Map<String, double[][]> out = new LinkedHashMap<>();
        if (!spec.type().layered()) {
            out.put(FlowSpec.actNormLogScale(0), new double[1][d]);
            out.put(FlowSpec.actNormShift(0), shift);
        } else {
            out.put(FlowSpec.copulaShift(), shift);
        }
        out.put(FlowSpec.luLower(0), lower);
        out.put(FlowSpec.luUpper(0), upper);
        out.put(FlowSpec.luLogDiagonal(0), logDiagonal);
        return out;
    }

    /** Shrinkages α of the correlations tried by {@link #chooseShrinkage}. */
    static final double[] SHRINKAGES = {0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.6};

    /** (1 − α)·Σ + α·diag(Σ): the off-diagonal covariances shrunk towards independence. */
    public static double[][] shrunk(double[][] covariance, double alpha) {
        int d = covariance.length;
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = i == j ? covariance[i][j] : (1 - alpha) * covariance[i][j];
            }
        }
        return out;
    }

    /**
     * Mean log-likelihood of the rows summed in {@code rows} under N(mean, covariance) (as factorised by
     * {@link #cholesky}), in closed form from their moments: −½[D·ln 2π + ln|S| + tr(S⁻¹·(Σ_v + δδᵀ))], δ = μ_v − μ.
     */
    public static double meanLogLikelihood(double[] mean, double[][] covariance, Moments rows) {
        int d = mean.length;
        double[][] c = cholesky(covariance);
        double[][] ci = lowerInverse(c);
        double[] mv = rows.mean();
        double[][] m = rows.covariance();
        double logDet = 0;
        for (int i = 0; i < d; i++) {
            logDet += 2 * Math.log(c[i][i]);
        }
        // tr(S⁻¹(M + δδᵀ)) = Σ_k [r_k·M·r_kᵀ + (r_k·δ)²], r_k the rows of C⁻¹ (S⁻¹ = C⁻ᵀC⁻¹)
        double trace = 0;
        double[] delta = new double[d];
        for (int i = 0; i < d; i++) {
            delta[i] = mv[i] - mean[i];
        }
        for (int k = 0; k < d; k++) {
            double[] row = ci[k];
            double quad = 0;
            double proj = 0;
            for (int i = 0; i <= k; i++) {
                if (row[i] == 0) {
                    continue;
                }
                double t = 0;
                for (int j = 0; j <= k; j++) {
                    t += m[i][j] * row[j];
                }
                quad += row[i] * t;
                proj += row[i] * delta[i];
            }
            trace += quad + proj * proj;
        }
        return -0.5 * (d * StandardNormalBase.LOG_2PI + logDet + trace);
    }

    /**
     * The shrinkage α of {@link #SHRINKAGES} whose Gaussian (the training rows' mean and {@link #shrunk} covariance)
     * gives the held-out rows the highest mean log-likelihood; 0 without held-out rows. The plain maximum-likelihood
     * Gaussian over-fits near-collinear features (a derived column, a sum of others): their residual variance on the
     * training rows is tiny, and held-out rows pay for it (mlc_churn: validation NLL 17.3 against 16.0 for the linear
     * flow trained by Adam from the identity).
     */
    public static double chooseShrinkage(Moments train, Moments validation) {
        if (validation == null || validation.rows() < 2) {
            return 0;
        }
        double[] mean = train.mean();
        double[][] cov = train.covariance();
        double best = Double.NEGATIVE_INFINITY;
        double bestAlpha = 0;
        for (double alpha : SHRINKAGES) {
            double ll = meanLogLikelihood(mean, shrunk(cov, alpha), validation);
            if (ll > best + 1e-9) {
                best = ll;
                bestAlpha = alpha;
            }
        }
        return bestAlpha;
    }

    /** A Gaussian released under differential privacy: its mean, covariance and the shrinkage applied. */
    public record PrivateGaussian(double[] mean, double[][] covariance, double shrinkage) {
    }

    /** Least conditional variance (relative to the feature's own) the DP copula's covariance must leave. */
    static final double MIN_CONDITIONAL_VARIANCE = 0.02;

    /**
     * The Gaussian mechanism on clipped second moments ({@link Moments#addClipped}): N(0, noiseStd²) added to every
     * cross product of the upper triangle (diagonal included; the row sums are not released: the features are about
     * standard normal by construction, so the mean is taken as 0), then post-processing only: the noisy second
     * moments rescaled to a correlation matrix (unit diagonal, so every feature keeps the standard normal marginal its
     * encoder's DP release decodes to the column's marginal; variances floored at 5 % of their mean first), the
     * correlations shrunk towards independence by the empirical-Bayes factor 1 − (noise variance / mean squared noisy
     * off-diagonal entry) (more noise, more shrinkage), and further in steps until every conditional variance is at
     * least {@value #MIN_CONDITIONAL_VARIANCE}. The released row count {@code rows} scales the noise estimate (never
     * the exact count).
     */
    public static PrivateGaussian privateGaussian(Moments m, double noiseStd, long rows,
                                                  java.util.random.RandomGenerator rng) {
        int d = m.features;
        double n = Math.max(1, rows);
        double[][] c = new double[d][d];
        for (int i = 0, t = 0; i < d; i++) {
            for (int j = i; j < d; j++, t++) {
                c[i][j] = (m.cross[t] + noiseStd * rng.nextGaussian()) / n;
                c[j][i] = c[i][j];
            }
        }
        double meanVariance = 0;
        for (int i = 0; i < d; i++) {
            meanVariance += Math.max(0, c[i][i]) / d;
        }
        double floor = 0.05 * (meanVariance > 0 ? meanVariance : 1);
        double[] scale = new double[d];
        for (int i = 0; i < d; i++) {
            scale[i] = 1 / Math.sqrt(Math.max(c[i][i], floor));
        }
        double noiseVariance = 0;
        double meanSquare = 0;
        int pairs = 0;
        double[][] r = new double[d][d];
        for (int i = 0; i < d; i++) {
            r[i][i] = 1;
            for (int j = i + 1; j < d; j++) {
                r[i][j] = Math.max(-1, Math.min(1, c[i][j] * scale[i] * scale[j]));
                r[j][i] = r[i][j];
                meanSquare += r[i][j] * r[i][j];
                noiseVariance += Math.pow(noiseStd / n * scale[i] * scale[j], 2);
                pairs++;
            }
        }
        double alpha = pairs == 0 ? 0 : Math.min(1, noiseVariance / Math.max(meanSquare, 1e-300));
        for (; ; alpha = Math.min(1, alpha + 0.1)) {
            double[][] s = shrunk(r, alpha);
            double[][] chol = tryCholesky(s, 0);
            boolean ok = chol != null;
            for (int i = 0; ok && i < d; i++) {
                ok = chol[i][i] * chol[i][i] >= MIN_CONDITIONAL_VARIANCE;
            }
            if (ok || alpha >= 1) {
                return new PrivateGaussian(new double[d], s, alpha);
            }
        }
    }

    /** C with C·Cᵀ = Σ + λI, the smallest ridge λ of {@value #RIDGE}·10ᵏ × mean(diag Σ) that factorises. */
    static double[][] cholesky(double[][] sigma) {
        int d = sigma.length;
        double meanDiagonal = 0;
        for (int i = 0; i < d; i++) {
            meanDiagonal += Math.max(0, sigma[i][i]) / d;
        }
        if (!(meanDiagonal > 0) || !Double.isFinite(meanDiagonal)) {
            meanDiagonal = 1;
        }
        for (double ridge = RIDGE; ; ridge *= 10) {
            double[][] c = tryCholesky(sigma, ridge * meanDiagonal);
            if (c != null) {
                return c;
            }
            if (ridge >= 1) {
                throw new IllegalArgumentException("Covariance is not finite: cannot start the flow at the copula");
            }
        }
    }

    private static double[][] tryCholesky(double[][] sigma, double lambda) {
        int d = sigma.length;
        double[][] c = new double[d][d];
        for (int j = 0; j < d; j++) {
            double s = sigma[j][j] + lambda;
            for (int k = 0; k < j; k++) {
                s -= c[j][k] * c[j][k];
            }
            if (!(s > lambda * 1e-3) || !Double.isFinite(s)) {
                return null;
            }
            c[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < d; i++) {
                double t = sigma[i][j];
                for (int k = 0; k < j; k++) {
                    t -= c[i][k] * c[j][k];
                }
                c[i][j] = t / c[j][j];
            }
        }
        return c;
    }

    private static double[][] lowerInverse(double[][] l) {
        int n = l.length;
        double[][] inv = new double[n][n];
        for (int col = 0; col < n; col++) {
            for (int i = col; i < n; i++) {
                double s = i == col ? 1.0 : 0.0;
                for (int k = col; k < i; k++) {
                    s -= l[i][k] * inv[k][col];
                }
                inv[i][col] = s / l[i][i];
            }
        }
        return inv;
    }

    private static double[][] transpose(double[][] m) {
        int n = m.length;
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[j][i] = m[i][j];
            }
        }
        return t;
    }
}
