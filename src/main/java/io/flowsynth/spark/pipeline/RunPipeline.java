package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
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
            FlowsynthModel model = FitPipeline.fit(spark, table, c);
            model.save(staging + "/model", false, conf);
            long n = rows != null ? rows : model.sourceRows();
            long seed = c.getLong(ConfigKeys.SEED, Long.MIN_VALUE);
            int partitions = SamplePipeline.defaultPartitions(spark, n,
                    c.getLong(ConfigKeys.SAMPLE_ROWS_PER_PARTITION, 1));
            SamplePipeline.Summary sample = SamplePipeline.write(spark, model, n, seed, partitions,
                    c.getInt(ConfigKeys.SAMPLE_BATCH_SIZE, 1), staging + "/synthetic", false);
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
