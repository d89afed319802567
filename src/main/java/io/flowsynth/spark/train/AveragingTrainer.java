package io.flowsynth.spark.train;

import io.flowsynth.config.AutoSizing;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.GaussianInit;
import io.flowsynth.flow.StandardNormalBase;
import io.flowsynth.spark.OrderedReduce;
import io.flowsynth.flow.nn.FlowNetworks;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The round loop both engines share: rounds and epochs, validation NLL of every round's starting parameters (on a
 * fixed strided subset of the held-out rows when they exceed {@link TrainOptions#roundValidationRows}), the
 * best parameters kept, early stopping, divergence detection, one log line per round, a state callback for
 * checkpoints, and resuming from a state. An engine supplies how one round trains.
 */
abstract class AveragingTrainer implements Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(AveragingTrainer.class);

    /**
     * One round's outcome: new parameters and state, mean training score, validation score of the inputs, and the
     * task seconds (summed over partitions; 0 where the engine does not measure them) spent scoring validation rows
     * and taking training steps.
     */
    record RoundOutcome(float[] params, float[] state, double trainScore, long trainSteps, double validationScore,
                        long validationRows, double validationSeconds, double trainSeconds) {
    }

    /** An engine's per-fit session. */
    interface Session extends AutoCloseable {
        RoundOutcome round(int round, int totalRounds, float[] params, float[] state);

        @Override
        void close();
    }

    /** @param validationStride score every this-many-th validation row of each partition (1 = all) */
    protected abstract Session open(JavaRDD<FeatureBlock> data, String networkJson, TrainOptions o, int partitions,
                                    int validationStride);

    /** Whether partitions score (and, for engines that use {@link PartitionRound}, train) with the hand-derived path. */
    protected boolean analyticGradient() {
        return false;
    }

    @Override
    public final TrainingResult train(JavaRDD<FeatureBlock> data, FlowSpec spec, TrainOptions o, TrainingState resume,
                                      Consumer<TrainingState> onRound) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.context());
        long start = System.nanoTime();
        jsc.setJobDescription("flowsynth fit: counting encoded rows");
        long[] counts = data.map(b -> new long[]{b.trainRows, b.validationRows})
                .reduce((a, b) -> new long[]{a[0] + b[0], a[1] + b[1]});
        long trainRows = counts[0];
        long validationRows = counts[1];
        if (trainRows == 0) {
            throw new IllegalStateException("No training rows: the input table is empty after encoding");
        }
        int partitions = data.getNumPartitions();
        int validationStride = AutoSizing.validationStride(validationRows, o.roundValidationRows());
        int roundsPerEpoch = o.roundsPerEpoch(trainRows, partitions);
        // under DP the rounds are the ones the accountant was given (the plan may count rows differently); none when
        // the flow is the DP copula alone
        int totalRounds = o.privacy() == null ? o.totalRounds(roundsPerEpoch)
                : o.privacy().plan().copulaOnly() ? 0 : (int) Math.max(1, o.privacy().plan().steps() / o.localSteps());
        String networkJson = FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(o.learningRate(),
                o.gradientClip(), DataType.FLOAT), FlowNetworks.adam(schedule(o, totalRounds))).toJson();
        double logConstant = 0.5 * spec.features() * StandardNormalBase.LOG_2PI;

        float[] params;
        float[] state;
        List<RoundMetrics> history = new ArrayList<>();
        float[] best;
        double bestValidation = Double.POSITIVE_INFINITY;
        int bestRound = 0;
        int sinceBest = 0;
        int first = 1;
        if (resume != null) {
            if (resume.totalRounds != totalRounds) {
                throw new IllegalStateException("Checkpoint was made for " + resume.totalRounds + " rounds; this fit has "
                        + totalRounds);
            }
            params = resume.params;
            state = resume.updaterState;
            best = resume.bestParams;
            bestValidation = resume.bestValidationNll;
            bestRound = resume.bestRound;
            sinceBest = resume.roundsSinceBest;
            history.addAll(resume.history);
            first = resume.round + 1;
            LOG.info("Resuming after round {}/{} (best validation NLL {} after round {})", resume.round, totalRounds,
                    bestValidation, bestRound);
        } else {
            MultiLayerNetwork init = FlowNetworks.network(networkJson);
            if (o.copulaInit() && spec.hasLinearInput()) {
                startAtCopula(data, spec, init);
            } else if (o.privacy() != null && o.privacy().plan().copulaSigma() > 0 && spec.hasLinearInput()) {
                startAtPrivateCopula(data, spec, init, o.privacy());
            }
            params = init.params().toFloatVector();
            state = init.getUpdater().getStateViewArray().toFloatVector();
            best = params;
        }
        LOG.info("Training {} parameters with {} on {} rows ({} validation) in {} partitions: {} rounds of {} local "
                        + "steps × {} rows ({} rounds per epoch; budget {}{}{})", params.length, name(), trainRows,
                validationRows, partitions, totalRounds, o.localSteps(), o.batchSize(), roundsPerEpoch,
                o.epochs() > 0 ? o.epochs() + " epochs" : o.steps() + " steps",
                o.patience() > 0 ? String.format(", stop after %d rounds without a %.4f-nat improvement",
                        o.patience(), o.minDelta()) : "",
                o.maxMinutes() > 0 ? ", at most " + o.maxMinutes() + " minutes" : "");
        boolean dp = o.privacy() != null;
        if (dp && o.privacy().plan().copulaOnly()) {
            io.flowsynth.privacy.DpSgdPlan plan = o.privacy().plan();
            LOG.info(String.format("DP: no DP-SGD steps (flowsynth.privacy.copula-share = 1): the flow is the DP "
                    + "Gaussian copula; RDP gives (%.4g, %.3g)-DP for the whole fit (encoders and copula; budget ε "
                    + "%.4g)", plan.composed() ? plan.fitEpsilon() : plan.spentEpsilon(), plan.delta(), plan.epsilon()));
        } else if (dp) {
            io.flowsynth.privacy.DpSgdPlan plan = o.privacy().plan();
            LOG.info(String.format("DP-SGD: each partition's %d steps draw Poisson samples at rate %.4g (expected %d "
                            + "rows), clip every row's gradient to %.4g and add N(0, (%.4g · %.4g)²); %s. No "
                            + "validation split, early stopping, best-round choice or calibration map under DP: the "
                            + "final parameters are kept; the train NLL below is for this log only (not private) and "
                            + "is not written to the model",
                    plan.steps(), plan.samplingRate(), plan.expectedBatch(), plan.clipNorm(), plan.sigma(),
                    plan.clipNorm(), plan.composed()
                            ? String.format("RDP gives (%.4g, %.3g)-DP for the whole fit (encoders, copula and steps; "
                            + "budget ε %.4g)", plan.fitEpsilon(), plan.delta(), plan.epsilon())
                            : String.format("RDP gives (%.4g, %.3g)-DP for the flow (budget ε %.4g)",
                            plan.spentEpsilon(), plan.trainingDelta(), plan.trainingEpsilon())));
            if ((long) totalRounds * o.localSteps() > plan.steps()) {
                throw new IllegalStateException("DP-SGD was planned for " + plan.steps() + " steps; this fit takes "
                        + (long) totalRounds * o.localSteps());
            }
        }
        if (validationStride > 1) {
            LOG.info("Each round scores one in {} of the {} validation rows (about {}, the same rows every round; "
                            + "flowsynth.train.round-validation-rows = {})", validationStride, validationRows,
                    validationRows / validationStride, o.roundValidationRows());
        }

        // the ETA counts from here: the row count above encodes and caches the blocks, which a 10M-row table takes
        // minutes over and no later round repeats
        long loopStart = System.nanoTime();
        double validationSeconds = 0;
        double trainSeconds = 0;
        long scoredRows = 0;
        double heldOutNll = bestValidation;
        String stopReason = TrainingResult.BUDGET;
        try (Session session = open(data, networkJson, o, partitions, validationStride)) {
            boolean stop = false;
            for (int round = first; round <= totalRounds && !stop; round++) {
                long roundStart = System.nanoTime();
                jsc.setJobDescription("flowsynth fit: round " + round + "/" + totalRounds);
                RoundOutcome r = session.round(round, totalRounds, params, state);
                validationSeconds += r.validationSeconds();
                scoredRows = Math.max(scoredRows, r.validationRows());
                trainSeconds += r.trainSeconds();
                double validationNll = r.validationRows() > 0
                        ? r.validationScore() / r.validationRows() + logConstant : Double.NaN;
                double trainNll = r.trainScore() / Math.max(1, r.trainSteps()) + logConstant;
                double score = r.validationRows() > 0 ? validationNll : trainNll;
                // a plateau: the best moves on any improvement, the patience resets only on one of minDelta or more
                boolean improvedEnough = Double.isFinite(score) && (Double.isInfinite(bestValidation)
                        || score < bestValidation - o.minDelta());
                if (!dp && Double.isFinite(score) && score < bestValidation) {
                    bestValidation = score;
                    best = params;
                    bestRound = round - 1;
                }
                sinceBest = improvedEnough ? 0 : sinceBest + 1;
                if ((!dp && !Double.isFinite(trainNll)) || !allFinite(r.params())) {
                    throw new TrainingDivergedException(String.format("Training diverged in round %d/%d (train NLL %s)",
                            round, totalRounds, trainNll), round, round - 1);
                }
                params = r.params();
                state = r.state();
                if (dp) { // no selection among rounds under DP: the last parameters are the model
                    best = params;
                    bestRound = round;
                    bestValidation = Double.NaN;
                }
                double seconds = (System.nanoTime() - roundStart) / 1e9;
                double elapsed = (System.nanoTime() - start) / 1e9;
                double rowsPerSecond = r.trainSteps() * (double) o.batchSize() / seconds;
                // under DP the train NLL is a non-private statistic of the sampled rows: logged, never stored
                history.add(new RoundMetrics(round, (double) round / roundsPerEpoch, dp ? Double.NaN : trainNll,
                        validationNll, rowsPerSecond, seconds));
                int done = round - first + 1;
                LOG.info(String.format("round %d/%d (epoch %.2f): train NLL %.4f, validation NLL %.4f, %.0f rows/s, "
                                + "elapsed %s, ETA %s", round, totalRounds, (double) round / roundsPerEpoch, trainNll,
                        validationNll, rowsPerSecond, duration(elapsed), duration((System.nanoTime() - loopStart) / 1e9 / done * (totalRounds - round))));
                if (o.patience() > 0 && sinceBest > o.patience() && round < totalRounds) {
                    LOG.info("Stopping early after round {}/{}: the validation NLL has not improved by {} for {} rounds "
                            + "(best {} after round {})", round, totalRounds, o.minDelta(), sinceBest,
                            String.format("%.4f", bestValidation), bestRound);
                    stop = true;
                    stopReason = TrainingResult.PLATEAU;
                } else if (o.maxMinutes() > 0 && (System.nanoTime() - loopStart) / 6e10 >= o.maxMinutes()
                        && round < totalRounds) {
                    LOG.info("Stopping after round {}/{}: {} of training crossed flowsynth.train.max-minutes = {} "
                                    + "(the result now depends on this machine's speed); keeping the best round {}",
                            round, totalRounds, duration((System.nanoTime() - loopStart) / 1e9), o.maxMinutes(),
                            bestRound);
                    stop = true;
                    stopReason = TrainingResult.MAX_MINUTES;
                }
                if (onRound != null) {
                    onRound.accept(new TrainingState(round, totalRounds, params, state, best, bestRound,
                            bestValidation, sinceBest, history, networkJson));
                }
            }
            // score the final parameters too
            jsc.setJobDescription("flowsynth fit: final validation");
            double finalScore = validate(data, networkJson, params, state, o, analyticGradient(), validationStride);
            double finalNll = finalScore + logConstant;
            int lastRound = history.isEmpty() ? 0 : history.get(history.size() - 1).round();
            if (!dp && Double.isFinite(finalNll) && finalNll < bestValidation) {
                bestValidation = finalNll;
                best = params;
                bestRound = lastRound;
            }
            // the rounds compared a subset: the best parameters' NLL on every held-out row, for the record
            if (validationStride > 1) {
                jsc.setJobDescription("flowsynth fit: validation of the best round on every held-out row");
                heldOutNll = validate(data, networkJson, best, state, o, analyticGradient(), 1) + logConstant;
            }
        } finally {
            jsc.setJobDescription(null);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (dp) { // no validation rows and no selection under DP (also when no round ran: the DP copula alone)
            bestValidation = Double.NaN;
        }
        if (validationStride == 1) {
            heldOutNll = bestValidation;
        }
        String heldOut = validationStride > 1
                ? String.format(" (%.4f on all %d held-out rows)", heldOutNll, validationRows) : "";
        String validationShare = validationSeconds + trainSeconds > 0 ? String.format("; the rounds' tasks spent "
                + "%.1f%% of their time scoring validation rows", 100 * validationSeconds
                / (validationSeconds + trainSeconds)) : "";
        LOG.info(String.format("Training done in %s: best validation NLL %.4f after round %d%s%s", duration(seconds),
                bestValidation, bestRound, heldOut, validationShare));
        return new TrainingResult(best, bestRound, bestValidation, List.copyOf(history), trainRows, validationRows,
                partitions, seconds, name(), networkJson, stopReason, validationSeconds, trainSeconds, scoredRows,
                heldOutNll);
    }

    /**
     * Sets the linear input of {@code net} to whiten the training rows ({@link GaussianInit}): one pass over the cached
     * blocks sums the training and validation rows' first and second moments in double, merged in partition order
     * (same bits on any schedule); the correlations are shrunk by the {@link GaussianInit#chooseShrinkage} that fits
     * the validation rows best.
     */
    static void startAtCopula(JavaRDD<FeatureBlock> data, FlowSpec spec, MultiLayerNetwork net) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.context());
        jsc.setJobDescription("flowsynth fit: the Gaussian copula of the training rows (initial flow)");
        int d = spec.features();
        GaussianInit.Moments[] m = OrderedReduce.reduce(data.map(b -> new GaussianInit.Moments[]{
                new GaussianInit.Moments(d).add(b.train, b.trainRows),
                new GaussianInit.Moments(d).add(b.validation, b.validationRows)}),
                (a, b) -> new GaussianInit.Moments[]{a[0].merge(b[0]), a[1].merge(b[1])});
        if (m == null || m[0].rows() < 2) {
            LOG.info("Fewer than 2 training rows: the flow starts at the identity, not at the copula");
            return;
        }
        double alpha = GaussianInit.chooseShrinkage(m[0], m[1]);
        double[][] covariance = GaussianInit.shrunk(m[0].covariance(), alpha);
        FlowNetworks.assign(net, GaussianInit.parameters(spec, m[0].mean(), covariance));
        LOG.info(String.format("The flow starts at the Gaussian copula of its %d training rows (%d features, "
                        + "correlations shrunk by %.3f, chosen on %d validation rows: their NLL %.4f)", m[0].rows(), d,
                alpha, m[1].rows(), m[1].rows() < 2 ? Double.NaN
                        : -GaussianInit.meanLogLikelihood(m[0].mean(), covariance, m[1])));
    }

    /**
     * Starts a DP fit's flow at a differentially private Gaussian copula: the training rows' sums and pairwise
     * products, each row clipped to L2 norm {@link io.flowsynth.privacy.DpSgdPlan#copulaClip}, summed over the
     * partitions (exact sums stay in the job), then one Gaussian release on the driver with noise std σ_c × their L2
     * sensitivity ({@link GaussianInit#privateGaussian}, the released row count as n). The plan's accountant composed
     * this release with the DP-SGD steps.
     */
    static void startAtPrivateCopula(JavaRDD<FeatureBlock> data, FlowSpec spec, MultiLayerNetwork net,
                                     TrainOptions.Privacy privacy) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.context());
        jsc.setJobDescription("flowsynth fit: a differentially private Gaussian copula (initial flow)");
        int d = spec.features();
        double clip = io.flowsynth.privacy.DpSgdPlan.copulaClip(d);
        GaussianInit.Moments m = OrderedReduce.reduce(data.map(b -> new GaussianInit.Moments(d)
                .addClipped(b.train, b.trainRows, clip)), GaussianInit.Moments::merge);
        if (m == null) {
            m = new GaussianInit.Moments(d);
        }
        io.flowsynth.privacy.DpSgdPlan plan = privacy.plan();
        double noiseStd = plan.copulaSigma() * io.flowsynth.privacy.DpSgdPlan.copulaSensitivity(d);
        GaussianInit.PrivateGaussian g = GaussianInit.privateGaussian(m, noiseStd, plan.rows(),
                new java.util.SplittableRandom(privacy.seed() ^ 0x2545F4914F6CDD1DL));
        FlowNetworks.assign(net, GaussianInit.parameters(spec, g.mean(), g.covariance()));
        LOG.info(String.format("DP: the flow starts at a differentially private Gaussian copula of %d features (rows "
                        + "clipped to L2 norm %.3g, Gaussian noise std %.4g on the sums, noise multiplier %.4g; "
                        + "correlations shrunk by %.3f)", d, clip, noiseStd, plan.copulaSigma(), g.shrinkage()));
    }

    /** Exponential decay per step from the initial rate to {@code rate × decay} at the last step of the budget. */
    static ISchedule schedule(TrainOptions o, int totalRounds) {
        long steps = Math.max(1L, (long) totalRounds * o.localSteps());
        double gamma = Math.pow(o.learningRateDecay(), 1.0 / steps);
        return new ExponentialSchedule(ScheduleType.ITERATION, o.learningRate(), gamma);
    }

    /**
     * Mean validation score (NLL without the constant) of {@code params} on every {@code validationStride}-th
     * validation row of each partition, or NaN if there are no validation rows.
     */
    static double validate(JavaRDD<FeatureBlock> data, String networkJson, float[] params, float[] state, TrainOptions o,
                           boolean analytic, int validationStride) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.context());
        Broadcast<PartitionRound.Input> bc = jsc.broadcast(new PartitionRound.Input(params, state, 0, 0, 0,
                validationStride));
        try {
            PartitionRound.Result r = PartitionRound.Result.sum(
                    data.mapPartitionsWithIndex(new PartitionRound(bc, networkJson, o.batchSize(), o.seed(), analytic), false));
            return r.validationRows > 0 ? r.validationLossSum / r.validationRows : Double.NaN;
        } finally {
            bc.destroy();
        }
    }

    private static boolean allFinite(float[] v) {
        for (float f : v) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return true;
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }
}
