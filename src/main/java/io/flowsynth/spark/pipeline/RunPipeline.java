package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.FlowsynthConfig;
import io.flowsynth.config.SampleSettings;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run}: fit + sample + report in one go. A seeded share of the input is kept aside as a real holdout
 * ({@code flowsynth.report.holdout-fraction}, at most {@code flowsynth.report.max-rows} rows) and the model is fitted
 * on the rest, so the report can measure privacy (DCR against unseen rows) and held-out likelihood; the holdout is
 * not written anywhere. Everything is written under a hidden staging directory and renamed to {@code DIR} at the
 * end, so {@code DIR} holds either nothing or the complete {@code model/}, {@code synthetic/} and
 * {@code report/fidelity.json} + {@code report/index.html}.
 */
public final class RunPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(RunPipeline.class);

    private RunPipeline() {
    }

    /** What a run produced. */
    public record Result(FlowsynthModel model, SamplePipeline.Summary sample, ObjectNode report) {
    }

    /** Below this many input rows {@code run} keeps no holdout (the model needs the rows more than the report). */
    public static final long MIN_ROWS_FOR_HOLDOUT = 20;
    private static final String HOLDOUT_FLAG = "__flowsynth_holdout";

    /**
     * @param rows rows to sample, or null for as many as the input has (under differential privacy: as many as the
     *             model's released row count)
     */
    public static Result run(SparkSession spark, Dataset<Row> table, String output, Long rows, FlowsynthConfig c,
                             boolean overwrite) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopFiles.checkOutput(output, "--output", overwrite, conf);
        String staging = HadoopFiles.stagingPath(output);
        try {
            long seed = c.seed();
            int maxRows = c.report().maxRows();
            SampleSettings sampleSettings = c.sample();
            spark.sparkContext().setJobDescription("flowsynth run: counting rows");
            long total = table.count();
            FitPipeline.checkMinRows(total, c.fitMinRows());
            Split split = split(table, total, c.report().holdoutFraction(), maxRows, seed);
            FlowsynthModel model = FitPipeline.fit(spark, split.train(), c,
                    new FitPipeline.Work(staging + "/work", staging + "/work/checkpoint", false, true));
            HadoopFiles.deleteQuietly(staging + "/work", conf);
            model.save(staging + "/model", false, conf);
            // under differential privacy the default size is the released (noisy) row count: the exact one would
            // publish n
            long n = rows != null ? rows : model.encoder().releasedRowCount().orElse(total);
            int partitions = SamplePipeline.defaultPartitions(spark, model.sourceSchema(), n,
                    sampleSettings.targetFileMb());
            // generated values equal to a real one (of the whole input) are drawn again; the filter is never saved
            // (not under differential privacy: the filter reads the real rows outside the guarantee)
            io.flowsynth.spark.sample.RealValueFilter real = model.encoder().privacy() != null ? null
                    : io.flowsynth.spark.sample.RealValueFilter.of(table, model.encoder(), total);
            FlowsynthModel sampling = real == null ? model : model.withRealValues(real);
            SamplePipeline.Guard guard = model.encoder().privacy() != null
                    ? SamplePipeline.Guard.off(SamplePipeline.DP_GUARD_OFF)
                    : sampleSettings.dropExactCopies()
                    ? new SamplePipeline.Guard(split.train(), sampleSettings.copyRedraws(), null)
                    : SamplePipeline.Guard.off("turned off (flowsynth.privacy.drop-exact-copies=false)");
            SamplePipeline.Summary sample = SamplePipeline.write(spark, sampling, new SamplePipeline.Request(n, seed,
                    partitions, 1.0, sampleSettings.batchSize(), sampleSettings.compression(),
                    List.of(), staging + "/synthetic", null, false), guard);
            Dataset<Row> synthetic = spark.read().parquet(staging + "/synthetic");
            ObjectNode report = ReportPipeline.evaluate(spark, split.train(), split.holdout(), synthetic, model,
                    ReportPipeline.Options.of(c),
                    split.holdout() == null ? null : split.description());
            ReportPipeline.putGuard(report, sample.guard(), guard.reason());
            ReportPipeline.writeInto(staging + "/report", report, conf);
            HadoopFiles.commit(staging, output, overwrite, conf);
            LOG.info("Run complete: {}/model, {}/synthetic, {}/report/fidelity.json and index.html", output, output,
                    output);
            return new Result(model, sample, report);
        } catch (RuntimeException e) {
            HadoopFiles.deleteQuietly(staging, conf);
            throw e;
        }
    }

    /** The rows the model is fitted on, and the real holdout it never sees (null when none is kept). */
    record Split(Dataset<Row> train, Dataset<Row> holdout, String description) {
    }

    /**
     * A seeded split: each row goes to the holdout with probability f = min(fraction, maxRows / total), so the
     * holdout has about f·total ≤ maxRows rows. The draw is {@code rand(seed)} per row, deterministic for the same
     * input partitioning; both sides are filters of the same flagged table, so they are disjoint and cover it.
     */
    static Split split(Dataset<Row> table, long total, double fraction, int maxRows, long seed) {
        if (fraction <= 0 || total < MIN_ROWS_FOR_HOLDOUT) {
            if (fraction > 0) {
                LOG.info("Only {} rows: no holdout kept (needs at least {})", total, MIN_ROWS_FOR_HOLDOUT);
            }
            return new Split(table, null, null);
        }
        double f = Math.min(fraction, (double) maxRows / total);
        String[] names = table.columns();
        Column[] original = new Column[names.length];
        for (int i = 0; i < names.length; i++) {
            original[i] = functions.col("`" + names[i].replace("`", "``") + "`");
        }
        Dataset<Row> flagged = table.withColumn(HOLDOUT_FLAG, functions.rand(seed).lt(f));
        Dataset<Row> train = flagged.where(functions.not(functions.col(HOLDOUT_FLAG))).select(original);
        Dataset<Row> holdout = flagged.where(functions.col(HOLDOUT_FLAG)).select(original);
        String description = String.format(java.util.Locale.ROOT,
                "run: seeded random %.4f of the input (flowsynth.report.holdout-fraction %s, at most %d rows), "
                        + "never trained on", f, fraction, maxRows);
        LOG.info("Keeping about {} of {} rows aside as a real holdout for the report", Math.round(f * total), total);
        return new Split(train, holdout, description);
    }
}
