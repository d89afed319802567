package io.flowsynth.spark.fidelity;

import io.flowsynth.error.BadInputException;
import io.flowsynth.fidelity.CategoryProfileAccumulator;
import io.flowsynth.fidelity.ColumnDiagnostics;
import io.flowsynth.fidelity.ColumnKind;
import io.flowsynth.fidelity.ContinuousProfileAccumulator;
import io.flowsynth.fidelity.Diagnostics;
import io.flowsynth.fidelity.ColumnScore;
import io.flowsynth.fidelity.FidelityReport;
import io.flowsynth.fidelity.KsAccumulator;
import io.flowsynth.fidelity.Metrics;
import io.flowsynth.fidelity.PairDiagnostics;
import io.flowsynth.fidelity.PairScore;
import io.flowsynth.fidelity.TotalVariationAccumulator;
import io.flowsynth.spark.SparkTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.covar_pop;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.var_pop;
import static org.apache.spark.sql.functions.when;

/**
 * The fidelity job: compares a real and a synthetic table with SDMetrics' quality-report metrics (see
 * {@link Metrics}) and returns a {@link FidelityReport}.
 *
 * <p>Each side is counted once and, if larger than {@code maxRows}, reduced to a seeded sample of {@code maxRows}
 * rows: {@code sample(false, min(1, 1.2·maxRows/count), seed)} then {@code orderBy(rand(seed)).limit(maxRows)}
 * (the real side uses {@code seed}, the synthetic side {@code seed + 1}); a side with at most {@code maxRows} rows is
 * used whole. The result is deterministic for the same input partitioning. The two samples are put into one
 * canonical frame (continuous columns as doubles, datetimes as epoch days or microseconds, discrete columns as
 * strings; NaN and ±∞ count as missing) which is cached, and the summaries come from a fixed number of aggregations,
 * whatever the number of columns: per-column totals and ranges; per-column value counts (long format
 * {@code (column, value)}, sorted, streamed to the driver with {@code toLocalIterator}); joint cell counts of all
 * contingency pairs (long format {@code (pair, cellA, cellB)}, streamed); centred moments of all correlation pairs.
 * Nothing the size of a table is collected: streamed results hold at most one row per distinct value or cell of the
 * samples, and the driver keeps one accumulator per column or pair.
 *
 * <p>{@link #evaluateDetailed} adds per-column {@link ColumnDiagnostics} without extra jobs: means and standard
 * deviations join the totals aggregation, and the value-count stream that feeds KSComplement/TVComplement also feeds
 * a {@link ContinuousProfileAccumulator} (Wasserstein-1, quantiles, {@link #HISTOGRAM_BINS}-bin histograms over both
 * sides' range, BoundaryAdherence counts) or a {@link CategoryProfileAccumulator} (CategoryAdherence,
 * CategoryCoverage, top categories) per column.
 */
public final class FidelityEvaluator {
    /** Default cap on the rows evaluated per side. */
    public static final int MAX_ROWS_DEFAULT = 50_000;
    /** Sampling fraction headroom so that the fraction-based sample rarely falls short of {@code maxRows}. */
    static final double OVERSAMPLE = 1.2;

    private static final Logger LOG = LoggerFactory.getLogger(FidelityEvaluator.class);
    private static final int REAL = 0;
    private static final int SYNTHETIC = 1;
    private static final String SIDE = "side";

    /**
     * Default cap on the column pairs scored ({@code flowsynth.report.max-pairs}): all pairs up to 63 columns
     * (1,953 pairs), a seeded sample beyond.
     */
    public static final int MAX_PAIRS_DEFAULT = 2000;
    /** Pairs per pair-trend aggregation: bounds the size of each Spark plan (a few jobs per report, whatever the width). */
    static final int PAIR_BATCH = 500;

    private final int maxRows;
    private final long seed;
    private final int maxPairs;
    private int minNamedRealCount = 1;

    public FidelityEvaluator(int maxRows, long seed) {
        this(maxRows, seed, MAX_PAIRS_DEFAULT);
    }

    /**
     * @param maxPairs most column pairs scored: with more pairs than this, a uniform sample of {@code maxPairs} pairs
     *                 without replacement, seeded by {@code seed} ({@link #pairsToScore})
     */
    public FidelityEvaluator(int maxRows, long seed, int maxPairs) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        if (maxPairs < 1) {
            throw new IllegalArgumentException("maxPairs must be >= 1, got " + maxPairs);
        }
        this.maxRows = maxRows;
        this.seed = seed;
        this.maxPairs = maxPairs;
    }

    /**
     * This evaluator, never naming in its diagnostics a category seen fewer than {@code count} times in the real
     * sample (the rare-category threshold; such categories count under "other").
     */
    public FidelityEvaluator withMinNamedRealCount(int count) {
        FidelityEvaluator e = new FidelityEvaluator(maxRows, seed, maxPairs);
        e.minNamedRealCount = Math.max(1, count);
        return e;
    }

    /** An evaluator with {@link #MAX_ROWS_DEFAULT} rows per side. */
    public FidelityEvaluator(long seed) {
        this(MAX_ROWS_DEFAULT, seed);
    }

    /** Number of equal-width histogram bins per continuous column in the diagnostics. */
    public static final int HISTOGRAM_BINS = 20;

    /**
     * One column of the report: its name, kind, position in the canonical frame ({@code c<index>}) and the unit of a
     * datetime column's epoch numbers (null otherwise).
     */
    record Spec(String name, ColumnKind kind, int index, String unit) {
        String field() {
            return "c" + index;
        }
    }

    /** Per-side totals, ranges and moments of the samples (indexed [side][column]), from one aggregation. */
    private record Totals(long[] rows, long[][] nonNull, double[][] min, double[][] max, double[][] mean,
                          double[][] std) {
        double[] realMin() {
            return min[REAL];
        }

        double[] realMax() {
            return max[REAL];
        }
    }

    /**
     * The full result: the report plus per-column {@link ColumnDiagnostics} (in report column order) and the Pearson
     * coefficients of the correlation pairs (one {@link PairDiagnostics} per pair, in report pair order).
     */
    public record Evaluation(FidelityReport report, List<ColumnDiagnostics> columns, List<PairDiagnostics> pairs,
                             long totalPairs) {
        /** Whether the pairs are a sample of all pairs. */
        public boolean pairsSampled() {
            return pairs.size() < totalPairs;
        }
    }

    /**
     * Scores {@code synthetic} against {@code real}. Both must have the same column names (order may differ); the
     * report follows the real table's column order, and pairs are (i, j), i &lt; j, in that order.
     *
     * @throws BadInputException naming a column missing on one side, of an unsupported type, or of different kinds
     */
    public FidelityReport evaluate(Dataset<Row> real, Dataset<Row> synthetic) {
        return evaluateDetailed(real, synthetic).report();
    }

    /**
     * {@link #evaluate} plus the diagnostics, from the same aggregations (the diagnostics add a mean and a standard
     * deviation to the totals aggregation; everything else is read from the streams the scores already use).
     */
    public Evaluation evaluateDetailed(Dataset<Row> real, Dataset<Row> synthetic) {
        try (Samples samples = samples(real, synthetic)) {
            return evaluateDetailed(samples);
        }
    }

    /**
     * The two sides' seeded samples in canonical form, cached until {@link #close()}: what every score of the report
     * is computed from, so that several evaluations of the same pair (the report, per-condition fidelity) count,
     * sample and convert the tables once.
     */
    public static final class Samples implements AutoCloseable {
        final List<Spec> specs;
        final long realCount;
        final long syntheticCount;
        final Dataset<Row> both;
        final int maxRows;
        final long seed;

        private Samples(List<Spec> specs, long realCount, long syntheticCount, Dataset<Row> both, int maxRows,
                        long seed) {
            this.specs = specs;
            this.realCount = realCount;
            this.syntheticCount = syntheticCount;
            this.both = both;
            this.maxRows = maxRows;
            this.seed = seed;
        }

        /** Releases the cached samples. */
        @Override
        public void close() {
            both.unpersist();
        }
    }

    /**
     * Counts both tables and caches their samples ({@code maxRows} rows per side at most, seeds {@code seed} and
     * {@code seed + 1}) in canonical form; close the result when done.
     *
     * @throws BadInputException as {@link #evaluate}
     */
    public Samples samples(Dataset<Row> real, Dataset<Row> synthetic) {
        Objects.requireNonNull(real, "real");
        Objects.requireNonNull(synthetic, "synthetic");
        List<Spec> specs = resolveColumns(real.schema(), synthetic.schema());
        long realCount = real.count();
        long syntheticCount = synthetic.count();
        Dataset<Row> both = canonical(sample(real, realCount, seed), specs, REAL)
                .unionAll(canonical(sample(synthetic, syntheticCount, seed + 1), specs, SYNTHETIC))
                .persist(StorageLevel.MEMORY_AND_DISK());
        return new Samples(specs, realCount, syntheticCount, both, maxRows, seed);
    }

    /** {@link #evaluateDetailed(Dataset, Dataset)} on samples made by {@link #samples} (with the same settings). */
    public Evaluation evaluateDetailed(Samples samples) {
        if (samples.maxRows != maxRows || samples.seed != seed) {
            throw new IllegalArgumentException("Samples of maxRows " + samples.maxRows + " and seed " + samples.seed
                    + " given to an evaluator of maxRows " + maxRows + " and seed " + seed);
        }
        long start = System.nanoTime();
        List<Spec> specs = samples.specs;
        long realCount = samples.realCount;
        long syntheticCount = samples.syntheticCount;
        Dataset<Row> both = samples.both;
        Totals totals = totals(both, specs);
        LOG.info("Fidelity sample of the real table: {} of {} rows (maxRows {})",
                totals.rows()[REAL], realCount, maxRows);
        LOG.info("Fidelity sample of the synthetic table: {} of {} rows (maxRows {})",
                totals.rows()[SYNTHETIC], syntheticCount, maxRows);

        List<ColumnDiagnostics> diagnostics = new ArrayList<>();
        List<ColumnScore> columns = columnShapes(both, specs, totals, diagnostics, minNamedRealCount);
        List<PairDiagnostics> correlations = new ArrayList<>();
        long totalPairs = (long) specs.size() * (specs.size() - 1) / 2;
        List<int[]> chosen = pairsToScore(specs.size(), maxPairs, seed);
        if (chosen.size() < totalPairs) {
            LOG.info("Fidelity: scoring a seeded sample of {} of the {} column pairs ({} = {})", chosen.size(),
                    totalPairs, "flowsynth.report.max-pairs", maxPairs);
        }
        List<PairScore> pairs = pairTrends(both, specs, chosen, totals, correlations);
        FidelityReport report = FidelityReport.of(columns, pairs, realCount, syntheticCount,
                totals.rows()[REAL], totals.rows()[SYNTHETIC]);
        LOG.info("Fidelity: quality {} (column shapes {}, column pair trends {}) over {} columns and {} pairs "
                        + "in {} ms", report.quality(), report.columnShapes(), report.columnPairTrends(),
                columns.size(), pairs.size(), (System.nanoTime() - start) / 1_000_000);
        return new Evaluation(report, diagnostics, correlations, totalPairs);
    }

    /** The kind of a Spark type, or null if the fidelity report does not support it ({@link SparkTypes#reportKind}). */
    static ColumnKind kindOf(DataType type) {
        return SparkTypes.reportKind(type);
    }

    static List<Spec> resolveColumns(StructType real, StructType synthetic) {
        Map<String, StructField> syntheticFields = new HashMap<>();
        for (StructField field : synthetic.fields()) {
            if (syntheticFields.put(field.name(), field) != null) {
                throw new BadInputException("Column '" + field.name() + "' appears more than once in the synthetic table");
            }
        }
        if (real.fields().length == 0) {
            throw new BadInputException("The real table has no columns: nothing to compare");
        }
        List<Spec> specs = new ArrayList<>();
        Set<String> realNames = new HashSet<>();
        for (StructField field : real.fields()) {
            String name = field.name();
            if (!realNames.add(name)) {
                throw new BadInputException("Column '" + name + "' appears more than once in the real table");
            }
            StructField other = syntheticFields.get(name);
            if (other == null) {
                throw new BadInputException("Column '" + name + "' of the real table is missing from the synthetic table");
            }
            ColumnKind kind = kindOf(field.dataType());
            if (kind == null) {
                throw new BadInputException("Column '" + name + "': unsupported type " + field.dataType().simpleString()
                        + " for the fidelity report (expected a numeric, date, timestamp, string or boolean type)");
            }
            ColumnKind otherKind = kindOf(other.dataType());
            if (otherKind != kind) {
                throw new BadInputException("Column '" + name + "': the real table has " + field.dataType().simpleString()
                        + " (" + kind.label() + ") but the synthetic table has " + other.dataType().simpleString()
                        + (otherKind == null ? "" : " (" + otherKind.label() + ")"));
            }
            String unit = kind != ColumnKind.DATETIME ? null
                    : field.dataType() instanceof DateType ? "epoch_days" : "epoch_micros";
            specs.add(new Spec(name, kind, specs.size(), unit));
        }
        for (StructField field : synthetic.fields()) {
            if (!realNames.contains(field.name())) {
                throw new BadInputException("Column '" + field.name() + "' of the synthetic table is not in the real table");
            }
        }
        return specs;
    }

    private Dataset<Row> sample(Dataset<Row> table, long count, long sideSeed) {
        return sample(table, count, maxRows, sideSeed);
    }

    /**
     * The seeded sample of at most {@code maxRows} rows described in the class Javadoc ({@code count} is the table's
     * row count; a table with at most {@code maxRows} rows is returned whole). Shared by the report's evaluators.
     */
    static Dataset<Row> sample(Dataset<Row> table, long count, int maxRows, long sideSeed) {
        if (count <= maxRows) {
            return table;
        }
        double fraction = Math.min(1.0, OVERSAMPLE * maxRows / count);
        return table.sample(false, fraction, sideSeed).orderBy(rand(sideSeed)).limit(maxRows);
    }

    /** The columns in canonical form {@code c0 … c(n-1)} (double or string) plus the side marker. */
    static Dataset<Row> canonical(Dataset<Row> table, List<Spec> specs, int side) {
        StructType schema = table.schema();
        List<Column> columns = new ArrayList<>();
        for (Spec spec : specs) {
            Column source = col(quote(spec.name()));
            DataType type = schema.apply(spec.name()).dataType();
            Column value = switch (spec.kind()) {
                case NUMERICAL -> {
                    Column d = source.cast(DataTypes.DoubleType);
                    yield when(isnan(d).or(d.equalTo(lit(Double.POSITIVE_INFINITY)))
                            .or(d.equalTo(lit(Double.NEGATIVE_INFINITY))), lit(null).cast(DataTypes.DoubleType))
                            .otherwise(d);
                }
                case DATETIME -> type instanceof DateType
                        ? unix_date(source).cast(DataTypes.DoubleType)
                        : unix_micros(source.cast(DataTypes.TimestampType)).cast(DataTypes.DoubleType);
                case CATEGORICAL, BOOLEAN -> source.cast(DataTypes.StringType);
            };
            columns.add(value.as(spec.field()));
        }
        columns.add(lit(side).as(SIDE));
        return table.select(columns.toArray(new Column[0]));
    }

    /** Long format {@code (side, c, x, s)}: one row per (row, column); x holds continuous values, s discrete ones. */
    private static Dataset<Row> longFormat(Dataset<Row> both, List<Spec> specs) {
        Column[] cells = new Column[specs.size()];
        for (Spec spec : specs) {
            boolean continuous = spec.kind().isContinuous();
            cells[spec.index()] = struct(
                    lit(spec.index()).as("c"),
                    (continuous ? col(spec.field()) : lit(null).cast(DataTypes.DoubleType)).as("x"),
                    (continuous ? lit(null).cast(DataTypes.StringType) : col(spec.field())).as("s"));
        }
        return both.select(col(SIDE), explode(array(cells)).as("cell"))
                .select(col(SIDE), col("cell.c").as("c"), col("cell.x").as("x"), col("cell.s").as("s"));
    }

    private static Totals totals(Dataset<Row> both, List<Spec> specs) {
        int n = specs.size();
        long[] rows = new long[2];
        long[][] nonNull = new long[2][n];
        double[][] lo = nanMatrix(n);
        double[][] hi = nanMatrix(n);
        double[][] mean = nanMatrix(n);
        double[][] std = nanMatrix(n);
        List<Row> groups = longFormat(both, specs)
                .groupBy(col(SIDE), col("c"))
                .agg(count(lit(1)).as("n"), count(col("x")).as("nx"), count(col("s")).as("ns"),
                        min(col("x")).as("lo"), max(col("x")).as("hi"), avg(col("x")).as("mean"),
                        stddev_pop(col("x")).as("std"))
                .collectAsList(); // at most 2 × columns rows
        for (Row group : groups) {
            int side = group.getInt(0);
            int c = group.getInt(1);
            rows[side] = group.getLong(2);
            nonNull[side][c] = specs.get(c).kind().isContinuous() ? group.getLong(3) : group.getLong(4);
            if (!group.isNullAt(5)) {
                lo[side][c] = group.getDouble(5);
                hi[side][c] = group.getDouble(6);
                mean[side][c] = group.getDouble(7);
                std[side][c] = group.isNullAt(8) ? Double.NaN : group.getDouble(8);
            }
        }
        return new Totals(rows, nonNull, lo, hi, mean, std);
    }

    private static double[][] nanMatrix(int n) {
        double[][] m = new double[2][n];
        Arrays.fill(m[0], Double.NaN);
        Arrays.fill(m[1], Double.NaN);
        return m;
    }

    private static Column countOf(int side) {
        return sum(when(col(SIDE).equalTo(side), lit(1L)).otherwise(lit(0L)));
    }

    private static List<ColumnScore> columnShapes(Dataset<Row> both, List<Spec> specs, Totals totals,
                                                  List<ColumnDiagnostics> diagnostics, int minNamedRealCount) {
        int n = specs.size();
        KsAccumulator[] ks = new KsAccumulator[n];
        TotalVariationAccumulator[] tv = new TotalVariationAccumulator[n];
        ContinuousProfileAccumulator[] profiles = new ContinuousProfileAccumulator[n];
        CategoryProfileAccumulator[] categories = new CategoryProfileAccumulator[n];
        for (Spec spec : specs) {
            int c = spec.index();
            if (spec.kind().isContinuous()) {
                ks[c] = new KsAccumulator(totals.nonNull()[REAL][c], totals.nonNull()[SYNTHETIC][c]);
                profiles[c] = new ContinuousProfileAccumulator(totals.nonNull()[REAL][c],
                        totals.nonNull()[SYNTHETIC][c], totals.min()[REAL][c], totals.max()[REAL][c],
                        histogramEdges(totals, c));
            } else {
                tv[c] = new TotalVariationAccumulator(totals.rows()[REAL], totals.rows()[SYNTHETIC]);
                categories[c] = new CategoryProfileAccumulator(totals.rows()[REAL], totals.rows()[SYNTHETIC],
                        CategoryProfileAccumulator.TOP_DEFAULT, minNamedRealCount);
            }
        }
        // One row per (column, distinct value), values ascending within a column, nulls first.
        Iterator<Row> counts = longFormat(both, specs)
                .groupBy(col("c"), col("x"), col("s"))
                .agg(countOf(REAL).as("r"), countOf(SYNTHETIC).as("y"))
                .orderBy(col("c"), col("x"))
                .select(col("c"), col("x").isNull().as("missing"), col("r"), col("y"), col("x"), col("s"))
                .toLocalIterator();
        while (counts.hasNext()) {
            Row row = counts.next();
            int c = row.getInt(0);
            if (ks[c] != null) {
                if (!row.getBoolean(1)) {
                    ks[c].add(row.getLong(2), row.getLong(3));
                    profiles[c].add(row.getDouble(4), row.getLong(2), row.getLong(3));
                }
            } else {
                tv[c].add(row.getLong(2), row.getLong(3));
                categories[c].add(row.isNullAt(5) ? null : row.getString(5), row.getLong(2), row.getLong(3));
            }
        }
        List<ColumnScore> scores = new ArrayList<>();
        for (Spec spec : specs) {
            int c = spec.index();
            double score = ks[c] != null ? ks[c].complement() : tv[c].complement();
            scores.add(new ColumnScore(spec.name(), spec.kind().label(), spec.kind().shapeMetric(), score,
                    nullRate(totals, REAL, c), nullRate(totals, SYNTHETIC, c)));
            diagnostics.add(diagnose(spec, totals, profiles[c], categories[c]));
        }
        return scores;
    }

    /**
     * Histogram edges over the union of both sides' ranges (log-spaced when the real values are skewed, see
     * {@link io.flowsynth.fidelity.HistogramAxis}), or null when neither side has values.
     */
    private static double[] histogramEdges(Totals totals, int c) {
        double lo = Math.min(orInf(totals.min()[REAL][c], true), orInf(totals.min()[SYNTHETIC][c], true));
        double hi = Math.max(orInf(totals.max()[REAL][c], false), orInf(totals.max()[SYNTHETIC][c], false));
        if (Double.isInfinite(lo) || Double.isInfinite(hi)) {
            return null;
        }
        return io.flowsynth.fidelity.HistogramAxis.edges(lo, hi, totals.mean()[REAL][c], totals.std()[REAL][c],
                HISTOGRAM_BINS);
    }

    private static double orInf(double v, boolean forMin) {
        return Double.isNaN(v) ? (forMin ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY) : v;
    }

    private static ColumnDiagnostics diagnose(Spec spec, Totals totals, ContinuousProfileAccumulator profile,
                                              CategoryProfileAccumulator categories) {
        int c = spec.index();
        long[] rows = totals.rows();
        long realNulls = rows[REAL] - totals.nonNull()[REAL][c];
        long syntheticNulls = rows[SYNTHETIC] - totals.nonNull()[SYNTHETIC][c];
        if (profile != null) {
            double realMin = totals.min()[REAL][c];
            double realMax = totals.max()[REAL][c];
            ColumnDiagnostics.SideStats real = new ColumnDiagnostics.SideStats(rows[REAL], realNulls, -1, realMin,
                    realMax, totals.mean()[REAL][c], totals.std()[REAL][c], profile.realQuantiles());
            ColumnDiagnostics.SideStats synthetic = new ColumnDiagnostics.SideStats(rows[SYNTHETIC], syntheticNulls,
                    -1, totals.min()[SYNTHETIC][c], totals.max()[SYNTHETIC][c], totals.mean()[SYNTHETIC][c],
                    totals.std()[SYNTHETIC][c], profile.syntheticQuantiles());
            double[] edges = histogramEdges(totals, c);
            double w = profile.wasserstein();
            return new ColumnDiagnostics(spec.name(), spec.kind(), spec.unit(), real, synthetic,
                    Diagnostics.boundaryAdherence(rows[SYNTHETIC], profile.syntheticInRange(), syntheticNulls,
                            totals.nonNull()[REAL][c], realNulls),
                    Diagnostics.rangeCoverage(realMin, realMax, totals.min()[SYNTHETIC][c],
                            totals.max()[SYNTHETIC][c]),
                    w, Diagnostics.normalizedWasserstein(w, realMin, realMax),
                    edges == null ? null : new ColumnDiagnostics.Histogram(edges, profile.realHistogram(),
                            profile.syntheticHistogram()),
                    Double.NaN, Double.NaN, List.of(), Double.NaN, Double.NaN);
        }
        ColumnDiagnostics.SideStats real = new ColumnDiagnostics.SideStats(rows[REAL], realNulls,
                categories.realDistinct(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, null);
        ColumnDiagnostics.SideStats synthetic = new ColumnDiagnostics.SideStats(rows[SYNTHETIC], syntheticNulls,
                categories.syntheticDistinct(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, null);
        return new ColumnDiagnostics(spec.name(), spec.kind(), spec.unit(), real, synthetic, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, null, categories.categoryAdherence(), categories.categoryCoverage(),
                categories.topCategories(), categories.otherReal(), categories.otherSynthetic());
    }

    private static double nullRate(Totals totals, int side, int c) {
        long rows = totals.rows()[side];
        return rows == 0 ? Double.NaN : (double) (rows - totals.nonNull()[side][c]) / rows;
    }

    /**
     * The column pairs (i, j), i &lt; j, to score, in (i, j) order: all of them when there are at most
     * {@code maxPairs}, else a uniform sample of {@code maxPairs} pairs without replacement (a partial Fisher–Yates
     * shuffle of the pair indexes with {@code new Random(seed)}), so the same table and seed score the same pairs.
     */
    static List<int[]> pairsToScore(int columns, int maxPairs, long seed) {
        long total = (long) columns * (columns - 1) / 2;
        List<int[]> out = new ArrayList<>();
        if (total <= maxPairs) {
            for (int i = 0; i < columns; i++) {
                for (int j = i + 1; j < columns; j++) {
                    out.add(new int[]{i, j});
                }
            }
            return out;
        }
        // partial Fisher–Yates over the pair indexes 0..total-1 (sparse: only the swapped slots are stored)
        java.util.Random random = new java.util.Random(seed);
        Map<Long, Long> swapped = new HashMap<>();
        long[] picked = new long[maxPairs];
        for (int k = 0; k < maxPairs; k++) {
            long r = k + (long) (random.nextDouble() * (total - k));
            long atR = swapped.getOrDefault(r, r);
            long atK = swapped.getOrDefault((long) k, (long) k);
            swapped.put(r, atK);
            picked[k] = atR;
        }
        Arrays.sort(picked);
        int i = 0;
        long rowStart = 0; // index of pair (i, i + 1)
        for (long index : picked) {
            while (index >= rowStart + (columns - 1 - i)) {
                rowStart += columns - 1 - i;
                i++;
            }
            out.add(new int[]{i, (int) (i + 1 + index - rowStart)});
        }
        return out;
    }

    private static List<PairScore> pairTrends(Dataset<Row> both, List<Spec> specs, List<int[]> chosen, Totals totals,
                                              List<PairDiagnostics> correlations) {
        List<Spec[]> correlationPairs = new ArrayList<>();
        List<Spec[]> contingencyPairs = new ArrayList<>();
        for (int[] ij : chosen) {
            Spec[] pair = {specs.get(ij[0]), specs.get(ij[1])};
            if (ColumnKind.pairMetric(pair[0].kind(), pair[1].kind()).equals(Metrics.CORRELATION_SIMILARITY)) {
                correlationPairs.add(pair);
            } else {
                contingencyPairs.add(pair);
            }
        }
        Map<String, Double> scoreByPair = new HashMap<>();
        Map<String, double[]> rByPair = new HashMap<>();
        int batches = (correlationPairs.size() + PAIR_BATCH - 1) / PAIR_BATCH
                + (contingencyPairs.size() + PAIR_BATCH - 1) / PAIR_BATCH;
        int batch = 0;
        for (int from = 0; from < correlationPairs.size(); from += PAIR_BATCH) {
            List<Spec[]> part = correlationPairs.subList(from, Math.min(correlationPairs.size(), from + PAIR_BATCH));
            if (batches > 1) {
                LOG.info("Fidelity pair trends: batch {} of {} ({} correlation pairs)", ++batch, batches, part.size());
            }
            double[][] r = new double[2][part.size()];
            double[] scores = correlationScores(both, part, r);
            for (int p = 0; p < scores.length; p++) {
                scoreByPair.put(key(part.get(p)), scores[p]);
                rByPair.put(key(part.get(p)), new double[]{r[REAL][p], r[SYNTHETIC][p]});
            }
        }
        for (int from = 0; from < contingencyPairs.size(); from += PAIR_BATCH) {
            List<Spec[]> part = contingencyPairs.subList(from, Math.min(contingencyPairs.size(), from + PAIR_BATCH));
            if (batches > 1) {
                LOG.info("Fidelity pair trends: batch {} of {} ({} contingency pairs)", ++batch, batches, part.size());
            }
            double[] scores = contingencyScores(both, specs, part, totals);
            for (int p = 0; p < scores.length; p++) {
                scoreByPair.put(key(part.get(p)), scores[p]);
            }
        }
        List<PairScore> pairs = new ArrayList<>();
        for (int[] ij : chosen) {
            Spec a = specs.get(ij[0]);
            Spec b = specs.get(ij[1]);
            pairs.add(new PairScore(a.name(), b.name(), ColumnKind.pairMetric(a.kind(), b.kind()),
                    scoreByPair.get(key(new Spec[]{a, b}))));
            double[] r = rByPair.getOrDefault(key(new Spec[]{a, b}), new double[]{Double.NaN, Double.NaN});
            correlations.add(new PairDiagnostics(a.name(), b.name(), r[0], r[1]));
        }
        return pairs;
    }

    private static String key(Spec[] pair) {
        return pair[0].index() + "," + pair[1].index();
    }

    /** CorrelationSimilarity of every continuous pair from one aggregation of centred moments per (pair, side). */
    private static double[] correlationScores(Dataset<Row> both, List<Spec[]> pairs, double[][] r) {
        Column[] cells = new Column[pairs.size()];
        for (int p = 0; p < pairs.size(); p++) {
            cells[p] = struct(lit(p).as("p"), col(pairs.get(p)[0].field()).as("a"),
                    col(pairs.get(p)[1].field()).as("b"));
        }
        List<Row> moments = both.select(col(SIDE), explode(array(cells)).as("cell"))
                .select(col(SIDE), col("cell.p").as("p"), col("cell.a").as("a"), col("cell.b").as("b"))
                .where(col("a").isNotNull().and(col("b").isNotNull()))
                .groupBy(col("p"), col(SIDE))
                .agg(count(lit(1)).as("n"), var_pop(col("a")).as("va"), var_pop(col("b")).as("vb"),
                        covar_pop(col("a"), col("b")).as("cab"))
                .collectAsList(); // at most 2 × pairs rows
        // pairs without complete rows keep r = 0
        for (Row row : moments) {
            if (row.isNullAt(3) || row.isNullAt(4) || row.isNullAt(5)) {
                continue;
            }
            r[row.getInt(1)][row.getInt(0)] = Metrics.pearsonFromMoments(row.getLong(2), row.getDouble(3),
                    row.getDouble(4), row.getDouble(5));
        }
        double[] scores = new double[pairs.size()];
        for (int p = 0; p < scores.length; p++) {
            scores[p] = Metrics.correlationSimilarity(r[REAL][p], r[SYNTHETIC][p]);
        }
        return scores;
    }

    /**
     * ContingencySimilarity of every other pair from one aggregation of joint cell counts, continuous columns cut
     * into {@link Metrics#CONTINGENCY_BINS} bins with edges from the real sample's range.
     */
    private static double[] contingencyScores(Dataset<Row> both, List<Spec> specs, List<Spec[]> pairs, Totals totals) {
        Column[] keys = new Column[specs.size() + 1];
        for (Spec spec : specs) {
            keys[spec.index()] = categoryKey(spec, totals).as(spec.field());
        }
        keys[specs.size()] = col(SIDE);
        Column[] cells = new Column[pairs.size()];
        for (int p = 0; p < pairs.size(); p++) {
            cells[p] = struct(lit(p).as("p"), col(pairs.get(p)[0].field()).as("a"),
                    col(pairs.get(p)[1].field()).as("b"));
        }
        TotalVariationAccumulator[] tv = new TotalVariationAccumulator[pairs.size()];
        for (int p = 0; p < tv.length; p++) {
            tv[p] = new TotalVariationAccumulator(totals.rows()[REAL], totals.rows()[SYNTHETIC]);
        }
        Iterator<Row> counts = both.select(keys)
                .select(col(SIDE), explode(array(cells)).as("cell"))
                .select(col(SIDE), col("cell.p").as("p"), col("cell.a").as("a"), col("cell.b").as("b"))
                .groupBy(col("p"), col("a"), col("b"))
                .agg(countOf(REAL).as("r"), countOf(SYNTHETIC).as("y"))
                .select(col("p"), col("r"), col("y"))
                .toLocalIterator(); // one row per non-empty cell
        while (counts.hasNext()) {
            Row row = counts.next();
            tv[row.getInt(0)].add(row.getLong(1), row.getLong(2));
        }
        double[] scores = new double[pairs.size()];
        for (int p = 0; p < scores.length; p++) {
            scores[p] = tv[p].complement();
        }
        return scores;
    }

    /**
     * The category label of a column in a contingency table: discrete values as they are, continuous values as their
     * bin index ({@link Metrics#binIndex} rule: the number of interior edges &lt;= x), null staying null. A continuous
     * column without real values has no range, so all its non-null values share bin "0".
     */
    private static Column categoryKey(Spec spec, Totals totals) {
        Column value = col(spec.field());
        if (!spec.kind().isContinuous()) {
            return value;
        }
        int c = spec.index();
        if (totals.nonNull()[REAL][c] == 0) {
            return when(value.isNotNull(), lit("0"));
        }
        double[] edges = Metrics.equalWidthEdges(totals.realMin()[c], totals.realMax()[c], Metrics.CONTINGENCY_BINS);
        Column bin = lit(0);
        for (int k = 1; k < edges.length - 1; k++) {
            bin = bin.plus(when(value.geq(lit(edges[k])), lit(1)).otherwise(lit(0)));
        }
        return when(value.isNotNull(), bin.cast(DataTypes.StringType));
    }

    /** A column reference that survives dots, spaces and backticks in the name. */
    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
