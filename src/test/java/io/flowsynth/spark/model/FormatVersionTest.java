package io.flowsynth.spark.model;

import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.ColumnType;
import io.flowsynth.encode.TableEncoder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The format version a model is written with: the oldest that decodes it right. */
class FormatVersionTest {
    private static final ColumnType STRING = ColumnType.of(ColumnType.Base.STRING);

    @Test
    void aModelWithAColumnEncodedWithinItsParentIsVersion3AndOtherwiseStays2() {
        CategoricalEncoder parent = new CategoricalEncoder("label", STRING, Map.of("A", 60L, "B", 40L), 0, Map.of());
        Map<Object, Long> pairs = Map.of(new CategoricalEncoder.SplitKey("c0", "A"), 60L,
                new CategoricalEncoder.SplitKey("c1", "B"), 40L);
        Map<Object, Integer> groups = Map.of(new CategoricalEncoder.SplitKey("c0", "A"), 0,
                new CategoricalEncoder.SplitKey("c1", "B"), 1);
        CategoricalEncoder split = new CategoricalEncoder("code", STRING, pairs, 0, Map.of(), false, "label", groups,
                CategoricalEncoder.Protection.NONE, true);
        assertThat(FlowsynthModel.writtenVersion(new TableEncoder(List.of(split, parent))))
                .as("split, not within its parent: version-2 readers decode it right").isEqualTo(2);
        assertThat(FlowsynthModel.writtenVersion(new TableEncoder(List.of(split.withWithinParent(true), parent))))
                .isEqualTo(FlowsynthModel.FORMAT_VERSION).isEqualTo(3);
        assertThat(FlowsynthModel.MIN_FORMAT_VERSION).isEqualTo(2);
    }
}
