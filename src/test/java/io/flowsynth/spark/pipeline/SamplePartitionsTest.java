package io.flowsynth.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowsynth.spark.SharedSparkSession;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class SamplePartitionsTest {
    private static final StructType SCHEMA = new StructType().add("x", DataTypes.DoubleType)
            .add("s", DataTypes.StringType);

    @Test
    void partitionsFollowTheTargetFileSizeInWholeWavesOfCores() {
        SparkSession spark = SharedSparkSession.get(); // local[2]
        assertThat(SamplePipeline.defaultPartitions(spark, SCHEMA, 500, 128)).isEqualTo(1);
        assertThat(SamplePipeline.defaultPartitions(spark, SCHEMA, 50_000, 128)).isEqualTo(2);
        double bytesPerRow = SamplePipeline.bytesPerRow(SCHEMA) * SamplePipeline.PARQUET_SIZE_FACTOR;
        // sized for five files of 1 MB: rounded up to six, three waves of two tasks
        long rows = (long) (4.5 * 1024 * 1024 / bytesPerRow);
        assertThat(SamplePipeline.defaultPartitions(spark, SCHEMA, rows, 1)).isEqualTo(6);
        long eight = (long) (7.5 * 1024 * 1024 / bytesPerRow);
        assertThat(SamplePipeline.defaultPartitions(spark, SCHEMA, eight, 1)).isEqualTo(8);
    }
}
