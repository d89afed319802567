package io.flowsynth.spark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.encode.TableEncoder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Encodes a table into one {@link FeatureBlock} per training partition, in one pass and without bringing rows to the
 * driver. Each partition's generator, seeded by (seed, partition), supplies the encoders' dequantization noise and
 * the train/validation split, so the blocks depend only on the input's partitioning, the encoders and the seed.
 */
public final class TrainingData {
    private TrainingData() {
    }

    /**
     * @param partitions         number of training partitions (= model copies averaged each round)
     * @param validationFraction share of rows kept for validation
     */
    public static JavaRDD<FeatureBlock> build(Dataset<Row> table, TableEncoder encoder, int partitions,
                                              double validationFraction, long seed) {
        String encoderJson = encoder.toJson().toString();
        List<String> names = Arrays.asList(table.schema().fieldNames());
        int[] fieldIndex = encoder.columns().stream().mapToInt(c -> names.indexOf(c.column())).toArray();
        for (int i = 0; i < fieldIndex.length; i++) {
            if (fieldIndex[i] < 0) {
                throw new IllegalArgumentException("Encoder column '" + encoder.columns().get(i).column()
                        + "' is not in the table");
            }
        }
        JavaRDD<Row> rows = table.javaRDD();
        rows = rows.getNumPartitions() > partitions ? rows.coalesce(partitions) : rows.repartition(partitions);
        return rows.mapPartitionsWithIndex((partition, it) -> encodePartition(partition, it, encoderJson, fieldIndex,
                        validationFraction, seed), false)
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    private static Iterator<FeatureBlock> encodePartition(int partition, Iterator<Row> it, String encoderJson,
                                                          int[] fieldIndex, double validationFraction, long seed)
            throws Exception {
        TableEncoder encoder = TableEncoder.fromJson(new ObjectMapper().readTree(encoderJson));
        int width = encoder.width();
        Random rng = new Random(seed * 0x9E3779B97F4A7C15L + partition);
        Random split = new Random(seed ^ (0xC2B2AE3D27D4EB4FL * (partition + 1)));
        FloatBuffer train = new FloatBuffer();
        FloatBuffer validation = new FloatBuffer();
        Object[] values = new Object[fieldIndex.length];
        double[] features = new double[width];
        while (it.hasNext()) {
            Row row = it.next();
            for (int i = 0; i < fieldIndex.length; i++) {
                values[i] = row.get(fieldIndex[i]);
            }
            encoder.encode(values, features, rng);
            (split.nextDouble() < validationFraction ? validation : train).add(features);
        }
        return List.of(new FeatureBlock(width, train.toArray(), train.rows(width), validation.toArray(),
                validation.rows(width))).iterator();
    }

    /** A growable float array. */
    private static final class FloatBuffer {
        private float[] data = new float[1024];
        private int size;

        void add(double[] row) {
            if (size + row.length > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, size + row.length));
            }
            for (double v : row) {
                data[size++] = (float) v;
            }
        }

        int rows(int width) {
            return width == 0 ? 0 : size / width;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
