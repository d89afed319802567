package io.flowsynth.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batches decoded ahead column by column give exactly the rows, and leave exactly the draws, of row-by-row decoding. */
class BatchDecoderTest {

    private static TableEncoder encoder() {
        Random rng = new Random(5);
        List<Object> x = new ArrayList<>();
        List<Object> n = new ArrayList<>();
        List<Object> price = new ArrayList<>();
        List<Object> day = new ArrayList<>();
        List<Object> common = new ArrayList<>();
        List<Object> skewed = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            double r = rng.nextDouble();
            x.add(r < 0.05 ? null : r < 0.07 ? Double.NaN : r < 0.08 ? Double.NEGATIVE_INFINITY : rng.nextGaussian());
            n.add(rng.nextInt(300));
            price.add(r < 0.1 ? null : BigDecimal.valueOf(rng.nextInt(10_000_000), 2));
            day.add(ColumnValues.dateOfEpochDay(15_000 + rng.nextInt(5000)));
            common.add(rng.nextBoolean() ? "a" : "b");
            skewed.add("v" + (int) Math.abs(rng.nextGaussian() * 40)); // rare values fall into "other"
        }
        return new TableEncoder(List.of(
                Fixtures.quantile("x", "continuous", ColumnType.of(ColumnType.Base.DOUBLE), x, 100),
                Fixtures.categorical("skewed", ColumnType.of(ColumnType.Base.STRING), skewed, 5),
                Fixtures.quantile("n", "integer", ColumnType.of(ColumnType.Base.INT), n, 50),
                IdEncoder.integral("id", ColumnType.of(ColumnType.Base.LONG), 3000, 0, 1, 3000),
                Fixtures.quantile("price", "continuous", ColumnType.decimal(9, 2), price, 100),
                Fixtures.categorical("common", ColumnType.of(ColumnType.Base.STRING), common, 10),
                Fixtures.quantile("day", "datetime", ColumnType.of(ColumnType.Base.DATE), day, 100),
                new ConstantEncoder("k", ColumnType.of(ColumnType.Base.STRING), "same")));
    }

    @Test
    void rowsAndRandomDrawsEqualRowByRowDecoding() {
        TableEncoder encoder = encoder();
        assertThat(encoder.columns()).extracting(ColumnEncoder::decodesWithoutRandomness)
                .containsExactly(true, false, true, false, true, true, true, true);
        int width = encoder.width();
        Random noise = new Random(9);
        for (boolean independent : new boolean[]{false, true}) {
            BatchDecoder decoder = new BatchDecoder(encoder, independent);
            Random batchRng = new Random(1);
            Random rowRng = new Random(1);
            long row = 0;
            for (int rows : new int[]{2500, 1, BatchDecoder.CHUNK}) { // chunks cut mid-batch, a 1-row batch
                float[] batch = new float[rows * width];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = i % 97 == 3 ? Float.NaN : (float) (noise.nextGaussian() * 1.3);
                }
                decoder.load(batch, rows);
                double[] features = new double[width];
                for (int r = 0; r < rows; r++, row++) {
                    ExternalValues batched = new ExternalValues(encoder.types());
                    decoder.emit(r, batchRng, row, 10_000, 77, batched);
                    for (int j = 0; j < width; j++) {
                        features[j] = batch[r * width + j];
                    }
                    Object[] expected = independent
                            ? encoder.decodeIndependent(features, rowRng, row, 10_000, 77)
                            : encoder.decode(features, rowRng, row, 10_000, 77);
                    assertThat(batched.values()).as("row %d, independent %s", row, independent)
                            .containsExactly(expected);
                }
            }
            assertThat(batchRng.nextLong()).isEqualTo(rowRng.nextLong());
        }
    }

    @Test
    void rejectsRowsOutsideTheBatch() {
        TableEncoder encoder = encoder();
        BatchDecoder decoder = new BatchDecoder(encoder, false);
        decoder.load(new float[2 * encoder.width()], 2);
        ExternalValues out = new ExternalValues(encoder.types());
        assertThatThrownBy(() -> decoder.emit(2, new Random(1), 0, 2, 1, out))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> decoder.load(new float[3], 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
