package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run}: fit + sample + report in one go. Everything is written under a hidden staging directory and renamed
 * to {@code DIR} at the end, so {@code DIR} holds either nothing or the complete {@code model/}, {@code synthetic/}
 * and {@code report/fidelity.json}.
 */
public final class RunPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(RunPipeline.class);

    private RunPipeline() {
    }

    /** What a run produced. */
    public record Result(FlowsynthModel model, SamplePipeline.Summary sample, ObjectNode report) {
    }

    /**
     * @param rows rows to sample, or null for as many as the input has
     */
    public static Result run(SparkSession spark, Dataset<Row> table, String output, Long rows, FlowsynthConfig c,
                             boolean overwrite) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopFiles.checkOutput(output, "--output", overwrite, conf);
        String staging = HadoopFiles.stagingPath(output);
        try {
            FlowsynthModel model = FitPipeline.fit(spark, table, c,
                    new FitPipeline.Work(staging + "/work", staging + "/work/checkpoint", false));
            HadoopFiles.deleteQuietly(staging + "/work", conf);
            model.save(staging + "/model", false, conf);
            long n = rows != null ? rows : model.sourceRows();
            long seed = c.getLong(ConfigKeys.SEED, Long.MIN_VALUE);
            int partitions = SamplePipeline.defaultPartitions(spark, model.sourceSchema(), n,
                    c.getDouble(ConfigKeys.SAMPLE_TARGET_FILE_MB, 1e-3, 1e6));
            SamplePipeline.Summary sample = SamplePipeline.write(spark, model, new SamplePipeline.Request(n, seed,
                    partitions, 1.0, c.getInt(ConfigKeys.SAMPLE_BATCH_SIZE, 1), c.getString(ConfigKeys.SAMPLE_COMPRESSION),
                    List.of(), staging + "/synthetic", null, false));
            Dataset<Row> synthetic = spark.read().parquet(staging + "/synthetic");
            ObjectNode report = ReportPipeline.evaluate(spark, table, synthetic, model,
                    c.getInt(ConfigKeys.REPORT_MAX_ROWS, 1), seed);
            ReportPipeline.writeInto(staging + "/report", report, conf);
            HadoopFiles.commit(staging, output, overwrite, conf);
            LOG.info("Run complete: {}/model, {}/synthetic, {}/report/fidelity.json", output, output, output);
            return new Result(model, sample, report);
        } catch (RuntimeException e) {
            HadoopFiles.deleteQuietly(staging, conf);
            throw e;
        }
    }
}
