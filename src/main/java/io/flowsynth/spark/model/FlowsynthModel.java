package io.flowsynth.spark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowsynth.error.BadInputException;
import io.flowsynth.encode.ContextLayout;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.flow.FlowSpec;
import io.flowsynth.flow.MarginalCalibration;
import io.flowsynth.spark.io.FloatArrays;
import io.flowsynth.spark.io.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted flowsynth model: the source table's schema, the fitted column encoders, the flow's architecture and its
 * trained parameters, plus the training summary and the resolved configuration.
 *
 * <p>On disk it is a directory (any Hadoop file system): {@code metadata.json} (format version, source schema in
 * Spark's JSON form, encoder statistics, flow spec and parameter layout, training metrics, configuration),
 * {@code params.bin} (the flattened float32 parameters, big-endian, in the layout's order) and
 * {@code network.json} (the DL4J network configuration that trained them). No Java serialization.
 */
public final class FlowsynthModel {
    /**
     * 2: flow families (type, bins, tail_bound in the flow spec) with ActNorm after every layer; version-1 models
     * (RealNVP without ActNorm) are refused with a message to refit. 3: a categorical column may be encoded within
     * its parent's block ({@code within_parent}), which a reader of version 2 would decode as a plain column; a model
     * without such a column is still written as version 2 ({@link #writtenVersion}), so older builds keep reading it.
     */
    public static final int FORMAT_VERSION = 3;
    /** The oldest format version this build reads. */
    public static final int MIN_FORMAT_VERSION = 2;
    public static final String METADATA = "metadata.json";
    public static final String PARAMS = "params.bin";
    public static final String NETWORK = "network.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String modelId;
    private final StructType sourceSchema;
    private final long sourceRows;
    private final TableEncoder encoder;
    private final FlowSpec flowSpec;
    private final float[] parameters;
    private final String networkJson;
    private final ObjectNode training;
    private final Map<String, String> config;
    private final MarginalCalibration calibration;
    /** The {@code privacy} block of {@code metadata.json}: what differential privacy the fit gives (issue 21). */
    private final ObjectNode privacy;

    public FlowsynthModel(String modelId, StructType sourceSchema, long sourceRows, TableEncoder encoder,
                          FlowSpec flowSpec, float[] parameters, String networkJson, ObjectNode training,
                          Map<String, String> config) {
        this(modelId, sourceSchema, sourceRows, encoder, flowSpec, parameters, networkJson, training, config, null,
                noPrivacy());
    }

    private FlowsynthModel(String modelId, StructType sourceSchema, long sourceRows, TableEncoder encoder,
                           FlowSpec flowSpec, float[] parameters, String networkJson, ObjectNode training,
                           Map<String, String> config, MarginalCalibration calibration, ObjectNode privacy) {
        if (calibration != null && calibration.features() != flowSpec.features()) {
            throw new IllegalArgumentException("Model calibration has " + calibration.features()
                    + " features; its flow has " + flowSpec.features());
        }
        if (parameters.length != flowSpec.parameterCount()) {
            throw new IllegalArgumentException("Model has " + parameters.length + " parameters; its flow needs "
                    + flowSpec.parameterCount());
        }
        this.modelId = modelId;
        this.sourceSchema = sourceSchema;
        this.sourceRows = sourceRows;
        this.encoder = encoder;
        this.flowSpec = flowSpec;
        this.parameters = parameters;
        this.networkJson = networkJson;
        this.training = training;
        this.config = Map.copyOf(config);
        this.calibration = calibration;
        this.privacy = privacy == null ? noPrivacy() : privacy;
    }

    /** The privacy block of a fit without differential privacy: {@code {"differential_privacy": false}}. */
    public static ObjectNode noPrivacy() {
        ObjectNode p = JSON.createObjectNode();
        p.put("differential_privacy", false);
        return p;
    }

    /**
     * This model with the {@code privacy} block of its metadata: {@code differential_privacy}, and when true the
     * guarantee (ε, δ), the accountant and one {@code releases} entry per mechanism that saw the real rows.
     */
    public FlowsynthModel withPrivacy(ObjectNode p) {
        return new FlowsynthModel(modelId, sourceSchema, sourceRows, encoder, flowSpec, parameters, networkJson,
                training, config, calibration, p);
    }

    /** The {@code privacy} block (a copy); {@code {"differential_privacy": false}} for models saved before it existed. */
    public ObjectNode privacy() {
        return privacy.deepCopy();
    }

    /** This model with a marginal calibration after its flow (see {@link MarginalCalibration}); null removes it. */
    public FlowsynthModel withCalibration(MarginalCalibration c) {
        return new FlowsynthModel(modelId, sourceSchema, sourceRows, encoder, flowSpec, parameters, networkJson,
                training, config, c, privacy);
    }

    /**
     * This model with the real values of its generated columns at hand for sampling ({@link TableEncoder#withRealValues}:
     * in memory only, never saved).
     */
    public FlowsynthModel withRealValues(io.flowsynth.encode.RealValues values) {
        return new FlowsynthModel(modelId, sourceSchema, sourceRows, encoder.withRealValues(values), flowSpec,
                parameters, networkJson, training, config, calibration, privacy);
    }

    /**
     * This model with one stored setting replaced (in memory; the settings that sampling reads from the model, such
     * as {@code flowsynth.sample.stratify-context}, then apply to it as if it had been fitted with them).
     */
    public FlowsynthModel withSetting(String key, String value) {
        Map<String, String> c = new java.util.HashMap<>(config);
        c.put(key, value);
        return new FlowsynthModel(modelId, sourceSchema, sourceRows, encoder, flowSpec, parameters, networkJson,
                training, c, calibration, privacy);
    }

    /** The marginal calibration applied after the flow's inverse, or null for none. */
    public MarginalCalibration calibration() {
        return calibration;
    }

    public String modelId() {
        return modelId;
    }

    public StructType sourceSchema() {
        return sourceSchema;
    }

    public long sourceRows() {
        return sourceRows;
    }

    public TableEncoder encoder() {
        return encoder;
    }

    public FlowSpec flowSpec() {
        return flowSpec;
    }

    public float[] parameters() {
        return parameters.clone();
    }

    public String networkJson() {
        return networkJson;
    }

    public ObjectNode training() {
        return training.deepCopy();
    }

    public Map<String, String> config() {
        return config;
    }

    /**
     * The context columns of a conditional model (its encoder's leading columns, which hold the flow's
     * {@link FlowSpec#contextFeatures()}), in the order declared at fit; empty for an unconditional model.
     */
    public List<String> conditionColumns() {
        return flowSpec.conditional() && !encoder.contextAuto()
                ? ContextLayout.contextColumns(encoder, flowSpec.contextFeatures()) : List.of();
    }

    /**
     * The columns an automatic context ({@code flowsynth.condition.auto}) chose: the flow learns the others given
     * them, but the model samples and scores whole rows like an unconditional one; empty otherwise.
     */
    public List<String> automaticContextColumns() {
        return flowSpec.conditional() && encoder.contextAuto()
                ? ContextLayout.contextColumns(encoder, flowSpec.contextFeatures()) : List.of();
    }

    /**
     * Writes the model directory atomically (staging directory, then rename); an existing directory is replaced only
     * when {@code overwrite}. {@code metadata.json} records the size and SHA-256 of the other files, which
     * {@link #load} verifies. Non-finite parameters are refused, naming the tensor.
     */
    public void save(String dir, boolean overwrite, Configuration conf) {
        String bad = firstNonFinite(parameters, flowSpec);
        if (bad != null) {
            throw new IllegalStateException("Refusing to save model " + dir + ": " + bad);
        }
        HadoopFiles.checkOutput(dir, "model", overwrite, conf);
        String staging = HadoopFiles.stagingPath(dir);
        try {
            byte[] params = FloatArrays.toBytes(parameters);
            byte[] network = networkJson.getBytes(StandardCharsets.UTF_8);
            ObjectNode meta = metadata();
            ObjectNode files = meta.putObject("files");
            files.set(PARAMS, fileEntry(params));
            files.set(NETWORK, fileEntry(network));
            HadoopFiles.writeBytes(staging + "/" + PARAMS, params, conf);
            HadoopFiles.writeBytes(staging + "/" + NETWORK, network, conf);
            HadoopFiles.writeString(staging + "/" + METADATA, JSON.writeValueAsString(meta), conf);
            HadoopFiles.commit(staging, dir, overwrite, conf);
        } catch (IOException e) {
            HadoopFiles.deleteQuietly(staging, conf);
            throw new UncheckedIOException("Failed to write model: " + dir, e);
        } catch (RuntimeException e) {
            HadoopFiles.deleteQuietly(staging, conf);
            throw e;
        }
    }

    /**
     * The format version a model of this encoder is written with: the oldest that reads it right (3 when a column is
     * encoded within its parent's block, else 2).
     */
    static int writtenVersion(TableEncoder encoder) {
        for (io.flowsynth.encode.ColumnEncoder c : encoder.columns()) {
            if (c instanceof io.flowsynth.encode.CategoricalEncoder cat && cat.withinParent()) {
                return FORMAT_VERSION;
            }
        }
        return MIN_FORMAT_VERSION;
    }

    public ObjectNode metadata() {
        ObjectNode m = JSON.createObjectNode();
        m.put("format_version", writtenVersion(encoder));
        m.put("class", FlowsynthModel.class.getName());
        m.put("flowsynth_version", Version.get());
        m.put("model_id", modelId);
        m.put("created", Instant.now().toString());
        ObjectNode source = m.putObject("source");
        source.put("rows", sourceRows);
        try {
            source.set("schema", JSON.readTree(sourceSchema.json()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (flowSpec.conditional()) {
            // informational: read back from the flow's context features and the encoder's column order
            ArrayNode cond = m.putArray(encoder.contextAuto() ? "automatic_context_columns" : "condition_columns");
            ContextLayout.contextColumns(encoder, flowSpec.contextFeatures()).forEach(cond::add);
        }
        m.set("encoder", encoder.toJson());
        ObjectNode flow = flowSpec.toJson();
        m.set("flow", flow);
        ObjectNode params = flow.putObject("parameters");
        params.put("file", PARAMS);
        params.put("dtype", "float32");
        params.put("byte_order", "big_endian");
        params.put("count", parameters.length);
        ArrayNode layout = params.putArray("layout");
        for (Map.Entry<String, long[]> e : flowSpec.paramShapes().entrySet()) {
            ObjectNode p = layout.addObject();
            p.put("name", e.getKey());
            p.putArray("shape").add(e.getValue()[0]).add(e.getValue()[1]);
        }
        if (calibration != null) {
            m.set("calibration", calibration.toJson());
        }
        m.set("training", training);
        m.set("privacy", privacy);
        ObjectNode c = m.putObject("config");
        config.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> c.put(e.getKey(), e.getValue()));
        return m;
    }

    /**
     * Reads a model directory written by {@link #save}. A missing or foreign directory, and every kind of damage (a
     * file missing, truncated or altered — checked against the sizes and SHA-256 sums in {@code metadata.json} —
     * invalid JSON, an inconsistent flow spec, non-finite parameters), is a bad-input error that says so in one line.
     */
    public static FlowsynthModel load(String dir, Configuration conf) {
        HadoopFiles.requireExists(dir, "Model directory", conf);
        String metaPath = dir + "/" + METADATA;
        if (!HadoopFiles.exists(metaPath, conf)) {
            throw new BadInputException("Not a flowsynth model directory (no " + METADATA + "): " + dir);
        }
        try {
            return read(dir, conf);
        } catch (BadInputException e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            throw damaged(dir, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    private static FlowsynthModel read(String dir, Configuration conf) throws IOException {
        JsonNode m;
        try {
            m = JSON.readTree(HadoopFiles.readString(dir + "/" + METADATA, conf));
        } catch (IOException e) {
            throw damaged(dir, METADATA + " is not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (m == null || !m.isObject()) {
            throw damaged(dir, METADATA + " is not a JSON object");
        }
        int version = m.path("format_version").asInt(-1);
        if (version < MIN_FORMAT_VERSION || version > FORMAT_VERSION) {
            throw new BadInputException("Model " + dir + " has format version " + version + "; this flowsynth reads "
                    + MIN_FORMAT_VERSION + " to " + FORMAT_VERSION + (version < MIN_FORMAT_VERSION
                    ? "; refit the model with this version" : "; read it with the flowsynth that wrote it or a newer one"));
        }
        for (String field : new String[]{"model_id", "source", "encoder", "flow", "training"}) {
            if (!m.hasNonNull(field)) {
                throw damaged(dir, METADATA + " has no '" + field + "'");
            }
        }
        JsonNode flow = m.get("flow");
        FlowSpec spec;
        try {
            spec = FlowSpec.fromJson(flow);
        } catch (IllegalArgumentException e) {
            throw damaged(dir, "invalid flow spec: " + e.getMessage());
        }
        byte[] paramBytes = readFile(dir, PARAMS, m, conf);
        byte[] networkBytes = readFile(dir, NETWORK, m, conf);
        if (paramBytes.length != 4L * spec.parameterCount()) {
            throw damaged(dir, PARAMS + " has " + paramBytes.length + " bytes; its flow needs "
                    + 4L * spec.parameterCount() + " (" + spec.parameterCount() + " float32 parameters)");
        }
        float[] params = FloatArrays.fromBytes(paramBytes);
        String bad = firstNonFinite(params, spec);
        if (bad != null) {
            throw damaged(dir, bad);
        }
        StructType schema = (StructType) DataType.fromJson(m.get("source").get("schema").toString());
        Map<String, String> config = new java.util.LinkedHashMap<>();
        m.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        MarginalCalibration calibration;
        try {
            calibration = m.hasNonNull("calibration") ? MarginalCalibration.fromJson(m.get("calibration")) : null;
        } catch (IllegalArgumentException e) {
            throw damaged(dir, "invalid calibration: " + e.getMessage());
        }
        if (!m.get("training").isObject()) {
            throw damaged(dir, METADATA + ": 'training' is not an object");
        }
        return new FlowsynthModel(m.get("model_id").asText(), schema, m.get("source").get("rows").asLong(),
                TableEncoder.fromJson(m.get("encoder")), spec, params,
                new String(networkBytes, StandardCharsets.UTF_8), (ObjectNode) m.get("training"), config,
                calibration, m.get("privacy") instanceof ObjectNode p ? p : noPrivacy());
    }

    /** A model file's bytes, checked against its size and SHA-256 in the metadata (models before 0.1 have none). */
    private static byte[] readFile(String dir, String name, JsonNode meta, Configuration conf) {
        String path = dir + "/" + name;
        if (!HadoopFiles.exists(path, conf)) {
            throw damaged(dir, name + " is missing");
        }
        byte[] bytes;
        try {
            bytes = HadoopFiles.readBytes(path, conf);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof org.apache.hadoop.fs.ChecksumException) {
                throw damaged(dir, name + " does not match its checksum file (." + name + ".crc)");
            }
            throw e;
        }
        JsonNode entry = meta.path("files").path(name);
        if (!entry.isMissingNode()) {
            long size = entry.path("bytes").asLong(-1);
            if (size != bytes.length) {
                throw damaged(dir, name + " has " + bytes.length + " bytes; " + METADATA + " recorded " + size);
            }
            if (!sha256(bytes).equals(entry.path("sha256").asText())) {
                throw damaged(dir, name + " does not match its SHA-256 in " + METADATA);
            }
        }
        return bytes;
    }

    private static ObjectNode fileEntry(byte[] bytes) {
        ObjectNode e = JSON.createObjectNode();
        e.put("bytes", bytes.length);
        e.put("sha256", sha256(bytes));
        return e;
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "parameter NAME[i] is NaN" for the first non-finite parameter, naming its tensor; null when all are finite. */
    static String firstNonFinite(float[] params, FlowSpec spec) {
        for (int i = 0; i < params.length; i++) {
            if (!Float.isFinite(params[i])) {
                long offset = 0;
                for (Map.Entry<String, long[]> e : spec.paramShapes().entrySet()) {
                    long size = e.getValue()[0] * e.getValue()[1];
                    if (i < offset + size) {
                        return "parameter tensor '" + e.getKey() + "' has a non-finite value (" + params[i]
                                + ") at index " + (i - offset);
                    }
                    offset += size;
                }
                return "parameter " + i + " is " + params[i];
            }
        }
        return null;
    }

    private static BadInputException damaged(String dir, String what) {
        return new BadInputException("Model " + dir + " is damaged: " + what);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
