package io.flowsynth.spark.fidelity;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flowsynth.error.BadInputException;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.encode.TableEncoderEstimator;
import io.flowsynth.spark.model.FlowsynthModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LikelihoodEvaluatorTest {

    @Test
    void aFlowWithZeroParametersIsTheIdentitySoItsLikelihoodEqualsTheIndependentBaseline() {
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType().add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType)
                .add("c", DataTypes.StringType).add("k", DataTypes.IntegerType);
        Random random = new Random(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            double x = random.nextGaussian();
            rows.add(RowFactory.create(x, i % 6 == 0 ? null : x + 0.1 * random.nextGaussian(),
                    i % 3 == 0 ? "a" : "b", 1));
        }
        Dataset<Row> table = spark.createDataFrame(rows, schema);
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults()).fit(table);
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, encoder.width(), 2, 8, 1, 1L);
        FlowsynthModel model = new FlowsynthModel("likelihood-test", schema, 60, encoder, spec,
                new float[Math.toIntExact(spec.parameterCount())], "{}", JsonNodeFactory.instance.objectNode(), Map.of());

        LikelihoodEvaluator.Result r = new LikelihoodEvaluator(40, 9L).evaluate(spark, table, model);

        assertThat(r.rows()).isEqualTo(40);
        assertThat(r.features()).isEqualTo(encoder.width());
        assertThat(r.nonFinite()).isZero();
        // the constant column k has no features, so no group
        assertThat(r.groups()).containsExactly("x", "y", "c");
        assertThat(r.flowMean()).isCloseTo(r.baselineMean(), within(1e-4)); // float32 flow vs double baseline
        assertThat(r.baselineGroupMeans()[0] + r.baselineGroupMeans()[1] + r.baselineGroupMeans()[2])
                .isCloseTo(r.baselineMean(), within(1e-9));
        // every term is −½x² − ½ln 2π ≤ −0.919, so each group's mean is at most its width times that
        assertThat(r.baselineGroupMeans()[0]).isLessThanOrEqualTo(-0.5 * Math.log(2 * Math.PI));
        assertThat(r.flowStdError()).isPositive();
    }

    @Test
    void identifierColumnsMayBeMissingFromTheScoredTableButLearnedColumnsMayNot() {
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType().add("order_id", DataTypes.StringType).add("x", DataTypes.DoubleType);
        Random random = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rows.add(RowFactory.create("ORD-" + i, random.nextGaussian()));
        }
        Dataset<Row> table = spark.createDataFrame(rows, schema);
        TableEncoder encoder = new TableEncoderEstimator(EncodeOptions.defaults()
                .withKindOverrides(Map.of("order_id", "id"))).fit(table);
        FlowSpec spec = new FlowSpec(FlowType.REALNVP, encoder.width(), 2, 8, 1, 1L);
        FlowsynthModel model = new FlowsynthModel("likelihood-ids", schema, 50, encoder, spec,
                new float[Math.toIntExact(spec.parameterCount())], "{}", JsonNodeFactory.instance.objectNode(), Map.of());

        // a report compares tables without their identifier columns
        LikelihoodEvaluator.Result r = new LikelihoodEvaluator(50, 2L).evaluate(spark, table.drop("order_id"), model);
        assertThat(r.rows()).isEqualTo(50);
        assertThat(r.groups()).containsExactly("x");
        assertThatThrownBy(() -> new LikelihoodEvaluator(50, 2L).evaluate(spark, table.drop("x"), model))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'x'");
    }
}
