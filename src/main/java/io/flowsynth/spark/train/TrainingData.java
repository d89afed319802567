package io.flowsynth.spark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.encode.ContextBalance;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.flow.DiscreteContext;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        return build(table, encoder, partitions, validationFraction, seed, null, null);
    }

    /**
     * @param balance context-balanced sampling of the training rows ({@link ContextBalance}), or null for uniform
     *                draws; the validation rows are never weighted
     * @param discrete a conditional model's categorical context features, fed at fixed values (training and
     *                 validation rows alike), or null
     */
    public static JavaRDD<FeatureBlock> build(Dataset<Row> table, TableEncoder encoder, int partitions,
                                              double validationFraction, long seed, ContextBalance balance,
                                              DiscreteContext discrete) {
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
                        validationFraction, seed, balance, discrete), false)
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    private static Iterator<FeatureBlock> encodePartition(int partition, Iterator<Row> it, String encoderJson,
                                                          int[] fieldIndex, double validationFraction, long seed,
                                                          ContextBalance balance, DiscreteContext discrete)
            throws Exception {
        TableEncoder encoder = TableEncoder.fromJson(new ObjectMapper().readTree(encoderJson));
        int width = encoder.width();
        Random rng = new Random(seed * 0x9E3779B97F4A7C15L + partition);
        Random split = new Random(seed ^ (0xC2B2AE3D27D4EB4FL * (partition + 1)));
        FloatBuffer train = new FloatBuffer();
        FloatBuffer validation = new FloatBuffer();
        TreeMap<Integer, FloatBuffer> groups = balance == null ? null : new TreeMap<>();
        Object[] values = new Object[fieldIndex.length];
        double[] features = new double[width];
        while (it.hasNext()) {
            Row row = it.next();
            for (int i = 0; i < fieldIndex.length; i++) {
                values[i] = row.get(fieldIndex[i]);
            }
            encoder.encode(values, features, rng);
            if (discrete != null) {
                discrete.snapRow(features);
            }
            if (split.nextDouble() < validationFraction) {
                validation.add(features);
            } else if (groups == null) {
                train.add(features);
            } else {
                groups.computeIfAbsent(balance.group(values, encoder), g -> new FloatBuffer()).add(features);
            }
        }
        if (groups == null) {
            return List.of(new FeatureBlock(width, train.toArray(), train.rows(width), validation.toArray(),
                    validation.rows(width))).iterator();
        }
        int[] ends = new int[groups.size()];
        double[] mass = new double[groups.size()];
        float[] rows = new float[groups.values().stream().mapToInt(b -> b.size).sum()]; // the groups, in order
        int g = 0;
        int filled = 0;
        double cumulative = 0;
        for (Map.Entry<Integer, FloatBuffer> e : groups.entrySet()) {
            FloatBuffer b = e.getValue();
            System.arraycopy(b.data, 0, rows, filled, b.size);
            filled += b.size;
            cumulative += b.rows(width) * balance.weight(e.getKey());
            ends[g] = width == 0 ? 0 : filled / width;
            mass[g++] = cumulative;
            e.setValue(null); // freed group by group
        }
        return List.of(new FeatureBlock(width, rows, width == 0 ? 0 : filled / width, validation.toArray(),
                validation.rows(width), ends, mass)).iterator();
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
