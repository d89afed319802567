package io.flowsynth.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of a test JVM: {@code local[2]}, few shuffle partitions, no UI. Every Spark test uses
 * {@link #get()}; nobody stops it (the JVM's shutdown hook does).
 */
public final class SharedSparkSession {
    private static SparkSession spark;

    private SharedSparkSession() {
    }

    public static synchronized SparkSession get() {
        if (spark == null) {
            spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("flowsynth-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.default.parallelism", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.sql.warehouse.dir", java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
                            "flowsynth-test-warehouse-" + java.util.UUID.randomUUID()).toUri().toString())
                    .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                    .config("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }
}
