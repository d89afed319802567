package io.flowsynth.spark.pipeline;

import io.flowsynth.config.ConfigResolver;
import io.flowsynth.encode.NullImputation;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.sample.SyntheticSampler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code flowsynth.encode.impute-nulls} through a real fit: a mostly-null column that follows another gets a model of
 * its null rows (saved with the model), and the synthetic rows that have a value keep the relation.
 */
class NullImputationFitTest {
    @Test
    void aMostlyNullColumnKeepsItsRelationToAnotherInTheSyntheticRows() {
        SparkSession spark = SharedSparkSession.get();
        StructType schema = new StructType(new StructField[]{
                DataTypes.createStructField("gross", DataTypes.DoubleType, false),
                DataTypes.createStructField("dvd", DataTypes.DoubleType, true)});
        Random r = new Random(21);
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < 3000; k++) {
            double gross = r.nextGaussian();
            // 80 % null, more often for small grosses (as films without DVD sales grossed less)
            boolean none = r.nextDouble() < (gross < 0 ? 0.9 : 0.7);
            rows.add(RowFactory.create(Math.exp(gross), none ? null : Math.exp(gross + 0.25 * r.nextGaussian())));
        }
        Dataset<Row> table = spark.createDataFrame(rows, schema);
        FlowsynthModel model = FitPipeline.fit(spark, table, ConfigResolver.resolve(null, null, null, Map.of(
                "flowsynth.train.steps", "600", "flowsynth.flow.layers", "4",
                "flowsynth.flow.hidden-features", "32", "flowsynth.train.batch-size", "128")));
        NullImputation imputation = model.encoder().nullImputation();
        assertThat(imputation).isNotNull();
        assertThat(imputation.columns()).hasSize(1);
        assertThat(imputation.columns().get(0).r2()).isGreaterThan(0.8);
        Dataset<Row> synthetic = new SyntheticSampler(1024).sample(spark, model, 4000, 3, 2, false)
                .where("dvd is not null").selectExpr("ln(gross) as g", "ln(dvd) as d").cache();
        double nulls = 1 - synthetic.count() / 4000.0;
        assertThat(nulls).isCloseTo(0.8, within(0.06));
        // a conditional model's context column is never imputed: its features are encoded alone when it samples
        FlowsynthModel conditional = FitPipeline.fit(spark, table, ConfigResolver.resolve(null, null, null, Map.of(
                "flowsynth.train.steps", "20", "flowsynth.flow.layers", "2", "flowsynth.flow.hidden-features", "8",
                "flowsynth.condition.columns", "dvd")));
        assertThat(conditional.encoder().nullImputation()).isNull();
        // real: corr(ln gross, ln dvd) = 1 / √1.0625 ≈ 0.97 on the rows with a value; with impute-nulls=false this
        // fit gave 0.61 (the null rows' noise is 80 % of what the flow sees of dvd's value feature)
        double corr = synthetic.stat().corr("g", "d");
        assertThat(corr).isGreaterThan(0.85);
    }
}
