package io.flowsynth.spark.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.spark.io.HadoopFiles;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.model.Version;
import io.flowsynth.spark.sample.SyntheticSampler;
import java.security.SecureRandom;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sample}: N synthetic rows of a model, written as Parquet with the model's source schema. The output is
 * committed atomically (written to a hidden staging directory, then renamed), with {@code _flowsynth.json} beside
 * the data files recording model id, seed, rows, partitions, time and version.
 */
public final class SamplePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(SamplePipeline.class);
    public static final String SIDECAR = "_flowsynth.json";

    private SamplePipeline() {
    }

    /** What a sample run did. */
    public record Summary(long rows, long seed, int partitions, double seconds) {
    }

    /** Default partition count: ≈ one per {@code rowsPerPartition} rows, but use the cluster's cores for mid sizes. */
    public static int defaultPartitions(SparkSession spark, long rows, long rowsPerPartition) {
        long bySize = (rows + rowsPerPartition - 1) / rowsPerPartition;
        long byCores = Math.min(spark.sparkContext().defaultParallelism(), (rows + 9_999) / 10_000);
        return (int) Math.max(1, Math.max(bySize, byCores));
    }

    public static long randomSeed() {
        return new SecureRandom().nextLong() & Long.MAX_VALUE;
    }

    public static Summary write(SparkSession spark, FlowsynthModel model, long rows, long seed, int partitions,
                                int batchSize, String output, boolean overwrite) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopFiles.checkOutput(output, "--output", overwrite, conf);
        LOG.info("Sampling {} rows in {} partitions with seed {} (model {})", rows, partitions, seed, model.modelId());
        long start = System.nanoTime();
        String staging = HadoopFiles.stagingPath(output);
        try {
            spark.sparkContext().setJobDescription("flowsynth sample: " + rows + " rows");
            Dataset<Row> df = new SyntheticSampler(batchSize).sample(spark, model, rows, seed, partitions, false);
            df.write().option("compression", "snappy").parquet(staging);
            double seconds = (System.nanoTime() - start) / 1e9;
            ObjectNode side = new ObjectMapper().createObjectNode();
            side.put("model_id", model.modelId());
            side.put("seed", seed);
            side.put("rows", rows);
            side.put("partitions", partitions);
            side.put("created", Instant.now().toString());
            side.put("seconds", seconds);
            side.put("flowsynth_version", Version.get());
            HadoopFiles.writeString(staging + "/" + SIDECAR,
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(side), conf);
            HadoopFiles.commit(staging, output, overwrite, conf);
            LOG.info(String.format("Wrote %d rows to %s in %.1f s (%.0f rows/s)", rows, output, seconds,
                    rows / Math.max(seconds, 1e-9)));
            return new Summary(rows, seed, partitions, seconds);
        } catch (Exception e) {
            HadoopFiles.deleteQuietly(staging, conf);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("Failed to write " + output, e);
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
    }
}
