package io.flowsynth.spark.fidelity;

import io.flowsynth.fidelity.ColumnScore;
import io.flowsynth.fidelity.FidelityReport;
import io.flowsynth.fidelity.Metrics;
import io.flowsynth.fidelity.PairScore;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FidelityReportWriterTest {
    private static final FidelityReport REPORT = FidelityReport.of(
            List.of(new ColumnScore("age", "numerical", Metrics.KS_COMPLEMENT, 0.9, 0.0, 0.01),
                    new ColumnScore("city", "categorical", Metrics.TV_COMPLEMENT, 0.8, 0.1, 0.1)),
            List.of(new PairScore("age", "city", Metrics.CONTINGENCY_SIMILARITY, 0.7)), 1000, 900, 500, 500);

    @Test
    void writesPrettyJsonToFidelityJsonInTheDirectoryAndReadsItBack(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("out/report");
        FidelityReportWriter.write(REPORT, dir.toUri().toString(), new Configuration());

        String text = Files.readString(dir.resolve("fidelity.json"), StandardCharsets.UTF_8);
        assertThat(text).contains("\n  \"overall\" : {").contains("\"column_pair_trends\" : 0.7");
        assertThat(FidelityReportWriter.read(dir.toUri().toString(), new Configuration())).isEqualTo(REPORT);
    }

    @Test
    void rewritingReplacesTheReport(@TempDir Path tmp) {
        String dir = tmp.toUri().toString();
        FidelityReportWriter.write(REPORT, dir, new Configuration());
        FidelityReport single = FidelityReport.of(REPORT.columns().subList(0, 1), List.of(), 1, 1, 1, 1);
        FidelityReportWriter.write(single, dir, new Configuration());
        assertThat(FidelityReportWriter.read(dir, new Configuration())).isEqualTo(single);
    }
}
