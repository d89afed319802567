package io.flowsynth.spark.train;

import io.flowsynth.flow.FlowSpec;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;

/**
 * Trains a flow data-parallel on encoded rows held in Spark: one {@link FeatureBlock} per partition, each partition
 * training a copy whose parameters are averaged every round. Engines: {@link TreeAggregateTrainer} ("tree-aggregate",
 * a tree aggregation in partition order) and {@link Dl4jSparkTrainer} ("dl4j-spark", DL4J's ParameterAveragingTrainingMaster).
 */
public interface Trainer {
    /** The engine's name as in {@code flowsynth.train.engine}. */
    String name();

    /**
     * @param data    the encoded rows, one block per partition, cached by the caller
     * @param resume  the state to continue from (a checkpoint), or null to start afresh
     * @param onRound called on the driver after every round with the state reached (checkpointing)
     */
    TrainingResult train(JavaRDD<FeatureBlock> data, FlowSpec spec, TrainOptions options, TrainingState resume,
                         Consumer<TrainingState> onRound);

    static Trainer forEngine(String engine) {
        return forEngine(engine, TreeAggregateTrainer.ANALYTIC);
    }

    /** @param gradient {@code flowsynth.train.gradient}: analytic or samediff (tree-aggregate only) */
    static Trainer forEngine(String engine, String gradient) {
        if (!TreeAggregateTrainer.ANALYTIC.equals(gradient) && !TreeAggregateTrainer.SAMEDIFF.equals(gradient)) {
            throw new IllegalArgumentException("Unknown gradient path '" + gradient + "'");
        }
        return switch (engine) {
            case TreeAggregateTrainer.NAME -> new TreeAggregateTrainer(TreeAggregateTrainer.ANALYTIC.equals(gradient));
            case Dl4jSparkTrainer.NAME -> new Dl4jSparkTrainer();
            default -> throw new IllegalArgumentException("Unknown training engine '" + engine + "'");
        };
    }
}
