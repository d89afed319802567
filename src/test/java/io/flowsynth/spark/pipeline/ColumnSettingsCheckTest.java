package io.flowsynth.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.spark.SharedSparkSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Per-column settings are checked against the input's columns at the start of a fit (they come from the typed
 * {@code EncodeOptions} of the resolved configuration): a key naming a column the table lacks stops the fit naming the
 * key, before any encoder or training work; keys naming real columns are applied.
 */
class ColumnSettingsCheckTest {

    private static Dataset<Row> table(SparkSession spark) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            rows.add(RowFactory.create(i % 7 == 0 ? null : (double) i * 0.37, "c" + (i % 3)));
        }
        return spark.createDataFrame(rows, new StructType().add("x", DataTypes.DoubleType)
                .add("city", DataTypes.StringType));
    }

    @Test
    void aColumnKeyNamingAMissingColumnStopsTheFitNamingTheKey() {
        SparkSession spark = SharedSparkSession.get();
        Dataset<Row> table = table(spark);
        for (Map.Entry<String, String> set : Map.of("flowsynth.columns.zip.kind", "categorical",
                "flowsynth.columns.price.encoder", "mode", "flowsynth.columns.age.bounds", "0,120").entrySet()) {
            FlowsynthConfig c = ConfigResolver.resolve(null, null, null, Map.of(set.getKey(), set.getValue()));
            String column = set.getKey().split("\\.")[2];
            assertThatThrownBy(() -> FitPipeline.fit(spark, table, c)).as(set.getKey())
                    .isInstanceOf(BadInputException.class)
                    .hasMessage("Configuration " + set.getKey() + ": no column '" + column + "' in the input");
        }
    }

    @Test
    void columnKeysNamingRealColumnsAreApplied() {
        SparkSession spark = SharedSparkSession.get();
        FlowsynthConfig c = ConfigResolver.resolve(null, null, null, Map.of("flowsynth.columns.city.kind", "ignore",
                "flowsynth.columns.x.encoder", "quantile", "flowsynth.train.steps", "5",
                "flowsynth.train.local-steps", "5", "flowsynth.train.batch-size", "32", "flowsynth.flow.layers", "1",
                "flowsynth.train.calibration-knots", "0"));
        var model = FitPipeline.fit(spark, table(spark), c);
        assertThat(model.encoder().columns()).extracting(col -> col.column()).containsExactly("x");
        assertThat(model.sourceSchema().fieldNames()).containsExactly("x", "city");
    }
}
