package io.flowsynth.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.error.BadInputException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowTypeTest {
    @Test
    void everyTypeKeepsTheNameSavedModelsAndConfigFilesUse() {
        assertThat(Arrays.stream(FlowType.values()).map(FlowType::id))
                .containsExactly("realnvp", "maf", "spline", "linear");
        for (FlowType t : FlowType.values()) {
            assertThat(FlowType.parse(t.id())).isSameAs(t);
            assertThat(t.toString()).isEqualTo(t.id());
        }
        assertThat(FlowType.ids()).isEqualTo("realnvp, maf, spline, linear");
    }

    @Test
    void anUnknownNameIsRefusedNamingTheAcceptedOnes() {
        for (String bad : new String[]{"glow", "RealNVP", "REALNVP", "", " maf"}) {
            assertThatThrownBy(() -> FlowType.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown flow type '" + bad + "' (supported: realnvp, maf, spline, linear)");
        }
        assertThatThrownBy(() -> FlowType.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("supported: realnvp, maf, spline, linear");
    }

    @Test
    void configurationParsesTheTypeOnceWithAOneLineBadInputError() {
        for (FlowType t : FlowType.values()) {
            assertThat(ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.FLOW_TYPE, t.id())).flow().type())
                    .isSameAs(t);
        }
        assertThat(ConfigResolver.resolve(null, null, null, Map.of()).flow().type()).isSameAs(FlowType.REALNVP);
        assertThatThrownBy(() -> ConfigResolver.resolve(null, null, null, Map.of(ConfigKeys.FLOW_TYPE, "glow")))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Configuration flowsynth.flow.type: unknown value 'glow' (supported: realnvp, maf, "
                        + "spline, linear)");
    }

    @Test
    void onlyLinearHasNoLayers() {
        assertThat(Arrays.stream(FlowType.values()).filter(t -> !t.layered())).containsExactly(FlowType.LINEAR);
        assertThat(new FlowSpec(FlowType.LINEAR, 3, 4, 8, 1, 1).bodyLayers()).isZero();
        assertThat(new FlowSpec(FlowType.MAF, 3, 4, 8, 1, 1).bodyLayers()).isEqualTo(4);
    }
}
