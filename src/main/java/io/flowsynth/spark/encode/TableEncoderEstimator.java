package io.flowsynth.spark.encode;

import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.CategoryNesting;
import io.flowsynth.encode.CategoryNesting.Nesting;
import io.flowsynth.encode.PairCounts;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.ColumnPlan;
import io.flowsynth.encode.ColumnPlan.Mode;
import io.flowsynth.encode.ColumnType;
import io.flowsynth.encode.ColumnValues;
import io.flowsynth.encode.ConstantEncoder;
import io.flowsynth.encode.DateText;
import io.flowsynth.encode.DateTextEncoder;
import io.flowsynth.encode.QuantileAtoms;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.EncoderChoice;
import io.flowsynth.encode.FakeEncoder;
import io.flowsynth.encode.TextEncoder;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.encode.TableEncoder;
import io.flowsynth.encode.dp.NoiseSource;
import io.flowsynth.encode.dp.PrivateEncoders;
import io.flowsynth.config.PrivacySettings;
import io.flowsynth.spark.SparkTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.rint;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.udaf;

/**
 * Estimator of a {@link TableEncoder}: validates the schema, then computes every column's statistics with at most four
 * Spark jobs over the table, whatever its number of columns:
 * <ol>
 *   <li>one aggregate: row count, non-null count, exact min/max (of finite values for float/double), NaN and ±∞ counts,
 *       approximate distinct counts of integer (and, for id detection, string) columns, the precision of timestamps
 *       (whole seconds, milliseconds or microseconds), the rounding precision of float and double columns (for each
 *       d ≤ 6, how many finite values are not multiples of 10^−d: the smallest d with none is kept), for numeric,
 *       date and timestamp columns the exact 2k + 1 smallest and largest values (k = extreme-value protection's k;
 *       {@link ExtremeValues}, a bounded buffer per partition), and for string id candidates their length range,
 *       shape range and character classes;</li>
 *   <li>for categorical columns, one grouped count of (column, value) pairs, of which at most
 *       {@code 2 · maxCategories} rows per column reach the driver (the kept categories, then the further values that
 *       "other" samples from), never a value seen fewer than {@code minCategoryCount} times (rare-category protection:
 *       only their number and rows per column); in the same count, the dates of dates written as text, of which at
 *       most {@link QuantileAtoms#MAX_ATOMS} per column seen at least {@code minCategoryCount} times reach the driver
 *       (candidate point masses);</li>
 *   <li>for generated text and email columns, one grouped count of words, word and value shapes and mail domains, of
 *       which only those seen at least {@code minCategoryCount} times reach the driver;</li>
 *   <li>for quantile-normal and mode-specific columns, one pass of Greenwald–Khanna summaries (those of Spark's
 *       {@code approxQuantile}) for all of them together, merged in partition order ({@link OrderedQuantiles}); the
 *       Gaussian mixtures of mode-specific columns are fitted on the driver to these quantile sketches
 *       ({@link io.flowsynth.encode.GaussianMixture#fitSketch}), so they cost no further pass. The sketch and the k
 *       extremes give the stored knots, bounds and tails ({@link io.flowsynth.encode.ExtremeBounds}): no value among
 *       the k smallest or largest is kept.</li>
 * </ol>
 * Nothing else reaches the driver. The table is read up to four times: cache it if it is expensive to recompute.
 *
 * <p><b>Determinism</b>: every statistic is exact (counts, min/max, extremes, grouped counts ordered by count then
 * value) or merged in partition order (quantile summaries; HyperLogLog registers merge by maximum), so the fitted
 * encoder's JSON is byte-identical for the same input, partitioning and settings, whatever order tasks finish in.
 *
 * <p>The Spark-free decisions (each column's kind, identifier and personal-data detection, the encoder choice and the
 * encoders built from the statistics) are {@link EncoderChoice}'s; the choice of nested categorical columns from the
 * pass-2b counts is {@link CategoryNesting}'s. This class runs the Spark passes and hands their results to them.
 */
public final class TableEncoderEstimator {
    private static final Logger LOG = LoggerFactory.getLogger(TableEncoderEstimator.class);

    /** Relative standard deviation of the distinct counts that decide integer columns. */
    static final double DISTINCT_RSD = 0.01;
    private static final String SUPPORTED = "numeric, decimal, boolean, string, date, timestamp";

    private final EncodeOptions options;
    private final BoundsOptions bounds;
    private final EncoderChoice choice;
    private final PrivacySettings privacy;
    private final Map<String, String> columnBounds;
    private final NoiseSource noise;

    public TableEncoderEstimator(EncodeOptions options) {
        this(options, BoundsOptions.defaults());
    }

    /** @param bounds extreme-value protection and bounds of numeric, date and timestamp columns */
    public TableEncoderEstimator(EncodeOptions options, BoundsOptions bounds) {
        this(options, bounds, PrivacySettings.OFF, Map.of(), null);
    }

    private TableEncoderEstimator(EncodeOptions options, BoundsOptions bounds, PrivacySettings privacy,
                                  Map<String, String> columnBounds, NoiseSource noise) {
        this.options = Objects.requireNonNull(options, "options");
        this.bounds = Objects.requireNonNull(bounds, "bounds");
        this.choice = new EncoderChoice(this.options);
        this.privacy = Objects.requireNonNull(privacy, "privacy");
        this.columnBounds = Map.copyOf(columnBounds);
        this.noise = noise;
    }

    /**
     * This estimator with differential privacy ({@link PrivacySettings#enabled()}; otherwise unchanged): the fit then
     * runs {@link PrivateEncoderFit} and {@link PrivateEncoders} (every statistic released by a DP mechanism, see
     * there), with {@code flowsynth.columns.<c>.bounds} settings {@code columnBounds} and noise from a fresh secret key.
     */
    public TableEncoderEstimator withPrivacy(PrivacySettings privacy, Map<String, String> columnBounds) {
        return privacy.enabled() ? withPrivacy(privacy, columnBounds, NoiseSource.secure()) : this;
    }

    /** As {@link #withPrivacy(PrivacySettings, Map)} with a given noise source (tests: {@link NoiseSource#fixed}). */
    public TableEncoderEstimator withPrivacy(PrivacySettings privacy, Map<String, String> columnBounds,
                                             NoiseSource noise) {
        return new TableEncoderEstimator(options, bounds, privacy, columnBounds, noise);
    }

    public BoundsOptions bounds() {
        return bounds;
    }

    public EncodeOptions options() {
        return options;
    }

    /** The Spark-free type of a Spark data type, empty when the encoders do not support it. */
    public static Optional<ColumnType> columnType(DataType t) {
        return SparkTypes.columnType(t);
    }

    /** Fits the encoder; see the class comment for the Spark jobs it runs. */
    public TableEncoder fit(Dataset<Row> table) {
        StructField[] fields = table.schema().fields();
        List<String> dropped = new ArrayList<>();
        List<ColumnPlan> plans = validate(fields, dropped);

        String[] aliases = new String[fields.length];
        for (int i = 0; i < fields.length; i++) {
            aliases[i] = "c" + i;
        }
        Dataset<Row> t = table.toDF(aliases); // positional names: no quoting of dots or backticks needed
        if (privacy.enabled()) {
            return new PrivateEncoderFit(options, new PrivateEncoders(options, bounds, privacy, columnBounds, noise))
                    .fit(t, plans, dropped);
        }

        Map<Integer, String> dateTexts = dateTexts(t, plans);
        for (Map.Entry<Integer, String> e : dateTexts.entrySet()) {
            String alias = "c" + e.getKey();
            String pattern = e.getValue();
            t = t.withColumn(alias, dateOfText(col(alias), pattern));
        }
        plans.replaceAll(p -> {
            if (!dateTexts.containsKey(p.index)) {
                return p;
            }
            ColumnPlan dated = new ColumnPlan(p.index, p.name, ColumnType.of(ColumnType.Base.DATE), p.override);
            dated.encoderOverride = p.encoderOverride;
            return dated;
        });

        long rows = aggregate(t, plans);
        for (ColumnPlan p : plans) {
            choice.decide(p, rows);
        }
        countCategories(t, plans, rows, dateTexts.keySet());
        for (ColumnPlan p : plans) {
            choice.textFallback(p);
        }
        fitGenerated(t, plans, rows);
        fitQuantiles(t, plans);

        List<ColumnEncoder> encoders = new ArrayList<>();
        for (ColumnPlan p : plans) {
            if (dateTexts.containsKey(p.index)) {
                p.encoder = new DateTextEncoder(p.encoder, dateTexts.get(p.index));
            }
            encoders.add(p.encoder);
            LOG.info("Column '{}' ({}): {} ({}); {}{}; {} feature{}, {} of {} rows null", p.name, p.type,
                    p.encoder.kind(), p.why == null ? "its type" : p.why, EncoderChoice.encoderName(p.encoder),
                    p.encoding == null ? "" : " (" + p.encoding + ")", p.encoder.width(),
                    p.encoder.width() == 1 ? "" : "s", p.nulls, rows);
        }
        return new TableEncoder(encoders, dropped);
    }

    // ---- dates written as text -------------------------------------------------------------------------------------

    /** Rows read (the first ones) to recognise a string column's date pattern. */
    static final int DATE_TEXT_SAMPLE = 2000;
    /**
     * Characters of each sampled value that reach the driver: a date's text is far shorter, so a longer value (cut
     * to this length) still fails the pattern, and a table of long texts sends 2,000 × 64 characters per column.
     */
    static final int DATE_TEXT_CHARS = 64;

    /**
     * The string columns (plan index → pattern) whose values are all dates written as text in one pattern
     * ({@link DateText}): the pattern recognised on the first {@link #DATE_TEXT_SAMPLE} rows, then checked on every
     * row in one aggregation (a column with any value that is not exactly a date's text in it stays a string
     * column). Not for a column with a kind or encoder override, nor under differential privacy.
     */
    private Map<Integer, String> dateTexts(Dataset<Row> t, List<ColumnPlan> plans) {
        Map<Integer, String> out = new java.util.TreeMap<>();
        List<ColumnPlan> strings = plans.stream().filter(p -> p.type.base() == ColumnType.Base.STRING
                && p.override == null && p.encoderOverride == null).toList();
        if (strings.isEmpty()) {
            return out;
        }
        t.sparkSession().sparkContext().setJobDescription("flowsynth fit: dates written as text");
        List<Row> sample = t.select(strings.stream().map(p -> substring(col("c" + p.index), 1, DATE_TEXT_CHARS))
                        .toArray(Column[]::new))
                .limit(DATE_TEXT_SAMPLE).collectAsList();
        Map<ColumnPlan, String> found = new java.util.LinkedHashMap<>();
        for (int j = 0; j < strings.size(); j++) {
            List<String> values = new ArrayList<>();
            for (Row r : sample) {
                values.add(r.getString(j));
            }
            String pattern = DateText.detect(values);
            if (pattern != null) {
                found.put(strings.get(j), pattern);
            }
        }
        if (found.isEmpty()) {
            return out;
        }
        List<Column> checks = new ArrayList<>();
        for (Map.Entry<ColumnPlan, String> e : found.entrySet()) {
            String pattern = e.getValue();
            Column c = col("c" + e.getKey().index);
            checks.add(sum(when(c.isNotNull().and(dateOfText(c, pattern).isNull()), 1).otherwise(0)));
        }
        Row bad = t.agg(checks.get(0), checks.subList(1, checks.size()).toArray(Column[]::new)).first();
        int j = 0;
        for (Map.Entry<ColumnPlan, String> e : found.entrySet()) {
            long failures = bad.isNullAt(j) ? 0 : bad.getLong(j);
            j++;
            if (failures == 0) {
                out.put(e.getKey().index, e.getValue());
                LOG.info("Column '{}': dates written as text '{}': learned as dates, sampled as text in the same "
                        + "pattern (set {}{}.kind=categorical or text to keep it a string column)", e.getKey().name,
                        e.getValue(), ConfigKeys.COLUMNS_PREFIX, e.getKey().name);
            } else {
                LOG.info("Column '{}': its first rows are dates written as '{}', but {} of its values are not: a string "
                        + "column", e.getKey().name, e.getValue(), failures);
            }
        }
        return out;
    }

    /**
     * The date a text column's value writes in {@code pattern}, or null when it is not exactly one ({@link DateText},
     * the parser {@link DateTextEncoder} encodes with, so the fit's check and the training rows agree).
     */
    private static Column dateOfText(Column text, String pattern) {
        return org.apache.spark.sql.functions.udf((org.apache.spark.sql.api.java.UDF1<String, java.sql.Date>) v -> {
            java.time.LocalDate d = DateText.parse(v, pattern);
            return d == null ? null : java.sql.Date.valueOf(d);
        }, org.apache.spark.sql.types.DataTypes.DateType).apply(text);
    }

    // ---- schema validation ----------------------------------------------------------------------------------------

    private List<ColumnPlan> validate(StructField[] fields, List<String> dropped) {
        Set<String> names = new LinkedHashSet<>();
        for (StructField f : fields) {
            if (!names.add(f.name())) {
                throw new BadInputException("Column '" + f.name() + "': appears twice in the table");
            }
        }
        for (String overridden : options.kindOverrides().keySet()) {
            if (!names.contains(overridden)) {
                throw new BadInputException("Column '" + overridden + "': has a kind override but is not in the table"
                        + " (columns: " + String.join(", ", names) + ")");
            }
        }
        for (String overridden : options.encoderOverrides().keySet()) {
            if (!names.contains(overridden)) {
                throw new BadInputException("Column '" + overridden + "': has an encoder override but is not in the "
                        + "table (columns: " + String.join(", ", names) + ")");
            }
        }
        List<ColumnPlan> plans = new ArrayList<>();
        for (int i = 0; i < fields.length; i++) {
            StructField f = fields[i];
            String override = options.kindOverrides().get(f.name());
            if (EncodeOptions.IGNORE.equals(override)) {
                LOG.info("Column '{}': ignored (kind override); the synthetic table has it as all nulls", f.name());
                dropped.add(f.name());
                continue;
            }
            Optional<ColumnType> type = columnType(f.dataType());
            if (type.isEmpty()) {
                String message = "Column '" + f.name() + "': unsupported type " + f.dataType().simpleString()
                        + " (supported: " + SUPPORTED + (SparkTypes.isLocalDateTime(f.dataType())
                        ? "; cast it to timestamp to learn it" : "") + ")";
                if (!options.dropUnsupported()) {
                    throw new BadInputException(message + "; set " + ConfigKeys.ENCODE_DROP_UNSUPPORTED
                            + "=true to drop it");
                }
                LOG.warn("{}; dropped ({}=true), the synthetic table has it as all nulls", message,
                        ConfigKeys.ENCODE_DROP_UNSUPPORTED);
                dropped.add(f.name());
                continue;
            }
            if (override != null) {
                EncoderChoice.checkOverride(f.name(), type.get(), override);
            }
            ColumnPlan plan = new ColumnPlan(i, f.name(), type.get(), override);
            plan.encoderOverride = options.encoderOverrides().get(f.name());
            plans.add(plan);
        }
        return plans;
    }

    // ---- pass 1: one aggregate ------------------------------------------------------------------------------------

    private long aggregate(Dataset<Row> t, List<ColumnPlan> plans) {
        StructField[] fields = t.schema().fields();
        ColumnStatistics.Spec[] specs = new ColumnStatistics.Spec[plans.size()];
        for (int k = 0; k < plans.size(); k++) {
            ColumnPlan p = plans.get(k);
            specs[k] = new ColumnStatistics.Spec(p.index, p.type, fields[p.index].dataType(),
                    extremesNeeded(p) ? 2 * bounds.extremeK() + 1 : 0,
                    p.type.isIntegral() || choice.stringIdCandidate(p), choice.stringIdCandidate(p));
        }
        LOG.info("Encoder pass 1 of 4: counts, bounds, distinct counts and extremes of {} columns (one Spark job)",
                plans.size());
        long started = System.nanoTime();
        ColumnStatistics.Result[] results = new ColumnStatistics.Result[plans.size()];
        long rows = ColumnStatistics.compute(t, specs, DISTINCT_RSD, EncoderChoice.SHAPES, results);
        LOG.info("Encoder pass 1 done in {} s ({} rows)", String.format("%.1f", (System.nanoTime() - started) / 1e9),
                rows);
        for (int k = 0; k < plans.size(); k++) {
            ColumnPlan p = plans.get(k);
            ColumnStatistics.Result r = results[k];
            p.nonNull = r.nonNull;
            p.min = r.min;
            p.max = r.max;
            if (p.type.isFloatingPoint()) {
                p.nan = r.nan;
                p.positiveInfinity = r.positiveInfinity;
                p.negativeInfinity = r.negativeInfinity;
            }
            if (p.type.isIntegral()) {
                p.distinct = r.distinct;
            }
            if (p.type.base() == ColumnType.Base.TIMESTAMP) {
                p.subSecond = r.subSecond;
                p.subMilli = r.subMilli;
            }
            if (p.type.isFloatingPoint()) {
                p.decimals = -1;
                for (int d = 0; d <= QuantileEncoder.MAX_DECIMALS; d++) {
                    if (r.offDecimals[d] == 0 && p.decimals < 0) {
                        p.decimals = d;
                    }
                }
            }
            if (extremesNeeded(p)) {
                p.smallest = r.smallest;
                p.largest = r.largest;
            }
            if (choice.stringIdCandidate(p)) {
                p.distinct = r.distinct;
                p.maxLength = r.maxLength;
                p.shape = r.minShape != null && r.minShape.equals(r.maxShape) ? r.minShape : null;
                p.classes = (r.digits > 0 ? "9" : "") + (r.lower > 0 ? "a" : "") + (r.upper > 0 ? "A" : "");
                p.shapeCounts = r.shapeCounts;
            }
        }
        return rows;
    }

    /** Whether pass 1 collects the 2k + 1 smallest and largest values of the column (numbers, dates, timestamps). */
    private boolean extremesNeeded(ColumnPlan p) {
        return bounds.extremeK() > 0 && (p.type.isNumeric() || p.type.isDatetime());
    }

    private static Column finite(Column c) {
        return not(isnan(c)).and(c.notEqual(lit(Double.POSITIVE_INFINITY)))
                .and(c.notEqual(lit(Double.NEGATIVE_INFINITY)));
    }

    // ---- pass 2: one grouped count for all categorical columns ---------------------------------------------------

    /**
     * Pass 2: the categorical columns' category counts, and in the same grouped count the dates of the dates written
     * as text among {@code dateTexts} (plan indices) seen at least k times, at most {@link QuantileAtoms#MAX_ATOMS}
     * per column (candidate point masses, {@link QuantileAtoms}).
     */
    private void countCategories(Dataset<Row> t, List<ColumnPlan> plans, long rows, java.util.Set<Integer> dateTexts) {
        List<ColumnPlan> cats = new ArrayList<>();
        List<ColumnPlan> dated = new ArrayList<>();
        List<ColumnPlan> days = new ArrayList<>();
        for (ColumnPlan p : plans) {
            if (p.mode == Mode.CATEGORICAL) {
                cats.add(p);
            } else if (p.mode == Mode.QUANTILE && dateTexts.contains(p.index)) {
                dated.add(p);
            }
            if (p.mode == Mode.QUANTILE && p.type.base() == ColumnType.Base.DATE) {
                days.add(p);
            }
        }
        if (cats.isEmpty() && dated.isEmpty() && days.isEmpty()) {
            return;
        }
        Column[] pairs = new Column[cats.size() + dated.size() + days.size()];
        for (int k = 0; k < cats.size(); k++) {
            ColumnPlan p = cats.get(k);
            pairs[k] = struct(lit(k).as("i"), keyText(col("c" + p.index), p.type).as("v"));
        }
        for (int k = 0; k < dated.size(); k++) {
            ColumnPlan p = dated.get(k);
            pairs[cats.size() + k] = struct(lit(cats.size() + k).as("i"),
                    numeric(col("c" + p.index), p.type).cast("string").as("v"));
        }
        // a date column's rows per weekday (Monday 0; day 0 = 1970-01-01, a Thursday): its weekday profile
        int firstDay = cats.size() + dated.size();
        for (int k = 0; k < days.size(); k++) {
            ColumnPlan p = days.get(k);
            pairs[firstDay + k] = struct(lit(firstDay + k).as("i"),
                    pmod(numeric(col("c" + p.index), p.type).cast("long").plus(lit(3L)), lit(7L)).cast("string")
                            .as("v"));
        }
        LOG.info("Encoder pass 2 of 4: category counts of {} categorical columns{} (one Spark job)", cats.size(),
                dated.isEmpty() ? "" : " and the frequent dates of " + dated.size() + " dates written as text");
        long keep = 2L * options.maxCategories();
        int minCount = options.minCategoryCount();
        WindowSpec byCount = Window.partitionBy("i").orderBy(col("count").desc(), col("v").asc());
        WindowSpec whole = Window.partitionBy("i");
        Column isRare = col("count").lt(lit(minCount));
        // a value seen fewer than minCount times never reaches the driver, only their number per column (carried by
        // every row of the column; a column whose values are all rare sends its first row with the value blanked)
        List<Row> top = t.select(explode(array(pairs)).as("e"))
                .select(col("e.i").as("i"), col("e.v").as("v"))
                .where(col("v").isNotNull())
                .groupBy("i", "v").count()
                .withColumn("rank", row_number().over(byCount))
                .withColumn("protectedCategories", sum(when(isRare, lit(1L)).otherwise(lit(0L))).over(whole))
                .withColumn("protectedRows", sum(when(isRare, col("count")).otherwise(lit(0L))).over(whole))
                .where(col("rank").leq(keep).and(not(isRare)).or(col("rank").equalTo(lit(1))))
                .withColumn("v", when(isRare, lit(null).cast("string")).otherwise(col("v")))
                .select("i", "v", "count", "rank", "protectedCategories", "protectedRows")
                .collectAsList();
        long[] protectedCategories = new long[cats.size()];
        long[] protectedRows = new long[cats.size()];
        List<Map<Object, Long>> kept = new ArrayList<>();
        List<Map<Object, Long>> rare = new ArrayList<>();
        for (int k = 0; k < cats.size(); k++) {
            kept.add(new HashMap<>());
            rare.add(new HashMap<>());
        }
        List<List<double[]>> atoms = new ArrayList<>();
        for (int k = 0; k < dated.size(); k++) {
            atoms.add(new ArrayList<>());
        }
        for (ColumnPlan p : days) {
            p.weekdayCounts = new long[7];
        }
        for (Row r : top) {
            int k = r.getInt(0);
            if (k >= firstDay) {
                // a weekday seen in fewer than k rows came blanked: counted 0
                if (!r.isNullAt(1)) {
                    days.get(k - firstDay).weekdayCounts[Integer.parseInt(r.getString(1))] = r.getLong(2);
                }
                continue;
            }
            if (k >= cats.size()) {
                if (!r.isNullAt(1) && r.getLong(2) >= Math.max(2, minCount) && r.getInt(3) <= QuantileAtoms.MAX_ATOMS) {
                    atoms.get(k - cats.size()).add(new double[]{Double.parseDouble(r.getString(1)), r.getLong(2)});
                }
                continue;
            }
            ColumnPlan p = cats.get(k);
            protectedCategories[k] = r.getLong(4);
            protectedRows[k] = r.getLong(5);
            if (r.isNullAt(1)) {
                continue; // a blanked rare value: only its column's counts came
            }
            Object key;
            try {
                key = ColumnValues.keyFromText(p.type, r.getString(1));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Column '" + p.name + "': cannot read back value '" + r.getString(1)
                        + "'", e);
            }
            boolean isKept = choice.keptCategory(r.getInt(3), r.getLong(2), rows);
            // (every collected value is seen at least minCount times)
            Map<Object, Long> target = isKept ? kept.get(k) : rare.get(k);
            target.merge(key, r.getLong(2), Long::sum);
        }
        for (int k = 0; k < dated.size(); k++) {
            ColumnPlan p = dated.get(k);
            p.atomValues = atoms.get(k).stream().mapToDouble(a -> a[0]).toArray();
            p.atomCounts = atoms.get(k).stream().mapToLong(a -> (long) a[1]).toArray();
        }
        if (cats.isEmpty()) {
            return;
        }
        long[] others = new long[cats.size()];
        boolean[] onehots = new boolean[cats.size()];
        CategoricalEncoder[] plain = new CategoricalEncoder[cats.size()];
        CategoricalEncoder.Protection[] protections = new CategoricalEncoder.Protection[cats.size()];
        for (int k = 0; k < cats.size(); k++) {
            EncoderChoice.Categorical c = choice.categorical(cats.get(k), kept.get(k), rare.get(k),
                    protectedCategories[k], protectedRows[k]);
            others[k] = c.other();
            onehots[k] = c.onehot();
            plain[k] = c.encoder();
            protections[k] = c.protection();
        }
        int[] minCounts = new int[cats.size()];
        for (int k = 0; k < cats.size(); k++) {
            minCounts[k] = Math.max(minCount, protections[k].minCount());
        }
        for (Nesting n : nestings(t, cats, plain, others, onehots, rows, minCounts)) {
            ColumnPlan p = cats.get(n.child());
            String parent = cats.get(n.parent()).name;
            // a category seen under several parent values gets one interval per pair seen in at least k rows
            CategoryNesting.Split split = CategoryNesting.split(n, kept.get(n.child()), minCounts[n.child()],
                    n.functional());
            // an "other" bucket (values beyond the kept ones) has no pair in any parent's block: within a parent its
            // rows would be redrawn as kept pairs, so such a column stays a plain split column
            boolean within = split != null && split.withinParent() && others[n.child()] == 0;
            p.encoder = split == null
                    ? new CategoricalEncoder(p.name, p.type, kept.get(n.child()), others[n.child()],
                    rare.get(n.child()), false, parent, n.groups(), protections[n.child()])
                    : new CategoricalEncoder(p.name, p.type, split.categories(), others[n.child()],
                    rare.get(n.child()), false, parent, split.groups(), protections[n.child()], true)
                    .withWithinParent(within);
            String how = n.functional()
                    ? String.format("Column '%s': '%s' nearly determines it (Goodman–Kruskal λ = %.3f ≥ %.1f): "
                    + "encoded within the block of its (%s, %s) pairs seen in at least %d rows under the row's '%s' "
                    + "(%d of %d rows in rarer pairs)", p.name, parent, n.lambda(),
                    CategoryNesting.FUNCTIONAL_MIN_LAMBDA, p.name, parent, minCounts[n.child()], parent,
                    split.movedRows(), split.rows())
                    : String.format("Column '%s': its categories nest in '%s' (%.1f%% of rows in their category's most "
                    + "frequent '%s'): intervals laid out by '%s'%s", p.name, parent, 100 * n.purity(), parent,
                    parent, split == null ? "" : String.format(", split by it: %d more intervals for the (%s, %s) "
                            + "pairs seen in at least %d rows; %d of %d rows in rarer pairs: %s", split.extraPairs(
                            kept.get(n.child()).size()), p.name, parent, minCounts[n.child()], split.movedRows(),
                            split.rows(), within ? "encoded within its parent's block"
                                    : others[n.child()] > 0 ? "not encoded within its parent's block (it has an "
                                    + "\"other\" bucket)" : "not encoded within its parent's block (more than 5 %)"));
            LOG.info(how);
        }
    }

    /**
     * The nested categorical columns ({@link CategoryNesting}): one Spark job counts the (child category, parent
     * value) pairs of the candidate pairs over the kept categories only, so at most kept(child) × outcomes(parent)
     * rows per pair reach the driver.
     */
    private List<Nesting> nestings(Dataset<Row> t, List<ColumnPlan> cats, CategoricalEncoder[] plain, long[] others,
                                   boolean[] onehots, long rows, int[] minCounts) {
        List<int[]> pairs = new ArrayList<>(CategoryNesting.candidatePairs(plain, others, onehots));
        pairs.addAll(CategoryNesting.functionalPairs(plain, others, onehots, pairs));
        if (pairs.isEmpty()) {
            return List.of();
        }
        LOG.info("Encoder pass 2b: nesting of categorical columns, {} (child, parent) candidate pairs (one Spark job)",
                pairs.size());
        // the key texts of the involved columns come from one projection; the (child, parent) counts are folded per
        // partition in plain maps (a SQL explode of one struct per pair outgrew code generation's 64 KB limit and ran
        // interpreted: minutes at 200 columns)
        Map<Integer, Integer> slot = new java.util.LinkedHashMap<>();
        for (int[] pair : pairs) {
            slot.putIfAbsent(pair[0], slot.size());
            slot.putIfAbsent(pair[1], slot.size());
        }
        Column[] keys = new Column[slot.size()];
        for (Map.Entry<Integer, Integer> e : slot.entrySet()) {
            ColumnPlan p = cats.get(e.getKey());
            keys[e.getValue()] = keyText(col("c" + p.index), p.type).cast("string");
        }
        int[][] pairSlots = new int[pairs.size()][];
        // each involved column's kept key texts once (by slot), however many pairs it is in: a row's value is looked
        // up once per column, each pair then adds one to a cell of its counts (PairCounts)
        List<List<String>> kept = new ArrayList<>();
        List<Map<String, Integer>> index = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : slot.entrySet()) {
            List<String> texts = new ArrayList<>(CategoryNesting.textSet(plain[e.getKey()], cats.get(e.getKey()).type));
            java.util.Collections.sort(texts);
            Map<String, Integer> byText = new HashMap<>();
            for (int k = 0; k < texts.size(); k++) {
                byText.put(texts.get(k), k);
            }
            kept.add(texts);
            index.add(byText);
        }
        // a functional pair counts the child's null rows too (its null category is encoded within the parent too)
        boolean[] nullChild = new boolean[pairs.size()];
        // a functional pair stops being counted (and is not chosen) once it has more distinct (child, parent) pairs
        // than a near-function can: two many-valued columns unrelated to each other would otherwise fill memory
        long[] maxPairs = new long[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            int[] pair = pairs.get(i);
            nullChild[i] = CategoryNesting.functional(pair) && plain[pair[0]].categories().contains(null);
            maxPairs[i] = CategoryNesting.functional(pair)
                    ? CategoryNesting.functionalMaxPairs(plain[pair[0]].categories().size()) : Long.MAX_VALUE;
            pairSlots[i] = new int[]{slot.get(pair[0]), slot.get(pair[1])};
        }
        int slots = slot.size();
        PairCounts counted = t.select(keys).javaRDD().mapPartitions(it -> {
            PairCounts counts = new PairCounts(pairSlots, kept, nullChild, maxPairs);
            int[] codes = new int[slots];
            while (it.hasNext()) {
                Row r = it.next();
                for (int k = 0; k < slots; k++) {
                    codes[k] = PairCounts.code(index.get(k), r.getString(k));
                }
                counts.add(codes);
            }
            return java.util.Collections.singletonList(counts).iterator();
        }).treeReduce(PairCounts::merge);
        List<Map<String, Map<String, Long>>> table = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            table.add(counted.table(i, kept));
        }
        return CategoryNesting.choose(pairs, table, cats, plain, others, rows, minCounts);
    }

    /** The value's key text ({@link ColumnValues#keyFromText}) computed by Spark; −0.0 folded into 0.0. */
    static Column keyText(Column c, ColumnType type) {
        switch (type.base()) {
            case STRING:
                return c;
            case DATE:
                return unix_date(c).cast("string");
            case TIMESTAMP:
                return unix_micros(c).cast("string");
            case FLOAT:
            case DOUBLE:
                return when(c.equalTo(lit(0)), lit("0.0")).otherwise(c.cast("string"));
            default:
                return c.cast("string");
        }
    }

    // ---- generated columns: one grouped count for all text columns and email domains --------------------------

    /** Most frequent words, word shapes and mail domains kept per column. */
    static final int MAX_TOKENS = 1000;

    /**
     * Fits the generated columns: fake-value kinds ({@link FakeEncoder}) and format-modelled text ({@link TextEncoder}).
     * One grouped count of (column, what, value) over word counts, words, word shapes and whole-value shapes of the text
     * columns and the
     * mail domains of the email columns; only values seen at least {@code minCategoryCount} times (and word counts)
     * reach the driver, at most {@value #MAX_TOKENS} of each per column.
     */
    private void fitGenerated(Dataset<Row> t, List<ColumnPlan> plans, long rows) {
        List<ColumnPlan> gen = new ArrayList<>();
        List<Column> parts = new ArrayList<>();
        for (ColumnPlan p : plans) {
            if (p.mode != Mode.FAKE && p.mode != Mode.TEXT) {
                continue;
            }
            int k = gen.size();
            gen.add(p);
            Column c = col("c" + p.index);
            if (p.mode == Mode.TEXT) {
                Column words = filter(split(trim(c), "\\s+"), w -> length(w).gt(0));
                Column n = least(size(words), lit(TextEncoder.MAX_WORDS)).cast("string");
                parts.add(when(c.isNotNull(), concat(array(struct(lit(k).as("i"), lit("n").as("w"), n.as("v")),
                                struct(lit(k).as("i"), lit("v").as("w"), shapeOf(c).as("v"))),
                        transform(words, w -> struct(lit(k).as("i"), lit("t").as("w"), w.as("v"))),
                        transform(words, w -> struct(lit(k).as("i"), lit("s").as("w"), shapeOf(w).as("v"))))));
            } else if (EncodeOptions.EMAIL.equals(p.kind)) {
                parts.add(when(c.contains("@"), array(struct(lit(k).as("i"), lit("d").as("w"),
                        lower(substring_index(c, "@", -1)).as("v")))));
            }
        }
        int minCount = options.minCategoryCount();
        List<Map<String, Map<String, Long>>> found = new ArrayList<>();
        long[] totalWords = new long[gen.size()];
        for (int k = 0; k < gen.size(); k++) {
            found.add(new HashMap<>());
        }
        if (!parts.isEmpty()) {
            LOG.info("Encoder pass 3 of 4: words and shapes of {} generated text and email columns (one Spark job)",
                    parts.size());
            WindowSpec byCount = Window.partitionBy("i", "w").orderBy(col("count").desc(), col("v").asc());
            List<Row> counted = t.select(explode(array(parts.toArray(new Column[0]))).as("a"))
                    .where(col("a").isNotNull())
                    .select(explode(col("a")).as("e"))
                    .select(col("e.i").as("i"), col("e.w").as("w"), col("e.v").as("v"))
                    .groupBy("i", "w", "v").count()
                    .withColumn("total", sum(col("count")).over(Window.partitionBy("i", "w")))
                    .withColumn("rank", row_number().over(byCount))
                    .where(col("w").equalTo(lit("n")).or(col("count").geq(lit(minCount))
                            .and(col("rank").leq(lit(MAX_TOKENS)))))
                    .collectAsList();
            for (Row r : counted) {
                int k = r.getInt(0);
                String what = r.getString(1);
                found.get(k).computeIfAbsent(what, x -> new HashMap<>()).put(r.getString(2), r.getLong(3));
                if (what.equals("t")) {
                    totalWords[k] = r.getLong(4);
                }
            }
        }
        for (int k = 0; k < gen.size(); k++) {
            ColumnPlan p = gen.get(k);
            Map<String, Map<String, Long>> f = found.get(k);
            if (p.mode == Mode.FAKE) {
                p.encoder = new FakeEncoder(p.name, p.kind, rows, rows - p.nonNull, "en",
                        f.getOrDefault("d", Map.of()));
                continue;
            }
            long[] wordCounts = new long[TextEncoder.MAX_WORDS + 1];
            f.getOrDefault("n", Map.of()).forEach((n, c) -> wordCounts[Integer.parseInt(n)] += c);
            p.encoder = new TextEncoder(p.name, p.kind, rows, rows - p.nonNull, wordCounts,
                    f.getOrDefault("t", Map.of()), f.getOrDefault("s", Map.of()), totalWords[k],
                    f.getOrDefault("v", Map.of()));
        }
    }

    /** Each character of a string as its class: digit 9, lower case a, upper case A, others as they are. */
    private static Column shapeOf(Column c) {
        return regexp_replace(regexp_replace(regexp_replace(c, "[0-9]", "9"), "[a-z]", "a"), "[A-Z]", "A");
    }

    // ---- pass 3: one quantile-summary pass for all quantile columns -----------------------------------------------

    private void fitQuantiles(Dataset<Row> t, List<ColumnPlan> plans) {
        List<ColumnPlan> qs = new ArrayList<>();
        for (ColumnPlan p : plans) {
            if (p.mode == Mode.QUANTILE) {
                qs.add(p);
            }
        }
        if (qs.isEmpty()) {
            return;
        }
        Column[] columns = new Column[qs.size()];
        String[] names = new String[qs.size()];
        for (int k = 0; k < qs.size(); k++) {
            names[k] = "q" + k;
            columns[k] = numeric(col("c" + qs.get(k).index), qs.get(k).type).as(names[k]);
        }
        double[] probabilities = EncoderChoice.quantileProbabilities(options.quantiles(), bounds.clippedTail());
        LOG.info("Encoder pass 4 of 4: quantile sketches of {} numeric, date and timestamp columns (one Spark job)",
                qs.size());
        // merged in partition order, not task completion order (Spark's approxQuantile): the same table gives the same
        // knots under any scheduling
        double[][] quantiles = OrderedQuantiles.approxQuantiles(t.select(columns), probabilities,
                options.quantileRelativeError());
        for (int k = 0; k < qs.size(); k++) {
            ColumnPlan p = qs.get(k);
            p.encoder = choice.quantileEncoder(p, quantiles[k], probabilities, bounds);
        }
    }

    /** The number {@link ColumnValues#toDouble} gives, computed by Spark; NaN and ±∞ become null. */
    static Column numeric(Column c, ColumnType type) {
        switch (type.base()) {
            case FLOAT:
            case DOUBLE:
                return when(finite(c), c.cast("double"));
            case DATE:
                return unix_date(c).cast("double");
            case TIMESTAMP:
                return unix_micros(c).cast("double");
            default:
                return c.cast("double");
        }
    }
}
