package io.flowsynth.spark.sample;

import io.flowsynth.encode.BatchDecoder;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.ContextLayout;
import io.flowsynth.error.BadInputException;
import io.flowsynth.flow.ConditionalFlow;
import io.flowsynth.spark.Seeds;
import io.flowsynth.spark.TaskMemory;
import io.flowsynth.spark.model.FlowsynthModel;
import io.flowsynth.spark.model.ModelPayload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Conditional sampling of a conditional model ({@code flowsynth.condition.columns} at fit): every synthetic row is
 * drawn from p(rest | context) for a given context, which is copied into the row exactly. The contexts are a table
 * (one row per condition, each repeated {@code perCondition} times: {@code sample --condition PATH}) or one constant
 * context ({@code sample --where "col = value"}, a generated table of N equal rows). The condition table is read and
 * sampled partition by partition, never collected: partition p's rows are drawn from generators seeded by (seed, p),
 * batch by batch; identifier columns get their fresh value from the row's global index (the earlier partitions'
 * condition rows × perCondition, counted in one job first).
 */
public final class ConditionalSampler {
    /** Separates the context encoders' dequantization draws from the noise and decoding streams. */
    static final long CONTEXT_STREAM = 0xC0D17E57L;

    private final int batchSize;

    public ConditionalSampler(int batchSize) {
        this.batchSize = batchSize;
    }

    /**
     * The contexts to sample for.
     *
     * @param rows         the context columns only, in the model's order and with its source types
     * @param perCondition synthetic rows per context row (≥ 1)
     * @param source       what the contexts came from, for the logs and {@code _flowsynth.json}
     */
    public record Conditions(Dataset<Row> rows, long perCondition, String source, long[] partitionCounts) {
        /** Conditions whose rows are counted when sampled. */
        public Conditions(Dataset<Row> rows, long perCondition, String source) {
            this(rows, perCondition, source, null);
        }
    }

    /** Refuses a model fitted without condition columns, naming the key. */
    public static List<String> contextOf(FlowsynthModel model, String option) {
        List<String> context = model.conditionColumns();
        if (context.isEmpty()) {
            throw new BadInputException(option + " needs a conditional model: model " + model.modelId()
                    + " was fitted without flowsynth.condition.columns");
        }
        return context;
    }

    /**
     * The contexts of a condition table: its context columns (other columns are ignored), cast to the model's types
     * where they differ (a CSV's inferred types); a value that does not cast is a bad-input error naming the column
     * and the value.
     */
    public static Conditions fromTable(FlowsynthModel model, Dataset<Row> table, long perCondition,
                                       boolean allowUnseen, String source) {
        List<String> context = contextOf(model, "--condition");
        if (perCondition < 1) {
            throw new BadInputException("Option --rows-per-condition: must be ≥ 1, got " + perCondition);
        }
        List<String> names = Arrays.asList(table.schema().fieldNames());
        List<Column> select = new ArrayList<>();
        for (String name : context) {
            if (!names.contains(name)) {
                throw new BadInputException("Condition table " + source + " has no column '" + name
                        + "' (the model's condition columns: " + String.join(", ", context) + ")");
            }
            DataType want = model.sourceSchema().apply(name).dataType();
            DataType have = table.schema().apply(name).dataType();
            if (want.sameType(have)) {
                select.add(functions.col(quote(name)));
                continue;
            }
            Column cast = functions.col(quote(name)).cast(want);
            List<Row> bad = table.filter(functions.col(quote(name)).isNotNull().and(cast.isNull()))
                    .select(functions.col(quote(name))).limit(1).collectAsList();
            if (!bad.isEmpty()) {
                throw new BadInputException("Condition table " + source + ", column '" + name + "': value '"
                        + bad.get(0).get(0) + "' is not a " + want.simpleString() + " (the model's type)");
            }
            select.add(cast.as(name));
        }
        Dataset<Row> rows = table.select(select.toArray(new Column[0]));
        return new Conditions(rows, perCondition, source, scan(model, rows, allowUnseen, source));
    }

    /**
     * One constant context for {@code rows} synthetic rows over {@code partitions} partitions: {@code where} is
     * {@code col = value[, col = value]} naming every condition column once; a value is cast to its column's type
     * (numbers, dates {@code 2024-01-31}, timestamps, booleans), may be quoted ({@code 'a, b'} or {@code "a"}) and is
     * {@code null} unquoted for null.
     */
    public static Conditions fromWhere(SparkSession spark, FlowsynthModel model, String where, long rows,
                                       int partitions, boolean allowUnseen) {
        List<String> context = contextOf(model, "--where");
        Map<String, String> given = parseWhere(where);
        List<Column> select = new ArrayList<>();
        for (String name : given.keySet()) {
            if (!context.contains(name)) {
                throw new BadInputException("Option --where: '" + name + "' is not a condition column of the model ("
                        + String.join(", ", context) + ")");
            }
        }
        Object[] values = new Object[context.size()];
        for (int j = 0; j < context.size(); j++) {
            String name = context.get(j);
            if (!given.containsKey(name)) {
                throw new BadInputException("Option --where: give a value for every condition column of the model ("
                        + String.join(", ", context) + "); missing: " + name);
            }
            String text = given.get(name);
            DataType type = model.sourceSchema().apply(name).dataType();
            Column value = text == null ? functions.lit(null).cast(type) : functions.lit(text).cast(type);
            if (text != null) {
                Row typed = spark.range(1).select(value).first();
                if (typed.isNullAt(0)) {
                    throw new BadInputException("Option --where: " + name + " = '" + text + "' is not a "
                            + type.simpleString() + " (the column's type)");
                }
                values[j] = typed.get(0);
            }
            select.add(value.as(name));
        }
        checkSeen(model, context, values, allowUnseen, "Option --where");
        Dataset<Row> table = spark.range(0, rows, 1, Math.max(1, partitions)).select(select.toArray(new Column[0]));
        return new Conditions(table, 1, "--where " + where);
    }

    /** {@code a = 1, b = 'x, y'} → {a: "1", b: "x, y"}; an unquoted {@code null} is null. */
    static Map<String, String> parseWhere(String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (where == null || where.isBlank()) {
            throw new BadInputException("Option --where: expected col = value[, col = value], got nothing");
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (char ch : where.toCharArray()) {
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                }
                cur.append(ch);
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
                cur.append(ch);
            } else if (ch == ',') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quote != 0) {
            throw new BadInputException("Option --where: unclosed quote in '" + where + "'");
        }
        parts.add(cur.toString());
        for (String part : parts) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("Option --where: expected col = value, got '" + part.trim() + "'");
            }
            String name = part.substring(0, eq).trim();
            if (name.length() >= 2 && name.startsWith("`") && name.endsWith("`")) {
                name = name.substring(1, name.length() - 1);
            }
            String text = part.substring(eq + 1).trim();
            String value;
            if (text.length() >= 2 && (text.charAt(0) == '\'' || text.charAt(0) == '"')
                    && text.charAt(text.length() - 1) == text.charAt(0)) {
                value = text.substring(1, text.length() - 1);
            } else if (text.equalsIgnoreCase("null")) {
                value = null;
            } else if (text.isEmpty()) {
                throw new BadInputException("Option --where: no value for '" + name + "'");
            } else {
                value = text;
            }
            if (out.containsKey(name)) {
                throw new BadInputException("Option --where: '" + name + "' is given twice");
            }
            out.put(name, value);
        }
        return out;
    }

    /** A context value that the model did not keep ({@link ContextLayout#isKept}) is refused unless allowed. */
    private static void checkSeen(FlowsynthModel model, List<String> context, Object[] values, boolean allowUnseen,
                                  String where) {
        for (int j = 0; j < context.size() && !allowUnseen; j++) {
            if (!ContextLayout.isKept(model.encoder().columns().get(j), values[j])) {
                throw unseen(where, context.get(j), values[j]);
            }
        }
    }

    /**
     * One pass over a condition table: its rows per partition (for the exact row count and the global row indices)
     * and, unless {@code allowUnseen}, the first context value per partition that the model did not keep
     * ({@link ContextLayout#isKept}; an error naming it).
     */
    private static long[] scan(FlowsynthModel model, Dataset<Row> rows, boolean allowUnseen, String source) {
        List<String> context = model.conditionColumns();
        int m = allowUnseen ? 0 : context.size();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        Broadcast<ModelPayload> payload = jsc.broadcast(new ModelPayload(model));
        List<Tuple2<Long, Tuple2<Integer, String>>> parts = rows.javaRDD().mapPartitions(it -> {
            List<ColumnEncoder> columns = m == 0 ? List.of() : payload.value().encoder().columns();
            Tuple2<Integer, String> unseen = null;
            long n = 0;
            while (it.hasNext()) {
                Row row = it.next();
                n++;
                for (int j = 0; j < m && unseen == null; j++) {
                    if (!ContextLayout.isKept(columns.get(j), row.get(j))) {
                        unseen = new Tuple2<>(j, String.valueOf(row.get(j)));
                    }
                }
            }
            return List.of(new Tuple2<>(n, unseen)).iterator();
        }).collect();
        long[] counts = new long[parts.size()];
        for (int p = 0; p < counts.length; p++) {
            counts[p] = parts.get(p)._1();
            Tuple2<Integer, String> unseen = parts.get(p)._2();
            if (unseen != null) {
                throw unseen("Condition table " + source, context.get(unseen._1()), unseen._2());
            }
        }
        return counts;
    }

    private static BadInputException unseen(String where, String column, Object value) {
        return new BadInputException(where + ": column '" + column + "' has value '" + value + "', which the model "
                + "did not keep at fit (a category never seen or rarer than flowsynth.privacy.min-category-count, or a "
                + "value beyond the column's protected range); pass --allow-unseen to sample it anyway (it is "
                + "encoded as the model encodes such values and copied into the output as given)");
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /**
     * The synthetic rows for the contexts (lazy, but the condition rows are counted per partition first), with the
     * model's source schema; their number is the condition rows × perCondition.
     */
    public Dataset<Row> sample(SparkSession spark, FlowsynthModel model, Conditions c, long seed, double temperature) {
        List<String> context = contextOf(model, "conditional sampling");
        StructType source = model.sourceSchema();
        int[] target = InternalRowSink.targets(source, model.encoder()); // checked here, on the driver
        JavaRDD<Row> conditions = c.rows().javaRDD();
        long[] counts = partitionCounts(c);
        long[] first = new long[counts.length];
        long total = 0;
        for (int p = 0; p < counts.length; p++) {
            first[p] = total;
            total += counts[p] * c.perCondition();
        }
        long rows = total;
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ModelPayload> payload = jsc.broadcast(new ModelPayload(model));
        int batch = batchSize;
        int m = context.size();
        long per = c.perCondition();
        JavaRDD<InternalRow> out = conditions.mapPartitionsWithIndex((p, it) -> TaskMemory.guard(String.format(
                "sampling %d rows per condition of %d columns in batches of %d (partition %d)", per, source.size(),
                batch, p), () -> new ConditionedRows(payload.value(), it, m, per, first[p], rows, seed, p,
                temperature, batch, new InternalRowSink(source, target))), true);
        return spark.internalCreateDataFrame(out.rdd(), source, false);
    }

    /** Number of rows {@link #sample} yields: the condition rows × perCondition. */
    public static long rows(Conditions c) {
        long n = 0;
        for (long k : partitionCounts(c)) {
            n += k;
        }
        return n * c.perCondition();
    }

    /** The condition rows per partition: as scanned by {@link #fromTable}, else counted (one job). */
    private static long[] partitionCounts(Conditions c) {
        if (c.partitionCounts() != null) {
            return c.partitionCounts();
        }
        List<Long> counts = c.rows().javaRDD().mapPartitions(it -> {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return List.of(n).iterator();
        }).collect();
        return counts.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * One partition's rows, batch by batch: each condition row's context encoded (the encoders' dequantization drawn
     * per row), the rest drawn from the conditional flow and decoded, the context values then set exactly as given.
     */
    static final class ConditionedRows implements Iterator<InternalRow> {
        private final BatchDecoder decoder;
        private final ConditionalFlow flow;
        private final List<ColumnEncoder> columns;
        private final Iterator<Row> conditions;
        private final int contextColumns;
        private final int contextFeatures;
        private final int features;
        private final long perCondition;
        private final long totalRows;
        private final long tableSeed;
        private final double temperature;
        private final int batchSize;
        private final InternalRowSink sink;
        private final SplittableRandom noise;
        private final Random encodeRng;
        private final Random decodeRng;
        private final double[] encoded;
        private Object[][] values = new Object[0][];
        private Row current;
        private long currentLeft;
        private long nextRow;
        private int batchRows;
        private int next;

        ConditionedRows(ModelPayload model, Iterator<Row> conditions, int contextColumns, long perCondition,
                        long firstRow, long totalRows, long seed, int partition, double temperature, int batchSize,
                        InternalRowSink sink) {
            this.decoder = new BatchDecoder(model.encoder(), false);
            this.flow = model.conditionalFlow();
            this.columns = model.encoder().columns();
            this.conditions = conditions;
            this.contextColumns = contextColumns;
            this.contextFeatures = flow.contextFeatures();
            this.features = flow.flow().features();
            this.perCondition = perCondition;
            this.nextRow = firstRow;
            this.totalRows = totalRows;
            this.tableSeed = seed;
            this.temperature = temperature;
            this.batchSize = batchSize;
            this.sink = sink;
            long s = Seeds.mix(seed, partition);
            this.noise = new SplittableRandom(s);
            this.encodeRng = new Random(Seeds.mix(seed ^ CONTEXT_STREAM, partition));
            this.decodeRng = new Random(s ^ 0x5DEECE66DL);
            this.encoded = new double[model.encoder().width()];
        }

        @Override
        public boolean hasNext() {
            return next < batchRows || currentLeft > 0 || conditions.hasNext();
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (next == batchRows) {
                fill();
            }
            decoder.emit(next, decodeRng, nextRow, totalRows, tableSeed, sink);
            Object[] v = values[next];
            for (int j = 0; j < contextColumns; j++) {
                sink.setValue(j, v[j]);
            }
            next++;
            nextRow++;
            return sink.row();
        }

        private void fill() {
            if (values.length < batchSize) {
                values = new Object[batchSize][];
            }
            float[] context = new float[batchSize * contextFeatures];
            batchRows = 0;
            while (batchRows < batchSize) {
                if (currentLeft == 0) {
                    if (!conditions.hasNext()) {
                        break;
                    }
                    current = conditions.next();
                    currentLeft = perCondition;
                }
                Object[] v = new Object[contextColumns];
                int offset = 0;
                for (int j = 0; j < contextColumns; j++) {
                    v[j] = current.get(j);
                    ColumnEncoder col = columns.get(j);
                    col.encode(v[j], encoded, offset, encodeRng);
                    offset += col.width();
                }
                for (int f = 0; f < contextFeatures; f++) {
                    context[batchRows * contextFeatures + f] = (float) encoded[f];
                }
                values[batchRows++] = v;
                currentLeft--;
            }
            next = 0;
            float[] z = new float[batchRows * features];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (noise.nextGaussian() * temperature);
            }
            decoder.load(flow.sampleGiven(z, context, batchRows), batchRows);
        }
    }
}
