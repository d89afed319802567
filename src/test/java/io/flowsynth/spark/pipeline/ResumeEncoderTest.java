package io.flowsynth.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.encode.ColumnType;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.train.Checkpoints;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code fit --resume} takes the column encoders stored with the newest complete checkpoint instead of refitting them
 * (a refit could differ), and refuses a checkpoint made with other encoder settings.
 */
class ResumeEncoderTest {
    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    /** A checkpoint round holding a complete model with the given encoder and config (no training needed). */
    private void writeCheckpoint(String root, int round, TableEncoder encoder, FlowsynthConfig c, boolean complete) {
        writeCheckpoint(root, round, encoder, c.asMap(), complete);
    }

    private void writeCheckpoint(String root, int round, TableEncoder encoder, Map<String, String> config,
                                 boolean complete) {
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, encoder.width(), 2, 8, 1, 7L);
        String json = FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(1e-3, 0, DataType.FLOAT)).toJson();
        float[] parameters = FlowNetworks.specOrder(FlowNetworks.network(json));
        String roundDir = root + "/" + String.format("round-%06d", round);
        new FlowsynthModel("m" + round, new StructType().add("x", DataTypes.DoubleType), 1000, encoder, spec,
                parameters, json, JsonNodeFactory.instance.objectNode(), config)
                .save(roundDir + "/model", false, conf);
        if (complete) {
            HadoopFiles.writeString(roundDir + "/" + Checkpoints.STATE, "{}", conf);
        }
    }

    private static TableEncoder encoder(double max) {
        return new TableEncoder(List.of(new QuantileEncoder("x", "continuous", ColumnType.of(ColumnType.Base.DOUBLE),
                new double[]{0, 1, max}, new double[]{0, 0.5, 1}, 0.0, new long[]{1000, 0, 0, 0, 0})));
    }

    @Test
    void resumeReusesTheNewestCompleteCheckpointsEncoder() {
        String root = dir.resolve("checkpoints").toString();
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null, Map.of("flowsynth.encode.quantiles", "200"));
        assertThat(FitPipeline.checkpointEncoder(root, c, conf)).as("no checkpoint: refit").isNull();

        writeCheckpoint(root, 2, encoder(7.0), c, true);
        writeCheckpoint(root, 3, encoder(9.0), c, false); // incomplete (no state.json): ignored
        TableEncoder reused = FitPipeline.checkpointEncoder(root, c, conf);
        assertThat(reused).isNotNull();
        assertThat(reused.toJson().toString()).isEqualTo(encoder(7.0).toJson().toString());

        FlowsynthConfig other = ConfigResolver.resolve(null, null, null, Map.of("flowsynth.encode.quantiles", "100"));
        assertThatThrownBy(() -> FitPipeline.checkpointEncoder(root, other, conf))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("flowsynth.encode.quantiles=200")
                .hasMessageContaining("fit without --resume");
        // settings that do not decide the encoders may change on resume
        FlowsynthConfig lr = ConfigResolver.resolve(null, null, null, Map.of("flowsynth.encode.quantiles", "200",
                "flowsynth.train.learning-rate", "0.0001"));
        assertThat(FitPipeline.checkpointEncoder(root, lr, conf)).isNotNull();
    }

    @Test
    void aCheckpointOfAnEarlierVersionResumesWithTheEncoderSettingsItDidNotHave() {
        // saved by a version without flowsynth.encode.order-categories and with encoder-share 0.8 as its default
        String root = dir.resolve("old").toString();
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null, Map.of());
        Map<String, String> old = new java.util.HashMap<>(c.asMap());
        old.remove("flowsynth.encode.order-categories");
        old.put("flowsynth.privacy.encoder-share", "0.8");
        writeCheckpoint(root, 1, encoder(7.0), old, true);
        assertThat(FitPipeline.checkpointEncoder(root, c, conf)).as("newer key, DP off: reused").isNotNull();
        // under differential privacy the budget's split decides the encoders: refused
        FlowsynthConfig dp = ConfigResolver.resolve(null, null, null, Map.of("flowsynth.privacy.epsilon", "3"));
        assertThatThrownBy(() -> FitPipeline.checkpointEncoder(root, dp, conf)).isInstanceOf(BadInputException.class);
    }
}
