package io.flowsynth.spark.train;

import io.flowsynth.flow.StandardNormal;
import io.flowsynth.flow.nn.FlowNetworks;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-parallel training by parameter averaging through Spark's own {@code treeAggregate}. Every round the driver
 * broadcasts the parameters and Adam's state; each partition's task loads them into its (cached) DL4J network,
 * scores its validation rows, takes {@code localSteps} Adam steps on mini-batches drawn from its training rows with a
 * generator seeded by (seed, round, partition), and returns its parameters and Adam state; the driver averages them
 * weighted by the partitions' training rows (McDonald et al. 2010; Zhang et al. 2015). The parameters with the best
 * validation NLL are kept.
 */
public final class TreeAggregateTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(TreeAggregateTrainer.class);
    private static final int SCORE_CHUNK = 4096;

    /**
     * @param data              one {@link FeatureBlock} per partition, cached by the caller
     * @param configurationJson the DL4J network configuration (a {@link io.flowsynth.flow.nn.FlowOutputLayer} network)
     */
    public TrainingResult train(JavaRDD<FeatureBlock> data, String configurationJson, TrainOptions o) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.context());
        long start = System.nanoTime();
        jsc.setJobDescription("flowsynth fit: counting encoded rows");
        long[] counts = data.map(b -> new long[]{b.trainRows, b.validationRows, b.features})
                .reduce((a, b) -> new long[]{a[0] + b[0], a[1] + b[1], Math.max(a[2], b[2])});
        long trainRows = counts[0];
        long validationRows = counts[1];
        int features = (int) counts[2];
        if (trainRows == 0) {
            throw new IllegalStateException("No training rows: the input table is empty after encoding");
        }
        int partitions = data.getNumPartitions();
        long rowsPerRound = (long) partitions * o.localSteps() * o.batchSize();
        int roundsPerEpoch = (int) Math.max(1, Math.ceil((double) trainRows / rowsPerRound));
        int totalRounds = o.epochs() * roundsPerEpoch;
        double logConstant = 0.5 * features * StandardNormal.LOG_2PI;

        MultiLayerNetwork init = FlowNetworks.network(configurationJson);
        float[] params = init.params().toFloatVector();
        float[] state = init.getUpdater().getStateViewArray().toFloatVector();
        LOG.info("Training {} parameters on {} rows ({} validation) in {} partitions: {} rounds of {} local steps × {} rows"
                        + " ({} rounds per epoch)", params.length, trainRows, validationRows, partitions, totalRounds,
                o.localSteps(), o.batchSize(), roundsPerEpoch);

        List<RoundMetrics> history = new ArrayList<>();
        float[] best = params;
        double bestValidation = Double.POSITIVE_INFINITY;
        int bestRound = 0;
        int sinceBest = 0;
        for (int round = 1; round <= totalRounds + 1; round++) {
            boolean last = round == totalRounds + 1; // one more pass scores the final parameters only
            long roundStart = System.nanoTime();
            RoundInput in = new RoundInput(params, state, (round - 1) * o.localSteps(), round, last ? 0 : o.localSteps());
            Broadcast<RoundInput> bc = jsc.broadcast(in);
            jsc.setJobDescription(last ? "flowsynth fit: final validation"
                    : "flowsynth fit: round " + round + "/" + totalRounds);
            PartialResult r = data.mapPartitionsWithIndex(new RoundTask(bc, configurationJson, o.batchSize(), o.seed()), false)
                    .treeAggregate(new PartialResult(), PartialResult::merge, PartialResult::merge, 2);
            bc.destroy();
            double validationNll = r.validationRows > 0 ? r.validationLossSum / r.validationRows + logConstant : Double.NaN;
            double score = r.validationRows > 0 ? validationNll : r.trainLossSum / Math.max(1, r.trainSteps) + logConstant;
            if (Double.isFinite(score) && score < bestValidation) {
                bestValidation = score;
                best = params;
                bestRound = round - 1;
                sinceBest = 0;
            } else {
                sinceBest++;
            }
            if (last) {
                break;
            }
            double trainNll = r.trainLossSum / Math.max(1, r.trainSteps) + logConstant;
            if (!Double.isFinite(trainNll) || r.weight == 0) {
                throw new IllegalStateException(String.format("Training diverged in round %d/%d (train NLL %s); best "
                        + "parameters so far are from round %d (validation NLL %.4f). Lower %s or raise %s.",
                        round, totalRounds, trainNll, bestRound, bestValidation,
                        "flowsynth.train.learning-rate", "flowsynth.train.gradient-clip"));
            }
            params = r.averageParams();
            state = r.averageState();
            double seconds = (System.nanoTime() - roundStart) / 1e9;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double rowsPerSecond = r.trainSteps * (double) o.batchSize() / seconds;
            history.add(new RoundMetrics(round, (double) round / roundsPerEpoch, trainNll, validationNll, rowsPerSecond, seconds));
            LOG.info(String.format("round %d/%d (epoch %.2f): train NLL %.4f, validation NLL %.4f, %.0f rows/s, elapsed %s, ETA %s",
                    round, totalRounds, (double) round / roundsPerEpoch, trainNll, validationNll, rowsPerSecond,
                    duration(elapsed), duration(elapsed / round * (totalRounds - round))));
            if (o.patience() > 0 && sinceBest > o.patience()) {
                LOG.info("Stopping early: no better validation NLL for {} rounds", sinceBest);
                round = totalRounds; // the next iteration is the final validation
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info(String.format("Training done in %s: best validation NLL %.4f after round %d", duration(seconds),
                bestValidation, bestRound));
        return new TrainingResult(best, bestRound, bestValidation, Collections.unmodifiableList(history), trainRows,
                validationRows, partitions, seconds);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }

    /** What the driver broadcasts each round (a plain class: Kryo cannot serialize records). */
    static final class RoundInput implements Serializable {
        final float[] params;
        final float[] state;
        final int iteration;
        final int round;
        final int localSteps;

        RoundInput(float[] params, float[] state, int iteration, int round, int localSteps) {
            this.params = params;
            this.state = state;
            this.iteration = iteration;
            this.round = round;
            this.localSteps = localSteps;
        }
    }

    /** Sums over partitions; parameters and state weighted by training rows. */
    static final class PartialResult implements Serializable {
        double[] paramSum;
        double[] stateSum;
        long weight;
        double trainLossSum;
        long trainSteps;
        double validationLossSum;
        long validationRows;

        PartialResult merge(PartialResult o) {
            paramSum = add(paramSum, o.paramSum);
            stateSum = add(stateSum, o.stateSum);
            weight += o.weight;
            trainLossSum += o.trainLossSum;
            trainSteps += o.trainSteps;
            validationLossSum += o.validationLossSum;
            validationRows += o.validationRows;
            return this;
        }

        private static double[] add(double[] a, double[] b) {
            if (a == null) {
                return b;
            }
            if (b != null) {
                for (int i = 0; i < a.length; i++) {
                    a[i] += b[i];
                }
            }
            return a;
        }

        float[] averageParams() {
            return divide(paramSum);
        }

        float[] averageState() {
            return divide(stateSum);
        }

        private float[] divide(double[] sum) {
            float[] out = new float[sum.length];
            for (int i = 0; i < sum.length; i++) {
                out[i] = (float) (sum[i] / weight);
            }
            return out;
        }
    }

    /** The work of one partition in one round. */
    static final class RoundTask implements
            org.apache.spark.api.java.function.Function2<Integer, Iterator<FeatureBlock>, Iterator<PartialResult>> {
        private final Broadcast<RoundInput> input;
        private final String configurationJson;
        private final int batchSize;
        private final long seed;

        RoundTask(Broadcast<RoundInput> input, String configurationJson, int batchSize, long seed) {
            this.input = input;
            this.configurationJson = configurationJson;
            this.batchSize = batchSize;
            this.seed = seed;
        }

        @Override
        public Iterator<PartialResult> call(Integer partition, Iterator<FeatureBlock> blocks) {
            RoundInput in = input.value();
            MultiLayerNetwork net = NetworkCache.get(configurationJson);
            PartialResult out = new PartialResult();
            while (blocks.hasNext()) {
                FeatureBlock b = blocks.next();
                net.setParams(Nd4j.createFromArray(in.params).reshape(1, in.params.length));
                net.getUpdater().getStateViewArray().assign(Nd4j.createFromArray(in.state).reshape(1, in.state.length));
                net.setIterationCount(in.iteration);
                for (int from = 0; from < b.validationRows; from += SCORE_CHUNK) {
                    int rows = Math.min(SCORE_CHUNK, b.validationRows - from);
                    INDArray chunk = rows(b.validation, b.features, from, rows);
                    out.validationLossSum += net.score(FlowNetworks.dataSet(chunk)) * rows;
                    out.validationRows += rows;
                }
                if (in.localSteps == 0 || b.trainRows == 0) {
                    continue;
                }
                SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * in.round) ^ (31L * partition + 17));
                float[] batch = new float[batchSize * b.features];
                for (int step = 0; step < in.localSteps; step++) {
                    for (int i = 0; i < batchSize; i++) {
                        System.arraycopy(b.train, rng.nextInt(b.trainRows) * b.features, batch, i * b.features, b.features);
                    }
                    net.fit(FlowNetworks.dataSet(Nd4j.createFromArray(batch).reshape(batchSize, b.features)));
                    out.trainLossSum += net.score();
                    out.trainSteps++;
                }
                double w = b.trainRows;
                out.paramSum = scaled(net.params().toFloatVector(), w);
                out.stateSum = scaled(net.getUpdater().getStateViewArray().toFloatVector(), w);
                out.weight = b.trainRows;
            }
            return List.of(out).iterator();
        }

        private static INDArray rows(float[] data, int features, int from, int rows) {
            float[] part = new float[rows * features];
            System.arraycopy(data, from * features, part, 0, part.length);
            return Nd4j.createFromArray(part).reshape(rows, features).castTo(DataType.FLOAT);
        }

        private static double[] scaled(float[] v, double w) {
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] * w;
            }
            return out;
        }
    }
}
