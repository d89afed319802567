package io.flowsynth.encode;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.math.StandardNormal;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link NullImputation}: a mostly-null column related to another gets its null rows' value feature from a regression
 * on it, an unrelated one stays noise; the density correction is the regression's; the model survives JSON. Without
 * Spark.
 */
class NullImputationTest {
    private static final ColumnType DOUBLE = ColumnType.of(ColumnType.Base.DOUBLE);

    /** gross (no nulls), dvd = gross + small noise (80 % null), junk (independent, 50 % null). */
    private static List<Object[]> rows(int n, long seed) {
        Random rng = new Random(seed);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double gross = rng.nextGaussian();
            Double dvd = rng.nextDouble() < 0.8 ? null : gross + 0.3 * rng.nextGaussian();
            Double junk = rng.nextDouble() < 0.5 ? null : rng.nextGaussian();
            rows.add(new Object[]{gross, dvd, junk});
        }
        return rows;
    }

    private static TableEncoder encoder(List<Object[]> rows) {
        List<ColumnEncoder> columns = new ArrayList<>();
        String[] names = {"gross", "dvd", "junk"};
        for (int c = 0; c < 3; c++) {
            List<Object> values = new ArrayList<>();
            for (Object[] r : rows) {
                values.add(r[c]);
            }
            columns.add(Fixtures.quantile(names[c], "continuous", DOUBLE, values, 200));
        }
        return new TableEncoder(columns);
    }

    private static NullImputation fit(TableEncoder encoder, List<Object[]> rows) {
        List<Integer> candidates = NullImputation.candidates(encoder);
        double[][] features = new double[rows.size()][encoder.width()];
        boolean[][] present = new boolean[rows.size()][candidates.size()];
        Random rng = new Random(7);
        for (int r = 0; r < rows.size(); r++) {
            encoder.encodeWithoutImputation(rows.get(r), features[r], rng);
            for (int j = 0; j < candidates.size(); j++) {
                present[r][j] = NullImputation.hasValue(encoder, rows.get(r), candidates.get(j));
            }
        }
        return NullImputation.fit(encoder, features, present, candidates, 11);
    }

    @Test
    void aMostlyNullColumnRelatedToAnotherIsImputedFromItAndAnUnrelatedOneStaysNoise() {
        List<Object[]> rows = rows(5000, 1);
        TableEncoder encoder = encoder(rows);
        assertThat(NullImputation.candidates(encoder)).containsExactly(1, 2);
        NullImputation model = fit(encoder, rows);
        assertThat(model).isNotNull();
        assertThat(model.columns()).hasSize(1);
        NullImputation.Column dvd = model.columns().get(0);
        assertThat(dvd.column()).isEqualTo(1);
        assertThat(dvd.target()).isEqualTo(encoder.offset(1));
        // corr(gross, dvd) = 1 / √1.09 ≈ 0.958: R² ≈ 0.92, residual σ ≈ 0.29
        assertThat(dvd.r2()).isBetween(0.88, 0.95);
        assertThat(dvd.sigma()).isBetween(0.22, 0.35);
        assertThat(dvd.predictors()).contains(encoder.offset(0));
        assertThat(model.imputes(2)).isFalse();

        // encoded with the model, a null dvd row's value feature follows gross's
        TableEncoder imputed = encoder.withNullImputation(model);
        Random rng = new Random(3);
        double[] f = new double[imputed.width()];
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        int nulls = 0;
        for (Object[] row : rows(4000, 2)) {
            if (row[1] != null) {
                continue;
            }
            imputed.encode(row, f, rng);
            double x = f[imputed.offset(0)];
            double y = f[imputed.offset(1)];
            sxy += x * y;
            sxx += x * x;
            syy += y * y;
            nulls++;
            // decoding ignores the value feature: still null
            assertThat(imputed.decode(f, rng)[1]).isNull();
        }
        assertThat(nulls).isGreaterThan(3000);
        assertThat(sxy / Math.sqrt(sxx * syy)).isGreaterThan(0.9);
        // and without it the feature is independent noise
        double plain = 0;
        for (Object[] row : rows(2000, 4)) {
            if (row[1] == null) {
                encoder.encode(row, f, rng);
                plain += f[encoder.offset(0)] * f[encoder.offset(1)];
            }
        }
        assertThat(Math.abs(plain / 1600)).isLessThan(0.1);
    }

    @Test
    void theDensityCorrectionOfANullRowIsTheRegressionsAndTheModelSurvivesJson() throws Exception {
        List<Object[]> rows = rows(3000, 5);
        TableEncoder encoder = encoder(rows);
        NullImputation model = fit(encoder, rows);
        TableEncoder imputed = encoder.withNullImputation(model);
        NullImputation.Column dvd = model.columns().get(0);
        Object[] nullRow = {0.5, null, 1.0};
        double[] f = new double[imputed.width()];
        imputed.encode(nullRow, f, new Random(9));
        double z = f[dvd.target()];
        double mean = dvd.mean(f);
        double expected = encoder.logDensityCorrection(nullRow, f) + StandardNormal.logDensity(z)
                - (StandardNormal.logDensity((z - mean) / dvd.sigma()) - Math.log(dvd.sigma()));
        assertThat(imputed.logDensityCorrection(nullRow, f)).isCloseTo(expected, Offset.offset(1e-9));
        // a row with a value is scored as before
        Object[] full = {0.5, 0.4, null};
        imputed.encode(full, f, new Random(9));
        assertThat(imputed.logDensityCorrection(full, f)).isEqualTo(encoder.logDensityCorrection(full, f));

        TableEncoder back = TableEncoder.fromJson(new ObjectMapper().readTree(imputed.toJson().toString()));
        assertThat(back.nullImputation()).isNotNull();
        assertThat(back.toJson()).isEqualTo(imputed.toJson());
        double[] a = new double[imputed.width()];
        double[] b = new double[imputed.width()];
        imputed.encode(nullRow, a, new Random(4));
        back.encode(nullRow, b, new Random(4));
        assertThat(b).containsExactly(a);
        // a model naming a column the encoder does not impute is refused in one line
        String bad = imputed.toJson().toString().replace("\"column\":\"dvd\"", "\"column\":\"gross\"");
        assertThatThrownBy(() -> TableEncoder.fromJson(new ObjectMapper().readTree(bad)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gross'");
    }
}
