package io.flowsynth.spark.pipeline;

import io.flowsynth.config.ConfigResolver;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.spark.SharedSparkSession;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.sample.SyntheticSampler;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * One small model over a table with every supported Spark SQL type, declared non-nullable columns, identifier columns,
 * NaN/±∞ and a null rate that depends on another column; the sampled table is checked against the source.
 */
class SyntheticTableTest {
    private static final int ROWS = 3000;
    private static final StructType SCHEMA = new StructType(new StructField[]{
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("code", DataTypes.StringType, false),
        DataTypes.createStructField("b", DataTypes.ByteType, false),
        DataTypes.createStructField("s", DataTypes.ShortType, true),
        DataTypes.createStructField("i", DataTypes.IntegerType, false),
        DataTypes.createStructField("l", DataTypes.LongType, true),
        DataTypes.createStructField("f", DataTypes.FloatType, true),
        DataTypes.createStructField("d", DataTypes.DoubleType, true),
        DataTypes.createStructField("dec", DataTypes.createDecimalType(10, 2), false),
        DataTypes.createStructField("big", DataTypes.createDecimalType(38, 18), false),
        DataTypes.createStructField("flag", DataTypes.BooleanType, true),
        DataTypes.createStructField("a", DataTypes.StringType, false),
        DataTypes.createStructField("bnull", DataTypes.DoubleType, true),
        DataTypes.createStructField("day", DataTypes.DateType, false),
        DataTypes.createStructField("at", DataTypes.TimestampType, true),
    });

    @TempDir
    static Path dir;
    static SparkSession spark;
    static Dataset<Row> table;
    static FlowsynthModel model;
    static Dataset<Row> synthetic;
    static Dataset<Row> pairSample;

    @BeforeAll
    static void fitAndSample() {
        spark = SharedSparkSession.get();
        Random r = new Random(12);
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < ROWS; k++) {
            boolean x = r.nextBoolean();
            double u = r.nextDouble();
            Double d = u < 0.05 ? null : u < 0.08 ? Double.NaN : u < 0.09 ? Double.POSITIVE_INFINITY
                    : u < 0.10 ? Double.NEGATIVE_INFINITY : Math.exp(r.nextGaussian());
            rows.add(RowFactory.create(
                    (long) k + 1,
                    String.format("AB-%05d", 10_000 + k * 3),
                    (byte) (r.nextInt(200) - 100),
                    r.nextDouble() < 0.1 ? null : (short) r.nextInt(5000),
                    r.nextInt(100_000),
                    r.nextDouble() < 0.1 ? null : (long) (r.nextGaussian() * 1e12),
                    r.nextDouble() < 0.1 ? null : (float) (Math.rint((x ? 5 : -5) + r.nextGaussian() * 100) / 100),
                    d,
                    BigDecimal.valueOf(r.nextInt(1_000_000), 2),
                    new BigDecimal(r.nextGaussian()).setScale(18, java.math.RoundingMode.HALF_UP),
                    r.nextDouble() < 0.1 ? null : r.nextDouble() < 0.7,
                    x ? "x" : "y",
                    r.nextDouble() < (x ? 0.6 : 0.05) ? null : r.nextGaussian(),
                    Date.valueOf(LocalDate.of(2020, 1, 1).plusDays(r.nextInt(1000))),
                    r.nextDouble() < 0.1 ? null : new Timestamp(1_600_000_000_000L + r.nextInt(100_000_000))));
        }
        table = spark.createDataFrame(rows, SCHEMA);
        model = FitPipeline.fit(spark, table, smallModel(4));
        synthetic = new SyntheticSampler(1024).sample(spark, model, 4000, 5, 3, false).cache();
        // the dependence of a null rate on another column, learned by a model of just those two columns
        FlowsynthModel pair = FitPipeline.fit(spark, table.select("a", "bnull"), ConfigResolver.resolve(null, null,
                null, Map.of("flowsynth.train.epochs", "40", "flowsynth.flow.layers", "4",
                        "flowsynth.flow.hidden-features", "32", "flowsynth.train.batch-size", "128",
                        "flowsynth.train.local-steps", "20", "flowsynth.train.learning-rate", "0.005",
                        "flowsynth.train.learning-rate-decay", "1")));
        pairSample = new SyntheticSampler(1024).sample(spark, pair, 4000, 6, 2, false).cache();
    }

    private static FlowsynthConfig smallModel(int epochs) {
        return ConfigResolver.resolve(null, null, null, Map.of(
                "flowsynth.train.epochs", String.valueOf(epochs), "flowsynth.flow.layers", "4",
                "flowsynth.flow.hidden-features", "32", "flowsynth.train.batch-size", "256",
                "flowsynth.train.local-steps", "10", "flowsynth.train.learning-rate", "0.005",
                // the copula layer through fit, the executors' sampler, save and load
                "flowsynth.flow.copula-init", "true"));
    }

    private static String fields(StructType s, boolean nullability) {
        return Arrays.stream(s.fields()).map(f -> f.name() + ":" + f.dataType().simpleString()
                + (nullability ? (f.nullable() ? "?" : "!") : "")).collect(Collectors.joining(","));
    }

    @Test
    void sampleHasTheSourcesExactSchemaAndParquetKeepsNamesAndTypes() throws java.io.IOException {
        assertThat(synthetic.schema()).isEqualTo(SCHEMA); // names, order, types, precision/scale, nullability
        assertThat(model.sourceSchema()).isEqualTo(SCHEMA);
        String modelDir = dir.resolve("model").toString();
        model.save(modelDir, false, spark.sparkContext().hadoopConfiguration());
        FlowsynthModel loaded = FlowsynthModel.load(modelDir, spark.sparkContext().hadoopConfiguration());
        assertThat(fields(loaded.sourceSchema(), true)).isEqualTo(fields(SCHEMA, true));
        assertThat(model.calibration()).as("fit calibrates the marginals by default").isNotNull();
        assertThat(loaded.calibration().toJson()).isEqualTo(model.calibration().toJson());
        // a discrete feature's calibration knots sit on its decoding boundaries (each its own nearest boundary)
        java.util.function.DoubleUnaryOperator[] edges = model.encoder().decodeEdges();
        com.fasterxml.jackson.databind.JsonNode knots = model.calibration().toJson().get("features");
        int checked = 0;
        for (int j = 0; j < edges.length; j++) {
            if (edges[j] == null) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode to = knots.get(j).get("to");
            for (int k = 1; k < to.size() - 1; k++) {
                assertThat(edges[j].applyAsDouble(to.get(k).asDouble())).as("feature %d knot %d", j, k)
                        .isEqualTo(to.get(k).asDouble());
                checked++;
            }
        }
        assertThat(checked).as("inner knots of discrete features checked").isGreaterThan(0);
        String out = dir.resolve("synthetic").toString();
        SamplePipeline.write(spark, loaded, new SamplePipeline.Request(500, 3, 2, 1.0, 256, "snappy", java.util.List.of(),
                out, null, false));
        // Parquet readers make every column nullable: names, order and types survive, nullability is the model's
        assertThat(fields(spark.read().parquet(out).schema(), false)).isEqualTo(fields(SCHEMA, false));
        for (StructField f : SCHEMA.fields()) {
            if (!f.nullable()) {
                assertThat(synthetic.where(col(f.name()).isNull()).count()).as(f.name()).isZero();
            }
        }
        assertThat(loaded.flowSpec()).isEqualTo(model.flowSpec());
        assertThat(loaded.flowSpec().copulaLayer()).isTrue();
        // a model saved before the conditioner fields existed loads with the conditioner it was trained with
        java.nio.file.Path meta = dir.resolve("model").resolve("metadata.json");
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(meta.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("flow")).remove(java.util.List.of("activation", "affine_scale"));
        java.nio.file.Files.writeString(meta, json.toString());
        java.nio.file.Files.deleteIfExists(meta.resolveSibling(".metadata.json.crc")); // Hadoop's local checksum
        FlowsynthModel legacy = FlowsynthModel.load(modelDir, spark.sparkContext().hadoopConfiguration());
        assertThat(legacy.flowSpec()).isEqualTo(model.flowSpec().withConditioner("tanh", "clamp"));
    }

    @Test
    void identifierColumnsAreFreshAndUnique() {
        assertThat(model.encoder().columns().stream().filter(e -> e.kind().equals("id")).map(ColumnEncoder::column))
                .containsExactly("id", "code");
        assertThat(synthetic.select("id").distinct().count()).isEqualTo(4000);
        assertThat(synthetic.select("code").distinct().count()).isEqualTo(4000);
        assertThat(synthetic.select("id").intersect(table.select("id")).count()).isZero();
        assertThat(synthetic.select("code").intersect(table.select("code")).count()).isZero();
        assertThat(synthetic.where(col("code").rlike("^AB-[0-9]{5}$")).count()).isEqualTo(4000);
    }

    @Test
    void nullRateThatDependsOnAnotherColumnIsLearned() {
        Row rates = pairSample.groupBy().agg(
                count(when(col("a").equalTo("x").and(col("bnull").isNull()), lit(1))),
                count(when(col("a").equalTo("x"), lit(1))),
                count(when(col("a").equalTo("y").and(col("bnull").isNull()), lit(1))),
                count(when(col("a").equalTo("y"), lit(1)))).first();
        double givenX = (double) rates.getLong(0) / rates.getLong(1);
        double givenY = (double) rates.getLong(2) / rates.getLong(3);
        // source: 0.60 given x, 0.05 given y. This small model (best validation round 14 of 40) gives about 0.52 and
        // 0.09-0.11 depending on the noise stream; the test asks that the dependence is learned, not that it is exact
        assertThat(givenX).isCloseTo(0.6, within(0.1));
        assertThat(givenY).isLessThan(0.125);
        assertThat(givenX / givenY).isGreaterThan(4.0);
    }

    @Test
    void nanAndInfinitiesKeepTheirRatesAndFloatsKeepTheirDecimals() {
        Row d = synthetic.groupBy().agg(count(when(isnan(col("d")), lit(1))),
                count(when(col("d").equalTo(lit(Double.POSITIVE_INFINITY)), lit(1))),
                count(when(col("d").equalTo(lit(Double.NEGATIVE_INFINITY)), lit(1))),
                count(when(col("d").isNull(), lit(1)))).first();
        assertThat(d.getLong(0) / 4000.0).isCloseTo(0.03, within(0.015));
        assertThat(d.getLong(1) / 4000.0).isCloseTo(0.01, within(0.01));
        assertThat(d.getLong(2) / 4000.0).isCloseTo(0.01, within(0.01));
        assertThat(d.getLong(3) / 4000.0).isCloseTo(0.05, within(0.02));
        List<Row> floats = synthetic.select("f").where(col("f").isNotNull()).limit(500).collectAsList();
        for (Row row : floats) {
            float f = row.getFloat(0);
            assertThat(f).isEqualTo((float) (Math.rint(f * 100.0) / 100));
        }
    }
}
