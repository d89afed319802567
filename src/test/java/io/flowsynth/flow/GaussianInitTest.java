package io.flowsynth.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.nn.FlowBackprop;
import io.flowsynth.flow.nn.FlowNetworks;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * A flow started at the copula ({@link GaussianInit}) is, untrained, the maximum-likelihood Gaussian of its rows: its
 * log-likelihood equals the closed form N(x; μ̂, Σ̂) and the fitted {@code linear} flow's (the copula) row by row.
 */
class GaussianInitTest {
    private static final int D = 5;
    private static final int ROWS = 3000;

    /** Rows of a correlated, shifted, differently scaled Gaussian (one near-collinear pair), row-major. */
    private static float[] correlatedSample(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] rows = new float[ROWS * D];
        for (int r = 0; r < ROWS; r++) {
            double a = rng.nextGaussian();
            double b = rng.nextGaussian();
            double[] x = {2 + 3 * a, -1 + 2.9 * a + 0.3 * rng.nextGaussian(), 0.5 * a + b, b - 0.2 * a
                    + 0.5 * rng.nextGaussian(), 0.1 * rng.nextGaussian()};
            for (int i = 0; i < D; i++) {
                rows[r * D + i] = (float) x[i];
            }
        }
        return rows;
    }

    /** Per-row log N(x; mean, cov), computed independently (Cholesky solve, no flow code). */
    private static double[] gaussianLogDensity(float[] rows, double[] mean, double[][] cov) {
        double[][] c = GaussianInit.cholesky(cov);
        double logDet = 0;
        for (int i = 0; i < D; i++) {
            logDet += 2 * Math.log(c[i][i]);
        }
        double[] out = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            double[] y = new double[D];
            double q = 0;
            for (int i = 0; i < D; i++) {
                double s = rows[r * D + i] - mean[i];
                for (int k = 0; k < i; k++) {
                    s -= c[i][k] * y[k];
                }
                y[i] = s / c[i][i];
                q += y[i] * y[i];
            }
            out[r] = -0.5 * (q + logDet + D * StandardNormalBase.LOG_2PI);
        }
        return out;
    }

    private static MultiLayerNetwork startedAtCopula(FlowSpec spec, GaussianInit.Moments m) {
        MultiLayerNetwork net = new MultiLayerNetwork(FlowNetworks.configuration(spec,
                new FlowNetworks.Optimizer(1e-3, 0, DataType.DOUBLE), new NoOp()));
        net.init();
        FlowNetworks.assign(net, GaussianInit.parameters(spec, m.mean(), m.covariance()));
        return net;
    }

    private static double[] logProb(MultiLayerNetwork net, float[] rows) {
        INDArray x = Nd4j.createFromArray(rows).reshape(ROWS, D).castTo(DataType.DOUBLE);
        return FlowNetworks.flow(net).logProb(x).toDoubleVector();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"realnvp", "maf", "spline"})
    void untrainedCopulaStartedFlowHasTheCopulasLogLikelihood(String type) {
        float[] rows = correlatedSample(3);
        GaussianInit.Moments m = new GaussianInit.Moments(D).add(rows, ROWS);
        FlowSpec spec = new FlowSpec(FlowType.parse(type), D, 4, 16, 2, 7).withCopulaLayer(true);
        double[] flow = logProb(startedAtCopula(spec, m), rows);
        double[] copula = logProb(startedAtCopula(new FlowSpec(FlowType.LINEAR, D, 1, 16, 2, 7), m), rows);
        double[] exact = gaussianLogDensity(rows, m.mean(), m.covariance());
        double meanFlow = 0;
        double meanExact = 0;
        for (int r = 0; r < ROWS; r++) {
            assertThat(flow[r]).as("row %d vs the linear copula", r).isCloseTo(copula[r],
                    org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(copula[r]))));
            assertThat(flow[r]).as("row %d vs the closed form", r).isCloseTo(exact[r],
                    org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(exact[r]))));
            meanFlow += flow[r] / ROWS;
            meanExact += exact[r] / ROWS;
        }
        // the maximum-likelihood Gaussian: its mean log-likelihood on its own rows is −(D/2)(1 + ln 2π) − ½ ln|Σ̂|
        double[][] c = GaussianInit.cholesky(m.covariance());
        double logDet = 0;
        for (int i = 0; i < D; i++) {
            logDet += 2 * Math.log(c[i][i]);
        }
        // (up to the ridge λ = 1e-6 × mean variance: it moves the mean by about λ·tr(Σ̂⁻¹)/2, 3e-4 nats on these rows)
        assertThat(meanFlow).isCloseTo(-0.5 * D * (1 + StandardNormalBase.LOG_2PI) - 0.5 * logDet,
                org.assertj.core.data.Offset.offset(1e-3));
        assertThat(meanExact).isCloseTo(meanFlow, org.assertj.core.data.Offset.offset(1e-6));

        // without the start the same flow is the independent-features model, far below on these correlated rows
        MultiLayerNetwork identity = new MultiLayerNetwork(FlowNetworks.configuration(spec,
                new FlowNetworks.Optimizer(1e-3, 0, DataType.DOUBLE), new NoOp()));
        identity.init();
        double meanIdentity = 0;
        for (double v : logProb(identity, rows)) {
            meanIdentity += v / ROWS;
        }
        assertThat(meanIdentity).isLessThan(meanFlow - 1);
    }

    @Test
    void theTrainingLossOfTheStartedFlowIsItsNegativeLogLikelihood() {
        float[] rows = correlatedSample(4);
        GaussianInit.Moments m = new GaussianInit.Moments(D).add(rows, 1000).merge(
                new GaussianInit.Moments(D).add(java.util.Arrays.copyOfRange(rows, 1000 * D, ROWS * D), ROWS - 1000));
        assertThat(m.rows()).isEqualTo(ROWS);
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, D, 3, 8, 2, 1).withCopulaLayer(true);
        MultiLayerNetwork net = startedAtCopula(spec, m);
        FlowBackprop bp = new FlowBackprop(spec, DataType.DOUBLE);
        bp.params().assign(net.params());
        double loss = bp.loss(rows, ROWS) / ROWS + 0.5 * D * StandardNormalBase.LOG_2PI;
        double[] exact = gaussianLogDensity(rows, m.mean(), m.covariance());
        double nll = 0;
        for (double v : exact) {
            nll -= v / ROWS;
        }
        assertThat(loss).isCloseTo(nll, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void collinearFeaturesStillGiveAFiniteStart() {
        float[] rows = new float[200 * 3];
        SplittableRandom rng = new SplittableRandom(1);
        for (int r = 0; r < 200; r++) {
            double a = rng.nextGaussian();
            rows[r * 3] = (float) a;
            rows[r * 3 + 1] = (float) a; // duplicated column: a singular covariance
            rows[r * 3 + 2] = 4f;        // constant
        }
        GaussianInit.Moments m = new GaussianInit.Moments(3).add(rows, 200);
        FlowSpec spec = new FlowSpec(FlowType.MAF, 3, 2, 8, 2, 1).withCopulaLayer(true);
        for (double[][] v : GaussianInit.parameters(spec, m.mean(), m.covariance()).values()) {
            for (double[] row : v) {
                for (double x : row) {
                    assertThat(Double.isFinite(x)).isTrue();
                }
            }
        }
    }

    @Test
    void closedFormHeldOutLikelihoodMatchesTheRowsAndShrinkageHelpsANearlyDerivedColumn() {
        float[] rows = correlatedSample(5);
        GaussianInit.Moments train = new GaussianInit.Moments(D).add(rows, 2000);
        float[] held = java.util.Arrays.copyOfRange(rows, 2000 * D, ROWS * D);
        GaussianInit.Moments validation = new GaussianInit.Moments(D).add(held, ROWS - 2000);
        double[][] cov = GaussianInit.shrunk(train.covariance(), 0.1);
        double direct = 0;
        float[] padded = java.util.Arrays.copyOf(held, ROWS * D); // gaussianLogDensity reads ROWS rows
        double[] each = gaussianLogDensity(padded, train.mean(), cov);
        for (int r = 0; r < ROWS - 2000; r++) {
            direct += each[r] / (ROWS - 2000);
        }
        assertThat(GaussianInit.meanLogLikelihood(train.mean(), cov, validation))
                .isCloseTo(direct, org.assertj.core.data.Offset.offset(1e-9 * (1 + Math.abs(direct))));

        // column 1 derived from column 0 up to tiny noise on the training rows, a larger one on the held-out rows
        SplittableRandom rng = new SplittableRandom(6);
        float[] t = new float[400 * 2];
        float[] v = new float[400 * 2];
        for (int r = 0; r < 400; r++) {
            double a = rng.nextGaussian();
            t[2 * r] = (float) a;
            t[2 * r + 1] = (float) (a + 1e-3 * rng.nextGaussian());
            double b = rng.nextGaussian();
            v[2 * r] = (float) b;
            v[2 * r + 1] = (float) (b + 0.05 * rng.nextGaussian());
        }
        GaussianInit.Moments mt = new GaussianInit.Moments(2).add(t, 400);
        GaussianInit.Moments mv = new GaussianInit.Moments(2).add(v, 400);
        double alpha = GaussianInit.chooseShrinkage(mt, mv);
        assertThat(alpha).isGreaterThan(0);
        assertThat(GaussianInit.meanLogLikelihood(mt.mean(), GaussianInit.shrunk(mt.covariance(), alpha), mv))
                .isGreaterThan(GaussianInit.meanLogLikelihood(mt.mean(), mt.covariance(), mv) + 1);
        // held-out rows like the training rows: no reason to shrink much
        assertThat(GaussianInit.chooseShrinkage(train, validation)).isLessThanOrEqualTo(0.03);
        assertThat(GaussianInit.chooseShrinkage(mt, null)).isZero();
    }

    @Test
    void thePrivateCopulaIsNearTheTrueCorrelationOnManyRowsAndShrinksWhenNoiseDominates() {
        // two standard normal features of correlation 0.8, 40,000 rows
        int n = 40_000;
        SplittableRandom rng = new SplittableRandom(3);
        float[] rows = new float[n * 2];
        for (int r = 0; r < n; r++) {
            double a = rng.nextGaussian();
            rows[2 * r] = (float) a;
            rows[2 * r + 1] = (float) (0.8 * a + 0.6 * rng.nextGaussian());
        }
        double clip = io.flowsynth.privacy.DpSgdPlan.copulaClip(2);
        GaussianInit.Moments m = new GaussianInit.Moments(2).addClipped(rows, n, clip);
        assertThat(m.rows()).isEqualTo(n);
        double sensitivity = io.flowsynth.privacy.DpSgdPlan.copulaSensitivity(2);
        GaussianInit.PrivateGaussian g = GaussianInit.privateGaussian(m, 3 * sensitivity, n, new SplittableRandom(1));
        double rho = g.covariance()[0][1] / Math.sqrt(g.covariance()[0][0] * g.covariance()[1][1]);
        assertThat(rho).isBetween(0.7, 0.82); // clipping pulls the far rows in a little; the noise is small here
        assertThat(g.shrinkage()).isLessThan(0.01);
        // on 50 rows more noise swamps the sums: the correlation is shrunk towards 0, the covariance stays usable
        GaussianInit.Moments few = new GaussianInit.Moments(2).addClipped(rows, 50, clip);
        GaussianInit.PrivateGaussian h = GaussianInit.privateGaussian(few, 10 * sensitivity, 50, new SplittableRandom(1));
        assertThat(h.shrinkage()).isGreaterThan(0.2);
        assertThat(h.covariance()[0][0]).isPositive();
        assertThat(h.covariance()[1][1]).isPositive();
        double c = h.covariance()[0][1] / Math.sqrt(h.covariance()[0][0] * h.covariance()[1][1]);
        assertThat(Math.abs(c)).isLessThan(Math.sqrt(1 - GaussianInit.MIN_CONDITIONAL_VARIANCE) + 1e-9);
    }
}
