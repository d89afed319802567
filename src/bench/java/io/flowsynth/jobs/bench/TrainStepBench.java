package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.config.AutoSizing;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.nn.AnalyticTrainer;
import io.flowsynth.flow.nn.Dl4jConsole;
import io.flowsynth.flow.nn.FlowBackprop;
import io.flowsynth.flow.nn.FlowNetworks;
import java.io.File;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Training-step throughput of one flow on one thread, behind {@code jobs/bench.sh train-step} (and the first part of
 * {@code train}): for each family and batch size, Adam steps per second of the SameDiff network
 * ({@code MultiLayerNetwork.fit}) and of the hand-derived path ({@link AnalyticTrainer}) on the same model (the
 * defaults: 16 features, 6 layers, MLP 64×64 relu, sigmoid scale, Adam 0.002 with decay, clip 5), measured in
 * alternation in one JVM; the PyTorch reference's figures (from {@code jobs/train_step_torch.py} just before and after this JVM in the same
 * bench run; the better of the two, so the ratio is conservative) when given.
 * Then a profile of the hand-derived step: forward only, forward + backward, the Adam step, and the floor of its
 * GEMMs alone.
 *
 * <p>usage: {@code TrainStepBench OUT_JSON TORCH_JSON[,TORCH_JSON...]|- FAMILIES BATCHES SECONDS}
 */
public final class TrainStepBench {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int FEATURES = 16;

    private TrainStepBench() {
    }

    public static void main(String[] args) throws Exception {
        if ("merge-torch".equals(args[0])) {
            mergeTorch(args[1], torchRuns(args[2]));
            return;
        }
        Dl4jConsole.quiet();
        String out = args[0];
        // the PyTorch figures: one or more runs (comma-separated files; before and after this JVM), best of them
        java.util.List<JsonNode> torch = torchRuns(args[1]);
        String[] families = args[2].split(",");
        String[] batches = args[3].split(",");
        double seconds = Double.parseDouble(args[4]);
        ObjectNode root = JSON.createObjectNode();
        root.put("features", FEATURES);
        root.put("layers", AutoSizing.LAYERS);
        root.put("hidden_features", AutoSizing.HIDDEN);
        root.put("hidden_layers", ConfigKeys.FLOW_HIDDEN_LAYERS_DEFAULT);
        root.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", ""));
        root.put("note", "one JVM thread on one pinned core; SameDiff and analytic measured in the same run, "
                + "torch in the same bench run just before; compare ratios, not rates (shared, loaded machine)");
        if (torch.isEmpty()) {
            root.put("torch", "absent: " + args[1]);
        } else {
            root.put("torch_version", torch.get(0).path("torch_version").asText());
            root.put("torch_runs", torch.size());
        }
        ArrayNode results = root.putArray("results");
        // JIT warm-up of the hand-derived path for every family first, so that the first measured family does not
        // pay for compiling the shared loops
        for (String family : families) {
            FlowSpec spec = new FlowSpec(FlowType.parse(family), FEATURES, AutoSizing.LAYERS,
                    AutoSizing.HIDDEN, ConfigKeys.FLOW_HIDDEN_LAYERS_DEFAULT, 42);
            MultiLayerConfiguration conf = configuration(spec);
            if (AnalyticTrainer.supports(conf)) {
                AnalyticTrainer warm = new AnalyticTrainer(conf);
                float[] theta = new float[(int) spec.parameterCount()];
                SplittableRandom rng = new SplittableRandom(1);
                for (int i = 0; i < theta.length; i++) {
                    theta[i] = (float) (0.1 * rng.nextGaussian());
                }
                warm.load(theta, new float[2 * theta.length], 0);
                float[] rows = data(512, FEATURES);
                for (int i = 0; i < 40; i++) {
                    warm.fit(rows, 512);
                }
            }
        }
        for (String family : families) {
            FlowSpec spec = new FlowSpec(FlowType.parse(family), FEATURES, AutoSizing.LAYERS,
                    AutoSizing.HIDDEN, ConfigKeys.FLOW_HIDDEN_LAYERS_DEFAULT, 42);
            for (String b : batches) {
                int batch = Integer.parseInt(b);
                ObjectNode r = results.addObject();
                r.put("family", family);
                r.put("batch", batch);
                measure(spec, batch, seconds, r);
                double t = torchFigure(torch, family, batch);
                if (t > 0) {
                    r.put("torch_rows_per_s", t);
                    if (r.has("analytic_rows_per_s")) {
                        r.put("analytic_vs_torch", round(r.get("analytic_rows_per_s").asDouble() / t));
                    }
                }
                System.err.println(r);
                JSON.writeValue(new File(out), root);
            }
        }
        JSON.writeValue(new File(out), root);
    }

    private static java.util.List<JsonNode> torchRuns(String files) throws java.io.IOException {
        java.util.List<JsonNode> torch = new java.util.ArrayList<>();
        for (String f : files.split(",")) {
            if (!"-".equals(f) && new File(f).isFile()) {
                torch.add(JSON.readTree(new File(f)));
            }
        }
        return torch;
    }

    /** Re-reads the PyTorch runs (one of them made after the JVM) into a results file: best rate and ratio. */
    private static void mergeTorch(String out, java.util.List<JsonNode> torch) throws java.io.IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(new File(out));
        root.put("torch_runs", torch.size());
        for (JsonNode n : root.path("results")) {
            ObjectNode r = (ObjectNode) n;
            double t = torchFigure(torch, r.path("family").asText(), r.path("batch").asInt());
            if (t > 0) {
                r.put("torch_rows_per_s", t);
                if (r.has("analytic_rows_per_s")) {
                    r.put("analytic_vs_torch", round(r.get("analytic_rows_per_s").asDouble() / t));
                }
            }
        }
        JSON.writeValue(new File(out), root);
    }

    /** The best PyTorch rate of a family and batch over the runs given (0 if none). */
    private static double torchFigure(java.util.List<JsonNode> torch, String family, int batch) {
        double best = 0;
        for (JsonNode run : torch) {
            for (JsonNode r : run.path("results")) {
                if (family.equals(r.path("family").asText()) && r.path("batch").asInt() == batch) {
                    best = Math.max(best, r.path("rows_per_s").asDouble());
                }
            }
        }
        return best;
    }

    private static MultiLayerConfiguration configuration(FlowSpec spec) {
        return FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(ConfigKeys.TRAIN_LEARNING_RATE_DEFAULT,
                        ConfigKeys.TRAIN_GRADIENT_CLIP_DEFAULT, DataType.FLOAT),
                FlowNetworks.adam(new ExponentialSchedule(ScheduleType.ITERATION,
                        ConfigKeys.TRAIN_LEARNING_RATE_DEFAULT, Math.pow(0.1, 1.0 / 3000))));
    }

    /** A pool of correlated rows to draw batches from. */
    private static float[] data(int rows, int d) {
        SplittableRandom rng = new SplittableRandom(3);
        float[] out = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            double common = rng.nextGaussian();
            for (int c = 0; c < d; c++) {
                out[r * d + c] = (float) (0.7 * common + 0.7 * rng.nextGaussian());
            }
        }
        return out;
    }

    private static void measure(FlowSpec spec, int batch, double seconds, ObjectNode r) {
        MultiLayerConfiguration conf = configuration(spec);
        int d = spec.features();
        int pool = 8;
        float[] rows = data(batch * pool, d);
        INDArray[] batches = new INDArray[pool];
        float[][] plain = new float[pool][];
        for (int i = 0; i < pool; i++) {
            plain[i] = new float[batch * d];
            System.arraycopy(rows, i * batch * d, plain[i], 0, batch * d);
            batches[i] = Nd4j.createFromArray(plain[i]).reshape(batch, d);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        float[] p0 = net.params().toFloatVector();
        float[] s0 = net.getUpdater().getStateViewArray().toFloatVector();
        IntConsumer sameDiff = i -> net.fit(FlowNetworks.dataSet(batches[i % pool]));
        if (!AnalyticTrainer.supports(conf)) {
            r.put("samediff_rows_per_s", round(rowsPerSecond(sameDiff, batch, seconds)));
            r.put("analytic", "no hand-derived path for " + spec.type());
            return;
        }
        AnalyticTrainer fast = new AnalyticTrainer(conf);
        fast.load(p0, s0, 0);
        // alternate the two paths (analytic, SameDiff, analytic, SameDiff) and keep each one's better window: the
        // machine's load drifts, and the JVM's collector and ND4J's deallocator still clean up after SameDiff's
        // garbage for a while after it stops
        IntConsumer analytic = i -> fast.fit(plain[i % pool], batch);
        System.gc();
        double an1 = rowsPerSecond(analytic, batch, seconds);
        double sd = rowsPerSecond(sameDiff, batch, seconds);
        System.gc();
        double an2 = rowsPerSecond(analytic, batch, seconds);
        double sd2 = rowsPerSecond(sameDiff, batch, seconds / 2);
        double an = Math.max(an1, an2);
        r.put("samediff_rows_per_s", round(Math.max(sd, sd2)));
        r.put("samediff_windows", JSON.createArrayNode().add(round(sd)).add(round(sd2)));
        r.put("analytic_rows_per_s", round(an));
        r.put("analytic_windows", JSON.createArrayNode().add(round(an1)).add(round(an2)));
        r.put("analytic_vs_samediff", round(an / Math.max(sd, sd2)));
        System.gc();

        // profile of the analytic step (seconds per step)
        FlowBackprop bp = new FlowBackprop(spec, DataType.FLOAT);
        bp.setParams(fast.params());
        // the whole step again, now that the JIT has compiled every loop (the figure above includes its warm-up)
        double step = batch / rowsPerSecond(i -> fast.fit(plain[i % pool], batch), batch, seconds / 2);
        double fwd = batch / rowsPerSecond(i -> bp.loss(plain[i % pool], batch), batch, seconds / 2);
        double fwdBwd = batch / rowsPerSecond(i -> bp.lossAndGradient(plain[i % pool], batch), batch, seconds / 2);
        double gemm = batch / rowsPerSecond(gemmOnly(spec, batch), batch, seconds / 2);
        ObjectNode prof = r.putObject("analytic_profile_ms_per_step");
        prof.put("step", round(step * 1e3));
        prof.put("forward", round(fwd * 1e3));
        prof.put("backward", round((fwdBwd - fwd) * 1e3));
        prof.put("adam_and_copies", round(Math.max(0, step - fwdBwd) * 1e3));
        prof.put("gemm_floor", round(gemm * 1e3));
        prof.put("elementwise_and_overhead", round(Math.max(0, fwdBwd - gemm) * 1e3));
    }

    /** The GEMMs of one forward + backward pass alone, on buffers of the same shapes. */
    private static IntConsumer gemmOnly(FlowSpec spec, int n) {
        int d = spec.features();
        int h = spec.hiddenFeatures();
        int depth = spec.hiddenLayers();
        INDArray x = Nd4j.rand(DataType.FLOAT, n, d);
        INDArray[] hs = new INDArray[depth];
        INDArray[] ws = new INDArray[depth];
        INDArray[] dws = new INDArray[depth];
        for (int j = 0; j < depth; j++) {
            hs[j] = Nd4j.rand(DataType.FLOAT, n, h);
            ws[j] = Nd4j.rand(DataType.FLOAT, j == 0 ? d : h, h);
            dws[j] = Nd4j.create(DataType.FLOAT, j == 0 ? d : h, h);
        }
        INDArray head = Nd4j.rand(DataType.FLOAT, h, d);
        INDArray dHead = Nd4j.create(DataType.FLOAT, h, d);
        INDArray raw = Nd4j.create(DataType.FLOAT, n, d);
        INDArray dh = Nd4j.create(DataType.FLOAT, n, h);
        INDArray dh2 = Nd4j.create(DataType.FLOAT, n, h);
        INDArray gx = Nd4j.create(DataType.FLOAT, n, d);
        return i -> {
            for (int k = 0; k < spec.numLayers(); k++) {
                for (int j = 0; j < depth; j++) {
                    Nd4j.gemm(j == 0 ? x : hs[j - 1], ws[j], hs[j], false, false, 1.0, 0.0);
                }
                Nd4j.gemm(hs[depth - 1], head, raw, false, false, 1.0, 0.0);
                Nd4j.gemm(hs[depth - 1], head, raw, false, false, 1.0, 0.0);
                Nd4j.gemm(hs[depth - 1], raw, dHead, true, false, 1.0, 0.0);
                Nd4j.gemm(hs[depth - 1], raw, dHead, true, false, 1.0, 0.0);
                Nd4j.gemm(raw, head, dh, false, true, 1.0, 0.0);
                Nd4j.gemm(raw, head, dh, false, true, 1.0, 1.0);
                for (int j = depth - 1; j >= 0; j--) {
                    Nd4j.gemm(j == 0 ? x : hs[j - 1], dh, dws[j], true, false, 1.0, 0.0);
                    if (j > 0) {
                        Nd4j.gemm(dh, ws[j], dh2, false, true, 1.0, 0.0);
                    } else {
                        Nd4j.gemm(dh, ws[0], gx, false, true, 1.0, 1.0);
                    }
                }
            }
        };
    }

    /** Warm up for a third of the time (at least 3 steps), then time steps for {@code seconds} (at least 5). */
    private static double rowsPerSecond(IntConsumer step, int batch, double seconds) {
        int i = 0;
        long warm = System.nanoTime();
        while (i < 3 || (System.nanoTime() - warm) / 1e9 < seconds / 3) {
            step.accept(i++);
        }
        int steps = 0;
        long start = System.nanoTime();
        while (steps < 5 || (System.nanoTime() - start) / 1e9 < seconds) {
            step.accept(i++);
            steps++;
        }
        return steps * (double) batch / ((System.nanoTime() - start) / 1e9);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
