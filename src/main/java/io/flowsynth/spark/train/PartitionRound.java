package io.flowsynth.spark.train;

import io.flowsynth.flow.nn.AnalyticTrainer;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.OrderedReduce;
import io.flowsynth.spark.TaskMemory;
import io.flowsynth.spark.TaskProgress;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The work of one partition in one round: load the broadcast parameters and Adam state into this executor thread's
 * network, score the partition's validation rows, then take {@code localSteps} Adam steps on mini-batches drawn from
 * its training rows. Everything random comes from (seed, round, partition), so a retried task returns exactly the
 * same result — which is what makes Spark's task retries and lost executors harmless to the average.
 *
 * <p>With {@code analytic} (the default, {@code flowsynth.train.gradient = analytic}) and a flow family that has a
 * hand-derived gradient ({@link AnalyticTrainer#supports}), the steps and scores run on this thread's
 * {@link AnalyticTrainer} instead of the SameDiff network: the same parameters, Adam state and iteration count in
 * DL4J's layout, so the two are interchangeable between rounds.
 */
final class PartitionRound implements Function2<Integer, Iterator<FeatureBlock>, Iterator<PartitionRound.Result>> {
    private static final int SCORE_CHUNK = 4096;

    private final Broadcast<Input> input;
    private final String configurationJson;
    private final int batchSize;
    private final long seed;
    private final boolean analytic;
    private final DpStep dp;

    PartitionRound(Broadcast<Input> input, String configurationJson, int batchSize, long seed, boolean analytic) {
        this(input, configurationJson, batchSize, seed, analytic, null);
    }

    /** @param dp DP-SGD's step (null: ordinary Adam steps on batches drawn with replacement) */
    PartitionRound(Broadcast<Input> input, String configurationJson, int batchSize, long seed, boolean analytic,
                   DpStep dp) {
        this.input = input;
        this.configurationJson = configurationJson;
        this.batchSize = batchSize;
        this.seed = seed;
        this.analytic = analytic;
        this.dp = dp;
        if (dp != null && !analytic) {
            throw new IllegalArgumentException("DP-SGD needs the hand-derived gradient");
        }
    }

    /**
     * DP-SGD's local step as plain values for the executors ({@link io.flowsynth.privacy.DpSgdPlan}): each step's
     * sample takes every training row of the partition independently with probability {@code samplingRate}; it is
     * processed {@code chunk} rows at a time (B plus four standard deviations of the sample size, so one chunk almost
     * always); the sampling and noise generators come from ({@code seed}, round, partition).
     */
    static final class DpStep implements Serializable {
        final double samplingRate;
        final double clip;
        final double noiseStd;
        final int expectedBatch;
        final int chunk;
        final long seed;

        DpStep(io.flowsynth.privacy.DpSgdPlan plan, long seed) {
            this.samplingRate = plan.samplingRate();
            this.clip = plan.clipNorm();
            this.noiseStd = plan.noiseStd();
            this.expectedBatch = plan.expectedBatch();
            this.chunk = (int) Math.min(Integer.MAX_VALUE / 4, plan.expectedBatch()
                    + 4L * (long) Math.ceil(Math.sqrt(plan.expectedBatch())) + 8);
            this.seed = seed;
        }
    }

    /**
     * Poisson sampling by geometric skips: each of the block's training rows joins the sample independently with
     * probability q; the rows are copied to {@code buffer} (grown when needed, returned); {@code count[0]} gets how
     * many. Cost proportional to the sample, not the partition.
     */
    static float[] poissonSample(FeatureBlock b, SplittableRandom rng, double q, float[] buffer, int[] count) {
        int m = 0;
        int f = b.features;
        if (q > 0) {
            double log1mQ = Math.log1p(-q);
            long i = -1;
            while (true) {
                long skip = q >= 1 ? 0 : (long) Math.floor(Math.log(1 - rng.nextDouble()) / log1mQ);
                i += 1 + skip;
                if (i >= b.trainRows || i < 0) {
                    break;
                }
                if ((long) (m + 1) * f > buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, (m + 1) * f));
                }
                System.arraycopy(b.train, (int) i * f, buffer, m * f, f);
                m++;
            }
        }
        count[0] = m;
        return buffer;
    }

    /** What the driver broadcasts each round (a plain class: Kryo cannot serialize records). */
    static final class Input implements Serializable {
        final float[] params;
        final float[] state;
        final int iteration;
        final int round;
        final int localSteps;
        /** Score every this-many-th validation row (1 = all). */
        final int validationStride;

        Input(float[] params, float[] state, int iteration, int round, int localSteps, int validationStride) {
            this.params = params;
            this.state = state;
            this.iteration = iteration;
            this.round = round;
            this.localSteps = localSteps;
            this.validationStride = Math.max(1, validationStride);
        }
    }

    /**
     * Sums over partitions; parameters and state weighted by training rows. A partition's task returns its parameters
     * and Adam state as floats with its weight (half the bytes of the weighted double sums); they become weighted
     * double sums at the first merge (the same products, in the same order, as summing them in the task).
     */
    static final class Result implements Serializable {
        double[] paramSum;
        double[] stateSum;
        float[] params;
        float[] state;
        long weight;
        double trainLossSum;
        long trainSteps;
        double validationLossSum;
        long validationRows;
        /** Task seconds (summed over partitions) spent scoring validation rows and taking training steps. */
        double validationSeconds;
        double trainSeconds;

        /**
         * The sum of the partitions' results, merged in partition order ({@link OrderedReduce}): Spark's
         * {@code treeAggregate} adds the doubles in the order tasks finish, so the averaged parameters could differ in
         * their last bits from run to run on a loaded machine or a cluster.
         */
        static Result sum(JavaRDD<Result> perPartition) {
            Result r = OrderedReduce.reduce(perPartition, Result::merge);
            return r == null ? new Result() : r;
        }

        /** This partition's trained parameters and state, weighted by its training rows in {@link #merge}. */
        void trained(float[] params, float[] state, long weight) {
            this.params = params;
            this.state = state;
            this.weight = weight;
        }

        Result merge(Result o) {
            weighted();
            o.weighted();
            paramSum = add(paramSum, o.paramSum);
            stateSum = add(stateSum, o.stateSum);
            weight += o.weight;
            trainLossSum += o.trainLossSum;
            trainSteps += o.trainSteps;
            validationLossSum += o.validationLossSum;
            validationRows += o.validationRows;
            validationSeconds += o.validationSeconds;
            trainSeconds += o.trainSeconds;
            return this;
        }

        /** Turns one partition's floats into weighted double sums (before its weight is added to another's). */
        private void weighted() {
            if (params != null) {
                paramSum = scaled(params, weight);
                stateSum = scaled(state, weight);
                params = null;
                state = null;
            }
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
            weighted();
            return divide(paramSum);
        }

        float[] averageState() {
            weighted();
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

    /** The generator of partition {@code partition}'s mini-batches in round {@code round}. */
    static SplittableRandom batchRandom(long seed, int round, int partition) {
        return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * round) ^ (31L * partition + 17));
    }

    /** One training row's index: uniform, or by context-balanced group weights when the block has groups. */
    static int drawRow(FeatureBlock b, SplittableRandom rng) {
        if (b.groupEnds == null || b.groupEnds.length == 0) {
            return rng.nextInt(b.trainRows);
        }
        double[] mass = b.groupCumulativeMass;
        double u = rng.nextDouble() * mass[mass.length - 1];
        int lo = 0;
        int hi = mass.length - 1;
        while (lo < hi) { // first group whose cumulative mass exceeds u
            int mid = (lo + hi) >>> 1;
            if (mass[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        int start = lo == 0 ? 0 : b.groupEnds[lo - 1];
        return start + rng.nextInt(b.groupEnds[lo] - start);
    }

    /** Fills {@code batch} with {@code rows} training rows drawn with replacement (see {@link #drawRow}). */
    static void drawBatch(FeatureBlock b, SplittableRandom rng, float[] batch, int rows) {
        for (int i = 0; i < rows; i++) {
            System.arraycopy(b.train, drawRow(b, rng) * b.features, batch, i * b.features, b.features);
        }
    }

    @Override
    public Iterator<Result> call(Integer partition, Iterator<FeatureBlock> blocks) {
        int[] shape = new int[2]; // features, rows of the block being trained: what an out-of-memory line reports
        try {
            return round(partition, blocks, shape);
        } catch (OutOfMemoryError | RuntimeException e) {
            // Spark would end the JVM (exit 52 or 50, the driver's too in local mode) without a word of ours when an
            // OutOfMemoryError is anywhere in the cause chain (DL4J wraps it): fail the task with one line instead
            if (!io.flowsynth.flow.nn.MemoryExhaustedException.causedByOutOfMemory(e)) {
                throw e;
            }
            throw TaskMemory.exhausted(String.format("training %d features × batch %d on %d rows (partition %d)",
                    shape[0], batchSize, shape[1], partition), e);
        }
    }

    private Iterator<Result> round(Integer partition, Iterator<FeatureBlock> blocks, int[] shape) {
        Input in = input.value();
        AnalyticTrainer fast = analytic ? NetworkCache.analytic(configurationJson) : null;
        if (dp != null && fast == null) {
            throw new IllegalStateException("DP-SGD needs a flow family with a hand-derived gradient");
        }
        if (fast != null) {
            return analyticRound(partition, blocks, in, fast, shape);
        }
        MultiLayerNetwork net = NetworkCache.get(configurationJson);
        Result out = new Result();
        while (blocks.hasNext()) {
            FeatureBlock b = blocks.next();
            working(b, partition, shape);
            net.setParams(Nd4j.createFromArray(in.params).reshape(1, in.params.length));
            net.getUpdater().getStateViewArray().assign(Nd4j.createFromArray(in.state).reshape(1, in.state.length));
            net.setIterationCount(in.iteration);
            long scoring = System.nanoTime();
            int scored = scoredRows(b.validationRows, in.validationStride);
            for (int from = 0; from < scored; from += SCORE_CHUNK) {
                int rows = Math.min(SCORE_CHUNK, scored - from);
                float[] part = new float[rows * b.features];
                gather(b, from, in.validationStride, part, rows);
                INDArray chunk = Nd4j.createFromArray(part).reshape(rows, b.features);
                out.validationLossSum += net.score(FlowNetworks.dataSet(chunk)) * rows;
                out.validationRows += rows;
            }
            out.validationSeconds += (System.nanoTime() - scoring) / 1e9;
            if (in.localSteps == 0 || b.trainRows == 0) {
                continue;
            }
            long training = System.nanoTime();
            SplittableRandom rng = batchRandom(seed, in.round, partition);
            float[] batch = new float[batchSize * b.features];
            TaskProgress progress = progress(in, partition);
            for (int step = 0; step < in.localSteps; step++) {
                drawBatch(b, rng, batch, batchSize);
                net.fit(FlowNetworks.dataSet(Nd4j.createFromArray(batch).reshape(batchSize, b.features)));
                out.trainLossSum += net.score();
                out.trainSteps++;
                progress.advance(step + 1);
            }
            out.trainSeconds += (System.nanoTime() - training) / 1e9;
            out.trained(net.params().toFloatVector(), net.getUpdater().getStateViewArray().toFloatVector(),
                    b.trainRows);
        }
        return List.of(out).iterator();
    }

    /** How many of a block's {@code validationRows} validation rows every {@code stride}-th row is: rows 0, s, 2s, …. */
    static int scoredRows(int validationRows, int stride) {
        return validationRows <= 0 ? 0 : (validationRows - 1) / Math.max(1, stride) + 1;
    }

    /** Copies the scored validation rows {@code from} … {@code from + rows − 1} (rows {@code from × stride}, …) to {@code out}. */
    static void gather(FeatureBlock b, int from, int stride, float[] out, int rows) {
        if (stride == 1) {
            System.arraycopy(b.validation, from * b.features, out, 0, rows * b.features);
            return;
        }
        for (int i = 0; i < rows; i++) {
            System.arraycopy(b.validation, (from + i) * stride * b.features, out, i * b.features, b.features);
        }
    }

    /** Records the block being trained, for the out-of-memory line. */
    private void working(FeatureBlock b, int partition, int[] shape) {
        shape[0] = b.features;
        shape[1] = b.trainRows + b.validationRows;
        io.flowsynth.flow.nn.MemoryExhaustedException.working(String.format("training %d features × batch %d on "
                + "%d rows (partition %d)", b.features, batchSize, shape[1], partition));
    }

    private Iterator<Result> analyticRound(int partition, Iterator<FeatureBlock> blocks, Input in,
                                           AnalyticTrainer fast, int[] shape) {
        Result out = new Result();
        while (blocks.hasNext()) {
            FeatureBlock b = blocks.next();
            working(b, partition, shape);
            fast.load(in.params, in.state, in.iteration);
            long scoring = System.nanoTime();
            float[] part = null;
            int scored = scoredRows(b.validationRows, in.validationStride);
            for (int from = 0; from < scored; from += SCORE_CHUNK) {
                int rows = Math.min(SCORE_CHUNK, scored - from);
                if (part == null || part.length != rows * b.features) {
                    part = new float[rows * b.features];
                }
                gather(b, from, in.validationStride, part, rows);
                out.validationLossSum += fast.score(part, rows) * rows;
                out.validationRows += rows;
            }
            out.validationSeconds += (System.nanoTime() - scoring) / 1e9;
            if (dp != null && in.localSteps > 0) {
                privateSteps(partition, b, in, fast, out);
                continue;
            }
            if (in.localSteps == 0 || b.trainRows == 0) {
                continue;
            }
            long training = System.nanoTime();
            SplittableRandom rng = batchRandom(seed, in.round, partition);
            float[] batch = new float[batchSize * b.features];
            TaskProgress progress = progress(in, partition);
            for (int step = 0; step < in.localSteps; step++) {
                drawBatch(b, rng, batch, batchSize);
                out.trainLossSum += fast.fit(batch, batchSize);
                out.trainSteps++;
                progress.advance(step + 1);
            }
            out.trainSeconds += (System.nanoTime() - training) / 1e9;
            out.trained(fast.params(), fast.state(), b.trainRows);
        }
        return List.of(out).iterator();
    }

    /**
     * DP-SGD's local steps: Poisson samples at the common rate, clipped per row, noised, Adam. Every partition trains
     * (an empty one takes noise-only steps) and counts with weight 1 in the average, so neither what a partition
     * returns nor its weight depends on how many rows it holds.
     */
    private void privateSteps(int partition, FeatureBlock b, Input in, AnalyticTrainer fast, Result out) {
        long training = System.nanoTime();
        SplittableRandom sampling = batchRandom(dp.seed ^ 0x3C6EF372FE94F82BL, in.round, partition);
        SplittableRandom noise = batchRandom(dp.seed ^ 0xA54FF53A5F1D36F1L, in.round, partition);
        float[] sample = new float[dp.chunk * b.features];
        int[] count = new int[1];
        TaskProgress progress = progress(in, partition);
        for (int step = 0; step < in.localSteps; step++) {
            sample = poissonSample(b, sampling, dp.samplingRate, sample, count);
            if (sample.length < dp.chunk * b.features) {
                sample = java.util.Arrays.copyOf(sample, dp.chunk * b.features);
            }
            double loss = fast.fitPrivate(sample, count[0], dp.chunk, dp.clip, dp.noiseStd, dp.expectedBatch, noise);
            if (Double.isFinite(loss)) {
                out.trainLossSum += loss;
            }
            out.trainSteps++;
            progress.advance(step + 1);
        }
        out.trainSeconds += (System.nanoTime() - training) / 1e9;
        out.trained(fast.params(), fast.state(), 1);
    }

    /**
     * The progress of a round's local steps in this task, logged from the task at most every 30 s (the driver logs
     * once per round, when every task has ended; a long round is otherwise silent).
     */
    private static TaskProgress progress(Input in, int partition) {
        return new TaskProgress("Round " + in.round + ", partition " + partition + ": local Adam", in.localSteps,
                "steps");
    }

    private static double[] scaled(float[] v, double w) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * w;
        }
        return out;
    }
}
