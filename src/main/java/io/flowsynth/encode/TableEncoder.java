package io.flowsynth.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;


import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The fitted map between a table row and the flow's feature vector: the concatenation of its columns' encoders, in
 * source column order. Features of column i occupy {@code [offset(i), offset(i) + width(i))}.
 *
 * <p>Columns dropped while fitting (an {@code ignore} kind override, or an unsupported type with
 * {@code flowsynth.encode.drop-unsupported=true}) have no encoder; they are listed in {@link #droppedColumns()} and the
 * pipeline writes them as all nulls in the synthetic table.
 *
 * <p>JSON form: {@code {"format": "flowsynth.table-encoder", "version": 1, "width": …, "dropped": […],
 * "columns": [one object per encoder]}}, plus {@code "privacy": {…}} ({@link EncoderReleases}) for a differentially
 * private fit and {@code "null_imputation": […]} ({@link NullImputation}: the numeric columns' null rows' value
 * features drawn from the row's other features after the columns are encoded); {@link #fromJson} reads it back
 * exactly. A reader without {@code null_imputation} support samples the same rows (decoding never reads a null row's
 * value feature) and scores with the plain noise term.
 */
public final class TableEncoder implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String FORMAT = "flowsynth.table-encoder";
    public static final int VERSION = 1;

    private final List<ColumnEncoder> columns;
    private final boolean[] withinParent; // per column: bound to its parent's feature (encoded after the others)
    private final List<String> droppedColumns;
    private final int[] offsets;
    private final int width;
    private final ColumnType[] types;
    private final int[] splitParent; // per column: its parent's index when it is split by it, else −1
    private RealValues realValues; // set only by withRealValues, on a copy; not part of the JSON form
    private ContextJoint contextJoint; // set only by withContextJoint, on a copy; "context_joint" in the JSON form
    private boolean contextAuto;       // set only by withContextAuto, on a copy; "context_auto" in the JSON form
    private NullImputation nullImputation; // set only by withNullImputation, on a copy; "null_imputation" in JSON
    private final EncoderReleases privacy;

    public TableEncoder(List<ColumnEncoder> columns, List<String> droppedColumns) {
        this(columns, droppedColumns, null);
    }

    /** @param privacy what a differentially private fit released, or null for a fit without DP */
    public TableEncoder(List<ColumnEncoder> columns, List<String> droppedColumns, EncoderReleases privacy) {
        this.privacy = privacy;
        List<ColumnEncoder> cols = List.copyOf(columns);
        this.droppedColumns = List.copyOf(droppedColumns);
        Set<String> names = new HashSet<>();
        for (ColumnEncoder c : cols) {
            if (!names.add(c.column())) {
                throw new IllegalArgumentException("Column '" + c.column() + "' has two encoders");
            }
        }
        this.offsets = new int[cols.size()];
        int w = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = w;
            w += cols.get(i).width();
        }
        this.width = w;
        this.types = cols.stream().map(ColumnEncoder::type).toArray(ColumnType[]::new);
        this.splitParent = new int[cols.size()];
        this.withinParent = new boolean[cols.size()];
        java.util.Arrays.fill(splitParent, -1);
        List<ColumnEncoder> bound = new java.util.ArrayList<>(cols);
        for (int i = 0; i < splitParent.length; i++) {
            if (cols.get(i) instanceof CategoricalEncoder cat && cat.split()) {
                for (int j = 0; j < splitParent.length; j++) {
                    if (cols.get(j).column().equals(cat.orderedBy()) && cols.get(j) instanceof CategoricalEncoder) {
                        splitParent[i] = j;
                    }
                }
                if (splitParent[i] < 0) {
                    throw new IllegalArgumentException("Column '" + cat.column() + "' is split by '"
                            + cat.orderedBy() + "', which has no categorical encoder");
                }
                // a within-parent column reads its parent's feature in the same row (encoded and decoded first)
                int p = splitParent[i];
                bound.set(i, cat.boundTo((CategoricalEncoder) cols.get(p), offsets[p] - offsets[i]));
                withinParent[i] = bound.get(i) != cat;
            }
        }
        this.columns = List.copyOf(bound);
    }

    /**
     * Column i's value of a row as its encoder takes it: for a column split by its parent
     * ({@link CategoricalEncoder#split()}) the value with the parent's key text, else the value itself.
     */
    public Object encoderValue(Object[] values, int i) {
        int p = splitParent[i];
        return p < 0 ? values[i]
                : new CategoricalEncoder.SplitKey(values[i], ((CategoricalEncoder) columns.get(p)).parentText(values[p]));
    }

    /** Column i's kept interval for a row ({@link CategoricalEncoder#keptIndex}, with the parent where split). */
    public int keptIndex(Object[] values, int i) {
        return ((CategoricalEncoder) columns.get(i)).keptIndex(encoderValue(values, i));
    }

    public TableEncoder(List<ColumnEncoder> columns) {
        this(columns, List.of());
    }

    /** What a differentially private fit released ({@code flowsynth.privacy.epsilon}), or null. */
    public EncoderReleases privacy() {
        return privacy;
    }

    /**
     * The row count released under differential privacy (Laplace noise, {@link EncoderReleases#rowCount()}): under DP
     * the only row count anything after the encoders may use (δ = 1/n², sampling rates, sizes, the model's row
     * count). Empty for a fit without DP.
     */
    public java.util.OptionalLong releasedRowCount() {
        return privacy == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(privacy.rowCount());
    }

    /** Encoders in source column order (dropped columns absent). */
    public List<ColumnEncoder> columns() {
        return columns;
    }

    /** Source column names of {@link #columns()}. */
    public List<String> columnNames() {
        List<String> names = new ArrayList<>(columns.size());
        for (ColumnEncoder c : columns) {
            names.add(c.column());
        }
        return names;
    }

    /** Columns of the source table without an encoder; the synthetic table has them as all nulls. */
    public List<String> droppedColumns() {
        return droppedColumns;
    }

    /** Sum of the columns' widths. */
    public int width() {
        return width;
    }

    /**
     * Per feature (in {@link #width()} order), where decoding changes its output ({@link ColumnEncoder#decodeEdges});
     * null entries for continuous features.
     */
    public java.util.function.DoubleUnaryOperator[] decodeEdges() {
        java.util.function.DoubleUnaryOperator[] edges = new java.util.function.DoubleUnaryOperator[width];
        for (int i = 0; i < columns.size(); i++) {
            ColumnEncoder c = columns.get(i);
            for (int f = 0; f < c.width(); f++) {
                edges[offsets[i] + f] = c.decodeEdges(f);
            }
        }
        return edges;
    }

    /** Index of column i's first feature. */
    public int offset(int i) {
        return offsets[i];
    }

    /** Writes {@link #width()} features into {@code out[0..]}; {@code values} in {@link #columns()} order. */
    public void encode(Object[] values, double[] out, Random rng) {
        encodeWithoutImputation(values, out, rng);
        if (nullImputation != null) {
            nullImputation.apply(this, values, out, rng);
        }
    }

    /**
     * Writes the features of {@link #encode} without {@link #nullImputation()} (a null row's value feature stays
     * noise): what the imputation is fitted on.
     */
    public void encodeWithoutImputation(Object[] values, double[] out, Random rng) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(
                    "expected " + columns.size() + " values (one per encoded column), got " + values.length);
        }
        if (out.length < width) {
            throw new IllegalArgumentException("feature buffer has " + out.length + " slots, need " + width);
        }
        // columns encoded within their parent's block last: they read the parent's feature
        for (int i = 0; i < values.length; i++) {
            if (!withinParent[i]) {
                columns.get(i).encode(encoderValue(values, i), out, offsets[i], rng);
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (withinParent[i]) {
                columns.get(i).encode(encoderValue(values, i), out, offsets[i], rng);
            }
        }
    }

    /**
     * Σ over columns of {@link ColumnEncoder#logDensityCorrection}: log p(row) = log p_flow(features) + this, for
     * {@code features} = {@link #encode}(values).
     */
    public double logDensityCorrection(Object[] values, double[] features) {
        return logDensityCorrection(values, features, 0);
    }

    /**
     * Σ over the first {@code columns} (categorical context) columns of {@link CategoricalEncoder#logOutcomeShare}:
     * what their outcomes' probabilities leave out of a value's.
     */
    public double logOutcomeShare(Object[] values, int columns) {
        double c = 0;
        for (int i = 0; i < columns; i++) {
            if (this.columns.get(i) instanceof CategoricalEncoder cat) {
                c += cat.logOutcomeShare(values[i]);
            }
        }
        return c;
    }

    /** {@link #logDensityCorrection(Object[], double[])} over the columns from {@code first} on. */
    public double logDensityCorrection(Object[] values, double[] features, int first) {
        double c = 0.0;
        for (int i = first; i < values.length; i++) {
            c += columns.get(i).logDensityCorrection(encoderValue(values, i), features, offsets[i]);
        }
        return nullImputation == null ? c : c + nullImputation.logCorrection(this, values, features, first);
    }

    /**
     * Decodes synthetic row {@code row} of a table of {@code totalRows} rows sampled with {@code seed}: like
     * {@link #decode(double[], Random)}, but identifier columns ({@link IdEncoder}) get their unique fresh value for
     * that row.
     */
    public Object[] decode(double[] features, Random rng, long row, long totalRows, long seed) {
        ExternalValues values = new ExternalValues(types);
        decodeInto(features, rng, row, totalRows, seed, false, values);
        return values.values();
    }

    /**
     * Like {@link #decode(double[], Random, long, long, long)} for features drawn from N(0, I) without a flow: every
     * column from its own marginal ({@link ColumnEncoder#decodeIndependent}), the independent-columns baseline.
     */
    public Object[] decodeIndependent(double[] features, Random rng, long row, long totalRows, long seed) {
        ExternalValues values = new ExternalValues(types);
        decodeInto(features, rng, row, totalRows, seed, true, values);
        return values.values();
    }

    /**
     * {@link #decode(double[], Random, long, long, long)} (or, when {@code independent}, {@link #decodeIndependent})
     * into a sink, column i of {@link #columns()} as the sink's column i: the same values from the same random numbers,
     * handed over as primitives where the sink takes them.
     */
    public void decodeInto(double[] features, Random rng, long row, long totalRows, long seed, boolean independent,
                           ValueSink out) {
        decodeColumns(features, rng, independent, true, out);
        generateIds(rng, row, totalRows, seed, out);
    }

    /** Most draws of a generated value that the real values might contain before the last one is kept. */
    static final int MAX_REDRAWS = 32;

    /**
     * This encoder with the real values of its generated columns at hand (in memory only, never saved): a generated
     * value they might contain is drawn again. Null removes them.
     */
    public TableEncoder withRealValues(RealValues values) {
        return copy(values, contextJoint, contextAuto, nullImputation);
    }

    /** This encoder with the joint of a conditional model's categorical context columns (null removes it). */
    public TableEncoder withContextJoint(ContextJoint joint) {
        return copy(realValues, joint, contextAuto, nullImputation);
    }

    /** This encoder with its null rows' value features drawn by {@code imputation} (null removes it). */
    public TableEncoder withNullImputation(NullImputation imputation) {
        return copy(realValues, contextJoint, contextAuto, imputation);
    }

    /** {@link #withNullImputation}'s model, or null. */
    public NullImputation nullImputation() {
        return nullImputation;
    }

    /**
     * This encoder marked as one whose context columns were chosen automatically ({@link AutoContext}), not declared:
     * its model is used as an unconditional one (plain sampling, log p(row) scores).
     */
    public TableEncoder withContextAuto(boolean auto) {
        return copy(realValues, contextJoint, auto, nullImputation);
    }

    private TableEncoder copy(RealValues values, ContextJoint joint, boolean auto, NullImputation imputation) {
        TableEncoder copy = new TableEncoder(columns, droppedColumns, privacy);
        copy.realValues = values;
        copy.contextJoint = joint;
        copy.contextAuto = auto;
        copy.nullImputation = imputation;
        return copy;
    }

    /** Whether the context columns were chosen automatically ({@link #withContextAuto}). */
    public boolean contextAuto() {
        return contextAuto;
    }

    /** {@link #withContextJoint}'s joint, or null. */
    public ContextJoint contextJoint() {
        return contextJoint;
    }

    /** The real values set by {@link #withRealValues}, or null. */
    public RealValues realValues() {
        return realValues;
    }

    /**
     * Sets the generated columns ({@link GeneratedColumn}: identifiers, fake values, text) of synthetic row
     * {@code row}: the second pass of {@link #decodeInto}.
     */
    void generateIds(Random rng, long row, long totalRows, long seed, ValueSink out) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i) instanceof GeneratedColumn g) {
                Object v = g.generate(row, totalRows, seed, rng);
                if (realValues != null && g.mayRepeatRealValues()) {
                    for (int t = 1; v != null && t < MAX_REDRAWS && realValues.mightContain(i, v); t++) {
                        v = g.generate(row, totalRows, seed, rng);
                    }
                }
                out.setValue(i, v);
            }
        }
    }

    /** Decodes one row from {@code features[0..width())}; values in {@link #columns()} order. */
    public Object[] decode(double[] features, Random rng) {
        ExternalValues values = new ExternalValues(types);
        decodeColumns(features, rng, false, false, values);
        return values.values();
    }

    /** @param skipGenerated leave the generated columns to {@link #generateIds} */
    private void decodeColumns(double[] features, Random rng, boolean independent, boolean skipGenerated,
                               ValueSink out) {
        if (features.length < width) {
            throw new IllegalArgumentException("feature vector has " + features.length + " values, need " + width);
        }
        for (int i = 0; i < columns.size(); i++) {
            ColumnEncoder c = columns.get(i);
            if (skipGenerated && c instanceof GeneratedColumn) {
                continue;
            }
            if (independent) {
                c.decodeIndependentInto(features, offsets[i], rng, out, i);
            } else {
                c.decodeInto(features, offsets[i], rng, out, i);
            }
        }
    }

    /** The source type of each column, in {@link #columns()} order (a copy). */
    public ColumnType[] types() {
        return types.clone();
    }

    /** One name per feature, e.g. {@code price}, {@code price#null}. */
    public List<String> featureNames() {
        List<String> names = new ArrayList<>(width);
        for (ColumnEncoder c : columns) {
            names.addAll(c.featureNames());
        }
        return names;
    }

    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("format", FORMAT);
        json.put("version", VERSION);
        json.put("width", width);
        ArrayNode dropped = json.putArray("dropped");
        droppedColumns.forEach(dropped::add);
        ArrayNode cols = json.putArray("columns");
        for (ColumnEncoder c : columns) {
            cols.add(c.toJson());
        }
        if (contextJoint != null) {
            json.set("context_joint", contextJoint.toJson());
        }
        if (contextAuto) {
            json.put("context_auto", true);
        }
        if (nullImputation != null) {
            json.set("null_imputation", nullImputation.toJson(this));
        }
        if (privacy != null) {
            json.set("privacy", privacy.toJson());
        }
        return json;
    }

    /** Reads {@link #toJson()} back; throws IllegalArgumentException on another format, version or kind. */
    public static TableEncoder fromJson(JsonNode json) {
        if (!FORMAT.equals(json.path("format").asText()) || json.path("version").asInt() != VERSION) {
            throw new IllegalArgumentException("not a " + FORMAT + " version " + VERSION + " document");
        }
        List<ColumnEncoder> columns = new ArrayList<>();
        for (JsonNode c : json.path("columns")) {
            columns.add(columnFromJson(c));
        }
        List<String> dropped = new ArrayList<>();
        json.path("dropped").forEach(d -> dropped.add(d.asText()));
        TableEncoder encoder = new TableEncoder(columns, dropped,
                json.hasNonNull("privacy") ? EncoderReleases.fromJson(json.get("privacy")) : null);
        if (json.has("width") && json.get("width").asInt() != encoder.width()) {
            throw new IllegalArgumentException("width " + json.get("width").asInt() + " does not match the columns' "
                    + encoder.width());
        }
        if (json.hasNonNull("context_joint")) {
            encoder = encoder.withContextJoint(ContextJoint.fromJson(json.get("context_joint")));
        }
        if (json.hasNonNull("null_imputation")) {
            encoder = encoder.withNullImputation(NullImputation.fromJson(json.get("null_imputation"), encoder));
        }
        return json.path("context_auto").asBoolean(false) ? encoder.withContextAuto(true) : encoder;
    }

    /** Reads one {@link ColumnEncoder#toJson()}. */
    public static ColumnEncoder columnFromJson(JsonNode json) {
        String kind = json.path("kind").asText();
        if (json.has("text_format")) {
            return DateTextEncoder.fromJson(json);
        }
        switch (kind) {
            case "continuous":
            case "integer":
            case "datetime":
                return "mode".equals(json.path("encoding").asText())
                        ? ModeEncoder.fromJson(json) : QuantileEncoder.fromJson(json);
            case "id":
                return IdEncoder.fromJson(json);
            case EncodeOptions.PERSON_NAME:
            case EncodeOptions.FIRST_NAME:
            case EncodeOptions.LAST_NAME:
            case EncodeOptions.EMAIL:
            case EncodeOptions.ADDRESS:
                return FakeEncoder.fromJson(json);
            case EncodeOptions.TEXT:
            case EncodeOptions.PHONE:
                return TextEncoder.fromJson(json);
            case "categorical":
                return CategoricalEncoder.fromJson(json);
            case "constant":
                return ConstantEncoder.fromJson(json);
            default:
                throw new IllegalArgumentException("Column '" + json.path("column").asText() + "': unknown encoder kind '"
                        + kind + "'");
        }
    }
}
