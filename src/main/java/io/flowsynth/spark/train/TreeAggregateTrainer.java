package io.flowsynth.spark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel training by parameter averaging through a tree aggregation in Spark. Every round the driver
 * broadcasts the parameters and Adam's state; each partition's task loads them into its (cached) DL4J network,
 * scores its validation rows, takes {@code localSteps} Adam steps on mini-batches drawn from its training rows with a
 * generator seeded by (seed, round, partition), and returns its parameters and Adam state; the driver averages them
 * weighted by the partitions' training rows (McDonald et al. 2010; Zhang et al. 2015). One Spark job per round. The
 * partitions' results are merged in partition order ({@link io.flowsynth.spark.OrderedReduce}, the shape of Spark's
 * {@code treeAggregate} with groups of 16), never in the order tasks finish, so a fit gives the same bits on a loaded
 * machine or a cluster as on an idle one.
 *
 * <p>Partitions take their steps with the hand-derived gradient and fused Adam step
 * ({@link io.flowsynth.flow.nn.AnalyticTrainer}) where the flow family has one (realnvp, maf, spline), else, or with
 * {@code flowsynth.train.gradient = samediff}, with the SameDiff network's {@code fit}.
 */
public final class TreeAggregateTrainer extends AveragingTrainer {
    public static final String NAME = "tree-aggregate";
    /** {@code flowsynth.train.gradient} values. */
    public static final String ANALYTIC = "analytic";
    public static final String SAMEDIFF = "samediff";

    private final boolean analytic;

    /** The default: the hand-derived path where the family has one. */
    public TreeAggregateTrainer() {
        this(true);
    }

    /** @param analytic false: always SameDiff's {@code fit} (the pre-existing path, for comparison and fallback) */
    public TreeAggregateTrainer(boolean analytic) {
        this.analytic = analytic;
    }

    @Override
    protected boolean analyticGradient() {
        return analytic;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected Session open(JavaRDD<FeatureBlock> data, String networkJson, TrainOptions o, int partitions,
                           int validationStride) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.context());
        PartitionRound.DpStep dp = o.privacy() == null ? null
                : new PartitionRound.DpStep(o.privacy().plan(), o.privacy().seed());
        if (dp != null && !analytic) {
            throw new IllegalArgumentException("DP-SGD needs flowsynth.train.gradient=analytic");
        }
        return new Session() {
            @Override
            public RoundOutcome round(int round, int totalRounds, float[] params, float[] state) {
                Broadcast<PartitionRound.Input> bc = jsc.broadcast(
                        new PartitionRound.Input(params, state, (round - 1) * o.localSteps(), round, o.localSteps(),
                                validationStride));
                try {
                    PartitionRound.Result r = PartitionRound.Result.sum(data.mapPartitionsWithIndex(
                            new PartitionRound(bc, networkJson, o.batchSize(), o.seed(), analytic, dp), false));
                    if (r.weight == 0) {
                        throw new IllegalStateException("No partition has training rows");
                    }
                    return new RoundOutcome(r.averageParams(), r.averageState(), r.trainLossSum, r.trainSteps,
                            r.validationLossSum, r.validationRows, r.validationSeconds, r.trainSeconds);
                } finally {
                    bc.destroy();
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
