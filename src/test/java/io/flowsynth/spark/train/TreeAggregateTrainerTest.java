package io.flowsynth.spark.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.SharedSparkSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class TreeAggregateTrainerTest {
    private static JavaRDD<FeatureBlock> data;
    private static String conf;

    /** x2 = 0.9·x1 + 0.3·e: a correlated pair whose true NLL is ln 2πe + ln 0.3 ≈ 1.6336. */
    private static FeatureBlock block(long seed, int train, int validation) {
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

    @BeforeAll
    static void setUp() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSparkSession.get().sparkContext());
        List<FeatureBlock> blocks = new ArrayList<>();
        blocks.add(block(1, 2000, 200));
        blocks.add(block(2, 1500, 150));
        data = jsc.parallelize(blocks, 2).cache();
        conf = FlowNetworks.configuration(new FlowSpec("realnvp", 2, 4, 16, 2, 3),
                new FlowNetworks.Optimizer(5e-3, 5, DataType.FLOAT)).toJson();
    }

    @Test
    void averagedTrainingApproachesTheTrueNllAndKeepsTheBestRound() {
        TrainingResult r = new TreeAggregateTrainer().train(data, conf, new TrainOptions(6, 128, 5e-3, 10, 5, 0, 11));
        double trueNll = Math.log(2 * Math.PI * Math.E) + Math.log(0.3);
        assertThat(r.partitions()).isEqualTo(2);
        assertThat(r.trainRows()).isEqualTo(3500);
        assertThat(r.validationRows()).isEqualTo(350);
        assertThat(r.history()).hasSize(6 * 2);
        double first = r.history().get(0).validationNll();
        assertThat(first).isGreaterThan(trueNll + 0.5);
        assertThat(r.bestValidationNll()).isLessThan(trueNll + 0.25).isLessThan(first);
        assertThat(r.history()).allSatisfy(m -> assertThat(m.validationNll()).isGreaterThanOrEqualTo(r.bestValidationNll()));
    }

    @Test
    void sameSeedAndPartitionsGiveIdenticalParameters() {
        TrainOptions o = new TrainOptions(1, 64, 5e-3, 5, 5, 0, 5);
        TrainingResult a = new TreeAggregateTrainer().train(data, conf, o);
        TrainingResult b = new TreeAggregateTrainer().train(data, conf, o);
        assertThat(a.parameters()).containsExactly(b.parameters());
        TrainingResult c = new TreeAggregateTrainer().train(data, conf, new TrainOptions(1, 64, 5e-3, 5, 5, 0, 6));
        assertThat(c.parameters()).isNotEqualTo(a.parameters());
    }
}
