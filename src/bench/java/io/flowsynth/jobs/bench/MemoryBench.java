package io.flowsynth.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.FlowType;
import io.flowsynth.flow.nn.Dl4jConsole;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.flow.nn.NativeMemory;
import java.io.File;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code jobs/bench.sh memory}: resident and native memory per training round of one flow family (one JVM per
 * family, so that one family's allocator state does not colour the next). A round is what a training task does:
 * load the parameters and Adam state into the network, take {@code steps} Adam steps on {@code batch} rows of a
 * {@code features}-column table, read parameters and state back. After each round: the resident set
 * ({@link Pointer#physicalBytes()}, heap included) and the native bytes (resident minus the JVM's committed heap and
 * non-heap) after a garbage collection.
 *
 * <p>Usage: MemoryBench FAMILY ROUNDS STEPS BATCH FEATURES OUT.json
 */
public final class MemoryBench {
    private MemoryBench() {
    }

    public static void main(String[] args) throws Exception {
        Dl4jConsole.quiet();
        String type = args[0];
        int rounds = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int features = Integer.parseInt(args[4]);
        File out = new File(args[5]);
        FlowSpec spec = new FlowSpec(FlowType.parse(type), features, 4, 64, 2, 7L);
        String json = FlowNetworks.configuration(spec, new FlowNetworks.Optimizer(1e-3, 5.0, DataType.FLOAT)).toJson();
        MultiLayerNetwork net = FlowNetworks.network(json);
        float[] params = net.params().toFloatVector();
        float[] state = net.getUpdater().getStateViewArray().toFloatVector();
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = new float[batch * features];
        ObjectMapper om = new ObjectMapper();
        ObjectNode result = om.createObjectNode().put("family", type).put("features", features).put("batch", batch)
                .put("steps_per_round", steps).put("layers", spec.numLayers()).put("hidden", spec.hiddenFeatures())
                .put("heap_mb", Runtime.getRuntime().maxMemory() >> 20)
                .put("max_physical_bytes_mb", Pointer.maxPhysicalBytes() >> 20);
        ArrayNode perRound = result.putArray("rounds");
        long start = System.nanoTime();
        for (int r = 1; r <= rounds; r++) {
            net.setParams(Nd4j.createFromArray(params).reshape(1, params.length));
            net.getUpdater().getStateViewArray().assign(Nd4j.createFromArray(state).reshape(1, state.length));
            for (int s = 0; s < steps; s++) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rng.nextDouble() * 4 - 2);
                }
                net.fit(FlowNetworks.dataSet(Nd4j.createFromArray(x).reshape(batch, features)));
            }
            params = net.params().toFloatVector();
            state = net.getUpdater().getStateViewArray().toFloatVector();
            long nativeBytes = NativeMemory.nativeBytesAfterGc();
            long rss = Pointer.physicalBytes();
            perRound.addObject().put("round", r).put("resident_mb", rss >> 20).put("native_mb", nativeBytes >> 20)
                    .put("score", net.score());
            System.err.printf("%s round %d/%d: resident %d MB, native %d MB%n", type, r, rounds, rss >> 20,
                    nativeBytes >> 20);
        }
        int warm = Math.min(2, rounds - 1);
        long first = perRound.get(warm).get("native_mb").asLong();
        long last = perRound.get(rounds - 1).get("native_mb").asLong();
        result.put("warm_up_rounds", warm + 1)
                .put("native_growth_mb_per_round_after_warm_up", rounds - 1 > warm
                        ? (double) (last - first) / (rounds - 1 - warm) : 0.0)
                .put("resident_mb_max", maxOf(perRound, "resident_mb"))
                .put("seconds", (System.nanoTime() - start) / 1e9);
        om.writerWithDefaultPrettyPrinter().writeValue(out, result);
    }

    private static long maxOf(ArrayNode rounds, String field) {
        long max = 0;
        for (var n : rounds) {
            max = Math.max(max, n.get(field).asLong());
        }
        return max;
    }
}
