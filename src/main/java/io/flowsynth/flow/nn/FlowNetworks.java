package io.flowsynth.flow.nn;

import io.flowsynth.flow.Flow;
import io.flowsynth.flow.FlowSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The DL4J side of a flow: the network configuration that trains it (loss = −log p, Adam, per-layer L2 gradient
 * clipping) and the bridge from a trained network's parameters to the plain-ND4J {@link Flow} used for sampling and
 * scoring.
 */
public final class FlowNetworks {
    private FlowNetworks() {
    }

    /** Training hyper-parameters that live in the DL4J configuration. */
    public record Optimizer(double learningRate, double gradientClip, DataType dataType) {
        public IUpdater updater() {
            return new Adam(learningRate);
        }
    }

    /** Adam with a learning-rate schedule. */
    public static IUpdater adam(ISchedule learningRate) {
        return new Adam(learningRate);
    }

    public static MultiLayerConfiguration configuration(FlowSpec spec, Optimizer opt, IUpdater updater) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(opt.dataType())
                .updater(updater);
        if (opt.gradientClip() > 0) {
            b.gradientNormalization(GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(opt.gradientClip());
        }
        return b.list()
                .layer(new FlowOutputLayer(spec))
                .setInputType(InputType.feedForward(spec.features()))
                .build();
    }

    public static MultiLayerConfiguration configuration(FlowSpec spec, Optimizer opt) {
        return configuration(spec, opt, opt.updater());
    }

    /** A freshly initialized network of a configuration (JSON as from {@link MultiLayerConfiguration#toJson()}). */
    public static MultiLayerNetwork network(String configurationJson) {
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
        net.init();
        return net;
    }

    public static FlowSpec spec(MultiLayerNetwork net) {
        return ((FlowOutputLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).spec();
    }

    /** The network's parameters by name, copied out of its flattened parameter vector. */
    public static Map<String, INDArray> parameters(MultiLayerNetwork net) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : net.getLayer(0).paramTable().entrySet()) {
            out.put(e.getKey(), e.getValue().dup());
        }
        return out;
    }

    /** Overwrites the named parameters of {@code net} (e.g. {@link io.flowsynth.flow.GaussianInit#parameters}). */
    public static void assign(MultiLayerNetwork net, Map<String, double[][]> values) {
        Map<String, INDArray> table = net.getLayer(0).paramTable();
        for (Map.Entry<String, double[][]> e : values.entrySet()) {
            INDArray target = table.get(e.getKey());
            if (target == null) {
                throw new IllegalArgumentException("The network has no parameter '" + e.getKey() + "'");
            }
            target.assign(Nd4j.createFromArray(e.getValue()).castTo(target.dataType()).reshape(target.shape()));
        }
    }

    /**
     * The parameters of a network in {@link FlowSpec#paramShapes()} order (each array row-major), from the network's
     * own flattened vector — whose layout is DL4J's business (it puts weights before biases), so never assume it.
     */
    public static float[] specOrder(MultiLayerNetwork net) {
        FlowSpec spec = spec(net);
        Map<String, INDArray> table = net.getLayer(0).paramTable();
        float[] out = new float[(int) spec.parameterCount()];
        int offset = 0;
        for (String name : spec.paramShapes().keySet()) {
            float[] part = table.get(name).dup('c').reshape(-1).toFloatVector();
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }

    /** {@link #specOrder(MultiLayerNetwork)} of a network of configuration {@code json} holding the DL4J-flat {@code params}. */
    public static float[] specOrder(String configurationJson, float[] params) {
        MultiLayerNetwork net = network(configurationJson);
        net.setParams(Nd4j.createFromArray(params).reshape(1, params.length));
        return specOrder(net);
    }

    /**
     * Splits a flattened parameter vector in {@link FlowSpec#paramShapes()} order (see {@link #specOrder})
     * into named arrays of the given type.
     */
    public static Map<String, INDArray> unflatten(FlowSpec spec, float[] flat, DataType dataType) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        int offset = 0;
        for (Map.Entry<String, long[]> e : spec.paramShapes().entrySet()) {
            long[] s = e.getValue();
            int n = (int) (s[0] * s[1]);
            float[] part = new float[n];
            System.arraycopy(flat, offset, part, 0, n);
            out.put(e.getKey(), Nd4j.createFromArray(part).reshape('c', s[0], s[1]).castTo(dataType));
            offset += n;
        }
        if (offset != flat.length) {
            throw new IllegalArgumentException("Parameter vector has " + flat.length + " values; the flow needs " + offset);
        }
        return out;
    }

    public static Flow flow(MultiLayerNetwork net) {
        return io.flowsynth.flow.transforms.Flows.build(spec(net), parameters(net));
    }

    /** A data set for {@code fit}/{@code score}: the rows as features, dummy labels (the loss ignores them). */
    public static DataSet dataSet(INDArray rows) {
        return new DataSet(rows, Nd4j.zeros(rows.dataType(), rows.size(0), 1));
    }
}
