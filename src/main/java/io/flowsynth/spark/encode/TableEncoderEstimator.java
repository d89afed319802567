package io.flowsynth.spark.encode;

import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.ColumnEncoder;
import io.flowsynth.encode.ColumnType;
import io.flowsynth.encode.ColumnValues;
import io.flowsynth.encode.ConstantEncoder;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.FakeEncoder;
import io.flowsynth.encode.TextEncoder;
import io.flowsynth.encode.GaussianMixture;
import io.flowsynth.encode.IdEncoder;
import io.flowsynth.encode.ModeEncoder;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.ExtremeBounds;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.encode.TableEncoder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
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
 *       only their number and rows per column);</li>
 *   <li>for generated text and email columns, one grouped count of words, word and value shapes and mail domains, of
 *       which only those seen at least {@code minCategoryCount} times reach the driver;</li>
 *   <li>for quantile-normal and mode-specific columns, one pass of Greenwald–Khanna summaries (those of Spark's
 *       {@code approxQuantile}) for all of them together, merged in partition order ({@link OrderedQuantiles}); the
 *       Gaussian mixtures of mode-specific columns are fitted on the driver to these quantile sketches
 *       ({@link GaussianMixture#fitSketch}), so they cost no further pass. The sketch and the k extremes give the
 *       stored knots, bounds and tails ({@link ExtremeBounds}): no value among the k smallest or largest is kept.</li>
 * </ol>
 * Nothing else reaches the driver. The table is read up to four times: cache it if it is expensive to recompute.
 *
 * <p><b>Determinism</b>: every statistic is exact (counts, min/max, extremes, grouped counts ordered by count then
 * value) or merged in partition order (quantile summaries; HyperLogLog registers merge by maximum), so the fitted
 * encoder's JSON is byte-identical for the same input, partitioning and settings, whatever order tasks finish in.
 *
 * <p>Column kinds: strings and booleans are categorical; integers are categorical with at most
 * {@code maxDiscreteValues} distinct values, else quantile-normal ({@code integer}); float, double and decimal are
 * quantile-normal ({@code continuous}); dates and timestamps are quantile-normal ({@code datetime}). A kind override
 * replaces the default; {@code ignore} drops the column (the pipeline writes it as all nulls). A column with one value
 * and nothing else (or only nulls) is {@code constant}; a would-be quantile column whose finite values are all equal
 * (or absent) is categorical over its few states (value, null, NaN, ±∞).
 *
 * <p><b>Identifier columns</b> (kind {@code id}: {@link IdEncoder}, not learned, fresh unique values at sampling) are
 * those configured so, and, with {@code detectIds}, columns with at least {@value #MIN_ID_ROWS} non-null values whose
 * approximate distinct count is at least {@value #ID_DISTINCT_SHARE} of them: strings, and integers whose range
 * max − min + 1 is at most twice their count (dense sequences such as row numbers; sparse unique integers such as
 * hashes or measurements stay integers unless configured {@code id}).
 *
 * <p><b>Encoder choice</b> (overridable per column with {@code encoder}): a categorical column with 3 to
 * {@code onehotMaxCategories} outcomes (kept categories, null and "other" counted) is one-hot/argmax encoded, any other
 * categorical uses frequency intervals. A continuous or integer column uses mode-specific normalisation
 * ({@link ModeEncoder}) when the column is multi-modal (its quantile sketch's histogram has at least two peaks
 * separated by a valley below 70 % of the lower one, {@link GaussianMixture#sketchPeaks}), the mixture fitted to the
 * sketch has at least two components and two such peaks too, and its CDF is within {@value #MODE_MAX_KS} of the
 * sketch's at every knot (so the mixture loses no marginal fidelity); otherwise, and always for dates and timestamps,
 * quantile-normal.
 */
public final class TableEncoderEstimator {
    private static final Logger LOG = LoggerFactory.getLogger(TableEncoderEstimator.class);

    /** Relative standard deviation of the distinct counts that decide integer columns. */
    static final double DISTINCT_RSD = 0.01;
    /** Fewest non-null values for a column to be detected as an identifier. */
    static final long MIN_ID_ROWS = 100;
    /** Share of distinct values among the non-null ones that marks an identifier (the distinct count is approximate). */
    static final double ID_DISTINCT_SHARE = 0.97;
    /** Largest Kolmogorov distance between a mixture and its sketch for the automatic mode-specific choice. */
    static final double MODE_MAX_KS = 0.01;

    private static final String SUPPORTED = "numeric, decimal, boolean, string, date, timestamp";

    private final EncodeOptions options;
    private final BoundsOptions bounds;

    public TableEncoderEstimator(EncodeOptions options) {
        this(options, BoundsOptions.defaults());
    }

    /** @param bounds extreme-value protection and bounds of numeric, date and timestamp columns */
    public TableEncoderEstimator(EncodeOptions options, BoundsOptions bounds) {
        this.options = Objects.requireNonNull(options, "options");
        this.bounds = Objects.requireNonNull(bounds, "bounds");
    }

    public BoundsOptions bounds() {
        return bounds;
    }

    public EncodeOptions options() {
        return options;
    }

    /** The Spark-free type of a Spark data type, empty when the encoders do not support it. */
    public static Optional<ColumnType> columnType(DataType t) {
        if (t instanceof ByteType) {
            return Optional.of(ColumnType.of(ColumnType.Base.BYTE));
        } else if (t instanceof ShortType) {
            return Optional.of(ColumnType.of(ColumnType.Base.SHORT));
        } else if (t instanceof IntegerType) {
            return Optional.of(ColumnType.of(ColumnType.Base.INT));
        } else if (t instanceof LongType) {
            return Optional.of(ColumnType.of(ColumnType.Base.LONG));
        } else if (t instanceof FloatType) {
            return Optional.of(ColumnType.of(ColumnType.Base.FLOAT));
        } else if (t instanceof DoubleType) {
            return Optional.of(ColumnType.of(ColumnType.Base.DOUBLE));
        } else if (t instanceof DecimalType) {
            DecimalType d = (DecimalType) t;
            return Optional.of(ColumnType.decimal(d.precision(), d.scale()));
        } else if (t instanceof BooleanType) {
            return Optional.of(ColumnType.of(ColumnType.Base.BOOLEAN));
        } else if (t instanceof StringType) {
            return Optional.of(ColumnType.of(ColumnType.Base.STRING));
        } else if (t instanceof DateType) {
            return Optional.of(ColumnType.of(ColumnType.Base.DATE));
        } else if (t instanceof TimestampType) {
            return Optional.of(ColumnType.of(ColumnType.Base.TIMESTAMP));
        }
        return Optional.empty();
    }

    /** Fits the encoder; see the class comment for the Spark jobs it runs. */
    public TableEncoder fit(Dataset<Row> table) {
        StructField[] fields = table.schema().fields();
        List<String> dropped = new ArrayList<>();
        List<Plan> plans = validate(fields, dropped);

        String[] aliases = new String[fields.length];
        for (int i = 0; i < fields.length; i++) {
            aliases[i] = "c" + i;
        }
        Dataset<Row> t = table.toDF(aliases); // positional names: no quoting of dots or backticks needed

        long rows = aggregate(t, plans);
        for (Plan p : plans) {
            decide(p, rows);
        }
        countCategories(t, plans, rows);
        for (Plan p : plans) {
            if (p.mode == Mode.CATEGORICAL && p.override == null && options.detectIds()
                    && p.type.base() == ColumnType.Base.STRING && p.encoder instanceof CategoricalEncoder c
                    && c.protection().rows() > TEXT_FALLBACK_SHARE * p.nonNull) {
                LOG.info("Column '{}': {} of {} values seen fewer than {} times: generated from a format model "
                        + "(kind text) instead of categories", p.name, c.protection().rows(), p.nonNull,
                        options.minCategoryCount());
                p.mode = Mode.TEXT;
                p.kind = EncodeOptions.TEXT;
            } else if (p.mode == Mode.CATEGORICAL && p.encoder instanceof CategoricalEncoder c
                    && c.protection().rows() == p.nonNull && p.nonNull > 0) {
                LOG.warn("Column '{}': every value is seen fewer than {} times: all protected, the synthetic column is "
                        + "all nulls (give it a generated kind, e.g. {}{}.kind=text, to generate values)", p.name,
                        options.minCategoryCount(), ConfigKeys.COLUMNS_PREFIX, p.name);
            }
        }
        fitGenerated(t, plans, rows);
        fitQuantiles(t, plans);

        List<ColumnEncoder> encoders = new ArrayList<>();
        for (Plan p : plans) {
            encoders.add(p.encoder);
            LOG.info("Column '{}' ({}): {} ({}); {}{}; {} feature{}, {} of {} rows null", p.name, p.type,
                    p.encoder.kind(), p.why == null ? "its type" : p.why, encoderName(p.encoder),
                    p.encoding == null ? "" : " (" + p.encoding + ")", p.encoder.width(),
                    p.encoder.width() == 1 ? "" : "s", p.nulls, rows);
        }
        return new TableEncoder(encoders, dropped);
    }

    // ---- schema validation ----------------------------------------------------------------------------------------

    private List<Plan> validate(StructField[] fields, List<String> dropped) {
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
        List<Plan> plans = new ArrayList<>();
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
                        + " (supported: " + SUPPORTED + ")";
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
                checkOverride(f.name(), type.get(), override);
            }
            Plan plan = new Plan(i, f.name(), type.get(), override);
            plan.encoderOverride = options.encoderOverrides().get(f.name());
            plans.add(plan);
        }
        return plans;
    }

    private static void checkOverride(String column, ColumnType type, String override) {
        boolean fits;
        switch (override) {
            case EncodeOptions.CATEGORICAL:
                fits = true;
                break;
            case EncodeOptions.CONTINUOUS:
                fits = type.isNumeric() || type.isDatetime();
                break;
            case EncodeOptions.INTEGER:
                fits = type.isIntegral();
                break;
            case EncodeOptions.DATETIME:
                fits = type.isDatetime();
                break;
            case EncodeOptions.ID:
                fits = type.isIntegral() || type.base() == ColumnType.Base.STRING;
                break;
            case EncodeOptions.PERSON_NAME:
            case EncodeOptions.FIRST_NAME:
            case EncodeOptions.LAST_NAME:
            case EncodeOptions.EMAIL:
            case EncodeOptions.PHONE:
            case EncodeOptions.ADDRESS:
            case EncodeOptions.TEXT:
                fits = type.base() == ColumnType.Base.STRING;
                break;
            default:
                fits = false;
        }
        if (!fits) {
            throw new BadInputException("Column '" + column + "': kind override '" + override + "' does not fit type "
                    + type + " (" + allowedKinds(type) + ")");
        }
    }

    private static String allowedKinds(ColumnType type) {
        if (type.isIntegral()) {
            return "allowed: categorical, continuous, integer, id, ignore";
        } else if (type.isDatetime()) {
            return "allowed: categorical, continuous, datetime, ignore";
        } else if (type.isNumeric()) {
            return "allowed: categorical, continuous, ignore";
        }
        return type.base() == ColumnType.Base.STRING ? "allowed: categorical, id, person-name, first-name, last-name, "
                + "email, phone, address, text, ignore"
                : "allowed: categorical, ignore";
    }

    // ---- pass 1: one aggregate ------------------------------------------------------------------------------------

    private long aggregate(Dataset<Row> t, List<Plan> plans) {
        StructField[] fields = t.schema().fields();
        ColumnStatistics.Spec[] specs = new ColumnStatistics.Spec[plans.size()];
        for (int k = 0; k < plans.size(); k++) {
            Plan p = plans.get(k);
            specs[k] = new ColumnStatistics.Spec(p.index, p.type, fields[p.index].dataType(),
                    extremesNeeded(p) ? 2 * bounds.extremeK() + 1 : 0,
                    p.type.isIntegral() || stringIdCandidate(p), stringIdCandidate(p));
        }
        LOG.info("Encoder pass 1 of 4: counts, bounds, distinct counts and extremes of {} columns (one Spark job)",
                plans.size());
        long started = System.nanoTime();
        ColumnStatistics.Result[] results = new ColumnStatistics.Result[plans.size()];
        long rows = ColumnStatistics.compute(t, specs, DISTINCT_RSD, SHAPES, results);
        LOG.info("Encoder pass 1 done in {} s ({} rows)", String.format("%.1f", (System.nanoTime() - started) / 1e9),
                rows);
        for (int k = 0; k < plans.size(); k++) {
            Plan p = plans.get(k);
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
            if (stringIdCandidate(p)) {
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
    private boolean extremesNeeded(Plan p) {
        return bounds.extremeK() > 0 && (p.type.isNumeric() || p.type.isDatetime());
    }

    private boolean stringIdCandidate(Plan p) {
        return p.type.base() == ColumnType.Base.STRING && (p.override == null ? options.detectIds()
                : !EncodeOptions.CATEGORICAL.equals(p.override));
    }

    /** Value shapes counted for the detection of personal-data and text columns (indexes below). */
    static final String[] SHAPES = {
        "^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}$",               // email
        "^\\p{Lu}[\\p{L}'’.-]*( \\p{Lu}[\\p{L}'’.-]*){1,3}$",                                 // First Last
        "^\\p{Lu}[\\p{L}'’-]+$",                                                               // one name
        "^(?=(\\D*\\d){7,15}\\D*$)\\+?[0-9 ().-]{7,24}$",                                       // phone number
        "^\\S+\\s+\\S+\\s+\\S+\\s+\\S+",                                                     // ≥ 4 words
        "^[0-9]+[A-Za-z]?,? +\\p{L}"                                                            // house number, street
    };
    private static final int EMAIL_SHAPE = 0;
    private static final int NAME_SHAPE = 1;
    private static final int WORD_SHAPE = 2;
    private static final int PHONE_SHAPE = 3;
    private static final int TEXT_SHAPE = 4;
    private static final int ADDRESS_SHAPE = 5;
    /** Share of the non-null values that must have a kind's shape for it to be detected. */
    static final double SHAPE_SHARE = 0.8;
    private static final Set<String> NOT_PERSON = Set.of("product", "company", "brand", "city", "street", "file",
            "host", "domain", "item", "category", "country", "state", "region", "team", "org", "organization",
            "business", "store", "shop", "model", "project", "app", "application", "department", "dept", "school",
            "hospital", "bank", "merchant", "vendor", "supplier", "table", "column", "field", "event", "course");

    /** The column name's words, lower case: {@code customerFullName}, {@code full_name} → full, name. */
    static List<String> nameWords(String name) {
        List<String> words = new ArrayList<>();
        for (String w : name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT)
                .split("[^a-z0-9]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    /**
     * The personal-data or text kind of a string column detected from its name and the shape of its values, or null:
     * email (≥ 80 % of values shaped like an email); phone (a name word phone, tel, mobile, cell, fax, and phone-shaped
     * values); first-name, last-name, person-name (name words such as first_name, surname, full_name, and capitalised
     * one- or two-to-four-word values; not product, company, city, … names); address (address, street, addr and values
     * starting with a house number); text (≥ 80 % of the values of four words or more, half of them distinct). A
     * detected column has more than {@code maxDiscreteValues} distinct values and at least 5 % of its rows distinct
     * (an enumeration such as a few sales reps stays categorical, under rare-category protection).
     */
    private String detectKind(Plan p) {
        if (p.shapeCounts == null || p.nonNull == 0
                || p.distinct <= options.maxDiscreteValues() || p.distinct < 0.05 * p.nonNull) {
            return null;
        }
        double[] share = new double[SHAPES.length];
        for (int j = 0; j < SHAPES.length; j++) {
            share[j] = (double) p.shapeCounts[j] / p.nonNull;
        }
        List<String> words = nameWords(p.name);
        String joined = String.join("", words);
        boolean nameWord = words.contains("name") || joined.endsWith("name");
        boolean notPerson = words.stream().anyMatch(NOT_PERSON::contains);
        if (share[EMAIL_SHAPE] >= SHAPE_SHARE) {
            return EncodeOptions.EMAIL;
        }
        if (words.stream().anyMatch(w -> Set.of("phone", "tel", "telephone", "mobile", "cell", "fax", "msisdn",
                "phonenumber").contains(w)) && share[PHONE_SHAPE] >= SHAPE_SHARE) {
            return EncodeOptions.PHONE;
        }
        if (nameWord && !notPerson) {
            boolean first = words.stream().anyMatch(w -> Set.of("first", "given", "fore", "firstname", "forename",
                    "givenname").contains(w));
            boolean last = words.stream().anyMatch(w -> Set.of("last", "family", "sur", "surname", "lastname",
                    "familyname").contains(w));
            if (first && share[WORD_SHAPE] >= SHAPE_SHARE) {
                return EncodeOptions.FIRST_NAME;
            }
            if (last && share[WORD_SHAPE] >= SHAPE_SHARE) {
                return EncodeOptions.LAST_NAME;
            }
            if (share[NAME_SHAPE] >= SHAPE_SHARE) {
                return EncodeOptions.PERSON_NAME;
            }
        }
        if (words.contains("surname") && share[WORD_SHAPE] >= SHAPE_SHARE) {
            return EncodeOptions.LAST_NAME;
        }
        if (words.stream().anyMatch(w -> w.equals("address") || w.equals("street") || w.equals("addr"))
                && share[ADDRESS_SHAPE] >= 0.5) {
            return EncodeOptions.ADDRESS;
        }
        if (share[TEXT_SHAPE] >= SHAPE_SHARE && p.distinct >= 0.5 * p.nonNull) {
            return EncodeOptions.TEXT;
        }
        return null;
    }

    private static Column finite(Column c) {
        return not(isnan(c)).and(c.notEqual(lit(Double.POSITIVE_INFINITY)))
                .and(c.notEqual(lit(Double.NEGATIVE_INFINITY)));
    }

    private void decide(Plan p, long rows) {
        p.nulls = rows - p.nonNull;
        p.finite = p.nonNull - p.nan - p.positiveInfinity - p.negativeInfinity;
        boolean singleValue = p.finite > 0
                && Objects.equals(ColumnValues.key(p.type, p.min), ColumnValues.key(p.type, p.max));
        int states = (p.finite > 0 ? 1 : 0) + (p.nulls > 0 ? 1 : 0) + (p.nan > 0 ? 1 : 0)
                + (p.positiveInfinity > 0 ? 1 : 0) + (p.negativeInfinity > 0 ? 1 : 0);
        if (p.nonNull == 0) {
            p.why = "every value is null";
            p.encoder = new ConstantEncoder(p.name, p.type, null);
            return;
        }
        if (states == 1 && (p.finite == 0 || singleValue)) {
            p.why = "a single value";
            p.encoder = new ConstantEncoder(p.name, p.type, p.finite > 0 ? p.min : special(p));
            return;
        }
        String generated = p.override != null ? (EncodeOptions.FAKE_KINDS.contains(p.override)
                || EncodeOptions.TEXT.equals(p.override) || EncodeOptions.PHONE.equals(p.override) ? p.override : null)
                : options.detectIds() && p.type.base() == ColumnType.Base.STRING ? detectKind(p) : null;
        if (generated != null) {
            p.kind = generated;
            p.why = p.override != null ? "set by " + ConfigKeys.COLUMNS_PREFIX + p.name + ".kind"
                    : "detected from the values' shape; fresh values are generated";
            p.mode = EncodeOptions.FAKE_KINDS.contains(generated) ? Mode.FAKE : Mode.TEXT;
            if (p.override == null) {
                LOG.info("Column '{}': detected as {} (set {}{}.kind to change): fresh values are generated, no real "
                        + "value is kept", p.name, generated, ConfigKeys.COLUMNS_PREFIX, p.name);
            }
            return;
        }
        if (EncodeOptions.ID.equals(p.override) || (p.override == null && options.detectIds() && looksLikeId(p))) {
            p.why = p.override != null ? "set by " + ConfigKeys.COLUMNS_PREFIX + p.name + ".kind"
                    : "unique per row (" + p.distinct + " distinct of " + p.nonNull + "); fresh ids are generated";
            p.encoder = p.type.isIntegral()
                    ? IdEncoder.integral(p.name, p.type, rows, p.nulls, ((Number) p.min).longValue(),
                            ((Number) p.max).longValue())
                    : IdEncoder.string(p.name, rows, p.nulls, (String) p.min, (String) p.max, p.shape, p.maxLength,
                            p.classes);
            return;
        }
        String kind = p.override != null ? p.override : defaultKind(p);
        p.why = p.override != null ? "set by " + ConfigKeys.COLUMNS_PREFIX + p.name + ".kind"
                : p.type.isIntegral() ? p.distinct + " distinct values " + (kind.equals(EncodeOptions.CATEGORICAL) ? "≤ " : "> ")
                        + ConfigKeys.ENCODE_MAX_DISCRETE_VALUES + " = " + options.maxDiscreteValues()
                : p.type.isNumeric() ? "a fractional number type"
                : p.type.isDatetime() ? "a date/time type"
                : "a " + p.type + " type";
        boolean degenerate = !kind.equals(EncodeOptions.CATEGORICAL) && (p.finite == 0 || singleValue);
        if (degenerate) {
            kind = EncodeOptions.CATEGORICAL; // degenerate quantile column: a few states, no continuous part
            p.why = "a single finite value besides nulls or non-finite values";
        }
        p.mode = kind.equals(EncodeOptions.CATEGORICAL) ? Mode.CATEGORICAL : Mode.QUANTILE;
        p.kind = kind;
        String e = p.encoderOverride;
        if (e != null) {
            boolean categoricalEncoder = e.equals(EncodeOptions.FREQUENCY) || e.equals(EncodeOptions.ONEHOT);
            if (categoricalEncoder != (p.mode == Mode.CATEGORICAL)) {
                if (!degenerate) {
                    throw new BadInputException("Column '" + p.name + "': encoder '" + e + "' does not fit its kind "
                            + kind + " (" + (p.mode == Mode.CATEGORICAL ? "frequency, onehot" : "quantile, mode")
                            + " allowed)");
                }
                p.encoderOverride = null; // a degenerate numeric column: a few states, no continuous part
            }
        }
    }

    /** Unique per row: strings, and dense integer sequences (see the class comment). */
    private static boolean looksLikeId(Plan p) {
        if (p.nonNull < MIN_ID_ROWS || p.distinct < ID_DISTINCT_SHARE * p.nonNull) {
            return false;
        }
        if (p.type.base() == ColumnType.Base.STRING) {
            return true;
        }
        if (!p.type.isIntegral()) {
            return false;
        }
        double range = ((Number) p.max).doubleValue() - ((Number) p.min).doubleValue() + 1.0;
        return range <= 2.0 * p.nonNull;
    }

    /** The encoder's name for the per-column log line: {@code ModeEncoder} → "mode encoder". */
    private static String encoderName(ColumnEncoder e) {
        String n = e.getClass().getSimpleName().replace("Encoder", "");
        return n.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT) + " encoder";
    }

    private String defaultKind(Plan p) {
        if (p.type.isIntegral()) {
            return p.distinct <= options.maxDiscreteValues() ? EncodeOptions.CATEGORICAL : EncodeOptions.INTEGER;
        } else if (p.type.isNumeric()) {
            return EncodeOptions.CONTINUOUS;
        } else if (p.type.isDatetime()) {
            return EncodeOptions.DATETIME;
        }
        return EncodeOptions.CATEGORICAL;
    }

    private static Object special(Plan p) {
        double d = p.nan > 0 ? Double.NaN
                : p.positiveInfinity > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        return p.type.base() == ColumnType.Base.FLOAT ? (Object) (float) d : (Object) d;
    }

    // ---- pass 2: one grouped count for all categorical columns ---------------------------------------------------

    /** Fewest kept categories for a column to be laid out by a parent column. */
    static final int NEST_MIN_CHILD_CATEGORIES = 20;
    /** Most outcomes a parent column may have. */
    static final int NEST_MAX_PARENT_OUTCOMES = 64;
    /**
     * Most candidate parents per child column: the categorical columns nearest to it in the table's column order.
     * Keeps the nesting pass linear in the number of columns (all pairs would be quadratic: 3,160 pairs on a table of
     * 40 30-level strings and 40 small integers, 80,000 at 1,000 such columns).
     */
    static final int NEST_MAX_PARENTS = 8;
    /** How far the share of rows in their category's modal parent value must beat the parent's largest category. */
    static final double NEST_MIN_GAIN = 0.2;
    private static final String OTHER_TEXT = "\u0000other";
    private static final String NULL_TEXT = "\u0000null";

    private void countCategories(Dataset<Row> t, List<Plan> plans, long rows) {
        List<Plan> cats = new ArrayList<>();
        for (Plan p : plans) {
            if (p.mode == Mode.CATEGORICAL) {
                cats.add(p);
            }
        }
        if (cats.isEmpty()) {
            return;
        }
        Column[] pairs = new Column[cats.size()];
        for (int k = 0; k < cats.size(); k++) {
            Plan p = cats.get(k);
            pairs[k] = struct(lit(k).as("i"), keyText(col("c" + p.index), p.type).as("v"));
        }
        LOG.info("Encoder pass 2 of 4: category counts of {} categorical columns (one Spark job)", cats.size());
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
        for (Row r : top) {
            int k = r.getInt(0);
            Plan p = cats.get(k);
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
            boolean isKept = r.getInt(3) <= options.maxCategories()
                    && r.getLong(2) >= options.minCategoryFrequency() * rows;
            // (every collected value is seen at least minCount times)
            Map<Object, Long> target = isKept ? kept.get(k) : rare.get(k);
            target.merge(key, r.getLong(2), Long::sum);
        }
        long[] others = new long[cats.size()];
        boolean[] onehots = new boolean[cats.size()];
        CategoricalEncoder[] plain = new CategoricalEncoder[cats.size()];
        CategoricalEncoder.Protection[] protections = new CategoricalEncoder.Protection[cats.size()];
        for (int k = 0; k < cats.size(); k++) {
            Plan p = cats.get(k);
            Map<Object, Long> categories = kept.get(k);
            long keptRows = categories.values().stream().mapToLong(Long::longValue).sum();
            // with protection, "other" holds only the recorded further values (each seen ≥ minCount times); the
            // protected rows (and any further values beyond the recorded ones) are redistributed in proportion
            long other = minCount > 1 ? rare.get(k).values().stream().mapToLong(Long::longValue).sum()
                    : Math.max(0, p.nonNull - keptRows);
            if (rare.get(k).isEmpty()) {
                other = 0;
            }
            protections[k] = new CategoricalEncoder.Protection(minCount, protectedCategories[k], protectedRows[k]);
            if (protectedRows[k] > 0) {
                LOG.info("Column '{}': {} categories seen fewer than {} times ({} rows) protected: not kept, their "
                        + "rows redistributed over the kept categories", p.name, protectedCategories[k], minCount,
                        protectedRows[k]);
            }
            if (p.nulls > 0) {
                categories.put(null, p.nulls);
            }
            int outcomes = categories.size() + (other > 0 ? 1 : 0);
            boolean onehot = p.encoderOverride != null
                    ? p.encoderOverride.equals(EncodeOptions.ONEHOT)
                    : outcomes >= 3 && outcomes <= options.onehotMaxCategories();
            others[k] = other;
            onehots[k] = onehot;
            if (categories.isEmpty() && other == 0) {
                categories.put(null, p.nonNull + p.nulls); // all protected: null (see fit for the warning)
            }
            plain[k] = new CategoricalEncoder(p.name, p.type, categories, other, rare.get(k), onehot, null, Map.of(),
                    protections[k]);
            p.encoder = plain[k];
        }
        for (Nesting n : nestings(t, cats, plain, others, onehots, rows)) {
            Plan p = cats.get(n.child);
            p.encoder = new CategoricalEncoder(p.name, p.type, kept.get(n.child), others[n.child], rare.get(n.child),
                    false, cats.get(n.parent).name, n.groups, protections[n.child]);
            LOG.info("Column '{}': its categories nest in '{}' ({}% of rows in their category's most frequent '{}'): "
                    + "intervals laid out by '{}'", p.name, cats.get(n.parent).name,
                    String.format("%.1f", 100 * n.purity), cats.get(n.parent).name, cats.get(n.parent).name);
        }
    }

    /** A categorical column whose categories nest in another's, with each kept category's parent rank. */
    private record Nesting(int child, int parent, double purity, Map<Object, Integer> groups) {
    }

    /**
     * Finds categorical columns with many categories whose categories (nearly) nest in a column with few (products in
     * categories, cities in states) among its {@link #NEST_MAX_PARENTS} nearest categorical columns, with one grouped
     * count of (child, parent) pairs over the kept categories only,
     * so at most kept(child) × outcomes(parent) rows per pair reach the driver. A child takes the parent that holds
     * the largest share of its rows in each category's most frequent parent value (its purity), if that share beats
     * the parent's own largest category by {@link #NEST_MIN_GAIN}; a column used as a parent is not reordered itself.
     */
    private List<Nesting> nestings(Dataset<Row> t, List<Plan> cats, CategoricalEncoder[] plain, long[] others,
                                   boolean[] onehots, long rows) {
        List<int[]> pairs = new ArrayList<>();
        for (int c = 0; c < cats.size(); c++) {
            int levels = plain[c].categories().size();
            if (onehots[c] || levels < NEST_MIN_CHILD_CATEGORIES) {
                continue;
            }
            // candidate parents nearest in column order first (left before right at equal distance), at most
            // NEST_MAX_PARENTS of them: the pass costs rows × pairs, which must stay linear in the width
            int taken = 0;
            for (int d = 1; d < cats.size() && taken < NEST_MAX_PARENTS; d++) {
                for (int q : new int[]{c - d, c + d}) {
                    if (q < 0 || q >= cats.size() || taken >= NEST_MAX_PARENTS) {
                        continue;
                    }
                    int outcomes = plain[q].categories().size() + (others[q] > 0 ? 1 : 0);
                    if (outcomes >= 2 && outcomes <= NEST_MAX_PARENT_OUTCOMES && outcomes < levels) {
                        pairs.add(new int[]{c, q});
                        taken++;
                    }
                }
            }
        }
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
            Plan p = cats.get(e.getKey());
            keys[e.getValue()] = keyText(col("c" + p.index), p.type).cast("string");
        }
        int[][] pairSlots = new int[pairs.size()][];
        List<Set<String>> keptChild = new ArrayList<>();
        List<Set<String>> keptParent = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            int[] pair = pairs.get(i);
            pairSlots[i] = new int[]{slot.get(pair[0]), slot.get(pair[1])};
            keptChild.add(textSet(plain[pair[0]], cats.get(pair[0]).type));
            keptParent.add(textSet(plain[pair[1]], cats.get(pair[1]).type));
        }
        List<Map<String, Map<String, Long>>> table = t.select(keys).javaRDD().mapPartitions(it -> {
            List<Map<String, Map<String, Long>>> counts = new ArrayList<>();
            for (int i = 0; i < pairSlots.length; i++) {
                counts.add(new HashMap<>());
            }
            while (it.hasNext()) {
                Row r = it.next();
                for (int i = 0; i < pairSlots.length; i++) {
                    String a = r.getString(pairSlots[i][0]);
                    if (a == null || !keptChild.get(i).contains(a)) {
                        continue;
                    }
                    String b = r.getString(pairSlots[i][1]);
                    String parent = b == null ? NULL_TEXT : keptParent.get(i).contains(b) ? b : OTHER_TEXT;
                    counts.get(i).computeIfAbsent(a, k -> new HashMap<>()).merge(parent, 1L, Long::sum);
                }
            }
            return java.util.Collections.singletonList(counts).iterator();
        }).treeReduce((x, y) -> {
            for (int i = 0; i < x.size(); i++) {
                Map<String, Map<String, Long>> into = x.get(i);
                y.get(i).forEach((a, parents) -> parents.forEach((b, n) ->
                        into.computeIfAbsent(a, k -> new HashMap<>()).merge(b, n, Long::sum)));
            }
            return x;
        });
        double[] purity = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            long inMode = 0;
            long total = 0;
            for (Map<String, Long> parents : table.get(i).values()) {
                long best = 0;
                for (long n : parents.values()) {
                    best = Math.max(best, n);
                    total += n;
                }
                inMode += best;
            }
            CategoricalEncoder parent = plain[pairs.get(i)[1]];
            long largest = 0;
            for (Object key : parent.categories()) {
                largest = Math.max(largest, parent.count(key));
            }
            largest = Math.max(largest, others[pairs.get(i)[1]]);
            double gain = total == 0 ? 0 : (double) inMode / total - (double) largest / Math.max(1, rows);
            purity[i] = gain >= NEST_MIN_GAIN ? (double) inMode / total : -1;
        }
        List<Nesting> out = new ArrayList<>();
        Set<Integer> parentsUsed = new java.util.HashSet<>();
        Set<Integer> nested = new java.util.HashSet<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            order.add(i);
        }
        // children with the most categories choose first; ties by purity
        order.sort((x, y) -> {
            int byLevels = Integer.compare(plain[pairs.get(y)[0]].categories().size(),
                    plain[pairs.get(x)[0]].categories().size());
            return byLevels != 0 ? byLevels : Double.compare(purity[y], purity[x]);
        });
        for (int i : order) {
            int c = pairs.get(i)[0];
            int q = pairs.get(i)[1];
            if (purity[i] < 0 || nested.contains(c) || parentsUsed.contains(c) || nested.contains(q)) {
                continue;
            }
            CategoricalEncoder parent = plain[q];
            Plan parentPlan = cats.get(q);
            Map<String, Integer> rank = new HashMap<>();
            List<Object> parentOrder = parent.categories();
            for (int r = 0; r < parentOrder.size(); r++) {
                Object key = parentOrder.get(r);
                rank.put(key == null ? NULL_TEXT : ColumnValues.keyToText(parentPlan.type, key), r);
            }
            rank.put(OTHER_TEXT, parentOrder.size());
            Map<Object, Integer> groups = new HashMap<>();
            Plan childPlan = cats.get(c);
            for (Map.Entry<String, Map<String, Long>> e : table.get(i).entrySet()) {
                String modal = e.getValue().entrySet().stream().max(Map.Entry.<String, Long>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                        .orElseThrow().getKey();
                groups.put(ColumnValues.keyFromText(childPlan.type, e.getKey()), rank.getOrDefault(modal,
                        parentOrder.size()));
            }
            out.add(new Nesting(c, q, purity[i], groups));
            nested.add(c);
            parentsUsed.add(q);
        }
        return out;
    }

    private static Set<String> textSet(CategoricalEncoder e, ColumnType type) {
        Set<String> texts = new java.util.HashSet<>();
        for (Object text : keptTexts(e, type)) {
            texts.add((String) text);
        }
        return texts;
    }

    private static Object[] keptTexts(CategoricalEncoder e, ColumnType type) {
        List<Object> texts = new ArrayList<>();
        for (Object key : e.categories()) {
            if (key != null) {
                texts.add(ColumnValues.keyToText(type, key));
            }
        }
        return texts.toArray();
    }

    /** The value's key text ({@link ColumnValues#keyFromText}) computed by Spark; −0.0 folded into 0.0. */
    private static Column keyText(Column c, ColumnType type) {
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

    /** A string categorical column with more than this share of its rows protected is generated as text instead. */
    static final double TEXT_FALLBACK_SHARE = 0.5;
    /** Most frequent words, word shapes and mail domains kept per column. */
    static final int MAX_TOKENS = 1000;

    /**
     * Fits the generated columns: fake-value kinds ({@link FakeEncoder}) and format-modelled text ({@link TextEncoder}).
     * One grouped count of (column, what, value) over word counts, words, word shapes and whole-value shapes of the text
     * columns and the
     * mail domains of the email columns; only values seen at least {@code minCategoryCount} times (and word counts)
     * reach the driver, at most {@value #MAX_TOKENS} of each per column.
     */
    private void fitGenerated(Dataset<Row> t, List<Plan> plans, long rows) {
        List<Plan> gen = new ArrayList<>();
        List<Column> parts = new ArrayList<>();
        for (Plan p : plans) {
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
            Plan p = gen.get(k);
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

    private void fitQuantiles(Dataset<Row> t, List<Plan> plans) {
        List<Plan> qs = new ArrayList<>();
        for (Plan p : plans) {
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
        int n = options.quantiles();
        double[] probabilities = new double[n];
        for (int j = 0; j < n; j++) {
            probabilities[j] = (double) j / (n - 1);
        }
        probabilities[n - 1] = 1.0;
        double alpha = bounds.clippedTail();
        if (alpha > 0) { // quantile bounds: the sketch's α and 1 − α quantiles are knots too
            probabilities = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(probabilities),
                    java.util.stream.DoubleStream.of(alpha, 1.0 - alpha)).sorted().distinct().toArray();
            n = probabilities.length;
        }
        LOG.info("Encoder pass 4 of 4: quantile sketches of {} numeric, date and timestamp columns (one Spark job)",
                qs.size());
        // merged in partition order, not task completion order (Spark's approxQuantile): the same table gives the same
        // knots under any scheduling
        double[][] quantiles = OrderedQuantiles.approxQuantiles(t.select(columns), probabilities,
                options.quantileRelativeError());
        for (int k = 0; k < qs.size(); k++) {
            Plan p = qs.get(k);
            double lo = ColumnValues.toDouble(p.type, p.min);
            double hi = ColumnValues.toDouble(p.type, p.max);
            double[] knots = new double[n];
            double[] q = quantiles[k];
            for (int j = 0; j < n; j++) {
                double v = j < q.length && Double.isFinite(q[j]) ? q[j] : hi;
                v = Math.max(lo, Math.min(hi, v));
                knots[j] = j == 0 ? lo : Math.max(knots[j - 1], v);
            }
            knots[n - 1] = hi;
            long[] states = {p.finite, p.nulls, p.nan, p.positiveInfinity, p.negativeInfinity};
            int decimals = p.type.isFloatingPoint() ? p.decimals : -1;
            ExtremeBounds.Result protectedKnots = ExtremeBounds.protect(knots, probabilities, p.smallest, p.largest,
                    p.finite, bounds.extremeK(), bounds.clippedTail(), unit(p));
            double[] kept = protectedKnots.knots();
            double[] keptProbabilities = protectedKnots.probabilities();
            LOG.debug("Column '{}': {} rows withheld below its bounds and {} above, {} knots, tails {} and {}", p.name,
                    protectedKnots.withheldLow(), protectedKnots.withheldHigh(), kept.length,
                    protectedKnots.lowerTail(), protectedKnots.upperTail());
            // the mixture is chosen and fitted on the whole sketch, as before protection (a smooth model stores no
            // real value); its decoded values are clipped to the protected bounds
            GaussianMixture mixture = kept.length > 1 ? mixture(p, knots, probabilities) : null;
            p.encoder = mixture != null
                    ? new ModeEncoder(p.name, p.kind, p.type, protectedKnots.min(), protectedKnots.max(), unit(p),
                            decimals, states, mixture, bounds.extremeK())
                    : new QuantileEncoder(p.name, p.kind, p.type, kept, keptProbabilities, unit(p), decimals, states,
                            protectedKnots.lowerTail(), protectedKnots.upperTail(), bounds.extremeK());
        }
    }

    /** The mixture of a mode-specific column (configured, or chosen by the class comment's rule), else null. */
    private GaussianMixture mixture(Plan p, double[] knots, double[] probabilities) {
        if (EncodeOptions.QUANTILE.equals(p.encoderOverride) || !(knots[knots.length - 1] > knots[0])) {
            return null;
        }
        boolean forced = EncodeOptions.MODE.equals(p.encoderOverride);
        if (!forced && !(p.kind.equals(EncodeOptions.CONTINUOUS) || p.kind.equals(EncodeOptions.INTEGER))) {
            return null;
        }
        GaussianMixture m = GaussianMixture.fitSketch(knots, probabilities, options.maxModes());
        double ks = m.ksDistance(knots, probabilities);
        boolean multiModal = m.size() >= 2 && GaussianMixture.sketchPeaks(knots, probabilities) >= 2
                && m.peaks(knots[0], knots[knots.length - 1]) >= 2;
        LOG.debug("Column '{}': a fitted mixture has {} modes, KS distance {} to its quantiles, {}", p.name, m.size(),
                String.format("%.4f", ks), multiModal ? "multi-modal" : "uni-modal");
        boolean use = forced || (multiModal && ks <= MODE_MAX_KS);
        p.encoding = forced ? "set by " + ConfigKeys.COLUMNS_PREFIX + p.name + ".encoder"
                : use ? String.format(java.util.Locale.ROOT, "multi-modal: %d modes fit its quantiles within KS %.3f",
                        m.size(), ks)
                : !multiModal ? "one peak: quantiles suffice"
                : String.format(java.util.Locale.ROOT, "multi-modal, but a %d-mode mixture fits its quantiles only within "
                        + "KS %.3f > %.3f", m.size(), ks, MODE_MAX_KS);
        return use ? m : null;
    }

    /** The number {@link ColumnValues#toDouble} gives, computed by Spark; NaN and ±∞ become null. */
    private static Column numeric(Column c, ColumnType type) {
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

    private static double unit(Plan p) {
        switch (p.type.base()) {
            case FLOAT:
            case DOUBLE:
                return 0.0;
            case DECIMAL:
                return BigDecimal.ONE.movePointLeft(p.type.scale()).doubleValue();
            case TIMESTAMP:
                return p.subMilli > 0 ? 1.0 : p.subSecond > 0 ? 1_000.0 : 1_000_000.0;
            default:
                return 1.0;
        }
    }

    private enum Mode { CONSTANT, CATEGORICAL, QUANTILE, FAKE, TEXT }

    /** One column's statistics while fitting (driver only). */
    private static final class Plan {
        final int index;
        final String name;
        final ColumnType type;
        final String override;
        int slot;
        long nonNull;
        long nulls;
        long finite;
        long nan;
        long positiveInfinity;
        long negativeInfinity;
        long distinct;
        long subSecond;
        long subMilli;
        int decimals = -1;
        int maxLength;
        String shape;
        String classes;
        long[] shapeCounts;
        String encoderOverride;
        Object min;
        Object max;
        /** The 2k + 1 smallest (ascending) and largest (descending) finite values, as doubles; empty when k = 0. */
        double[] smallest = new double[0];
        double[] largest = new double[0];
        Mode mode = Mode.CONSTANT;
        String kind;
        ColumnEncoder encoder;
        /** Why the column got its kind, for the one log line per column. */
        String why;
        /** Why a numeric column got its encoder (mode or quantile), or null. */
        String encoding;

        Plan(int index, String name, ColumnType type, String override) {
            this.index = index;
            this.name = name;
            this.type = type;
            this.override = override;
        }
    }
}
