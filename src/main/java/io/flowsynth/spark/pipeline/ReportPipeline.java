package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.BadInputException;
import io.flowsynth.fidelity.FidelityReport;
import io.flowsynth.spark.fidelity.FidelityEvaluator;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.sample.SyntheticSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code report}: the fidelity of a synthetic table against the real one, written as {@code DIR/fidelity.json}.
 * With a model, the report also carries the quality of the independent-columns baseline (every column sampled
 * from its own fitted marginal, no flow): the floor a model must beat. Identifier columns of the model (kind
 * {@code id}) are not compared, as their synthetic values are fresh by design; the report lists them under
 * {@code not_compared}.
 */
public final class ReportPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(ReportPipeline.class);
    public static final String FIDELITY_JSON = "fidelity.json";

    private ReportPipeline() {
    }

    public static ObjectNode evaluate(SparkSession spark, Dataset<Row> real, Dataset<Row> synthetic,
                                      FlowsynthModel model, int maxRows, long seed) {
        spark.sparkContext().setJobDescription("flowsynth report: fidelity");
        List<String> ids = model == null ? List.of() : idColumns(model);
        if (model != null) {
            real = withoutColumns(columnsOf(real, model), ids);
            synthetic = withoutColumns(synthetic, ids);
        }
        FidelityReport report = new FidelityEvaluator(maxRows, seed).evaluate(real, synthetic);
        ObjectNode json = report.toJson();
        if (!ids.isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode skipped = json.putArray("not_compared");
            for (String id : ids) {
                skipped.addObject().put("name", id).put("reason", "identifier column: fresh values by design");
            }
        }
        LOG.info(String.format("Quality %.4f (column shapes %.4f, column pair trends %.4f)", report.quality(),
                report.columnShapes(), report.columnPairTrends()));
        if (model != null) {
            spark.sparkContext().setJobDescription("flowsynth report: independent-columns baseline");
            Dataset<Row> independent = new SyntheticSampler(4096).sample(spark, model,
                    Math.min(maxRows, Math.max(1, model.sourceRows())), seed, spark.sparkContext().defaultParallelism(), true);
            FidelityReport floor = new FidelityEvaluator(maxRows, seed).evaluate(real, withoutColumns(independent, ids));
            ObjectNode b = json.putObject("baseline");
            b.put("method", "independent-columns");
            b.put("quality", floor.quality());
            b.put("column_shapes", floor.columnShapes());
            b.put("column_pair_trends", floor.columnPairTrends());
            LOG.info(String.format("Independent-columns baseline quality %.4f: the model is %+.4f above it",
                    floor.quality(), report.quality() - floor.quality()));
        }
        spark.sparkContext().setJobDescription(null);
        return json;
    }

    /**
     * The real table's columns that the model learned, in the model's order: columns dropped at fit time (an
     * unsupported type with drop-unsupported on) are not compared. A model column missing from the table is an error.
     */
    static Dataset<Row> columnsOf(Dataset<Row> real, FlowsynthModel model) {
        java.util.Set<String> present = Set.of(real.schema().fieldNames());
        List<Column> cols = new ArrayList<>();
        for (String name : model.sourceSchema().fieldNames()) {
            if (!present.contains(name)) {
                throw new BadInputException("Real table has no column '" + name
                        + "', which the model learned");
            }
            cols.add(functions.col("`" + name.replace("`", "``") + "`"));
        }
        return real.select(cols.toArray(new Column[0]));
    }

    /** The model's identifier columns. */
    static List<String> idColumns(FlowsynthModel model) {
        List<String> ids = new ArrayList<>();
        model.encoder().columns().forEach(c -> {
            if (c.kind().equals("id")) {
                ids.add(c.column());
            }
        });
        return ids;
    }

    private static Dataset<Row> withoutColumns(Dataset<Row> table, List<String> names) {
        if (names.isEmpty()) {
            return table;
        }
        List<Column> cols = new ArrayList<>();
        for (String name : table.schema().fieldNames()) {
            if (!names.contains(name)) {
                cols.add(functions.col("`" + name.replace("`", "``") + "`"));
            }
        }
        return table.select(cols.toArray(new Column[0]));
    }

    /** Writes {@code dir/fidelity.json} into an existing (staging) directory. */
    public static void writeInto(String dir, ObjectNode json, Configuration conf) {
        try {
            HadoopFiles.writeString(dir + "/" + FIDELITY_JSON,
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json), conf);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the report directory atomically. */
    public static void write(String dir, ObjectNode json, boolean overwrite, Configuration conf) {
        HadoopFiles.checkOutput(dir, "--output", overwrite, conf);
        String staging = HadoopFiles.stagingPath(dir);
        try {
            writeInto(staging, json, conf);
            HadoopFiles.commit(staging, dir, overwrite, conf);
        } catch (RuntimeException e) {
            HadoopFiles.deleteQuietly(staging, conf);
            throw e;
        }
    }
}
