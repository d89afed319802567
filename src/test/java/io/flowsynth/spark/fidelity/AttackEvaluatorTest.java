package io.flowsynth.spark.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.fidelity.PrivacyVerdict;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.pipeline.ReportPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attacks tell a leaky "synthetic" table (the training rows themselves, or with small noise) from one of fresh
 * rows of the same population, and the verdict follows them.
 */
class AttackEvaluatorTest {
    private static final StructType SCHEMA = new StructType().add("zip", DataTypes.StringType)
            .add("age", DataTypes.IntegerType).add("income", DataTypes.DoubleType)
            .add("sex", DataTypes.StringType).add("diagnosis", DataTypes.StringType)
            .add("visits", DataTypes.IntegerType);
    static Dataset<Row> train;
    static Dataset<Row> holdout;
    static PrivacyEvaluator.Result leaky;
    static PrivacyEvaluator.Result noisy;
    static PrivacyEvaluator.Result fresh;

    /** People-like rows: zip codes with leading zeros, ages, log-normal incomes, a skewed diagnosis code. */
    static List<Row> people(int n, long seed, double noise, List<Row> base) {
        Random r = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (base != null) {
                Row b = base.get(i);
                rows.add(RowFactory.create(b.get(0), b.get(1), b.getDouble(2) * (1 + noise * r.nextGaussian()),
                        b.get(3), b.get(4), b.get(5)));
                continue;
            }
            int age = 18 + r.nextInt(70);
            double income = Math.exp(10.5 + 0.6 * r.nextGaussian() + 0.01 * age);
            String zip = String.format("%05d", 1000 + 37 * r.nextInt(40));
            String dx = "D" + (int) Math.floor(Math.pow(r.nextDouble(), 2.5) * 30);
            rows.add(RowFactory.create(zip, age, income, r.nextBoolean() ? "F" : "M", dx, r.nextInt(12)));
        }
        return rows;
    }

    @BeforeAll
    static void attack() {
        SparkSession spark = SharedSparkSession.get();
        List<Row> trainRows = people(800, 1, 0, null);
        train = spark.createDataFrame(trainRows, SCHEMA);
        holdout = spark.createDataFrame(people(800, 2, 0, null), SCHEMA);
        PrivacyEvaluator evaluator = new PrivacyEvaluator(800, 7, 400);
        leaky = evaluator.evaluate(spark, train, holdout, train);
        noisy = evaluator.evaluate(spark, train, holdout, spark.createDataFrame(people(800, 4, 0.02, trainRows), SCHEMA));
        fresh = evaluator.evaluate(spark, train, holdout, spark.createDataFrame(people(800, 3, 0, null), SCHEMA));
    }

    private static double maxInference(PrivacyEvaluator.Result r) {
        return r.attacks().inference().stream().mapToDouble(io.flowsynth.fidelity.AttackRisk::risk).max().orElseThrow();
    }

    @Test
    void everyAttackRisksMoreOnTheTrainingRowsThemselvesThanOnFreshRows() {
        AttackEvaluator.Result l = leaky.attacks();
        AttackEvaluator.Result f = fresh.attacks();
        assertThat(l.linkability().risk()).isGreaterThan(f.linkability().risk() + 0.3);
        assertThat(l.linkability().riskLow()).isGreaterThan(PrivacyVerdict.HIGH_ATTACK_RISK);
        assertThat(maxInference(leaky)).isGreaterThan(maxInference(fresh) + 0.3);
        assertThat(l.singlingOutUnivariate().risk()).isGreaterThan(f.singlingOutUnivariate().risk() + 0.3);
        assertThat(l.singlingOutMultivariate().risk()).isGreaterThan(f.singlingOutMultivariate().risk() + 0.1);
        assertThat(l.columnsA()).containsExactly("zip", "age", "income");
        assertThat(l.columnsB()).containsExactly("sex", "diagnosis", "visits");
        // fresh rows of the population: no attack does better on training rows beyond noise
        assertThat(f.linkability().riskLow()).isLessThan(PrivacyVerdict.MODERATE_ATTACK_RISK);
        assertThat(f.inference()).allMatch(a -> a.riskLow() < PrivacyVerdict.MODERATE_ATTACK_RISK);
        assertThat(f.inference().get(0).trainTargets()).isEqualTo(400);
        assertThat(f.inference().get(0).controlTargets()).isEqualTo(400);
    }

    @Test
    void trainingRowsWithSmallNoiseStillLeak() {
        assertThat(noisy.attacks().linkability().risk()).isGreaterThan(fresh.attacks().linkability().risk() + 0.3);
        assertThat(maxInference(noisy)).isGreaterThan(maxInference(fresh) + 0.3);
        assertThat(noisy.exactCopies()).isZero(); // the copy counter alone sees nothing
    }

    @Test
    void fidelityJsonHasTheThreeSectionsWithIntervalsAndTheVerdictFollowsThem() {
        ObjectNode p = ReportPipeline.privacyJson(noisy, "test");
        for (JsonNode attack : List.of(p.path("singling_out").path("univariate"),
                p.path("singling_out").path("multivariate"), p.path("linkability"))) {
            assertThat(attack.path("risk").isNumber()).isTrue();
            assertThat(attack.path("risk_interval")).hasSize(2);
            assertThat(attack.path("success_train_interval")).hasSize(2);
            assertThat(attack.path("success_control").isNumber()).isTrue();
            assertThat(attack.path("success_baseline").isNumber()).isTrue();
            assertThat(attack.path("risk_interval").get(0).asDouble()).isLessThanOrEqualTo(attack.path("risk").asDouble());
            assertThat(attack.path("risk_interval").get(1).asDouble()).isGreaterThanOrEqualTo(attack.path("risk").asDouble());
        }
        assertThat(p.path("linkability").path("columns_a")).hasSize(3);
        assertThat(p.path("inference").path("columns")).hasSize(6);
        for (JsonNode c : p.path("inference").path("columns")) {
            assertThat(c.path("column").asText()).isNotEmpty();
            assertThat(c.path("risk_interval")).hasSize(2);
        }
        assertThat(p.path("attack_risk").asDouble()).isGreaterThan(0.5);
        PrivacyVerdict v = PrivacyVerdict.of(p);
        assertThat(v.level()).isEqualTo("high");
        assertThat(v.text()).contains("Strongest attack");
        // without a holdout the sections say why they are missing
        ObjectNode none = ReportPipeline.privacyJson(new PrivacyEvaluator(100, 7).evaluate(SharedSparkSession.get(),
                train, null, holdout), null);
        assertThat(none.path("linkability").path("measured").asBoolean(true)).isFalse();
        assertThat(none.path("inference").path("reason").asText()).contains("holdout");
    }

    @Test
    void verdictIsNotLowForLeakyTablesAndLowForFreshRows() {
        assertThat(verdict(leaky)).isNotEqualTo("low");
        assertThat(verdict(noisy)).isNotEqualTo("low");
        assertThat(verdict(fresh)).isEqualTo("low");
    }

    private static String verdict(PrivacyEvaluator.Result r) {
        ObjectNode privacy = ReportPipeline.privacyJson(r, null);
        return PrivacyVerdict.of(privacy).level();
    }
}
