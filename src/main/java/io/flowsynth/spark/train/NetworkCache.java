package io.flowsynth.spark.train;

import io.flowsynth.flow.nn.AnalyticTrainer;
import io.flowsynth.flow.nn.Dl4jConsole;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.flow.nn.NativeMemory;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * One DL4J network per executor thread and configuration: building the SameDiff graph and its gradient function
 * costs seconds, so tasks of later rounds reuse it (networks are not thread-safe, hence per thread).
 */
final class NetworkCache {
    private static final ThreadLocal<Map<String, MultiLayerNetwork>> NETS = ThreadLocal.withInitial(HashMap::new);
    private static final ThreadLocal<Map<String, Optional<AnalyticTrainer>>> ANALYTIC =
            ThreadLocal.withInitial(HashMap::new);

    private NetworkCache() {
    }

    static MultiLayerNetwork get(String configurationJson) {
        Dl4jConsole.quiet();
        NativeMemory.bound(); // an executor's first ND4J use: bound its native memory unless its launcher did
        return NETS.get().computeIfAbsent(configurationJson, FlowNetworks::network);
    }

    /** This thread's hand-derived trainer of a configuration, or null if its flow family or optimizer has none. */
    static AnalyticTrainer analytic(String configurationJson) {
        return ANALYTIC.get().computeIfAbsent(configurationJson, json -> {
            MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
            return AnalyticTrainer.supports(conf) ? Optional.of(new AnalyticTrainer(conf)) : Optional.empty();
        }).orElse(null);
    }
}
