package io.flowsynth.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.spark.SharedSparkSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Both training engines on a correlated pair whose true NLL is known. */
class TreeAggregateTrainerTest {
    static final double TRUE_NLL = Math.log(2 * Math.PI * Math.E) + Math.log(0.3);
    static final FlowSpec SPEC = new FlowSpec(FlowType.REALNVP, 2, 4, 16, 2, 3);
    static JavaRDD<FeatureBlock> data;

    /** x2 = 0.9·x1 + 0.3·e: true NLL = ln 2πe + ln 0.3 ≈ 1.6336. */
    static FeatureBlock block(long seed, int train, int validation) {
        Random r = new Random(seed);
        float[] t = new float[train * 2];
        float[] v = new float[validation * 2];
        for (float[] a : new float[][]{t, v}) {
            for (int i = 0; i < a.length; i += 2) {
                double x1 = r.nextGaussian();
                a[i] = (float) x1;
                a[i + 1] = (float) (0.9 * x1 + 0.3 * r.nextGaussian());
            }
        }
        return new FeatureBlock(2, t, train, v, validation);
    }

    static TrainOptions options(int epochs, int batch, double lr, int localSteps, long seed) {
        return new TrainOptions(epochs, batch, lr, 1.0, localSteps, 5, 0, seed,
                new TrainOptions.Dl4jSettings(localSteps, 0, true, "never",
                        System.getProperty("java.io.tmpdir") + "/flowsynth-test-export"));
    }

    /** A step-budgeted fit (epochs 0) with the plateau rule and wall-time bound given. */
    static TrainOptions stepOptions(long steps, int localSteps, int patience, double minDelta, double maxMinutes) {
        return new TrainOptions(0, 128, 5e-3, 1.0, localSteps, 5, patience, 11,
                new TrainOptions.Dl4jSettings(localSteps, 0, true, "never",
                        System.getProperty("java.io.tmpdir") + "/flowsynth-test-export"), steps, minDelta, maxMinutes);
    }

    @BeforeAll
    static void setUp() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSparkSession.get().sparkContext());
        List<FeatureBlock> blocks = new ArrayList<>();
        blocks.add(block(1, 2000, 200));
        blocks.add(block(2, 1500, 150));
        data = jsc.parallelize(blocks, 2).cache();
    }

    @Test
    void averagedTrainingApproachesTheTrueNllAndKeepsTheBestRound() {
        TrainingResult r = new TreeAggregateTrainer().train(data, SPEC, options(6, 128, 5e-3, 10, 11), null, null);
        assertThat(r.partitions()).isEqualTo(2);
        assertThat(r.trainRows()).isEqualTo(3500);
        assertThat(r.validationRows()).isEqualTo(350);
        assertThat(r.history()).hasSize(6 * 2);
        double first = r.history().get(0).validationNll();
        assertThat(first).isGreaterThan(TRUE_NLL + 0.5);
        assertThat(r.bestValidationNll()).isLessThan(TRUE_NLL + 0.25).isLessThan(first);
        assertThat(r.history()).allSatisfy(m -> assertThat(m.validationNll()).isGreaterThanOrEqualTo(r.bestValidationNll()));
    }

    @Test
    void aStepBudgetRunsStepsOverLocalStepsRoundsWhateverTheTableSize() {
        // 3,500 rows at 2 × 10 × 128 rows per round: one epoch would be 2 rounds; 45 steps are 5 rounds of 10
        TrainingResult r = new TreeAggregateTrainer().train(data, SPEC, stepOptions(45, 10, 0, 0, 0), null, null);
        assertThat(r.history()).hasSize(5);
        assertThat(r.stopReason()).isEqualTo(TrainingResult.BUDGET);
        assertThat(new TreeAggregateTrainer().train(data, SPEC, options(1, 128, 5e-3, 10, 11), null, null).history())
                .hasSize(2);
    }

    @Test
    void aPlateauStopsTrainingAfterPatienceRoundsAndKeepsTheBestRound() {
        // no round can improve the best by 100 nats: the patience of 2 runs out after round 1 + 3 rounds
        TrainingResult r = new TreeAggregateTrainer().train(data, SPEC, stepOptions(200, 5, 2, 100, 0), null, null);
        assertThat(r.stopReason()).isEqualTo(TrainingResult.PLATEAU);
        assertThat(r.history()).hasSize(4);
        assertThat(r.bestValidationNll()).isLessThan(r.history().get(0).validationNll());
        TrainingResult patient = new TreeAggregateTrainer().train(data, SPEC, stepOptions(30, 5, 2, 0, 0), null, null);
        assertThat(patient.stopReason()).isEqualTo(TrainingResult.BUDGET);
        assertThat(patient.history()).hasSize(6);
    }

    @Test
    void theWallTimeBoundStopsAfterTheRoundThatCrossesIt() {
        // every round takes longer than a nanosecond's worth of minutes
        TrainingResult r = new TreeAggregateTrainer().train(data, SPEC, stepOptions(200, 5, 0, 0, 1e-12), null, null);
        assertThat(r.stopReason()).isEqualTo(TrainingResult.MAX_MINUTES);
        assertThat(r.history()).hasSize(1);
        assertThat(r.parameters()).isNotEmpty();
    }

    @Tag("slow")
    @Test
    void dl4jSparkEngineTrainsTheSameFlowTowardsTheTrueNll() {
        TrainingResult r = new Dl4jSparkTrainer().train(data, SPEC, options(2, 128, 5e-3, 10, 11), null, null);
        assertThat(r.engine()).isEqualTo("dl4j-spark");
        assertThat(r.history()).hasSize(4);
        assertThat(r.history().get(0).validationNll()).isGreaterThan(TRUE_NLL + 0.5);
        assertThat(r.bestValidationNll()).isLessThan(TRUE_NLL + 0.35);
    }

    @Test
    void sameSeedAndPartitionsGiveIdenticalParameters() {
        TrainOptions o = options(1, 64, 5e-3, 5, 5);
        TrainingResult a = new TreeAggregateTrainer().train(data, SPEC, o, null, null);
        TrainingResult b = new TreeAggregateTrainer().train(data, SPEC, o, null, null);
        assertThat(a.parameters()).containsExactly(b.parameters());
        TrainingResult c = new TreeAggregateTrainer().train(data, SPEC, options(1, 64, 5e-3, 5, 6), null, null);
        assertThat(c.parameters()).isNotEqualTo(a.parameters());
    }

    @Test
    void aRoundValidationCapScoresTheSameStridedRowsEveryRoundWithoutChangingTraining() {
        TrainOptions all = stepOptions(30, 5, 0, 0, 0);
        TrainOptions capped = new TrainOptions(0, 128, 5e-3, 1.0, 5, 5, 0, 11, all.dl4j(), 30, 0, 0, false, 100);
        TrainingResult a = new TreeAggregateTrainer().train(data, SPEC, all, null, null);
        TrainingResult b = new TreeAggregateTrainer().train(data, SPEC, capped, null, null);
        assertThat(a.roundValidationRows()).isEqualTo(350);
        // 350 held-out rows, at most 100 per round: every 4th row of each partition's 200 and 150 = 50 + 38 rows
        assertThat(b.roundValidationRows()).isEqualTo(88);
        assertThat(b.validationRows()).isEqualTo(350);
        assertThat(b.history()).hasSameSizeAs(a.history());
        for (int i = 0; i < a.history().size(); i++) {
            // the same rounds train the same parameters; only what the validation NLL is measured on differs
            assertThat(b.history().get(i).trainNll()).isEqualTo(a.history().get(i).trainNll());
            assertThat(b.history().get(i).validationNll()).isFinite()
                    .isNotEqualTo(a.history().get(i).validationNll());
        }
        // scoring all rows, the held-out NLL is the best validation NLL; capped, the best round's on all 350 rows
        assertThat(a.heldOutNll()).isEqualTo(a.bestValidationNll());
        assertThat(b.heldOutNll()).isFinite().isNotEqualTo(b.bestValidationNll());
        // and the capped fit is reproducible
        TrainingResult again = new TreeAggregateTrainer().train(data, SPEC, capped, null, null);
        assertThat(again.parameters()).containsExactly(b.parameters());
    }

    @Test
    void aStrideGathersEveryKthValidationRow() {
        FeatureBlock b = block(5, 10, 7);
        assertThat(PartitionRound.scoredRows(7, 1)).isEqualTo(7);
        assertThat(PartitionRound.scoredRows(7, 3)).isEqualTo(3);
        assertThat(PartitionRound.scoredRows(6, 3)).isEqualTo(2);
        assertThat(PartitionRound.scoredRows(0, 3)).isZero();
        float[] out = new float[2 * 2];
        // scored rows 1 and 2 of stride 3 are validation rows 3 and 6
        PartitionRound.gather(b, 1, 3, out, 2);
        assertThat(out).containsExactly(b.validation[6], b.validation[7], b.validation[12], b.validation[13]);
    }

    @Test
    void resumingFromARoundCheckpointGivesTheUninterruptedResult() {
        TrainOptions o = options(2, 64, 5e-3, 5, 8);
        List<TrainingState> states = new ArrayList<>();
        TrainingResult uninterrupted = new TreeAggregateTrainer().train(data, SPEC, o, null, states::add);
        assertThat(states).hasSize(uninterrupted.history().size());
        TrainingState afterThird = states.get(2);
        List<TrainingState> resumedStates = new ArrayList<>();
        TrainingResult resumed = new TreeAggregateTrainer().train(data, SPEC, o, afterThird, resumedStates::add);
        assertThat(resumedStates.get(0).round).isEqualTo(4);
        assertThat(resumed.parameters()).containsExactly(uninterrupted.parameters());
        assertThat(resumed.history()).hasSameSizeAs(uninterrupted.history());
        assertThat(resumed.bestRound()).isEqualTo(uninterrupted.bestRound());
    }

    @Test
    void aRetriedPartitionTaskReturnsExactlyTheSameResult() throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSparkSession.get().sparkContext());
        String json = io.flowsynth.flow.nn.FlowNetworks.configuration(SPEC,
                new io.flowsynth.flow.nn.FlowNetworks.Optimizer(5e-3, 5, org.nd4j.linalg.api.buffer.DataType.FLOAT)).toJson();
        var net = io.flowsynth.flow.nn.FlowNetworks.network(json);
        var bc = jsc.broadcast(new PartitionRound.Input(net.params().toFloatVector(),
                net.getUpdater().getStateViewArray().toFloatVector(), 0, 1, 5, 1));
        FeatureBlock b = block(1, 500, 50);
        for (boolean analytic : new boolean[]{true, false}) {
            PartitionRound task = new PartitionRound(bc, json, 64, 3, analytic);
            PartitionRound.Result first = task.call(1, List.of(b).iterator()).next();
            PartitionRound.Result retry = task.call(1, List.of(b).iterator()).next();
            assertThat(first.params).isNotEmpty();
            assertThat(retry.params).containsExactly(first.params);
            assertThat(retry.state).containsExactly(first.state);
            assertThat(retry.weight).isEqualTo(first.weight).isPositive();
            assertThat(retry.validationLossSum).isEqualTo(first.validationLossSum);
        }
    }

    @Test
    void partitionResultsAverageWeightedByTrainingRowsInDouble() {
        PartitionRound.Result a = new PartitionRound.Result();
        a.trained(new float[]{1f, 0.1f}, new float[]{2f}, 3);
        PartitionRound.Result b = new PartitionRound.Result();
        b.trained(new float[]{4f, 0.2f}, new float[]{5f}, 1);
        PartitionRound.Result c = new PartitionRound.Result(); // a partition without training rows
        PartitionRound.Result sum = a.merge(c).merge(b);
        assertThat(sum.weight).isEqualTo(4);
        assertThat(sum.averageParams()).containsExactly((float) ((1.0 * 3 + 4.0) / 4),
                (float) (((double) 0.1f * 3 + (double) 0.2f) / 4));
        assertThat(sum.averageState()).containsExactly((float) ((2.0 * 3 + 5.0) / 4));
        PartitionRound.Result alone = new PartitionRound.Result();
        alone.trained(new float[]{0.3f}, new float[]{0.7f}, 5);
        assertThat(alone.averageParams()).containsExactly(0.3f);
    }

    @Test
    void aCheckpointOfTheSameDiffPathResumesOnTheAnalyticPath() {
        TrainOptions o = options(1, 64, 5e-3, 5, 9);
        List<TrainingState> graphStates = new ArrayList<>();
        TrainingResult graph = new TreeAggregateTrainer(false).train(data, SPEC, o, null, graphStates::add);
        TrainingResult resumed = new TreeAggregateTrainer(true).train(data, SPEC, o, graphStates.get(1), null);
        assertThat(resumed.history()).hasSameSizeAs(graph.history());
        int last = graph.history().size() - 1;
        assertThat(resumed.history().get(last).validationNll())
                .isCloseTo(graph.history().get(last).validationNll(), org.assertj.core.data.Offset.offset(2e-3));
    }

    @Test
    void analyticAndSameDiffGradientPathsTrainAlike() {
        TrainOptions o = options(1, 64, 5e-3, 5, 5);
        TrainingResult analytic = new TreeAggregateTrainer(true).train(data, SPEC, o, null, null);
        TrainingResult graph = new TreeAggregateTrainer(false).train(data, SPEC, o, null, null);
        assertThat(analytic.history()).hasSameSizeAs(graph.history()).hasSizeGreaterThan(3);
        for (int i = 0; i < analytic.history().size(); i++) {
            assertThat(analytic.history().get(i).validationNll()).as("round %d", i + 1)
                    .isCloseTo(graph.history().get(i).validationNll(), org.assertj.core.data.Offset.offset(2e-3));
        }
        assertThat(analytic.history().get(analytic.history().size() - 1).validationNll())
                .isLessThan(analytic.history().get(0).validationNll() - 0.1);
        float[] a = analytic.parameters();
        float[] g = graph.parameters();
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).as("parameter %d", i).isCloseTo(g[i], org.assertj.core.data.Offset.offset(5e-3f));
        }
    }

    @Test
    void nonFiniteLossStopsTrainingNamingTheRound() {
        FeatureBlock poisoned = block(3, 300, 30);
        poisoned.train[7] = Float.NaN;
        JavaRDD<FeatureBlock> bad = JavaSparkContext.fromSparkContext(SharedSparkSession.get().sparkContext())
                .parallelize(List.of(poisoned), 1);
        assertThatThrownBy(() -> new TreeAggregateTrainer().train(bad, SPEC, options(2, 300, 5e-3, 5, 1), null, null))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("diverged in round 1/");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "gradient {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"analytic", "samediff"})
    void aCopulaStartedFlowIsScoredAtTheCopulaInItsFirstRoundAndNeverEndsAboveIt(String gradient) {
        // a Gaussian pair: its copula is the true model, so the start is (nearly) the optimum
        FlowSpec spec = SPEC.withCopulaLayer(true);
        TrainOptions.Dl4jSettings dl4j = new TrainOptions.Dl4jSettings(5, 0, true, "never",
                System.getProperty("java.io.tmpdir") + "/flowsynth-test-export");
        TrainingResult started = Trainer.forEngine(TreeAggregateTrainer.NAME, gradient).train(data, spec,
                new TrainOptions(0, 128, 5e-3, 1.0, 5, 5, 0, 11, dl4j, 20, 0, 0, true), null, null);
        double first = started.history().get(0).validationNll();
        assertThat(first).isCloseTo(TRUE_NLL, org.assertj.core.data.Offset.offset(0.05));
        assertThat(started.bestValidationNll()).isLessThanOrEqualTo(first);
        // the same flow started at the identity is scored as independent features first (NLL ≈ 2.7)
        TrainingResult identity = Trainer.forEngine(TreeAggregateTrainer.NAME, gradient).train(data, spec,
                new TrainOptions(0, 128, 5e-3, 1.0, 5, 5, 0, 11, dl4j, 20, 0, 0, false), null, null);
        assertThat(identity.history().get(0).validationNll()).isGreaterThan(TRUE_NLL + 0.5);
    }
}
