package io.flowsynth.spark.fidelity;

import io.flowsynth.error.BadInputException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.when;

/**
 * Privacy of a synthetic table against the real rows it was trained on ("train") and, when given, real rows the model
 * never saw ("holdout"), after SDMetrics' DCR metrics (DCROverfittingProtection, DCRBaselineProtection).
 *
 * <p><b>Distance</b> between two rows (SDMetrics' per-column distance, averaged over the columns): continuous columns
 * (numbers; dates and timestamps as epoch numbers) |a − b| / (max − min of the train reference), capped at 1 (a
 * constant or empty reference column: 0 if equal, else 1); discrete columns 0 if equal, else 1; null vs null 0, null
 * vs a value 1. <b>DCR</b> of a row = its distance to the closest row of a reference.
 *
 * <p><b>Bounded, distributed nearest-neighbour search</b>: the references are seeded samples of at most
 * {@code privacyRows} rows (the train reference is cut to the holdout reference's size, so that neither is closer
 * just by being larger), encoded as primitive arrays and broadcast; the (at most {@code privacyRows}) sampled
 * synthetic and holdout rows are scanned against them in {@code mapPartitions}, O(n·m·columns) with n, m ≤
 * {@code privacyRows}; medians and shares come from one Spark aggregation ({@code percentile_approx}, whose median of
 * an even count is the lower middle value). A row is "closer to train" when its DCR to train is strictly less than
 * its DCR to holdout; DCROverfittingProtection = min(2·(1 − share), 1) (1: the synthetic rows are no closer to the
 * training rows than to unseen ones).
 *
 * <p><b>Exact copies</b> are counted on the whole tables: synthetic rows equal, in every column (null equal to null),
 * to some training row, by a left-semi hash join; the holdout's rate against train is the natural level of
 * duplicates in the data.
 */
public final class PrivacyEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(PrivacyEvaluator.class);
    static final int SYNTHETIC = 0;
    static final int HOLDOUT = 1;
    /** Accuracy of {@code percentile_approx}: exact for fewer rows than this. */
    static final int PERCENTILE_ACCURACY = 1_000_000;

    private final int privacyRows;
    private final long seed;
    private final int attackTargets;

    public PrivacyEvaluator(int privacyRows, long seed) {
        this(privacyRows, seed, io.flowsynth.config.ConfigKeys.REPORT_ATTACK_TARGETS_DEFAULT);
    }

    /** @param attackTargets attack targets per side and singling-out predicates per kind ({@link AttackEvaluator}) */
    public PrivacyEvaluator(int privacyRows, long seed, int attackTargets) {
        if (privacyRows < 1) {
            throw new IllegalArgumentException("privacyRows must be >= 1, got " + privacyRows);
        }
        if (attackTargets < 1) {
            throw new IllegalArgumentException("attackTargets must be >= 1, got " + attackTargets);
        }
        this.privacyRows = privacyRows;
        this.seed = seed;
        this.attackTargets = attackTargets;
    }

    /**
     * The privacy summary. Without a holdout, the holdout fields are NaN (or −1 for counts). Sampled counts:
     * {@code referenceRows} train reference rows, {@code holdoutRows} holdout rows, {@code syntheticRows} synthetic rows.
     */
    public record Result(int referenceRows, long holdoutRows, long syntheticRows, double medianSyntheticToTrain,
                         double medianHoldoutToTrain, double medianSyntheticToHoldout, double closerToTrainShare,
                         double overfittingProtection, long syntheticTotal, long exactCopies, double exactCopyRate,
                         long holdoutTotal, long holdoutExactCopies, double holdoutExactCopyRate,
                         AttackEvaluator.Result attacks, List<RareValues> rareValues) {
        public boolean hasHoldout() {
            return holdoutRows >= 0;
        }
    }

    /**
     * Rare training values published, per categorical column: {@code singletons} distinct values that occur exactly
     * once in the training rows, {@code published} of them that the synthetic table contains, and
     * {@code publishedNotInHoldout} of those that no holdout row has either (without a holdout: −1), i.e. values
     * that point at one real person rather than at the population.
     */
    public record RareValues(String column, long singletons, long published, long publishedNotInHoldout) {
    }

    /** DCROverfittingProtection = min(2·(1 − share), 1), NaN for a NaN share. */
    public static double overfittingProtection(double closerToTrainShare) {
        if (Double.isNaN(closerToTrainShare)) {
            return Double.NaN;
        }
        return Math.min(2.0 * (1.0 - closerToTrainShare), 1.0);
    }

    /** A sampled reference table encoded for the distance: plain arrays (it is broadcast; no records). */
    static final class Reference implements Serializable {
        private static final long serialVersionUID = 1L;
        final boolean[] continuous;
        final double[] range;
        final double[][] values; // [column][row], NaN = null (continuous columns)
        final int[][] codes;     // [column][row], −1 = null (discrete columns)
        final Map<String, Integer>[] dictionary;
        final int rows;

        @SuppressWarnings("unchecked")
        Reference(boolean[] continuous, List<Row> rows, double[] range, Map<String, Integer>[] dictionary) {
            int n = continuous.length;
            this.continuous = continuous;
            this.range = range;
            this.dictionary = dictionary;
            this.rows = rows.size();
            this.values = new double[n][];
            this.codes = new int[n][];
            for (int c = 0; c < n; c++) {
                if (continuous[c]) {
                    values[c] = new double[this.rows];
                } else {
                    codes[c] = new int[this.rows];
                }
            }
            for (int r = 0; r < this.rows; r++) {
                Row row = rows.get(r);
                for (int c = 0; c < n; c++) {
                    if (continuous[c]) {
                        values[c][r] = row.isNullAt(c) ? Double.NaN : row.getDouble(c);
                    } else {
                        codes[c][r] = row.isNullAt(c) ? -1 : dictionary[c].getOrDefault(row.getString(c), -2);
                    }
                }
            }
        }

        /** The distance of row {@code r} of this reference to an encoded row. */
        double distance(int r, double[] x, int[] k) {
            int n = continuous.length;
            double total = 0;
            for (int c = 0; c < n; c++) {
                total += column(r, c, x, k);
            }
            return total / n;
        }

        /** Column {@code c}'s term of the distance of row {@code r} to an encoded row (in [0, 1]). */
        double column(int r, int c, double[] x, int[] k) {
            return continuous[c] ? numeric(values[c][r], x[c], range[c]) : (codes[c][r] == k[c] ? 0.0 : 1.0);
        }

        /** Row {@code r} of this reference, encoded. */
        void row(int r, double[] x, int[] k) {
            for (int c = 0; c < continuous.length; c++) {
                if (continuous[c]) {
                    x[c] = values[c][r];
                } else {
                    k[c] = codes[c][r];
                }
            }
        }

        /** Distance to the closest row (+∞ for an empty reference). */
        double closest(double[] x, int[] k) {
            double best = Double.POSITIVE_INFINITY;
            for (int r = 0; r < rows && best > 0; r++) {
                best = Math.min(best, distance(r, x, k));
            }
            return best;
        }

        /** Encodes a canonical row with this reference's dictionaries (unknown categories: −2, equal to nothing). */
        void encode(Row row, double[] x, int[] k) {
            for (int c = 0; c < continuous.length; c++) {
                if (continuous[c]) {
                    x[c] = row.isNullAt(c) ? Double.NaN : row.getDouble(c);
                } else {
                    k[c] = row.isNullAt(c) ? -1 : dictionary[c].getOrDefault(row.getString(c), -2);
                }
            }
        }
    }

    /** SDMetrics' numeric column distance; NaN is null. */
    static double numeric(double a, double b, double range) {
        boolean na = Double.isNaN(a);
        boolean nb = Double.isNaN(b);
        if (na || nb) {
            return na && nb ? 0.0 : 1.0;
        }
        if (!(range > 0)) {
            return a == b ? 0.0 : 1.0;
        }
        return Math.min(Math.abs(a - b) / range, 1.0);
    }

    /**
     * @param train     the real rows the model was fitted on (defines the columns compared)
     * @param holdout   real rows the model never saw, or null
     * @param synthetic the synthetic table
     */
    public Result evaluate(SparkSession spark, Dataset<Row> train, Dataset<Row> holdout, Dataset<Row> synthetic) {
        long start = System.nanoTime();
        List<FidelityEvaluator.Spec> specs = FidelityEvaluator.resolveColumns(train.schema(), synthetic.schema());
        if (holdout != null) {
            try {
                FidelityEvaluator.resolveColumns(train.schema(), holdout.schema());
            } catch (BadInputException e) {
                throw new BadInputException("Holdout table: " + e.getMessage());
            }
        }
        int n = specs.size();
        boolean[] continuous = new boolean[n];
        for (FidelityEvaluator.Spec spec : specs) {
            continuous[spec.index()] = spec.kind().isContinuous();
        }
        String[] names = specs.stream().map(FidelityEvaluator.Spec::name).toArray(String[]::new);

        long trainTotal = train.count();
        long syntheticTotal = synthetic.count();
        long holdoutTotal = holdout == null ? -1 : holdout.count();
        List<Row> holdoutRows = holdout == null ? null
                : canonicalSample(holdout, holdoutTotal, specs, privacyRows, seed + 3).collectAsList(); // ≤ privacyRows
        int referenceSize = holdoutRows == null ? privacyRows : Math.max(1, Math.min(privacyRows, holdoutRows.size()));
        List<Row> trainRows = canonicalSample(train, trainTotal, specs, referenceSize, seed + 2)
                .collectAsList(); // ≤ privacyRows
        List<Row> syntheticRows = canonicalSample(synthetic, syntheticTotal, specs, privacyRows, seed + 4)
                .collectAsList(); // ≤ privacyRows: the attacks' synthetic reference
        double[] range = ranges(trainRows, continuous);
        Map<String, Integer>[] dictionary = dictionaries(List.of(trainRows,
                holdoutRows == null ? List.of() : holdoutRows, syntheticRows), continuous);
        Reference trainRef = new Reference(continuous, trainRows, range, dictionary);
        Reference holdoutRef = holdoutRows == null ? null : new Reference(continuous, holdoutRows, range, dictionary);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int parallelism = Math.max(1, jsc.defaultParallelism());
        Broadcast<Reference> trainB = jsc.broadcast(trainRef);
        Broadcast<Reference> holdoutB = holdoutRef == null ? null : jsc.broadcast(holdoutRef);
        JavaRDD<Row> distances = jsc.parallelize(syntheticRows, parallelism)
                .mapPartitions(it -> dcr(it, SYNTHETIC, trainB.value(), holdoutB == null ? null : holdoutB.value()));
        if (holdoutRows != null) {
            distances = distances.union(jsc.parallelize(holdoutRows, Math.max(1, jsc.defaultParallelism()))
                    .mapPartitions(it -> dcr(it, HOLDOUT, trainB.value(), null)));
        }
        StructType schema = new StructType().add("kind", DataTypes.IntegerType)
                .add("train", DataTypes.DoubleType).add("holdout", DataTypes.DoubleType);
        Column accuracy = lit(PERCENTILE_ACCURACY);
        List<Row> summary = spark.createDataFrame(distances, schema).groupBy(col("kind"))
                .agg(count(lit(1)).as("n"), percentile_approx(col("train"), lit(0.5), accuracy).as("mt"),
                        percentile_approx(col("holdout"), lit(0.5), accuracy).as("mh"),
                        avg(when(col("train").lt(col("holdout")), lit(1.0)).otherwise(lit(0.0))).as("closer"))
                .collectAsList(); // at most 2 rows
        trainB.destroy();
        if (holdoutB != null) {
            holdoutB.destroy();
        }
        long syntheticSampled = 0;
        double medianSynthTrain = Double.NaN;
        double medianSynthHoldout = Double.NaN;
        double closer = Double.NaN;
        double medianHoldoutTrain = Double.NaN;
        for (Row row : summary) {
            if (row.getInt(0) == SYNTHETIC) {
                syntheticSampled = row.getLong(1);
                medianSynthTrain = row.isNullAt(2) ? Double.NaN : row.getDouble(2);
                if (holdoutRows != null) {
                    medianSynthHoldout = row.isNullAt(3) ? Double.NaN : row.getDouble(3);
                    closer = row.getDouble(4);
                }
            } else {
                medianHoldoutTrain = row.isNullAt(2) ? Double.NaN : row.getDouble(2);
            }
        }
        AttackEvaluator.Result attacks = null;
        if (holdoutRef != null) {
            spark.sparkContext().setJobDescription("flowsynth report: privacy attacks");
            boolean[] datetime = new boolean[n];
            for (FidelityEvaluator.Spec spec : specs) {
                datetime[spec.index()] = spec.kind() == io.flowsynth.fidelity.ColumnKind.DATETIME;
            }
            attacks = AttackEvaluator.evaluate(jsc, trainRef, holdoutRef,
                    new Reference(continuous, syntheticRows, range, dictionary), names, datetime, attackTargets, seed);
        }
        List<RareValues> rare = rareValues(train, holdout, synthetic, specs);
        long copies = exactCopies(synthetic, train, names);
        long holdoutCopies = holdout == null ? -1 : exactCopies(holdout, train, names);
        Result result = new Result(trainRows.size(), holdoutRows == null ? -1 : holdoutRows.size(), syntheticSampled,
                medianSynthTrain, medianHoldoutTrain, medianSynthHoldout, closer, overfittingProtection(closer),
                syntheticTotal, copies, syntheticTotal == 0 ? Double.NaN : (double) copies / syntheticTotal,
                holdoutTotal, holdoutCopies,
                holdoutTotal <= 0 ? Double.NaN : (double) holdoutCopies / holdoutTotal, attacks, rare);
        LOG.info("Privacy: median DCR synthetic→train {}, holdout→train {}, closer to train {}, "
                        + "DCROverfittingProtection {}, exact copies {} of {} ({} ms)", medianSynthTrain,
                medianHoldoutTrain, closer, result.overfittingProtection(), copies, syntheticTotal,
                (System.nanoTime() - start) / 1_000_000);
        return result;
    }

    private static Dataset<Row> canonicalSample(Dataset<Row> table, long count, List<FidelityEvaluator.Spec> specs,
                                                int rows, long seed) {
        return FidelityEvaluator.canonical(FidelityEvaluator.sample(table, count, rows, seed), specs, 0);
    }

    private static Iterator<Row> dcr(Iterator<Row> it, int kind, Reference train, Reference holdout) {
        int n = train.continuous.length;
        double[] x = new double[n];
        int[] k = new int[n];
        List<Row> out = new ArrayList<>();
        while (it.hasNext()) {
            train.encode(it.next(), x, k);
            double toTrain = train.closest(x, k);
            Double toHoldout = holdout == null ? null : holdout.closest(x, k);
            out.add(RowFactory.create(kind, toTrain, toHoldout));
        }
        return out.iterator();
    }

    private static double[] ranges(List<Row> rows, boolean[] continuous) {
        double[] range = new double[continuous.length];
        for (int c = 0; c < continuous.length; c++) {
            if (!continuous[c]) {
                continue;
            }
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Row row : rows) {
                if (!row.isNullAt(c)) {
                    lo = Math.min(lo, row.getDouble(c));
                    hi = Math.max(hi, row.getDouble(c));
                }
            }
            range[c] = hi >= lo ? hi - lo : 0.0;
        }
        return range;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer>[] dictionaries(List<List<Row>> sides, boolean[] continuous) {
        Map<String, Integer>[] dictionary = new Map[continuous.length];
        for (int c = 0; c < continuous.length; c++) {
            if (continuous[c]) {
                continue;
            }
            Map<String, Integer> d = new HashMap<>();
            for (List<Row> rows : sides) {
                for (Row row : rows) {
                    if (!row.isNullAt(c)) {
                        d.putIfAbsent(row.getString(c), d.size());
                    }
                }
            }
            dictionary[c] = d;
        }
        return dictionary;
    }

    /**
     * {@link RareValues} of every categorical column from one aggregation over the whole tables: the three tables'
     * (column, value) pairs in long format, grouped to (training count, in synthetic, in holdout), the training
     * singletons counted per column. Collects one row per column.
     */
    static List<RareValues> rareValues(Dataset<Row> train, Dataset<Row> holdout, Dataset<Row> synthetic,
                                       List<FidelityEvaluator.Spec> specs) {
        List<FidelityEvaluator.Spec> categorical = specs.stream()
                .filter(s -> s.kind() == io.flowsynth.fidelity.ColumnKind.CATEGORICAL).toList();
        List<RareValues> out = new ArrayList<>();
        if (categorical.isEmpty()) {
            return out;
        }
        Dataset<Row> cells = cells(train, categorical, 0).unionAll(cells(synthetic, categorical, 1));
        if (holdout != null) {
            cells = cells.unionAll(cells(holdout, categorical, 2));
        }
        Column inSynthetic = org.apache.spark.sql.functions.max(when(col("side").equalTo(1), lit(1)).otherwise(lit(0)));
        Column inHoldout = org.apache.spark.sql.functions.max(when(col("side").equalTo(2), lit(1)).otherwise(lit(0)));
        Map<Integer, Row> byColumn = new HashMap<>();
        for (Row r : cells.where(col("v").isNotNull()).groupBy(col("c"), col("v"))
                .agg(org.apache.spark.sql.functions.sum(when(col("side").equalTo(0), lit(1L)).otherwise(lit(0L)))
                        .as("nt"), inSynthetic.as("s"), inHoldout.as("h"))
                .where(col("nt").equalTo(1)).groupBy(col("c"))
                .agg(count(lit(1)).as("singletons"), count(when(col("s").equalTo(1), lit(1))).as("published"),
                        count(when(col("s").equalTo(1).and(col("h").equalTo(0)), lit(1))).as("unseen"))
                .collectAsList()) { // one row per column
            byColumn.put(r.getInt(0), r);
        }
        for (FidelityEvaluator.Spec spec : categorical) {
            Row r = byColumn.get(spec.index());
            out.add(r == null ? new RareValues(spec.name(), 0, 0, holdout == null ? -1 : 0)
                    : new RareValues(spec.name(), r.getLong(1), r.getLong(2), holdout == null ? -1 : r.getLong(3)));
        }
        return out;
    }

    private static Dataset<Row> cells(Dataset<Row> table, List<FidelityEvaluator.Spec> specs, int side) {
        Column[] cells = new Column[specs.size()];
        for (int i = 0; i < cells.length; i++) {
            FidelityEvaluator.Spec spec = specs.get(i);
            cells[i] = org.apache.spark.sql.functions.struct(lit(spec.index()).as("c"),
                    col("`" + spec.name().replace("`", "``") + "`").cast(DataTypes.StringType).as("v"));
        }
        return table.select(org.apache.spark.sql.functions.explode(org.apache.spark.sql.functions.array(cells))
                .as("cell")).select(lit(side).as("side"), col("cell.c").as("c"), col("cell.v").as("v"));
    }

    /**
     * Rows of {@code table} equal in every column (null-safe) to some row of {@code reference}: a join on row hashes
     * verified exactly ({@link io.flowsynth.spark.sample.ExactCopyGuard#countEqualRows}), linear in the columns.
     */
    static long exactCopies(Dataset<Row> table, Dataset<Row> reference, String[] names) {
        return io.flowsynth.spark.sample.ExactCopyGuard.countEqualRows(table, reference, names);
    }
}
