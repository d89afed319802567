package io.flowsynth.encode;

import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigKeys;
import io.flowsynth.encode.ColumnPlan.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The Spark-free choices behind a fitted {@link TableEncoder}: each column's kind and encoder from the statistics that
 * {@code io.flowsynth.spark.encode.TableEncoderEstimator}'s passes gathered in its {@link ColumnPlan}, and the
 * encoders built from them (categorical, quantile-normal, mode-specific). One per fit, on the driver.
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
public final class EncoderChoice {
    private static final Logger LOG = LoggerFactory.getLogger(EncoderChoice.class);

    /** Fewest non-null values for a column to be detected as an identifier. */
    static final long MIN_ID_ROWS = 100;
    /** Share of distinct values among the non-null ones that marks an identifier (the distinct count is approximate). */
    static final double ID_DISTINCT_SHARE = 0.97;
    /** Largest Kolmogorov distance between a mixture and its sketch for the automatic mode-specific choice. */
    static final double MODE_MAX_KS = 0.01;
    /**
     * A string categorical column with more than this share of its non-null rows protected is generated as text
     * instead: its kept values (each seen ≥ k times) cover less than a third of them, and categories over so few
     * would pile the rest's rows onto them. With more kept rows the real frequent values describe the column better
     * than the format model's fresh strings: movies' Director (584 of 1,477 rows in 64 directors seen at least 5
     * times, 60 % protected) scores 0.417 as text, 0.633 as categories (its ceiling 0.684; the table's quality
     * 0.785 → 0.798; 0.5 before, README "Benchmarks").
     */
    static final double TEXT_FALLBACK_SHARE = 2.0 / 3.0;
    /**
     * ... unless it keeps at least this many values (each seen ≥ k times): then its synthetic column does not
     * collapse onto a few values, and its real frequent values (zipcodes' 1,122 cities seen at least 5 times in the
     * training rows, 42 % of them) describe it better than the format model's fresh strings (the column's score 0.195 as text, 0.408 as
     * categories, its ceiling 0.414; the table's quality 0.652 → 0.702, README "Benchmarks").
     */
    static final int TEXT_FALLBACK_MAX_KEPT = 100;

    private final EncodeOptions options;

    public EncoderChoice(EncodeOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Refuses a kind override that does not fit the column's type, naming the column, the kind and the kinds allowed.
     */
    public static void checkOverride(String column, ColumnType type, String override) {
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

    /** Whether pass 1 collects the shape statistics of a string column (for id and personal-data detection). */
    public boolean stringIdCandidate(ColumnPlan p) {
        return p.type.base() == ColumnType.Base.STRING && (p.override == null ? options.detectIds()
                : !EncodeOptions.CATEGORICAL.equals(p.override));
    }

    /** Value shapes counted for the detection of personal-data and text columns (indexes below). */
    public static final String[] SHAPES = {
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
    private String detectKind(ColumnPlan p) {
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

    /**
     * The column's kind after pass 1 (see the class comment): constant, generated (fake or text), id, or categorical
     * or quantile-normal, with {@link ColumnPlan#why}; sets the encoder of constant and id columns.
     */
    public void decide(ColumnPlan p, long rows) {
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

    /** Each key's rank in value order (null first). */
    static Map<Object, Integer> valueRanks(java.util.Collection<Object> keys) {
        List<Object> sorted = new java.util.ArrayList<>(keys);
        sorted.sort(ColumnValues::compareKeys);
        Map<Object, Integer> ranks = new java.util.HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            ranks.put(sorted.get(i), i);
        }
        return ranks;
    }

    /** Unique per row: strings, and dense integer sequences (see the class comment). */
    private static boolean looksLikeId(ColumnPlan p) {
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
    public static String encoderName(ColumnEncoder e) {
        String n = e.getClass().getSimpleName().replace("Encoder", "");
        return n.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT) + " encoder";
    }

    private String defaultKind(ColumnPlan p) {
        if (p.type.isIntegral()) {
            return p.distinct <= options.maxDiscreteValues() ? EncodeOptions.CATEGORICAL : EncodeOptions.INTEGER;
        } else if (p.type.isNumeric()) {
            return EncodeOptions.CONTINUOUS;
        } else if (p.type.isDatetime()) {
            return EncodeOptions.DATETIME;
        }
        return EncodeOptions.CATEGORICAL;
    }

    private static Object special(ColumnPlan p) {
        double d = p.nan > 0 ? Double.NaN
                : p.positiveInfinity > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        return p.type.base() == ColumnType.Base.FLOAT ? (Object) (float) d : (Object) d;
    }

    /** The mixture of a mode-specific column (configured, or chosen by the class comment's rule), else null. */
    public GaussianMixture mixture(ColumnPlan p, double[] knots, double[] probabilities) {
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

    /** The dequantization and rounding unit of a quantile or mode-specific column (0 for float and double). */
    public static double unit(ColumnPlan p) {
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

    /**
     * A string column that the rare-category protection would mostly blank (more than {@link #TEXT_FALLBACK_SHARE}
     * of its rows protected) and that keeps fewer than {@value #TEXT_FALLBACK_MAX_KEPT} values becomes a generated
     * text column; with more kept values it stays categorical over them (logged); a categorical column with every
     * value protected is kept, with a warning (its synthetic column is all nulls).
     */
    public void textFallback(ColumnPlan p) {
        boolean mostlyProtected = p.mode == Mode.CATEGORICAL && p.override == null && options.detectIds()
                && p.type.base() == ColumnType.Base.STRING && p.encoder instanceof CategoricalEncoder e
                && e.protection().rows() > TEXT_FALLBACK_SHARE * p.nonNull;
        if (mostlyProtected && ((CategoricalEncoder) p.encoder).categories().size() >= TEXT_FALLBACK_MAX_KEPT) {
            CategoricalEncoder c = (CategoricalEncoder) p.encoder;
            LOG.info("Column '{}': {} of {} values seen fewer than {} times, but {} values are kept (at least {}): "
                    + "categories over the kept values, the rest's rows redistributed over them", p.name,
                    c.protection().rows(), p.nonNull, options.minCategoryCount(), c.categories().size(),
                    TEXT_FALLBACK_MAX_KEPT);
        } else if (mostlyProtected) {
            CategoricalEncoder c = (CategoricalEncoder) p.encoder;
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

    /**
     * The probabilities of a quantile sketch's knots: n equally spaced from 0 to 1, plus α and 1 − α when the
     * quantile bounds clip at α (else α = 0).
     */
    public static double[] quantileProbabilities(int n, double alpha) {
        double[] probabilities = new double[n];
        for (int j = 0; j < n; j++) {
            probabilities[j] = (double) j / (n - 1);
        }
        probabilities[n - 1] = 1.0;
        if (alpha > 0) { // quantile bounds: the sketch's α and 1 − α quantiles are knots too
            probabilities = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(probabilities),
                    java.util.stream.DoubleStream.of(alpha, 1.0 - alpha)).sorted().distinct().toArray();
        }
        return probabilities;
    }

    /**
     * The quantile-normal or mode-specific encoder of a column from its sketch's quantiles {@code q} at
     * {@code probabilities} ({@link #quantileProbabilities}), its k extremes and the bounds settings: knots within the
     * exact range, protected by {@link ExtremeBounds}; a mixture when {@link #mixture} chooses one.
     */
    public ColumnEncoder quantileEncoder(ColumnPlan p, double[] q, double[] probabilities, BoundsOptions bounds) {
        int n = probabilities.length;
        double lo = ColumnValues.toDouble(p.type, p.min);
        double hi = ColumnValues.toDouble(p.type, p.max);
        double[] knots = new double[n];
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
        if (mixture == null && p.atomValues != null && kept.length > 1) {
            QuantileAtoms.Result atoms = QuantileAtoms.insert(kept, keptProbabilities, p.atomValues, p.atomCounts,
                    p.finite, unit(p), protectedKnots.lowerTail() != null, protectedKnots.upperTail() != null);
            if (atoms.atoms() > 0) {
                LOG.info("Column '{}': {} values seen at least {} times kept as point masses ({} of {} rows; each at "
                        + "least {} times what the knots give its day)", p.name, atoms.atoms(),
                        options.minCategoryCount(), atoms.rows(), p.finite, QuantileAtoms.MIN_EXCESS);
                kept = atoms.knots();
                keptProbabilities = atoms.probabilities();
            }
        }
        if (mixture != null) {
            return new ModeEncoder(p.name, p.kind, p.type, protectedKnots.min(), protectedKnots.max(), unit(p),
                    decimals, states, mixture, bounds.extremeK());
        }
        QuantileEncoder quantile = new QuantileEncoder(p.name, p.kind, p.type, kept, keptProbabilities, unit(p),
                decimals, states, protectedKnots.lowerTail(), protectedKnots.upperTail(), bounds.extremeK());
        if (p.weekdayCounts != null && kept.length > 1 && unit(p) == 1.0 && weekdayProfile(p.weekdayCounts)) {
            LOG.info("Column '{}': its dates fall on some weekdays far more than others ({}): sampled dates keep "
                    + "that profile (each moved at most 3 days)", p.name, weekdayText(p.weekdayCounts));
            return quantile.withWeekdays(p.weekdayCounts);
        }
        return quantile;
    }

    /**
     * Whether a date column's rows per weekday are far from even: their total variation distance from the uniform
     * weekday is at least {@link #WEEKDAY_MIN_TVD} and at least 3/√n (about three times what n dates drawn evenly
     * show by chance).
     */
    static boolean weekdayProfile(long[] counts) {
        double n = 0;
        for (long c : counts) {
            n += c;
        }
        if (n <= 0) {
            return false;
        }
        double tvd = 0;
        for (long c : counts) {
            tvd += Math.abs(c / n - 1.0 / 7.0);
        }
        tvd /= 2;
        return tvd >= Math.max(WEEKDAY_MIN_TVD, 3.0 / Math.sqrt(n));
    }

    /** Least total variation distance from an even weekday spread for a weekday profile ({@link #weekdayProfile}). */
    public static final double WEEKDAY_MIN_TVD = 0.05;

    private static String weekdayText(long[] counts) {
        String[] names = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        double n = java.util.Arrays.stream(counts).sum();
        StringBuilder b = new StringBuilder();
        for (int w = 0; w < 7; w++) {
            b.append(w == 0 ? "" : ", ").append(names[w]).append(' ')
                    .append(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * counts[w] / n));
        }
        return b.toString();
    }

    /** Whether a category of the given rank and row count is kept (else it goes to "other"). */
    public boolean keptCategory(int rank, long count, long rows) {
        return rank <= options.maxCategories() && count >= options.minCategoryFrequency() * rows;
    }

    /** A categorical column's encoder without nesting, with the counts the nesting pass needs. */
    public record Categorical(CategoricalEncoder encoder, long other, boolean onehot,
                              CategoricalEncoder.Protection protection) {
    }

    /**
     * The encoder of a categorical column (sets {@link ColumnPlan#encoder}) from its kept categories (modified: the
     * null count is added), the recorded further values that "other" samples from, and the protected counts: one-hot
     * for 3 to {@code onehotMaxCategories} outcomes unless configured, else frequency intervals.
     */
    public Categorical categorical(ColumnPlan p, Map<Object, Long> categories, Map<Object, Long> rare,
                                   long protectedCategories, long protectedRows) {
        int minCount = options.minCategoryCount();
        long keptRows = categories.values().stream().mapToLong(Long::longValue).sum();
        // with protection, "other" holds only the recorded further values (each seen ≥ minCount times); the
        // protected rows (and any further values beyond the recorded ones) are redistributed in proportion
        long other = minCount > 1 ? rare.values().stream().mapToLong(Long::longValue).sum()
                : Math.max(0, p.nonNull - keptRows);
        if (rare.isEmpty()) {
            other = 0;
        }
        CategoricalEncoder.Protection protection = new CategoricalEncoder.Protection(minCount, protectedCategories,
                protectedRows);
        if (protectedRows > 0) {
            LOG.info("Column '{}': {} categories seen fewer than {} times ({} rows) protected: not kept, their "
                    + "rows redistributed over the kept categories", p.name, protectedCategories, minCount,
                    protectedRows);
        }
        if (p.nulls > 0) {
            categories.put(null, p.nulls);
        }
        int outcomes = categories.size() + (other > 0 ? 1 : 0);
        boolean onehot = p.encoderOverride != null
                ? p.encoderOverride.equals(EncodeOptions.ONEHOT)
                : outcomes >= 3 && outcomes <= options.onehotMaxCategories();
        if (categories.isEmpty() && other == 0) {
            categories.put(null, p.nonNull + p.nulls); // all protected: null (see fit for the warning)
        }
        // a number's categories (a whole-number column of few values) are laid out in value order, not by
        // frequency: a count of garages then rises with its features as it does with the garage's area, which the
        // flow (and a copula) follow far more easily than a frequency order's zigzag; stored as the column's own
        // "ordered_by" layout, so models saved before load as they were
        boolean valueOrder = !onehot && p.type.isNumeric() && categories.size() > 2;
        CategoricalEncoder plain = new CategoricalEncoder(p.name, p.type, categories, other, rare, onehot,
                valueOrder ? p.name : null, valueOrder ? valueRanks(categories.keySet()) : Map.of(), protection);
        p.encoder = plain;
        return new Categorical(plain, other, onehot, protection);
    }
}
