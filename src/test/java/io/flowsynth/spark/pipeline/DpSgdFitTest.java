package io.flowsynth.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.error.BadInputException;
import io.flowsynth.math.RdpAccountant;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.sample.SyntheticSampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DP-SGD fit end to end (issue 21) on a small table: ε = 3, few steps, two partitions; the model's privacy block, a
 * save/load round trip, sampling, reproducibility from a given noise seed, and the settings DP refuses.
 */
class DpSgdFitTest {
    private static final int ROWS = 1200;
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Dataset<Row> table;
    static FlowsynthModel model;

    static FlowsynthConfig config(String... extra) {
        Map<String, String> m = new HashMap<>(Map.of(
                "flowsynth.privacy.epsilon", "3", "flowsynth.privacy.noise-seed", "12345",
                "flowsynth.train.steps", "40", "flowsynth.train.local-steps", "10", "flowsynth.train.partitions", "2",
                "flowsynth.train.batch-size", "64", "flowsynth.flow.layers", "2", "flowsynth.flow.hidden-features", "16",
                "flowsynth.flow.type", "realnvp"));
        m.put("flowsynth.privacy.encoder-share", "0.2");
        m.put("flowsynth.privacy.copula-share", "0.9"); // DP-SGD after the copula (the default is the copula alone)
        for (int i = 0; i < extra.length; i += 2) {
            m.put(extra[i], extra[i + 1]);
        }
        return ConfigResolver.resolve(null, null, null, m);
    }

    @BeforeAll
    static void fit() {
        spark = SharedSparkSession.get();
        StructType schema = new StructType(new StructField[]{
                DataTypes.createStructField("x", DataTypes.DoubleType, false),
                DataTypes.createStructField("y", DataTypes.DoubleType, false),
                DataTypes.createStructField("k", DataTypes.StringType, false)});
        Random r = new Random(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            double x = r.nextGaussian();
            rows.add(RowFactory.create(x, 0.8 * x + 0.6 * r.nextGaussian(), r.nextBoolean() ? "a" : "b"));
        }
        table = spark.createDataFrame(rows, schema).repartition(2);
        model = FitPipeline.fit(spark, table, config());
    }

    @Test
    void metadataRecordsTheGuaranteeAndTheDpSgdRelease() {
        ObjectNode p = model.privacy();
        assertThat(p.path("differential_privacy").asBoolean()).isTrue();
        assertThat(p.path("epsilon").asDouble()).isEqualTo(3.0);
        // n is the encoders' DP release of the row count, near the real 1,200 (Laplace of scale 33 at this ε)
        long n = p.path("released_rows").asLong();
        assertThat(n).isBetween(ROWS - 300L, ROWS + 300L);
        assertThat(p.path("rows").asLong()).isEqualTo(n);
        assertThat(p.path("delta").asDouble()).isEqualTo(1.0 / ((double) n * n));
        assertThat(p.path("training_epsilon").asDouble()).isCloseTo(2.4, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(p.path("clip_norm").asDouble()).isEqualTo(1.0);
        double q = p.path("sampling_rate").asDouble();
        assertThat(q).isEqualTo(64.0 * 2 / n);
        long steps = p.path("steps").asLong();
        assertThat(steps).isEqualTo(40);
        // the encoders' releases first, DP-SGD's last
        assertThat(p.path("releases").get(0).path("statistic").asText()).isEqualTo("row_count");
        JsonNode release = p.path("releases").get(p.path("releases").size() - 1);
        assertThat(release.path("mechanism").asText()).contains("DP-SGD");
        // the recorded σ keeps the recorded steps within the training budget (recomputed independently here)
        double sigma = p.path("sigma").asDouble();
        // with the DP copula start (copula-share 0.9): its Gaussian release composed with the steps
        double copulaSigma = release.path("copula_noise_multiplier").asDouble();
        assertThat(copulaSigma).isPositive();
        // the whole fit is one RDP composition: every encoder release's curve (Gaussian α·Δ²/(2σ²), the Laplace
        // row count), the copula and the steps, at δ less the category thresholds' δ, within ε = 3 and using it
        double[] orders = RdpAccountant.DEFAULT_ORDERS;
        double[] all = new double[orders.length];
        for (JsonNode e : p.path("releases")) {
            if (!e.path("stage").asText().equals("encoders")) {
                continue;
            }
            for (int i = 0; i < orders.length; i++) {
                all[i] += e.path("mechanism").asText().equals("gaussian")
                        ? RdpAccountant.gaussianRdp(e.path("l2_sensitivity").asDouble(), e.path("sigma").asDouble(),
                        orders[i])
                        : RdpAccountant.laplaceRdp(e.path("l1_sensitivity").asDouble(),
                        e.path("laplace_scale").asDouble(), orders[i]);
            }
        }
        double thresholdDelta = p.path("threshold_delta").asDouble();
        assertThat(thresholdDelta).isPositive().isLessThan(p.path("encoder_delta").asDouble());
        double fit = RdpAccountant.epsilon(q, sigma, steps, p.path("delta").asDouble() - thresholdDelta, all.clone())
                .epsilon();
        assertThat(fit).isLessThan(3.0); // the encoders alone: no copula yet
        for (int i = 0; i < orders.length; i++) {
            all[i] += RdpAccountant.rdp(1.0, copulaSigma, orders[i]);
        }
        fit = RdpAccountant.epsilon(q, sigma, steps, p.path("delta").asDouble() - thresholdDelta, all).epsilon();
        assertThat(fit).isLessThanOrEqualTo(3.0).isGreaterThan(2.99);
        assertThat(p.path("accountant_epsilon").asDouble()).isCloseTo(fit,
                org.assertj.core.api.Assertions.within(1e-9));
        assertThat(p.path("encoder_epsilon_accounted").asDouble()).isLessThanOrEqualTo(0.6);
        // tighter than basic composition: the flow alone spends more than its nominal share 2.4
        assertThat(RdpAccountant.epsilon(q, sigma, steps, p.path("training_delta").asDouble(), copulaSigma)
                .epsilon()).isGreaterThan(2.4);
        assertThat(RdpAccountant.epsilon(q, sigma, steps, p.path("training_delta").asDouble()).epsilon())
                .isLessThan(2.3);
        // switched off: no validation rows, no calibration map, no train NLL in the history
        JsonNode t = model.training();
        assertThat(t.path("validation_rows").asLong()).isZero();
        assertThat(t.path("calibration_knots").asInt()).isZero();
        assertThat(model.calibration()).isNull();
        for (JsonNode round : t.path("history")) {
            assertThat(Double.isNaN(round.path("train_nll").asDouble())).isTrue();
        }
        // the noise seed is secret
        assertThat(model.config().get("flowsynth.privacy.noise-seed")).isEqualTo("secret");
    }

    @Test
    void savedModelLoadsWithItsPrivacyBlockAndSamples() {
        String path = dir.resolve("dp-model").toString();
        model.save(path, false, spark.sparkContext().hadoopConfiguration());
        FlowsynthModel loaded = FlowsynthModel.load(path, spark.sparkContext().hadoopConfiguration());
        assertThat(loaded.privacy().toString()).isEqualTo(model.privacy().toString());
        assertThat(ReportPipeline.differentialPrivacy(loaded).path("line").asText())
                .isEqualTo(String.format(java.util.Locale.ROOT, "Differential privacy: ε = 3, δ = %.2g",
                        model.privacy().path("delta").asDouble()) + ReportPipeline.COMPOSED);
        Dataset<Row> synthetic = new SyntheticSampler(512).sample(spark, loaded, 500, 7, 2, false);
        List<Row> rows = synthetic.collectAsList();
        assertThat(rows).hasSize(500);
        assertThat(rows).allSatisfy(row -> {
            assertThat(Double.isFinite(row.getDouble(0))).isTrue();
            assertThat(row.getString(2)).isIn("a", "b");
        });
    }

    @Test
    void theDpCopulaStartCarriesTheCorrelationAndMaxStepsCapsTheBudget() {
        // x and y have correlation 0.8: the DP copula release (copula-share 0.9 of the flow's ε) keeps most of it
        assertThat(sampledCorrelation(model)).isGreaterThan(0.5);
        FlowsynthModel capped = FitPipeline.fit(spark, table, config("flowsynth.train.steps", "400",
                "flowsynth.privacy.max-steps", "20"));
        assertThat(capped.privacy().path("steps").asLong()).isEqualTo(20);
    }

    @Test
    void byDefaultTheFlowIsTheDpCopulaAloneWithNoDpSgdSteps() {
        FlowsynthModel copula = FitPipeline.fit(spark, table, config("flowsynth.privacy.copula-share",
                ConfigKeys.PRIVACY_COPULA_SHARE_DEFAULT + ""));
        ObjectNode p = copula.privacy();
        assertThat(p.path("steps").asLong()).isZero();
        JsonNode release = p.path("releases").get(p.path("releases").size() - 1);
        assertThat(release.path("mechanism").asText()).contains("copula only").doesNotContain("DP-SGD:");
        // the encoders and the copula alone compose to the whole ε: the copula gets all of the flow's share
        double copulaSigma = release.path("copula_noise_multiplier").asDouble();
        assertThat(copulaSigma).isPositive()
                .isLessThan(model.privacy().path("releases").get(model.privacy().path("releases").size() - 1)
                        .path("copula_noise_multiplier").asDouble());
        assertThat(p.path("accountant_epsilon").asDouble()).isLessThanOrEqualTo(3.0).isGreaterThan(2.99);
        // no round ran: no steps, no validation figure (not an infinite one)
        assertThat(copula.training().path("rounds").asInt(-1)).isZero();
        assertThat(copula.training().path("budget").asText()).startsWith("0 steps");
        assertThat(copula.training().path("best_validation_nll").asText()).doesNotContain("Infinity");
        // the correlation of x and y (0.8) comes through the copula alone
        assertThat(sampledCorrelation(copula)).isGreaterThan(0.6);
    }

    /** Pearson correlation of x and y in 4,000 rows sampled from {@code m}. */
    private static double sampledCorrelation(FlowsynthModel m) {
        List<Row> rows = new SyntheticSampler(512).sample(spark, m, 4000, 11, 2, false).collectAsList();
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (Row row : rows) {
            double x = row.getDouble(0);
            double y = row.getDouble(1);
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
        }
        int n = rows.size();
        return (sxy / n - sx / n * sy / n) / Math.sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
    }

    @Test
    void aGivenNoiseSeedMakesTheFitReproducibleAndTheNoiseDependsOnIt() {
        FlowsynthModel again = FitPipeline.fit(spark, table, config());
        assertThat(again.parameters()).containsExactly(model.parameters());
        FlowsynthModel other = FitPipeline.fit(spark, table, config("flowsynth.privacy.noise-seed", "999"));
        assertThat(other.parameters()).isNotEqualTo(model.parameters());
    }

    @Test
    void modelsWithoutDifferentialPrivacySayNone() {
        FlowsynthModel plain = FitPipeline.fit(spark, table, config("flowsynth.privacy.epsilon", "off",
                "flowsynth.train.steps", "10"));
        assertThat(plain.privacy().path("differential_privacy").asBoolean(true)).isFalse();
        assertThat(ReportPipeline.differentialPrivacy(plain).path("line").asText())
                .isEqualTo("Differential privacy: none");
        assertThat(ReportPipeline.differentialPrivacy(null).path("line").asText()).contains("unknown");
    }

    @Test
    void refusesWhatDifferentialPrivacyCannotCover() {
        assertThatThrownBy(() -> FitPipeline.checkPrivateTraining(config("flowsynth.train.engine", "dl4j-spark")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.train.engine");
        assertThatThrownBy(() -> FitPipeline.checkPrivateTraining(config("flowsynth.train.gradient", "samediff")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.train.gradient");
        assertThatThrownBy(() -> FitPipeline.checkPrivateTraining(config("flowsynth.flow.type", "linear")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.flow.type");
        assertThatThrownBy(() -> FitPipeline.checkPrivateTraining(config("flowsynth.flow.copula-init", "true")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.flow.copula-init");
        FitPipeline.checkPrivateTraining(config("flowsynth.flow.type", "maf"));
        FitPipeline.checkPrivateTraining(config("flowsynth.flow.type", "spline"));
    }
}
