package io.flowsynth.spark.fidelity;

import io.flowsynth.error.BadInputException;
import io.flowsynth.fidelity.ColumnKind;
import io.flowsynth.fidelity.ConditionReport;
import io.flowsynth.fidelity.KsAccumulator;
import io.flowsynth.fidelity.Metrics;
import io.flowsynth.fidelity.TotalVariationAccumulator;
import io.flowsynth.spark.fidelity.FidelityEvaluator.Spec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.covar_pop;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.var_pop;
import static org.apache.spark.sql.functions.when;

/**
 * Per-condition fidelity: the {@link FidelityEvaluator}'s scores (KSComplement/TVComplement per column,
 * CorrelationSimilarity/ContingencySimilarity per pair, SDMetrics' quality) computed separately for the rows of each
 * of the {@code top} most frequent context values, and over all rows, on the columns that are not context columns.
 * The result is a {@link ConditionReport}.
 *
 * <p>Same samples as the report: each side reduced to at most {@code maxRows} rows with the report's seeds
 * ({@link FidelityEvaluator#sample}). A context value is the tuple of the context columns' values: a categorical or
 * boolean column's value; a numeric or datetime column with at most {@link #MAX_DISCRETE_VALUES} distinct real values
 * its value; any other numeric or datetime column its {@link #RANGES} quantile range of the real sample (edges rounded
 * to 3 significant digits, datetimes to the day or hour; the outer ranges are open, so no real extreme is named); a
 * missing value is a context value of its own. Context values seen in fewer than {@code minRealCount} rows of the
 * real sample are never named (the rare-category threshold: a value rare in the sample may be rare in the table; one
 * frequent in the sample is at least as frequent in the table); they are counted, without names, in "other".
 * Values with fewer than {@code minRows} sampled rows on a side get "n/a (k … rows)" instead of a noisy figure.
 *
 * <p>Cost, independent of {@code top}: one aggregation to cut continuous context columns, one streamed pass over the
 * context values' counts (at most one row per distinct value of the samples; the driver keeps the top), then one pass
 * per score family over the sampled rows of the named values, each in its value's group: totals per (group, side,
 * column), value counts per (group, column, value) streamed in order, centred moments per (group, pair, side) and
 * joint cells per (group, pair, cell) streamed, pairs in batches of {@link FidelityEvaluator#PAIR_BATCH}. A value's
 * scores equal the {@link FidelityEvaluator}'s on that value's rows (same pairs). The all-rows figure is the report's
 * own scores of the non-context columns and their pairs (no second pass over all rows).
 */
public final class ConditionalFidelityEvaluator {
    /** Rows per side below which a context value's scores are not given ("n/a"). */
    public static final int MIN_ROWS = 30;
    /** Quantile ranges a continuous context column is cut into. */
    public static final int RANGES = 5;
    /** A numeric or datetime context column with at most this many distinct real values is used value by value. */
    public static final int MAX_DISCRETE_VALUES = 20;
    /** Accuracy of the quantile sketch of a continuous context column (relative rank error 1 / accuracy). */
    static final int QUANTILE_ACCURACY = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ConditionalFidelityEvaluator.class);
    private static final int REAL = 0;
    private static final int SYNTHETIC = 1;
    private static final String SIDE = "side";
    private static final String GROUP = "g";

    private final int maxRows;
    private final long seed;
    private final int maxPairs;
    private final int top;
    private final int minRealCount;
    private final int minRows;

    /**
     * @param maxRows      rows per side (the report's sample)
     * @param seed         the report's seed (same samples, same sampled pairs)
     * @param maxPairs     most pairs scored ({@link FidelityEvaluator#pairsToScore})
     * @param top          how many context values are scored, most frequent in the real sample first
     * @param minRealCount real rows a context value needs to be named (the rare-category threshold, ≥ 1)
     * @param minRows      rows per side a context value needs to be scored
     */
    public ConditionalFidelityEvaluator(int maxRows, long seed, int maxPairs, int top, int minRealCount, int minRows) {
        if (maxRows < 1 || maxPairs < 1 || top < 1 || minRealCount < 1 || minRows < 1) {
            throw new IllegalArgumentException("maxRows, maxPairs, top, minRealCount and minRows must be >= 1, got "
                    + maxRows + ", " + maxPairs + ", " + top + ", " + minRealCount + ", " + minRows);
        }
        this.maxRows = maxRows;
        this.seed = seed;
        this.maxPairs = maxPairs;
        this.top = top;
        this.minRealCount = minRealCount;
        this.minRows = minRows;
    }

    /**
     * Checks the context columns against the real table's schema.
     *
     * @param source what named them, for the message ("Option --condition-columns" or "Configuration …")
     * @throws BadInputException naming an unknown column and listing the table's columns, or a column named twice, or
     *                           when every column is a context column
     */
    public static void checkColumns(StructType real, List<String> columns, String source) {
        List<String> names = Arrays.asList(real.fieldNames());
        for (String c : columns) {
            if (!names.contains(c)) {
                throw new BadInputException(source + ": no column '" + c + "' in the real table (its columns: "
                        + String.join(", ", names) + ")");
            }
        }
        if (new TreeSet<>(columns).size() != columns.size()) {
            throw new BadInputException(source + ": a column is named twice in " + String.join(",", columns));
        }
        if (columns.size() >= names.size()) {
            throw new BadInputException(source + ": every column of the real table is a condition column; "
                    + "per-condition fidelity needs at least one other column to compare");
        }
    }

    /** A context column: its spec, and how its values become context keys (null cut = value by value). */
    private record Context(Spec spec, double[] cut) {
    }

    /**
     * Scores {@code synthetic} against {@code real} per value of the context columns {@code columns}.
     *
     * @param source what named the columns, for error messages
     */
    public ConditionReport evaluate(Dataset<Row> real, Dataset<Row> synthetic, List<String> columns, String source) {
        Objects.requireNonNull(columns, "columns");
        checkColumns(real.schema(), columns, source);
        FidelityEvaluator fidelity = new FidelityEvaluator(maxRows, seed, maxPairs);
        try (FidelityEvaluator.Samples samples = fidelity.samples(real, synthetic)) {
            return evaluate(samples, fidelity.evaluateDetailed(samples), columns, source);
        }
    }

    /**
     * {@link #evaluate(Dataset, Dataset, List, String)} on the report's cached samples (made by a
     * {@link FidelityEvaluator} with this evaluator's {@code maxRows}, {@code seed} and {@code maxPairs}; left cached)
     * and the report's evaluation of them, {@code main}: its scores of the non-context columns and of their pairs give
     * the all-rows figure, and its scored pairs are the pairs scored per value.
     */
    public ConditionReport evaluate(FidelityEvaluator.Samples samples, FidelityEvaluator.Evaluation main,
                                    List<String> columns, String source) {
        Objects.requireNonNull(columns, "columns");
        if (samples.maxRows != maxRows || samples.seed != seed) {
            throw new IllegalArgumentException("Samples of maxRows " + samples.maxRows + " and seed " + samples.seed
                    + " given to an evaluator of maxRows " + maxRows + " and seed " + seed);
        }
        long start = System.nanoTime();
        List<Spec> specs = samples.specs;
        List<String> names = specs.stream().map(Spec::name).toList();
        for (String c : columns) {
            if (!names.contains(c)) {
                throw new BadInputException(source + ": no column '" + c + "' in the real table (its columns: "
                        + String.join(", ", names) + ")");
            }
        }
        Map<String, Spec> byName = new LinkedHashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));
        List<Spec> rest = new ArrayList<>();
        for (Spec s : specs) {
            if (!columns.contains(s.name())) {
                rest.add(new Spec(s.name(), s.kind(), rest.size(), s.unit()));
            }
        }
        Map<String, Integer> restIndex = new LinkedHashMap<>();
        rest.forEach(r -> restIndex.put(r.name(), r.index()));
        // the all-rows figure and the pairs: the report's own, on the non-context columns
        List<Double> allColumns = new ArrayList<>();
        main.report().columns().forEach(c -> {
            if (restIndex.containsKey(c.name())) {
                allColumns.add(c.score());
            }
        });
        List<Double> allPairs = new ArrayList<>();
        List<int[]> chosen = new ArrayList<>();
        main.report().pairs().forEach(p -> {
            if (restIndex.containsKey(p.columnA()) && restIndex.containsKey(p.columnB())) {
                allPairs.add(p.score());
                chosen.add(new int[]{restIndex.get(p.columnA()), restIndex.get(p.columnB())});
            }
        });
        Dataset<Row> both = samples.both;
        Dataset<Row> grouped = null;
        try {
            List<Context> contexts = contexts(both, columns, byName);
            Column[] keys = new Column[contexts.size()];
            for (int j = 0; j < keys.length; j++) {
                keys[j] = key(contexts.get(j)).as("k" + j);
            }
            List<Column> keyed = new ArrayList<>(List.of(keys));
            keyed.add(col(SIDE));
            for (Spec s : rest) {
                keyed.add(col(byName.get(s.name()).field()).as(s.field()));
            }
            Dataset<Row> withKeys = both.select(keyed.toArray(new Column[0]));

            // context value counts: the named values, the sampled totals, the frequency score
            Column[] keyCols = new Column[keys.length];
            for (int j = 0; j < keys.length; j++) {
                keyCols[j] = col("k" + j);
            }
            // one streamed pass over the context values' counts (at most one row per distinct value of the samples):
            // sampled totals, distinct real values, the frequency score and the top named values
            Iterator<Row> counts = withKeys.groupBy(keyCols)
                    .agg(countOf(REAL).as("r"), countOf(SYNTHETIC).as("y"))
                    .toLocalIterator();
            java.util.PriorityQueue<Row> best = new java.util.PriorityQueue<>(RANK.reversed()); // worst at the head
            long[] sideRows = new long[2];
            long realValues = 0;
            LongList realCounts = new LongList();
            LongList syntheticCounts = new LongList();
            while (counts.hasNext()) {
                Row row = counts.next();
                long r = row.getLong(keys.length);
                long y = row.getLong(keys.length + 1);
                sideRows[REAL] += r;
                sideRows[SYNTHETIC] += y;
                realCounts.add(r);
                syntheticCounts.add(y);
                if (r > 0) {
                    realValues++;
                }
                if (r >= minRealCount) {
                    best.add(row);
                    if (best.size() > top) {
                        best.poll();
                    }
                }
            }
            double frequency = contextFrequency(realCounts, syntheticCounts, sideRows);
            List<Row> named = new ArrayList<>(best);
            named.sort(RANK);
            int groups = named.size();
            LOG.info("Per-condition fidelity on {}: {} context values in the real sample, {} named (top {}, each in "
                    + "at least {} real rows)", columns, realValues, named.size(), top, minRealCount);

            Column g = null; // one flat CASE WHEN over the named values
            for (int i = 0; i < named.size(); i++) {
                Column match = lit(true);
                for (int j = 0; j < keys.length; j++) {
                    Object v = named.get(i).get(j);
                    match = match.and(v == null ? col("k" + j).isNull() : col("k" + j).equalTo(lit(v)));
                }
                g = g == null ? when(match, lit(i)) : g.when(match, lit(i));
            }
            Totals totals = new Totals(new long[0][2], new long[0][2][0], new double[0][2][0], new double[0][2][0]);
            double[][] columnScores = new double[0][];
            double[][] pairScores = new double[0][];
            if (g != null) { // the rows of the named values, each in its value's group
                List<Column> cols = new ArrayList<>();
                cols.add(col(SIDE));
                cols.add(g.as(GROUP));
                rest.forEach(s -> cols.add(col(s.field())));
                grouped = withKeys.select(cols.toArray(new Column[0])).where(col(GROUP).isNotNull())
                        .persist(StorageLevel.MEMORY_AND_DISK());
                totals = totals(grouped, rest, groups);
                columnScores = columnScores(grouped, rest, totals, groups);
                pairScores = pairScores(grouped, rest, chosen, totals, groups);
            }

            List<ConditionReport.Entry> entries = new ArrayList<>();
            long namedReal = 0;
            long namedSynthetic = 0;
            for (int i = 0; i < named.size(); i++) {
                List<String> values = new ArrayList<>();
                for (int j = 0; j < keys.length; j++) {
                    Object v = named.get(i).get(j);
                    values.add(v == null ? null : label(contexts.get(j), v.toString()));
                }
                long r = totals.rows[i][REAL];
                long y = totals.rows[i][SYNTHETIC];
                namedReal += r;
                namedSynthetic += y;
                String status = y < minRows ? "n/a (" + y + " synthetic rows)"
                        : r < minRows ? "n/a (" + r + " real rows)" : ConditionReport.SCORED;
                entries.add(new ConditionReport.Entry(values, r, y,
                        status.equals(ConditionReport.SCORED) ? scores(columnScores[i], pairScores[i]) : null, status));
            }
            List<ConditionReport.Binning> binning = new ArrayList<>();
            for (Context c : contexts) {
                if (c.cut() != null) {
                    List<String> ranges = new ArrayList<>();
                    for (int b = 0; b <= c.cut().length; b++) {
                        ranges.add(label(c, String.valueOf(b)));
                    }
                    binning.add(new ConditionReport.Binning(c.spec().name(), "quantile ranges of the real sample "
                            + "(edges rounded; outer ranges open)", ranges));
                }
            }
            ConditionReport report = new ConditionReport(columns, rest.stream().map(Spec::name).toList(), top,
                    minRows, minRealCount, sideRows[REAL], sideRows[SYNTHETIC], frequency,
                    ConditionReport.Scores.of(allColumns, allPairs), entries,
                    new ConditionReport.Other(realValues - named.size(), sideRows[REAL] - namedReal,
                            sideRows[SYNTHETIC] - namedSynthetic), binning);
            LOG.info("Per-condition fidelity: {} values scored over {} columns and {} pairs in {} ms", named.size(),
                    rest.size(), chosen.size(), (System.nanoTime() - start) / 1_000_000);
            return report;
        } finally {
            if (grouped != null) {
                grouped.unpersist();
            }
        }
    }

    private static ConditionReport.Scores scores(double[] columns, double[] pairs) {
        return ConditionReport.Scores.of(Arrays.stream(columns).boxed().toList(),
                Arrays.stream(pairs).boxed().toList());
    }

    /**
     * Most frequent in the real sample first, then by the context keys (null first, then ascending), so the named
     * values do not depend on the order in which Spark returns the counts.
     */
    private static final java.util.Comparator<Row> RANK = (a, b) -> {
        int n = a.length() - 2;
        int c = Long.compare(b.getLong(n), a.getLong(n));
        for (int j = 0; c == 0 && j < n; j++) {
            String x = a.isNullAt(j) ? null : a.getString(j);
            String y = b.isNullAt(j) ? null : b.getString(j);
            c = java.util.Objects.compare(x, y, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
        }
        return c;
    };

    /** A growable list of longs (one per context value of the samples). */
    private static final class LongList {
        private long[] values = new long[64];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    /** TVComplement of the real and synthetic context distributions (every value, named or not). */
    private static double contextFrequency(LongList real, LongList synthetic, long[] sideRows) {
        TotalVariationAccumulator tv = new TotalVariationAccumulator(sideRows[REAL], sideRows[SYNTHETIC]);
        for (int i = 0; i < real.size; i++) {
            tv.add(real.values[i], synthetic.values[i]);
        }
        return tv.complement();
    }

    /**
     * How each context column is keyed: discrete kinds by value; continuous kinds by value when the real sample has
     * at most {@link #MAX_DISCRETE_VALUES} distinct values, else by quantile range (one aggregation of the real
     * sample for all continuous context columns: approximate distinct counts and quantiles).
     */
    private static List<Context> contexts(Dataset<Row> both, List<String> columns, Map<String, Spec> byName) {
        List<Spec> continuous = new ArrayList<>();
        for (String c : columns) {
            if (byName.get(c).kind().isContinuous()) {
                continuous.add(byName.get(c));
            }
        }
        Map<String, double[]> cuts = new LinkedHashMap<>();
        if (!continuous.isEmpty()) {
            // one aggregation of the real sample: distinct counts (HyperLogLog++, exact at these small counts) and
            // the quantiles of every continuous context column
            Column probabilities = array(java.util.stream.IntStream.range(1, RANGES)
                    .mapToObj(b -> lit((double) b / RANGES)).toArray(Column[]::new));
            List<Column> stats = new ArrayList<>();
            for (Spec s : continuous) {
                stats.add(approx_count_distinct(col(s.field()), 0.01));
                stats.add(percentile_approx(col(s.field()), probabilities, lit(QUANTILE_ACCURACY)));
            }
            Row d = both.where(col(SIDE).equalTo(REAL)).agg(stats.get(0), stats.subList(1, stats.size())
                    .toArray(new Column[0])).first();
            for (int k = 0; k < continuous.size(); k++) {
                if (d.getLong(2 * k) > MAX_DISCRETE_VALUES) {
                    List<Object> q = d.isNullAt(2 * k + 1) ? List.of() : d.getList(2 * k + 1);
                    double[] quantiles = q.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
                    cuts.put(continuous.get(k).name(), edges(quantiles, continuous.get(k).unit()));
                }
            }
        }
        List<Context> out = new ArrayList<>();
        for (String c : columns) {
            out.add(new Context(byName.get(c), cuts.get(c)));
        }
        return out;
    }

    /** Rounded, distinct, ascending edges from the quantiles (empty when the column has no real values). */
    static double[] edges(double[] quantiles, String unit) {
        TreeSet<Double> set = new TreeSet<>();
        for (double v : quantiles) {
            if (Double.isFinite(v)) {
                set.add(round(v, unit));
            }
        }
        return set.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** 3 significant digits for numbers, whole days for dates, whole hours for timestamps. */
    static double round(double v, String unit) {
        if ("epoch_days".equals(unit)) {
            return Math.round(v);
        }
        if ("epoch_micros".equals(unit)) {
            return Math.round(v / 3.6e9) * 3.6e9;
        }
        if (v == 0) {
            return 0;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).doubleValue();
    }

    /** The key of a context column: its canonical value as text, or its range index; null stays null. */
    private static Column key(Context c) {
        Column v = col(c.spec().field());
        if (c.cut() == null) {
            return v.cast(DataTypes.StringType);
        }
        Column bin = lit(0);
        for (double e : c.cut()) {
            bin = bin.plus(when(v.geq(lit(e)), lit(1)).otherwise(lit(0)));
        }
        return when(v.isNotNull(), bin.cast(DataTypes.StringType));
    }

    /** A context key as shown: the category, the number or date, or the range ("< a", "[a, b)", "≥ b"). */
    static String label(Context c, String key) {
        String unit = c.spec().unit();
        if (c.cut() == null) {
            return c.spec().kind().isContinuous() ? number(Double.parseDouble(key), unit) : key;
        }
        double[] e = c.cut();
        int b = Integer.parseInt(key);
        if (e.length == 0) {
            return "any value";
        }
        if (b == 0) {
            return "< " + number(e[0], unit);
        }
        if (b == e.length) {
            return "≥ " + number(e[e.length - 1], unit);
        }
        return "[" + number(e[b - 1], unit) + ", " + number(e[b], unit) + ")";
    }

    private static String number(double v, String unit) {
        if ("epoch_days".equals(unit)) {
            return LocalDate.ofEpochDay(Math.round(v)).toString();
        }
        if ("epoch_micros".equals(unit)) {
            long seconds = Math.floorDiv(Math.round(v), 1_000_000L);
            return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC)
                    .format(Instant.ofEpochSecond(seconds));
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static Column countOf(int side) {
        return sum(when(col(SIDE).equalTo(side), lit(1L)).otherwise(lit(0L)));
    }

    /** Per (group, side): rows; per (group, side, column): non-null values, min and max. */
    private record Totals(long[][] rows, long[][][] nonNull, double[][][] min, double[][][] max) {
    }

    /** Long format {@code (g, side, c, x, s)} of the rest columns. */
    private static Dataset<Row> longFormat(Dataset<Row> grouped, List<Spec> rest) {
        Column[] cells = new Column[rest.size()];
        for (Spec spec : rest) {
            boolean continuous = spec.kind().isContinuous();
            cells[spec.index()] = struct(lit(spec.index()).as("c"),
                    (continuous ? col(spec.field()) : lit(null).cast(DataTypes.DoubleType)).as("x"),
                    (continuous ? lit(null).cast(DataTypes.StringType) : col(spec.field())).as("s"));
        }
        return grouped.select(col(GROUP), col(SIDE), explode(array(cells)).as("cell"))
                .select(col(GROUP), col(SIDE), col("cell.c").as("c"), col("cell.x").as("x"), col("cell.s").as("s"));
    }

    private static Totals totals(Dataset<Row> grouped, List<Spec> rest, int groups) {
        int n = rest.size();
        long[][] rows = new long[groups][2];
        long[][][] nonNull = new long[groups][2][n];
        double[][][] lo = new double[groups][2][n];
        double[][][] hi = new double[groups][2][n];
        for (int g = 0; g < groups; g++) {
            for (int s = 0; s < 2; s++) {
                Arrays.fill(lo[g][s], Double.NaN);
                Arrays.fill(hi[g][s], Double.NaN);
            }
        }
        List<Row> result = longFormat(grouped, rest)
                .groupBy(col(GROUP), col(SIDE), col("c"))
                .agg(count(lit(1)), count(col("x")), count(col("s")), min(col("x")), max(col("x")))
                .collectAsList(); // at most groups × 2 × columns rows
        for (Row r : result) {
            int g = r.getInt(0);
            int side = r.getInt(1);
            int c = r.getInt(2);
            rows[g][side] = r.getLong(3);
            nonNull[g][side][c] = rest.get(c).kind().isContinuous() ? r.getLong(4) : r.getLong(5);
            if (!r.isNullAt(6)) {
                lo[g][side][c] = r.getDouble(6);
                hi[g][side][c] = r.getDouble(7);
            }
        }
        return new Totals(rows, nonNull, lo, hi);
    }

    /** KSComplement or TVComplement per (group, column) from one stream of value counts ordered by (g, c, x). */
    private static double[][] columnScores(Dataset<Row> grouped, List<Spec> rest, Totals totals, int groups) {
        int n = rest.size();
        KsAccumulator[][] ks = new KsAccumulator[groups][n];
        TotalVariationAccumulator[][] tv = new TotalVariationAccumulator[groups][n];
        for (int g = 0; g < groups; g++) {
            for (Spec s : rest) {
                int c = s.index();
                if (s.kind().isContinuous()) {
                    ks[g][c] = new KsAccumulator(totals.nonNull[g][REAL][c], totals.nonNull[g][SYNTHETIC][c]);
                } else {
                    tv[g][c] = new TotalVariationAccumulator(totals.rows[g][REAL], totals.rows[g][SYNTHETIC]);
                }
            }
        }
        Iterator<Row> counts = longFormat(grouped, rest)
                .groupBy(col(GROUP), col("c"), col("x"), col("s"))
                .agg(countOf(REAL).as("r"), countOf(SYNTHETIC).as("y"))
                .orderBy(col(GROUP), col("c"), col("x"))
                .select(col(GROUP), col("c"), col("x").isNull().as("missing"), col("r"), col("y"))
                .toLocalIterator();
        while (counts.hasNext()) {
            Row row = counts.next();
            int g = row.getInt(0);
            int c = row.getInt(1);
            if (ks[g][c] != null) {
                if (!row.getBoolean(2)) {
                    ks[g][c].add(row.getLong(3), row.getLong(4));
                }
            } else {
                tv[g][c].add(row.getLong(3), row.getLong(4));
            }
        }
        double[][] scores = new double[groups][n];
        for (int g = 0; g < groups; g++) {
            for (int c = 0; c < n; c++) {
                scores[g][c] = ks[g][c] != null ? ks[g][c].complement() : tv[g][c].complement();
            }
        }
        return scores;
    }

    /** Pair scores per (group, chosen pair), in the order of {@code chosen}. */
    private static double[][] pairScores(Dataset<Row> grouped, List<Spec> rest, List<int[]> chosen, Totals totals,
                                         int groups) {
        double[][] scores = new double[groups][chosen.size()];
        List<Integer> correlation = new ArrayList<>();
        List<Integer> contingency = new ArrayList<>();
        for (int p = 0; p < chosen.size(); p++) {
            Spec a = rest.get(chosen.get(p)[0]);
            Spec b = rest.get(chosen.get(p)[1]);
            (ColumnKind.pairMetric(a.kind(), b.kind()).equals(Metrics.CORRELATION_SIMILARITY) ? correlation
                    : contingency).add(p);
        }
        int batch = FidelityEvaluator.PAIR_BATCH;
        for (int from = 0; from < correlation.size(); from += batch) {
            correlationScores(grouped, rest, chosen, correlation.subList(from,
                    Math.min(correlation.size(), from + batch)), groups, scores);
        }
        Column[] binned = null;
        for (int from = 0; from < contingency.size(); from += batch) {
            if (binned == null) {
                binned = categoryKeys(rest, totals, groups);
            }
            contingencyScores(grouped.select(binned), chosen, contingency.subList(from,
                    Math.min(contingency.size(), from + batch)), totals, groups, scores);
        }
        return scores;
    }

    private static void correlationScores(Dataset<Row> grouped, List<Spec> rest, List<int[]> chosen,
                                          List<Integer> part, int groups, double[][] scores) {
        Column[] cells = new Column[part.size()];
        for (int k = 0; k < part.size(); k++) {
            int[] ij = chosen.get(part.get(k));
            cells[k] = struct(lit(part.get(k)).as("p"), col(rest.get(ij[0]).field()).as("a"),
                    col(rest.get(ij[1]).field()).as("b"));
        }
        double[][][] r = new double[groups][2][chosen.size()]; // r = 0 where undefined, as in Metrics
        List<Row> moments = grouped.select(col(GROUP), col(SIDE), explode(array(cells)).as("cell"))
                .select(col(GROUP), col(SIDE), col("cell.p").as("p"), col("cell.a").as("a"), col("cell.b").as("b"))
                .where(col("a").isNotNull().and(col("b").isNotNull()))
                .groupBy(col(GROUP), col("p"), col(SIDE))
                .agg(count(lit(1)), var_pop(col("a")), var_pop(col("b")), covar_pop(col("a"), col("b")))
                .collectAsList(); // at most groups × 2 × pairs rows
        for (Row row : moments) {
            if (row.isNullAt(4) || row.isNullAt(5) || row.isNullAt(6)) {
                continue;
            }
            r[row.getInt(0)][row.getInt(2)][row.getInt(1)] = Metrics.pearsonFromMoments(row.getLong(3),
                    row.getDouble(4), row.getDouble(5), row.getDouble(6));
        }
        for (int g = 0; g < groups; g++) {
            for (int p : part) {
                scores[g][p] = Metrics.correlationSimilarity(r[g][REAL][p], r[g][SYNTHETIC][p]);
            }
        }
    }

    /**
     * The frame of contingency labels: discrete values as they are, continuous values as their bin among
     * {@link Metrics#CONTINGENCY_BINS} equal-width bins over the group's real range ({@link Metrics#binIndex}), null
     * staying null; a group without real values of the column puts every non-null value in bin "0".
     */
    private static Column[] categoryKeys(List<Spec> rest, Totals totals, int groups) {
        Column[] out = new Column[rest.size() + 2];
        out[0] = col(GROUP);
        out[1] = col(SIDE);
        for (Spec s : rest) {
            int c = s.index();
            if (!s.kind().isContinuous()) {
                out[c + 2] = col(s.field());
                continue;
            }
            double[][] edges = new double[groups][];
            for (int g = 0; g < groups; g++) {
                if (totals.nonNull[g][REAL][c] > 0) {
                    edges[g] = Metrics.equalWidthEdges(totals.min[g][REAL][c], totals.max[g][REAL][c],
                            Metrics.CONTINGENCY_BINS);
                }
            }
            UserDefinedFunction bin = udf(new BinLabel(edges), DataTypes.StringType);
            out[c + 2] = bin.apply(col(GROUP), col(s.field())).as(s.field());
        }
        return out;
    }

    /** The contingency label of a continuous value in its group: the {@link Metrics#binIndex} as text. */
    private static final class BinLabel implements UDF2<Integer, Double, String> {
        private static final long serialVersionUID = 1L;
        private final double[][] edges;

        BinLabel(double[][] edges) {
            this.edges = edges;
        }

        @Override
        public String call(Integer g, Double x) {
            if (x == null) {
                return null;
            }
            double[] e = edges[g];
            return e == null ? "0" : String.valueOf(Metrics.binIndex(e, x));
        }
    }

    private static void contingencyScores(Dataset<Row> binned, List<int[]> chosen, List<Integer> part, Totals totals,
                                          int groups, double[][] scores) {
        Column[] cells = new Column[part.size()];
        for (int k = 0; k < part.size(); k++) {
            int[] ij = chosen.get(part.get(k));
            cells[k] = struct(lit(part.get(k)).as("p"), col("c" + ij[0]).as("a"), col("c" + ij[1]).as("b"));
        }
        TotalVariationAccumulator[][] tv = new TotalVariationAccumulator[groups][];
        for (int g = 0; g < groups; g++) {
            tv[g] = new TotalVariationAccumulator[chosen.size()];
            for (int p : part) {
                tv[g][p] = new TotalVariationAccumulator(totals.rows[g][REAL], totals.rows[g][SYNTHETIC]);
            }
        }
        Iterator<Row> counts = binned.select(col(GROUP), col(SIDE), explode(array(cells)).as("cell"))
                .select(col(GROUP), col(SIDE), col("cell.p").as("p"), col("cell.a").as("a"), col("cell.b").as("b"))
                .groupBy(col(GROUP), col("p"), col("a"), col("b"))
                .agg(countOf(REAL).as("r"), countOf(SYNTHETIC).as("y"))
                .select(col(GROUP), col("p"), col("r"), col("y"))
                .toLocalIterator(); // one row per non-empty (group, cell)
        while (counts.hasNext()) {
            Row row = counts.next();
            tv[row.getInt(0)][row.getInt(1)].add(row.getLong(2), row.getLong(3));
        }
        for (int g = 0; g < groups; g++) {
            for (int p : part) {
                scores[g][p] = tv[g][p].complement();
            }
        }
    }
}
