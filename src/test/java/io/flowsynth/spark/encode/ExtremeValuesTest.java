package io.flowsynth.spark.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The k-extremes aggregate's reduce/merge/finish, as Spark calls them, without Spark. */
class ExtremeValuesTest {
    @Test
    void partitionBuffersMergedInAnyOrderGiveTheExactSmallestAndLargestValues() {
        Random rng = new Random(3);
        int m = 11;
        for (int trial = 0; trial < 50; trial++) {
            int n = rng.nextInt(200);
            List<Double> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                values.add(rng.nextInt(4) == 0 ? (double) rng.nextInt(5) : rng.nextGaussian()); // ties too
            }
            ExtremeValues agg = new ExtremeValues(m);
            List<ExtremeValues.Buffer> partitions = new ArrayList<>();
            int parts = 1 + rng.nextInt(6);
            for (int p = 0; p < parts; p++) {
                partitions.add(agg.zero());
            }
            for (Double v : values) {
                ExtremeValues.Buffer b = partitions.get(rng.nextInt(parts));
                agg.reduce(b, v);
            }
            agg.reduce(partitions.get(0), null);
            agg.reduce(partitions.get(0), Double.NaN);
            Collections.shuffle(partitions, rng);
            ExtremeValues.Buffer merged = agg.zero();
            for (ExtremeValues.Buffer b : partitions) {
                merged = agg.merge(merged, b);
            }
            double[][] out = ExtremeValues.parse(agg.finish(merged));
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int k = Math.min(m, n);
            double[] largest = new double[k];
            for (int i = 0; i < k; i++) {
                largest[i] = sorted[n - 1 - i];
            }
            assertThat(out[0]).containsExactly(Arrays.copyOf(sorted, k));
            assertThat(out[1]).containsExactly(largest);
        }
    }
}
