package io.flowsynth.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FlowSpec's one JSON form: the {@code "flow"} object of {@code metadata.json}, also the broadcast payload's. */
class FlowSpecJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyTypeRoundTripsThroughItsJsonText() throws Exception {
        for (FlowType t : FlowType.values()) {
            FlowSpec spec = new FlowSpec(t, 5, 3, 24, 2, 6, 2.5, -1234567890123L).withConditioner("tanh", "clamp");
            assertThat(FlowSpec.fromJson(JSON.readTree(spec.toJson().toString()))).isEqualTo(spec);
            FlowSpec defaults = new FlowSpec(t, 1, 1, 1, 1, Long.MAX_VALUE);
            assertThat(FlowSpec.fromJson(JSON.readTree(defaults.toJson().toString()))).isEqualTo(defaults);
        }
    }

    @Test
    void theFormIsTheOneSavedModelsHold() {
        FlowSpec spec = new FlowSpec(FlowType.SPLINE, 3, 2, 8, 1, 6, 2.5, 7);
        assertThat(spec.toJson().toString()).isEqualTo("{\"type\":\"spline\",\"features\":3,\"layers\":2,"
                + "\"hidden_features\":8,\"hidden_layers\":1,\"bins\":6,\"tail_bound\":2.5,\"seed\":7,"
                + "\"activation\":\"relu\",\"affine_scale\":\"sigmoid\"}");
        List<String> keys = List.of("type", "features", "layers", "hidden_features", "hidden_layers", "bins",
                "tail_bound", "seed", "activation", "affine_scale");
        assertThat(spec.toJson().fieldNames()).toIterable().containsExactlyElementsOf(keys);
    }

    @Test
    void fieldsOlderModelsLackTakeTheValuesTheyUsed() throws Exception {
        FlowSpec old = FlowSpec.fromJson(JSON.readTree("{\"type\":\"realnvp\",\"features\":4,\"layers\":2,"
                + "\"hidden_features\":16,\"hidden_layers\":2,\"seed\":3,\"parameters\":{\"count\":1}}"));
        assertThat(old).isEqualTo(new FlowSpec(FlowType.REALNVP, 4, 2, 16, 2, FlowSpec.BINS_DEFAULT,
                FlowSpec.TAIL_BOUND_DEFAULT, 3, FlowSpec.ACTIVATION_LEGACY, FlowSpec.AFFINE_SCALE_LEGACY));
        assertThat(old.activation()).isEqualTo("tanh");
        assertThat(old.affineScale()).isEqualTo("clamp");
    }

    @Test
    void theCopulaLayerIsWrittenOnlyWhenOnAndReadAsOffWhenAbsent() throws Exception {
        for (FlowType t : FlowType.values()) {
            FlowSpec spec = new FlowSpec(t, 5, 3, 24, 2, 9).withCopulaLayer(true);
            assertThat(spec.copulaLayer()).isEqualTo(t.layered());
            assertThat(spec.toJson().has("copula_layer")).isEqualTo(t.layered());
            assertThat(FlowSpec.fromJson(JSON.readTree(spec.toJson().toString()))).isEqualTo(spec);
        }
        FlowSpec on = new FlowSpec(FlowType.MAF, 3, 2, 8, 1, 7).withCopulaLayer(true);
        assertThat(on.toJson().get("copula_layer").asBoolean()).isTrue();
        ObjectNode absent = on.toJson();
        absent.remove("copula_layer");
        assertThat(FlowSpec.fromJson(absent)).isEqualTo(on.withCopulaLayer(false));
        assertThatThrownBy(() -> new FlowSpec(FlowType.LINEAR, 3, 1, 8, 1, 2, 3.0, 7, "relu", "sigmoid", true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("copula");
    }

    @Test
    void theNetworkConfigurationNamesTheCopulaLayerOnlyWhenOn() {
        FlowSpec off = new FlowSpec(FlowType.REALNVP, 3, 2, 8, 1, 7);
        FlowSpec on = off.withCopulaLayer(true);
        io.flowsynth.flow.nn.FlowNetworks.Optimizer opt = new io.flowsynth.flow.nn.FlowNetworks.Optimizer(1e-3, 0,
                org.nd4j.linalg.api.buffer.DataType.FLOAT);
        String offJson = io.flowsynth.flow.nn.FlowNetworks.configuration(off, opt).toJson();
        String onJson = io.flowsynth.flow.nn.FlowNetworks.configuration(on, opt).toJson();
        assertThat(offJson).doesNotContain("copulaLayer");
        assertThat(onJson).contains("copulaLayer");
        assertThat(io.flowsynth.flow.nn.FlowNetworks.network(onJson).getLayerWiseConfigurations().getConf(0).getLayer())
                .isInstanceOfSatisfying(io.flowsynth.flow.nn.FlowOutputLayer.class,
                        l -> assertThat(l.spec()).isEqualTo(on));
        assertThat(io.flowsynth.flow.nn.FlowNetworks.network(offJson).getLayerWiseConfigurations().getConf(0).getLayer())
                .isInstanceOfSatisfying(io.flowsynth.flow.nn.FlowOutputLayer.class,
                        l -> assertThat(l.spec()).isEqualTo(off));
    }

    @Test
    void aMissingOrInvalidFieldIsNamed() {
        ObjectNode noFeatures = new FlowSpec(FlowType.MAF, 3, 2, 8, 1, 7).toJson();
        noFeatures.remove("features");
        assertThatThrownBy(() -> FlowSpec.fromJson(noFeatures)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the flow spec has no 'features'");
        ObjectNode glow = new FlowSpec(FlowType.MAF, 3, 2, 8, 1, 7).toJson().put("type", "glow");
        assertThatThrownBy(() -> FlowSpec.fromJson(glow)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown flow type 'glow' (supported: realnvp, maf, spline, linear)");
        assertThatThrownBy(() -> FlowSpec.fromJson(JSON.createArrayNode())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the flow spec is not a JSON object");
        ObjectNode badBins = new FlowSpec(FlowType.SPLINE, 3, 2, 8, 1, 7).toJson().put("bins", 1);
        assertThatThrownBy(() -> FlowSpec.fromJson(badBins)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 bins");
    }
}
