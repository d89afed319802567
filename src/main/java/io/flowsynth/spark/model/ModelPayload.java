package io.flowsynth.spark.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowsynth.encode.TableEncoder;
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
 * What executors need of a model, as plain fields (Kryo-safe: no records, encoder as JSON text). Broadcast once per
 * job; {@link #encoder()} and {@link #flow()} rebuild the objects once per executor JVM and model.
 */
public final class ModelPayload implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ConcurrentHashMap<String, TableEncoder> ENCODERS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Flow> FLOWS = new ConcurrentHashMap<>();

    private final String modelId;
    private final String encoderJson;
    private final String flowType;
    private final int features;
    private final int numLayers;
    private final int hiddenFeatures;
    private final int hiddenLayers;
    private final int bins;
    private final double tailBound;
    private final long flowSeed;
    private final String activation;
    private final String affineScale;
    private final boolean copulaLayer;
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
        this.flowType = spec.type();
        this.features = spec.features();
        this.numLayers = spec.numLayers();
        this.hiddenFeatures = spec.hiddenFeatures();
        this.hiddenLayers = spec.hiddenLayers();
        this.bins = spec.bins();
        this.tailBound = spec.tailBound();
        this.flowSeed = spec.seed();
        this.activation = spec.activation();
        this.affineScale = spec.affineScale();
        this.copulaLayer = spec.copulaLayer();
        this.parameters = parameters;
        this.calibrationJson = calibration == null ? null : calibration.toJson().toString();
        this.realValues = encoder.realValues();
    }

    public String modelId() {
        return modelId;
    }

    public FlowSpec spec() {
        return new FlowSpec(flowType, features, numLayers, hiddenFeatures, hiddenLayers, bins, tailBound, flowSeed,
                activation, affineScale, copulaLayer);
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

    /** The trained flow in float32 with its calibration (immutable, shared by the executor's threads). */
    public Flow flow() {
        String key = calibrationJson == null ? modelId : modelId + "#calibrated-" + calibrationJson.hashCode();
        return FLOWS.computeIfAbsent(key, id -> {
            Flow flow = Flows.build(spec(), FlowNetworks.unflatten(spec(), parameters, DataType.FLOAT));
            try {
                return calibrationJson == null ? flow
                        : flow.withCalibration(MarginalCalibration.fromJson(new ObjectMapper().readTree(calibrationJson)));
            } catch (IOException e) {
                throw new UncheckedIOException("Corrupt calibration of model " + id, e);
            }
        });
    }
}
