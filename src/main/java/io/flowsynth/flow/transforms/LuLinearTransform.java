package io.flowsynth.flow.transforms;

import io.flowsynth.flow.Transform;
import io.flowsynth.flow.TransformResult;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An invertible linear map in LU form (Kingma and Dhariwal 2018; Durkan et al. 2019): for row vectors
 * y = x·L·U·P, with L unit lower-triangular, U upper-triangular with positive diagonal u_ii = exp(d_i), and P a fixed
 * permutation. log|det J| = Σ_i d_i = Σ_i log u_ii. The inverse x = y·Pᵀ·U⁻¹·L⁻¹ uses triangular inverses computed
 * once by substitution.
 */
public final class LuLinearTransform implements Transform {
    private final int features;
    private final INDArray weight;      // L·U
    private final INDArray inverse;     // U⁻¹·L⁻¹
    private final PermutationTransform permutation;
    private final double logDet;

    /**
     * @param lower       {@code [D, D]}: its strictly lower part is L's (diagonal and above ignored)
     * @param upper       {@code [D, D]}: its strictly upper part is U's (diagonal and below ignored)
     * @param logDiagonal {@code [1, D]}: d_i = log u_ii
     * @param perm        P: output column j takes column perm[j] of x·L·U
     */
    public LuLinearTransform(INDArray lower, INDArray upper, INDArray logDiagonal, int[] perm) {
        this.features = (int) logDiagonal.length();
        int d = features;
        double[][] l = new double[d][d];
        double[][] u = new double[d][d];
        double sum = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                if (i > j) {
                    l[i][j] = lower.getDouble(i, j);
                } else if (i < j) {
                    u[i][j] = upper.getDouble(i, j);
                }
            }
            l[i][i] = 1.0;
            double di = logDiagonal.getDouble(i);
            u[i][i] = Math.exp(di);
            sum += di;
        }
        this.logDet = sum;
        double[][] lInv = lowerInverse(l);
        double[][] uInv = upperInverse(u);
        this.weight = Nd4j.createFromArray(multiply(l, u)).castTo(logDiagonal.dataType());
        this.inverse = Nd4j.createFromArray(multiply(uInv, lInv)).castTo(logDiagonal.dataType());
        this.permutation = new PermutationTransform(perm);
        if (perm.length != d) {
            throw new IllegalArgumentException("Permutation of " + perm.length + " features for an LU layer of " + d);
        }
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                if (a[i][k] != 0.0) {
                    for (int j = 0; j < n; j++) {
                        c[i][j] += a[i][k] * b[k][j];
                    }
                }
            }
        }
        return c;
    }

    /** Inverse of a lower-triangular matrix by forward substitution on the columns of I. */
    static double[][] lowerInverse(double[][] l) {
        int n = l.length;
        double[][] inv = new double[n][n];
        for (int c = 0; c < n; c++) {
            for (int i = c; i < n; i++) {
                double s = i == c ? 1.0 : 0.0;
                for (int k = c; k < i; k++) {
                    s -= l[i][k] * inv[k][c];
                }
                inv[i][c] = s / l[i][i];
            }
        }
        return inv;
    }

    /** Inverse of an upper-triangular matrix by back substitution on the columns of I. */
    static double[][] upperInverse(double[][] u) {
        int n = u.length;
        double[][] inv = new double[n][n];
        for (int c = 0; c < n; c++) {
            for (int i = c; i >= 0; i--) {
                double s = i == c ? 1.0 : 0.0;
                for (int k = i + 1; k <= c; k++) {
                    s -= u[i][k] * inv[k][c];
                }
                inv[i][c] = s / u[i][i];
            }
        }
        return inv;
    }

    @Override
    public int features() {
        return features;
    }

    private INDArray logDets(INDArray rows, double value) {
        return Nd4j.zeros(rows.dataType(), rows.size(0)).addi(value);
    }

    @Override
    public TransformResult forward(INDArray x) {
        INDArray y = permutation.forward(x.mmul(weight)).output();
        return new TransformResult(y, logDets(x, logDet));
    }

    @Override
    public TransformResult inverse(INDArray y) {
        INDArray x = permutation.inverse(y).output().mmul(inverse);
        return new TransformResult(x, logDets(y, -logDet));
    }
}
