package io.flowsynth.spark.train;

import io.flowsynth.flow.nn.Dl4jConsole;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.io.HadoopFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-parallel training on Deeplearning4j's own Spark integration: {@link SparkDl4jMultiLayer} with a
 * {@link ParameterAveragingTrainingMaster}. Each round every partition contributes {@code localSteps} mini-batches
 * drawn exactly as the tree-aggregate engine draws them (same seeds), DL4J exports them under the job's working
 * directory, trains one copy per worker and averages parameters (and, with save-updater, Adam's state) every
 * {@code averaging-frequency} mini-batches. Validation is a separate Spark job per round. The export directory is
 * removed when the fit ends.
 */
public final class Dl4jSparkTrainer extends AveragingTrainer {
    public static final String NAME = "dl4j-spark";
    private static final Logger LOG = LoggerFactory.getLogger(Dl4jSparkTrainer.class);

    @Override
    public String name() {
        return NAME;
    }

    static Repartition repartition(String name) {
        return switch (name) {
            case "always" -> Repartition.Always;
            case "never" -> Repartition.Never;
            case "num-partitions-workers-differs" -> Repartition.NumPartitionsWorkersDiffers;
            default -> throw new IllegalArgumentException("Unknown repartition strategy '" + name + "'");
        };
    }

    @Override
    protected Session open(JavaRDD<FeatureBlock> data, String networkJson, TrainOptions o, int partitions,
                           int validationStride) {
        if (o.privacy() != null) {
            throw new IllegalArgumentException("DP-SGD runs in the tree-aggregate engine, not dl4j-spark");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.context());
        Dl4jConsole.quiet();
        String exportDir = o.dl4j().exportDirectory() + "/dl4j-export-" + UUID.randomUUID();
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(partitions, o.batchSize())
                .batchSizePerWorker(o.batchSize())
                .averagingFrequency(Math.max(1, Math.min(o.dl4j().averagingFrequency(), o.localSteps())))
                .workerPrefetchNumBatches(o.dl4j().workerPrefetch())
                .saveUpdater(o.dl4j().saveUpdater())
                .repartionData(repartition(o.dl4j().repartition()))
                .rddTrainingApproach(RDDTrainingApproach.Export)
                .exportDirectory(exportDir)
                .rngSeed(o.seed())
                .build();
        MultiLayerNetwork net = FlowNetworks.network(networkJson);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(jsc, net, master);
        LOG.info("DL4J ParameterAveragingTrainingMaster: {} workers, batch {} per worker, averaging every {} batches, "
                        + "prefetch {}, save updater {}, export to {}", partitions, o.batchSize(),
                Math.min(o.dl4j().averagingFrequency(), o.localSteps()), o.dl4j().workerPrefetch(),
                o.dl4j().saveUpdater(), exportDir);
        return new Session() {
            @Override
            public RoundOutcome round(int round, int totalRounds, float[] params, float[] state) {
                double validation = validate(data, networkJson, params, state, o, analyticGradient(), validationStride);
                MultiLayerNetwork n = sparkNet.getNetwork();
                n.setParams(Nd4j.createFromArray(params).reshape(1, params.length));
                n.getUpdater().getStateViewArray().assign(Nd4j.createFromArray(state).reshape(1, state.length));
                n.setIterationCount((round - 1) * o.localSteps());
                long seed = o.seed();
                int localSteps = o.localSteps();
                int batchSize = o.batchSize();
                JavaRDD<DataSet> batches = data.mapPartitionsWithIndex((partition, blocks) -> {
                    List<DataSet> out = new ArrayList<>();
                    while (blocks.hasNext()) {
                        FeatureBlock b = blocks.next();
                        if (b.trainRows == 0) {
                            continue;
                        }
                        SplittableRandom rng = PartitionRound.batchRandom(seed, round, partition);
                        for (int step = 0; step < localSteps; step++) {
                            float[] batch = new float[batchSize * b.features];
                            PartitionRound.drawBatch(b, rng, batch, batchSize);
                            out.add(FlowNetworks.dataSet(Nd4j.createFromArray(batch).reshape(batchSize, b.features)));
                        }
                    }
                    return out.iterator();
                }, false);
                sparkNet.fit(batches);
                MultiLayerNetwork trained = sparkNet.getNetwork();
                float[] newParams = trained.params().toFloatVector();
                float[] newState = trained.getUpdater().getStateViewArray().toFloatVector();
                long steps = (long) partitions * o.localSteps();
                double meanValidation = validation;
                long validationRows = Double.isNaN(meanValidation) ? 0 : 1;
                return new RoundOutcome(newParams, newState, sparkNet.getScore() * steps, steps,
                        Double.isNaN(meanValidation) ? 0 : meanValidation, validationRows, 0, 0);
            }

            @Override
            public void close() {
                HadoopFiles.deleteQuietly(exportDir, jsc.hadoopConfiguration());
            }
        };
    }
}
