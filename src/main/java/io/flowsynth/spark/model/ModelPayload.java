package io.flowsynth.spark.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.encode.ContextJoint;
import io.flowsynth.encode.ContextLayout;
import io.flowsynth.flow.ConditionalFlow;
import io.flowsynth.flow.DiscreteContext;
import io.flowsynth.flow.Flow;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.MarginalCalibration;
import io.flowsynth.flow.nn.FlowNetworks;
import io.flowsynth.flow.transforms.Flows;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What executors need of a model, as plain fields (Kryo-safe: no records; encoder and flow spec as JSON text). Broadcast once per
 * job; {@link #encoder()} and {@link #flow()} rebuild the objects once per executor JVM and model.
 */
public final class ModelPayload implements Serializable {
    private static final long serialVersionUID = 2L;
    private static final ConcurrentHashMap<String, TableEncoder> ENCODERS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Flow> FLOWS = new ConcurrentHashMap<>();
    /** Keyed by the cached flow itself (same model and calibration, same instance). */
    private static final java.util.Map<Flow, ConditionalFlow> CONDITIONAL =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private final String modelId;
    private final String encoderJson;
    private final String flowSpecJson; // FlowSpec#toJson, the model metadata's form
    private final float[] parameters;
    private final String calibrationJson;
    private final io.flowsynth.encode.RealValues realValues; // run only: never saved

    public ModelPayload(FlowsynthModel model) {
        this(model.modelId(), model.encoder(), model.flowSpec(), model.parameters(), model.calibration());
    }

    public ModelPayload(String modelId, TableEncoder encoder, FlowSpec spec, float[] parameters) {
        this(modelId, encoder, spec, parameters, null);
    }

    /** @param calibration the marginal calibration after the flow, or null */
    public ModelPayload(String modelId, TableEncoder encoder, FlowSpec spec, float[] parameters,
                        MarginalCalibration calibration) {
        this.modelId = modelId;
        this.encoderJson = encoder.toJson().toString();
        this.flowSpecJson = spec.toJson().toString();
        this.parameters = parameters;
        this.calibrationJson = calibration == null ? null : calibration.toJson().toString();
        this.realValues = encoder.realValues();
    }

    public String modelId() {
        return modelId;
    }

    public FlowSpec spec() {
        try {
            return FlowSpec.fromJson(new ObjectMapper().readTree(flowSpecJson));
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt flow spec of model " + modelId, e);
        }
    }

    public TableEncoder encoder() {
        TableEncoder encoder = parsedEncoder();
        return realValues == null ? encoder : encoder.withRealValues(realValues);
    }

    private TableEncoder parsedEncoder() {
        return ENCODERS.computeIfAbsent(modelId, id -> {
            try {
                return TableEncoder.fromJson(new ObjectMapper().readTree(encoderJson));
            } catch (IOException e) {
                throw new UncheckedIOException("Corrupt encoder of model " + id, e);
            }
        });
    }

    /**
     * The categorical context features of a conditional model's encoder (its leading {@code contextColumns} columns),
     * fed to the flow at fixed values in training and sampling alike; null when it has none.
     */
    public static DiscreteContext discreteContext(TableEncoder encoder, int contextColumns) {
        double[][] bounds = ContextLayout.discreteContextBounds(encoder, contextColumns);
        if (bounds == null) {
            return null;
        }
        DiscreteContext discrete = new DiscreteContext(bounds,
                ContextLayout.contextIndicators(encoder, contextColumns));
        ContextJoint joint = encoder.contextJoint();
        if (joint == null) {
            return discrete;
        }
        int[] features = new int[joint.columns().length];
        for (int j = 0; j < features.length; j++) {
            features[j] = ContextLayout.contextFeatures(encoder, joint.columns()[j]); // the column's first feature
        }
        discrete = discrete.withJoint(features, joint.levels(), joint.counts());
        for (ContextJoint.Child child : joint.children()) {
            discrete = discrete.withChild(ContextLayout.contextFeatures(encoder, child.column()),
                    ContextLayout.contextFeatures(encoder, child.parent()), child.pairs(), child.counts());
        }
        return discrete;
    }

    /** {@link #flow()} as a conditional flow (a model fitted with condition columns only). */
    public ConditionalFlow conditionalFlow() {
        Flow flow = flow();
        return CONDITIONAL.computeIfAbsent(flow, f -> {
            FlowSpec spec = spec();
            TableEncoder encoder = parsedEncoder();
            return new ConditionalFlow(f, spec.contextToNoise(FlowNetworks.unflatten(spec, parameters,
                    DataType.FLOAT)), discreteContext(encoder,
                    ContextLayout.contextColumns(encoder, spec.contextFeatures()).size()));
        });
    }

    /** The trained flow in float32 with its calibration (immutable, shared by the executor's threads). */
    public Flow flow() {
        String key = calibrationJson == null ? modelId : modelId + "#calibrated-" + calibrationJson.hashCode();
        return FLOWS.computeIfAbsent(key, id -> {
            FlowSpec spec = spec();
            Flow flow = Flows.build(spec, FlowNetworks.unflatten(spec, parameters, DataType.FLOAT));
            try {
                return calibrationJson == null ? flow
                        : flow.withCalibration(MarginalCalibration.fromJson(new ObjectMapper().readTree(calibrationJson)));
            } catch (IOException e) {
                throw new UncheckedIOException("Corrupt calibration of model " + id, e);
            }
        });
    }
}
