package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.AutoSizing;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.nn.AnalyticTrainer;
import io.flowsynth.flow.nn.FlowNetworks;
import java.io.File;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * DP-SGD's training speed against ordinary training, per flow family, in one JVM on one thread: the same model
 * (16 features, the default layers and conditioner), the same pool of rows, batch B; ordinary steps are
 * {@link AnalyticTrainer#fit} on B rows drawn with replacement, DP steps are {@link AnalyticTrainer#fitPrivate} on a
 * Poisson sample at rate B/N (per-row norms, clipped sum, noise, Adam), exactly what a partition does. The two are
 * measured in alternation (ROUNDS × SECONDS each), so machine load hits both; rows/s counts B rows per step for both.
 *
 * <p>Arguments: output JSON, families (comma-separated), batch, seconds per measurement, rounds.
 */
public final class DpTrainBench {
    private static final int FEATURES = 16;
    private static final int POOL = 20_000;

    private DpTrainBench() {
    }

    public static void main(String[] args) throws Exception {
        String out = args[0];
        String[] families = args[1].split(",");
        int batch = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        int rounds = Integer.parseInt(args[4]);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("features", FEATURES);
        root.put("layers", AutoSizing.LAYERS);
        root.put("hidden_features", AutoSizing.HIDDEN);
        root.put("batch", batch);
        root.put("pool_rows", POOL);
        root.put("seconds_per_measurement", seconds);
        root.put("rounds", rounds);
        root.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", ""));
        root.put("note", "one thread; ordinary and DP steps alternate in the same JVM; compare the ratio (shared, "
                + "loaded machine); target dp_vs_plain >= 0.3 (issue 21)");
        ArrayNode results = root.putArray("results");
        float[] pool = data(POOL);
        for (String family : families) {
            FlowSpec spec = new FlowSpec(FlowType.parse(family), FEATURES, AutoSizing.LAYERS, AutoSizing.HIDDEN,
                    ConfigKeys.FLOW_HIDDEN_LAYERS_DEFAULT, 42);
            MultiLayerConfiguration conf = FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(
                            ConfigKeys.TRAIN_LEARNING_RATE_DEFAULT, ConfigKeys.TRAIN_GRADIENT_CLIP_DEFAULT, DataType.FLOAT),
                    FlowNetworks.adam(new ExponentialSchedule(ScheduleType.ITERATION,
                            ConfigKeys.TRAIN_LEARNING_RATE_DEFAULT, 1.0)));
            AnalyticTrainer plain = new AnalyticTrainer(conf);
            AnalyticTrainer dp = new AnalyticTrainer(conf);
            float[] theta = FlowNetworks.network(conf.toJson()).params().toFloatVector();
            plain.load(theta, new float[2 * theta.length], 0);
            dp.load(theta, new float[2 * theta.length], 0);
            double q = (double) batch / POOL;
            int chunk = batch + 4 * (int) Math.ceil(Math.sqrt(batch)) + 8;
            float[] plainBatch = new float[batch * FEATURES];
            float[][] sample = {new float[chunk * FEATURES]};
            SplittableRandom rng = new SplittableRandom(5);
            SplittableRandom noise = new SplittableRandom(6);
            Runnable plainStep = () -> {
                for (int i = 0; i < batch; i++) {
                    System.arraycopy(pool, rng.nextInt(POOL) * FEATURES, plainBatch, i * FEATURES, FEATURES);
                }
                plain.fit(plainBatch, batch);
            };
            Runnable dpStep = () -> {
                int m = 0;
                double log1mQ = Math.log1p(-q);
                long i = -1;
                while (true) {
                    i += 1 + (long) Math.floor(Math.log(1 - rng.nextDouble()) / log1mQ);
                    if (i >= POOL) {
                        break;
                    }
                    if ((m + 1) * FEATURES > sample[0].length) {
                        sample[0] = Arrays.copyOf(sample[0], 2 * sample[0].length);
                    }
                    System.arraycopy(pool, (int) i * FEATURES, sample[0], m * FEATURES, FEATURES);
                    m++;
                }
                dp.fitPrivate(sample[0], m, chunk, 1.0, 1.0, batch, noise);
            };
            for (int w = 0; w < 20; w++) { // JIT warm-up of both paths
                plainStep.run();
                dpStep.run();
            }
            double[] plainRates = new double[rounds];
            double[] dpRates = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                plainRates[r] = rate(plainStep, batch, seconds);
                dpRates[r] = rate(dpStep, batch, seconds);
            }
            double plainMedian = BenchStats.median(plainRates);
            double dpMedian = BenchStats.median(dpRates);
            ObjectNode o = results.addObject();
            o.put("family", family);
            o.put("parameters", spec.parameterCount());
            o.put("plain_rows_per_s", plainMedian);
            o.put("dp_rows_per_s", dpMedian);
            o.put("dp_vs_plain", dpMedian / plainMedian);
            ArrayNode pr = o.putArray("plain_runs");
            ArrayNode dr = o.putArray("dp_runs");
            for (int r = 0; r < rounds; r++) {
                pr.add(plainRates[r]);
                dr.add(dpRates[r]);
            }
            System.out.printf("%s: plain %.0f rows/s, DP %.0f rows/s, DP/plain %.2f%n", family, plainMedian, dpMedian,
                    dpMedian / plainMedian);
        }
        json.writeValue(new File(out), root);
    }

    private static double rate(Runnable step, int batch, double seconds) {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long steps = 0;
        long now;
        do {
            step.run();
            steps++;
            now = System.nanoTime();
        } while (now < end);
        return steps * (double) batch / ((now - start) / 1e9);
    }


    /** Correlated rows (a random linear mix of Gaussians, some heavy-tailed). */
    private static float[] data(int rows) {
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = new float[rows * FEATURES];
        for (int r = 0; r < rows; r++) {
            double common = rng.nextGaussian();
            for (int c = 0; c < FEATURES; c++) {
                double v = 0.6 * common + 0.8 * rng.nextGaussian();
                x[r * FEATURES + c] = (float) (c % 4 == 0 ? Math.sinh(v) : v);
            }
        }
        return x;
    }
}
