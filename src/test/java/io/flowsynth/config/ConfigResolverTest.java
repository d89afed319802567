package io.flowsynth.config;

import io.flowsynth.error.BadInputException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigResolverTest {

    @Test
    void defaultsFileDocumentsExactlyTheBuiltInDefaults() throws Exception {
        Path file = Path.of(System.getProperty("flowsynth.project.dir", "."), "conf", "flowsynth-defaults.conf");
        Map<String, String> documented = ConfigResolver.parse(Files.readString(file), file.toString());
        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(ConfigKeys.DEFAULTS.keySet());
        for (Map.Entry<String, String> e : ConfigKeys.DEFAULTS.entrySet()) {
            assertThat(normalized(documented.get(e.getKey()))).as(e.getKey()).isEqualTo(normalized(e.getValue()));
        }
    }

    /** Numbers compare by value (0.002 = 2.0E-3), everything else as text. */
    private static String normalized(String v) {
        try {
            return String.valueOf(Double.parseDouble(v));
        } catch (NumberFormatException e) {
            return v;
        }
    }

    @Test
    void commandLineBeatsJobFileBeatsSiteDefaults() {
        FlowsynthConfig c = ConfigResolver.resolve("flowsynth.train.epochs = 3\nflowsynth.flow.layers = 4",
                "flowsynth.train.epochs = 5\nflowsynth.train.batch-size = 64", "job.conf",
                Map.of("flowsynth.train.epochs", "7"));
        assertThat(c.train().epochs()).isEqualTo(7);
        assertThat(c.train().batchSize()).isEqualTo(64);
        assertThat(c.flow().layers()).isEqualTo(4);
        assertThat(c.flow().hiddenFeatures()).isEqualTo(ConfigKeys.FLOW_HIDDEN_FEATURES_DEFAULT);
        assertThat(c.flow().spec(16, 5_000, 1).hiddenFeatures()).isEqualTo(64);
        assertThat(c.flow().spec(200, 5_000, 1).hiddenFeatures()).isEqualTo(64);
        assertThat(c.flow().spec(200, 50_000, 1).hiddenFeatures()).isEqualTo(224);
        assertThat(c.flow().spec(1000, 50_000, 1).hiddenFeatures()).isEqualTo(256);
        assertThat(c.flow().spec(16, 500, 1).hiddenFeatures()).isEqualTo(32);
    }

    @Test
    void unknownKeyAndMalformedValueAreErrorsNamingTheKey() {
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of("flowsynth.train.epoch", "3")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.train.epoch");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of("flowsynth.train.epochs", "many")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.train.epochs")
                .hasMessageContaining("many");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of("flowsynth.train.steps", "0")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.train.steps");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of("flowsynth.train.max-minutes", "-1")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.train.max-minutes");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of("flowsynth.train.epochs", "-1")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.train.epochs");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of("flowsynth.columns.age.kind", "fuzzy")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.columns.age.kind");
        // booleans the model stores for sampling and encoding are checked when it is fitted
        for (String key : new String[]{ConfigKeys.SAMPLE_STRATIFY_CONTEXT, ConfigKeys.ENCODE_IMPUTE_NULLS}) {
            assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of(key, "maybe")))
                    .isInstanceOf(BadInputException.class).hasMessageContaining(key).hasMessageContaining("maybe");
        }
    }

    @Test
    void perColumnKindsAreCollectedByColumnName() {
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null,
                Map.of("flowsynth.columns.zip.code.kind", "categorical", "flowsynth.columns.age.kind", "continuous"));
        assertThat(c.encode().kindOverrides()).containsEntry("zip.code", "categorical")
                .containsEntry("age", "continuous");
    }

    @Test
    void everyFlowFamilyIsAcceptedAndBadSplineSettingsAreRejectedNamingTheKey() {
        for (String type : new String[]{"realnvp", "maf", "spline", "linear"}) {
            assertThat(ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.FLOW_TYPE, type))
                    .flow().type().id()).isEqualTo(type);
        }
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.FLOW_TYPE, "glow")))
                .isInstanceOf(BadInputException.class).hasMessageContaining(ConfigKeys.FLOW_TYPE).hasMessageContaining("spline");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.FLOW_BINS, "1")))
                .isInstanceOf(BadInputException.class).hasMessageContaining(ConfigKeys.FLOW_BINS);
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.FLOW_BINS, "5000")))
                .isInstanceOf(BadInputException.class).hasMessageContaining(ConfigKeys.FLOW_BINS);
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.FLOW_TAIL_BOUND, "0")))
                .isInstanceOf(BadInputException.class).hasMessageContaining(ConfigKeys.FLOW_TAIL_BOUND);
    }

    @Test
    void perColumnEncodersAreAcceptedAndValidated() {
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null,
                Map.of("flowsynth.columns.price.encoder", "mode", "flowsynth.columns.city.encoder", "onehot",
                        "flowsynth.columns.order_id.kind", "id"));
        assertThat(c.encode().encoderOverrides()).containsEntry("price", "mode").containsEntry("city", "onehot");
        assertThat(c.encode().kindOverrides()).containsEntry("order_id", "id");
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null,
                Map.of("flowsynth.columns.price.encoder", "wavelet")))
                .isInstanceOf(BadInputException.class).hasMessageContaining("flowsynth.columns.price.encoder")
                .hasMessageContaining("wavelet");
    }

    @Test
    void sourcesNameWhereEachValueCameFromAndTheSiteFileOnlyWhereItDiffers() {
        String site = "flowsynth.seed = 42\nflowsynth.flow.layers = 9\nflowsynth.train.steps = 500\n";
        String job = "flowsynth.train.steps = 200\n";
        ConfigResolver.Resolved r = ConfigResolver.resolveWithSources(site, job, "job.conf",
                Map.of("flowsynth.flow.hidden-features", "16"));
        assertThat(r.sources()).containsEntry("flowsynth.seed", "default") // the site file repeats the default
                .containsEntry("flowsynth.flow.layers", "flowsynth-defaults.conf")
                .containsEntry("flowsynth.train.steps", "--conf job.conf")
                .containsEntry("flowsynth.flow.hidden-features", "--set")
                .containsEntry("flowsynth.flow.type", "default");
        assertThat(r.sources().keySet()).containsAll(ConfigKeys.DEFAULTS.keySet());
        assertThat(r.config().train().steps()).isEqualTo(200);
        assertThat(r.config().asMap()).isEqualTo(ConfigResolver.resolve(site, job, "job.conf",
                Map.of("flowsynth.flow.hidden-features", "16")).asMap());
    }
}
