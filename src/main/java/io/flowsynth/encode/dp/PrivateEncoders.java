package io.flowsynth.encode.dp;

import io.flowsynth.config.ConfigKeys;
import io.flowsynth.config.PrivacySettings;
import io.flowsynth.encode.BoundsOptions;
import io.flowsynth.encode.CategoricalEncoder;
import io.flowsynth.encode.ColumnPlan;
import io.flowsynth.encode.ColumnPlan.Mode;
import io.flowsynth.encode.ColumnType;
import io.flowsynth.encode.ConstantEncoder;
import io.flowsynth.encode.EncodeOptions;
import io.flowsynth.encode.EncoderReleases;
import io.flowsynth.encode.EncoderChoice;
import io.flowsynth.encode.FakeEncoder;
import io.flowsynth.encode.IdEncoder;
import io.flowsynth.encode.QuantileEncoder;
import io.flowsynth.error.BadInputException;
import io.flowsynth.math.RdpAccountant;
import io.flowsynth.privacy.DpSgdPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The differentially private fit of the column encoders (driver side, Spark-free, one per fit): the budget split, the
 * column kinds, and the encoders built from DP releases only. The Spark passes
 * ({@code io.flowsynth.spark.encode.PrivateEncoderFit}) count; every count that reaches a model goes through a
 * mechanism here ({@link DpMechanisms}) and is recorded in {@link #releases()}.
 *
 * <p><b>Budget</b> (ε_E, δ_E = {@link PrivacySettings#encoderEpsilon()}, {@link PrivacySettings#encoderDelta(long)} of
 * the released row count), composed in Rényi DP ({@link io.flowsynth.math.RdpAccountant}, recorded in
 * {@link #releases()}):
 * <ol>
 *   <li>row count, first: Laplace(1/ε_n), ε_n = {@value #ROW_COUNT_SHARE}·ε_E (released before n̂, hence δ, is
 *       known: pure DP, accounted by its RDP curve); everything after uses the noisy count (δ = 1/n² is 1/n̂²). An
 *       "auto" encoder share is chosen next, from n̂ and the column count only
 *       ({@link DpSgdPlan#autoEncoderShare}; ε_n is then {@value #ROW_COUNT_SHARE} of the ε_E at
 *       {@link DpSgdPlan#AUTO_SHARE});</li>
 *   <li>δ_E: {@value #THRESHOLD_DELTA_SHARE} of it in equal shares δ_c over the columns that may be categorical (the
 *       category thresholds), the rest (all of it without such columns) for the RDP conversion;</li>
 *   <li>every other release is Gaussian; ρ_E is the largest zCDP budget that, composed with the row count, converts
 *       to ε_E ({@link io.flowsynth.math.RdpAccountant#rhoFor}); each learned column gets ρ_c = ρ_E·w_c / Σw, w_c =
 *       {@value #CATEGORY_WEIGHT} for a column that may be categorical, else 1. A
 *       release of L2 sensitivity Δ with a share ρ of it adds noise σ = Δ/√(2ρ). Since ρ adds up over the columns,
 *       σ grows as √columns (all columns' histograms of a pass are one Gaussian release of L2 sensitivity √C);</li>
 *   <li>a numeric, date or timestamp column without {@code flowsynth.columns.<c>.bounds}: {@value #RANGE_SHARE} of ρ_c
 *       for its DP range ({@link DpMechanisms#range}); with bounds, nothing (they are public);</li>
 *   <li>a range that is only the bin around 0 (a zero-inflated column's tail did not pass): another
 *       {@value #ZERO_RANGE_RETRY_SHARE} of ρ_c to release the range counts again, averaged with the first release;</li>
 *   <li>a range within one octave away from 0 (a year column): another {@value #ZOOM_SHARE} of ρ_c to narrow it
 *       ({@link DpMechanisms#zoom}); when the narrowed range is at most {@link #REFINE_MAX_WIDTH} of the octave (a
 *       latitude), another {@value #REFINE_SHARE} of ρ_c to narrow it once more within its own equal sub-bins
 *       ({@link #releaseRefinement});</li>
 *   <li>a quantile column, all that is left ({@value #PRECISION_SHARE} of it for the rounding precision of float,
 *       double and timestamp columns): one Gaussian histogram of its value states (null, NaN, ±∞) and its values'
 *       counts in fixed bins within its bounds ({@link #gridEdges}), whose isotonic CDF gives the knots;</li>
 *   <li>a categorical column, all that is left: one Gaussian stability histogram of its values and nulls, threshold
 *       τ = 1 + σ·Φ⁻¹(1 − δ_c) ({@link DpMechanisms#gaussianThreshold});</li>
 *   <li>an id or fake-value column: its null count (Gaussian); the values come from fixed generators.</li>
 * </ol>
 *
 * <p><b>Switched off under DP</b> (no DP version here): identifier, personal-data and text detection (kinds come from
 * the type or {@code flowsynth.columns.<c>.kind}); the {@code text} and {@code phone} kinds (refused: their format
 * models read real words and shapes); mode-specific (mixture) encoding (quantile instead); category nesting; constant
 * and single-value detection; extreme-value protection (the DP bounds replace it); Pareto tails. The float and double
 * rounding precision and the timestamp unit are released (Gaussian, {@value #PRECISION_SHARE} of the histogram's
 * ρ).
 */
public final class PrivateEncoders {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateEncoders.class);

    /** Share of the encoders' ε spent on the row count (Laplace, pure DP). */
    public static final double ROW_COUNT_SHARE = 0.05;
    /** Share of the encoders' δ spent by the category thresholds (when a column may be categorical). */
    public static final double THRESHOLD_DELTA_SHARE = 0.5;
    /**
     * Weight of a column that may be categorical in the split of ρ_E (others weigh 1): its one stability histogram
     * decides which values exist at all (a value whose noisy count is below τ ∝ σ is never named, and its rows are
     * spread over the named ones), while a numeric column's histogram only shapes values it has. Quality with weights
     * 1 / 1.5 / 2 (encoder share auto, noise seeds 1–3 at ε = 3, 1–2 at ε = 1 and 10): ames (40 categorical of 74
     * columns) at ε = 3 0.916, 0.920, 0.919 / 0.917, 0.926, 0.922 / 0.921, 0.927, 0.924; at ε = 1 0.854, 0.857 /
     * 0.858, 0.855 / 0.856, 0.849; at ε = 10 0.943, 0.944 in all three; credit_data (5 of 14) at ε = 3 0.951,
     * 0.948, 0.949 / 0.951, 0.947, 0.949 / 0.950, 0.947, 0.949, at ε = 1 0.937, 0.937 / 0.939, 0.936 / 0.938,
     * 0.935. Weight 2 takes more from the numeric ranges (at ε = 1 one of ames' columns came out 33 times the real
     * std) and a little from credit_data.
     */
    public static final double CATEGORY_WEIGHT = 1.5;
    /** Share of a column's ρ spent on its DP range when it has no bounds setting. */
    public static final double RANGE_SHARE = 0.3;
    /**
     * A two-octave DP range is narrowed within one of them when that octave's noisy count is at least this share of
     * the two's (the other joined by noise: a longitude of −93.6 whose range grew to [−256, −64]).
     */
    public static final double DOMINANT_SHARE = 0.9;
    /** A narrowed range is kept when its noisy count is at least this share of its octave's. */
    public static final double ZOOM_KEEP = 0.8;
    /**
     * Extra share of a column's ρ spent on a second release of its range counts when the first range is only the bin
     * around 0 ({@link #onlyZero}; {@link #releaseRange}): a zero-inflated column (porch areas: 84 % zeros, the rest spread over four
     * octaves) whose spread tail did not pass the first release's thresholds would otherwise come out constant.
     */
    public static final double ZERO_RANGE_RETRY_SHARE = 0.4;
    /** Extra share of a column's ρ spent narrowing a one-octave DP range ({@link DpMechanisms#zoom}). */
    public static final double ZOOM_SHARE = 0.2;
    /**
     * A narrowed range at most this share of its octave wide (4 of the 64 sub-bins) is refined once more
     * ({@link #releaseRefinement}): its histogram's equal bins would still be coarse against the values (a latitude of
     * 41.99 … 42.06 in sub-bins half a degree wide). Wider ones (years built 1888 … 2016 in 8 sub-bins of 16 years)
     * are fine enough, and their spread values would fill the refinement's sub-bins thinly, which stops its growth.
     */
    public static final double REFINE_MAX_WIDTH = 4.0 / DpMechanisms.ZOOM_SUBBINS;
    /** Extra share of a column's ρ spent refining a narrow zoomed range ({@link DpMechanisms#narrow}). */
    public static final double REFINE_SHARE = 0.15;
    /**
     * A range is refined only when the released rows are at least this many times the refinement's noise σ (a
     * function of n̂ and the budget): with fewer, values spread over a few sub-bins hold too few rows each to stand
     * out of the noise and the refinement clips them (ames' longitude at ε = 1, σ ≈ 140 on 2,331 rows).
     */
    public static final double REFINE_MIN_ROWS_PER_SIGMA = 32;
    /** An absent null, NaN or ±∞ state survives the noise with at most this probability ({@link #stateFloor}). */
    public static final double STATE_BETA = 1e-3;
    /**
     * A rounding precision is released only when its noise floor ({@link #decimalsFloor}) is at most this share of
     * the released rows; else every digit is kept.
     */
    public static final double PRECISION_MAX_FLOOR_SHARE = 0.25;
    /** Most bins the log grid of a quantile column's histogram aims at ({@link DpMechanisms#logGridEdges}). */
    public static final int LOG_GRID_BINS = 128;
    /**
     * A whole-number column whose bounds hold at most this many integers gets one histogram bin per integer (its point
     * masses stay points; the noise spreads over more bins, which the isotonic fit tempers), when it also has
     * {@link #UNIT_BINS_MIN_SIGMAS} σ of released rows per integer, which is what limits it on small tables and
     * budgets. Was 128: credit_data's Expenses (35, 45, 60, 75, 90 hold 96 % of the rows, the largest 180) whose DP
     * range grew to [32, 256] or [32, 512] got a log grid of 32 bins, 3 wide at 35, and scored 0.83–0.85 against 0.97
     * with one bin per integer; quality at ε = 10: 0.949, 0.950 → 0.955, 0.956 (two noise seeds), at ε = 3 0.945 →
     * 0.949 in the one of three seeds whose range was [32, 256].
     */
    public static final int UNIT_BINS_MAX = 512;
    /**
     * A narrowed whole-number range of at most this many integers is not refined ({@link #releaseRange}): one bin per
     * integer suits it (the refinement's 16 sub-bins would be coarser).
     */
    public static final int REFINE_MIN_INTEGERS = 128;
    /**
     * ... and whose released rows are at least this many noise σ per integer: one bin per year built 1904 … 2016 on
     * 2,331 rows (21 rows per bin against σ ≈ 28 at ε = 3) lets the noise walk the CDF by √113·σ ≈ 13 % of the rows;
     * such a column gets the equal or log grid instead (the loan terms 12 … 60 of credit_data, 62 rows per bin against
     * σ ≈ 10, keep their point masses).
     */
    public static final double UNIT_BINS_MIN_SIGMAS = 1.0;
    /**
     * Fewest bins it aims at: the balance of {@link #histogramBins} assumes smooth data, but a column concentrated in
     * a few of 8 bins (a narrowed latitude, a skewed area) loses more to interpolation than more bins' noise costs once
     * the isotonic fit pools it (ames at ε = 3, quality per run: 0.903, 0.903, 0.901 with 8; 0.909, 0.907, 0.906 with
     * 16; 0.912, 0.910 with 32; 0.909, 0.907 with 64).
     */
    public static final int LOG_GRID_MIN_TARGET = 32;
    /**
     * Fewest bins of a log grid: a range within one octave away from 0 gives a grid too coarse for its values, and
     * equal bins instead ({@link #equalEdges}).
     */
    public static final int MIN_LOG_GRID_BINS = 16;
    /**
     * Share of a log-grid column's ρ spent on its round values' counts ({@link #releasePoints}): measured on
     * credit_data at ε = 3 (see README, "Encoders under differential privacy").
     */
    public static final double POINT_SHARE = 0.2;
    /**
     * Chance that noise alone makes one of a column's round values a point mass: each of its m candidates passes
     * σ·Φ⁻¹(1 − β/m).
     */
    public static final double POINT_BETA = 0.05;
    /** Share of a histogram column's ρ spent on its rounding precision (float, double, timestamp). */
    public static final double PRECISION_SHARE = 0.0625;
    /** Least rise of the CDF between two knots: an empty stretch of the grid keeps (almost) no mass. */
    static final double FLAT_STEP = 1e-9;
    /** Origin of the DP range grid of dates (days): 2000-01-01. */
    public static final double DATE_ORIGIN = 10_957;
    /** Origin of the DP range grid of timestamps (microseconds): 2000-01-01T00:00:00Z. */
    public static final double TIMESTAMP_ORIGIN = 946_684_800_000_000.0;

    /** The per-column budget and bounds. */
    private static final class Column {
        /** zCDP budget left (Gaussian releases of this column: Δ²/(2σ²) each). */
        double rho;
        /** The column's whole share ρ_c (the release shares are fractions of it). */
        double planned;
        /** A zoomed range to refine ({@link #releaseRefinement}), else null. */
        double[] refine;
        /** δ_c of the category threshold (0 for a column that cannot be categorical). */
        double delta;
        double[] bounds;
        boolean publicBounds;
        boolean integralUndecided;
        /** Bin edges of the histogram release ({@link #gridEdges}), null until the bounds are known. */
        double[] edges;
        /** Whether {@link #edges} are one bin per integer. */
        boolean unitBins;
        /** Round values kept as point masses ({@link #releasePoints}), increasing; empty when none. */
        double[] points = new double[0];
    }

    private final EncodeOptions options;
    private final BoundsOptions boundsOptions;
    /** The settings; an "auto" encoder share is resolved by {@link #plan}. */
    private PrivacySettings privacy;
    private final Map<String, String> boundsSettings;
    private final NoiseSource noise;
    private final List<EncoderReleases.Release> ledger = new ArrayList<>();
    private final Map<Integer, Column> columns = new HashMap<>();
    private long rows = -1;
    private double encoderDelta;
    /** δ of the RDP conversion (the encoders' δ less the thresholds'). */
    private double conversionDelta;

    /**
     * @param boundsSettings {@code flowsynth.columns.<c>.bounds} by column ("lo,hi" in the column's type)
     * @param noise          the mechanisms' randomness ({@link NoiseSource#secure()} in a real fit)
     */
    public PrivateEncoders(EncodeOptions options, BoundsOptions boundsOptions, PrivacySettings privacy,
                           Map<String, String> boundsSettings, NoiseSource noise) {
        this.options = Objects.requireNonNull(options, "options");
        this.boundsOptions = Objects.requireNonNull(boundsOptions, "boundsOptions");
        this.privacy = Objects.requireNonNull(privacy, "privacy");
        if (!privacy.enabled()) {
            throw new IllegalArgumentException("differential privacy is off");
        }
        this.boundsSettings = Map.copyOf(boundsSettings);
        this.noise = Objects.requireNonNull(noise, "noise");
    }

    public NoiseSource noise() {
        return noise;
    }

    // ---- 1. the row count ------------------------------------------------------------------------------------------

    /**
     * Releases the row count, first: n̂ = max(1, round(n + Laplace(1/ε_n))), ε_n = {@value #ROW_COUNT_SHARE}·ε_E
     * (Laplace: pure DP, since δ is not known before n̂). Fixes the encoders' δ as
     * {@link PrivacySettings#encoderDelta}(n̂).
     */
    public long releaseRowCount(long exactRows) {
        if (rows >= 0) {
            throw new IllegalStateException("the row count is released once");
        }
        // an "auto" share is chosen after this release: its ε is a share of the encoders' at DpSgdPlan.AUTO_SHARE
        PrivacySettings nominal = privacy.autoEncoderShare() ? privacy.withEncoderShare(DpSgdPlan.AUTO_SHARE)
                : privacy;
        double eps = ROW_COUNT_SHARE * nominal.encoderEpsilon();
        rows = Math.max(1, Math.round(exactRows + noise.laplace("rows", 1.0 / eps)));
        encoderDelta = nominal.encoderDelta(rows);
        ledger.add(new EncoderReleases.Release(null, "row_count", EncoderReleases.LAPLACE, 1, 1.0 / eps, eps, 0,
                null));
        LOG.info("Differential privacy: released row count {} (Laplace, ε = {})", rows, fmt(eps));
        return rows;
    }

    /** The released (noisy) row count. */
    public long rowCount() {
        if (rows < 0) {
            throw new IllegalStateException("the row count is not released yet");
        }
        return rows;
    }

    // ---- 2. kinds and budget -----------------------------------------------------------------------------------

    /**
     * Decides every column's kind from its type and kind setting only (no data read) and reads the bounds settings;
     * before any Spark work. Refuses (exit 2) the {@code text} and {@code phone} kinds and bounds on a column that
     * cannot have them or that do not parse.
     */
    public void prepare(List<ColumnPlan> plans) {
        for (String c : boundsSettings.keySet()) {
            if (plans.stream().noneMatch(p -> p.name.equals(c))) {
                throw new BadInputException("Configuration " + ConfigKeys.COLUMNS_PREFIX + c + ".bounds: no column '"
                        + c + "' in the input");
            }
        }
        for (ColumnPlan p : plans) {
            kind(p);
            Column c = new Column();
            columns.put(p.index, c);
            String text = boundsSettings.get(p.name);
            if (text != null) {
                if (!(p.type.isNumeric() || p.type.isDatetime())) {
                    throw new BadInputException("Configuration " + ConfigKeys.COLUMNS_PREFIX + p.name + ".bounds: column '"
                            + p.name + "' is " + p.type + "; bounds apply to numeric, date and timestamp columns");
                }
                c.bounds = parseBounds(p.name, p.type, text);
                c.publicBounds = true;
            }
            c.integralUndecided = p.mode == Mode.QUANTILE && p.type.isIntegral() && p.override == null;
        }
    }

    /**
     * Splits the budget over the columns ({@link #prepare} first, after the row count's release): the thresholds' δ,
     * then ρ_E, the largest zCDP budget that composed with the row count's Laplace release stays within ε_E at the
     * conversion δ, in shares ρ_c over the columns weighted by {@link #CATEGORY_WEIGHT} (see the class comment).
     */
    public void plan(List<ColumnPlan> plans) {
        rowCount();
        if (columns.size() != plans.size()) {
            throw new IllegalStateException("prepare the columns first");
        }
        if (privacy.autoEncoderShare()) {
            // a function of the released row count and the column count only: post-processing
            privacy = privacy.withEncoderShare(DpSgdPlan.autoEncoderShare(privacy, rows, plans.size()));
            encoderDelta = privacy.encoderDelta(rows);
            LOG.info("Differential privacy: {} = auto: {} (the DP copula at {} would have noise std {} per "
                    + "correlation for {} columns and {} rows; {} or less keeps {})", ConfigKeys.PRIVACY_ENCODER_SHARE,
                    fmt(privacy.encoderShare()), DpSgdPlan.AUTO_SHARE, fmt(privacy.copulaShare() == 0 ? 0
                            : DpSgdPlan.copulaCorrelationNoise(privacy.withEncoderShare(DpSgdPlan.AUTO_SHARE), rows,
                            plans.size())), plans.size(), rows, DpSgdPlan.COPULA_NOISE_LIMIT, DpSgdPlan.AUTO_SHARE);
        }
        LOG.info("Differential privacy: encoders' budget ε = {}, δ = {}", fmt(privacy.encoderEpsilon()),
                fmt(encoderDelta));
        int categoricalCapable = 0;
        for (ColumnPlan p : plans) {
            if (p.mode == Mode.CATEGORICAL || categoricalRequested(p)) {
                categoricalCapable++;
            }
        }
        double thresholdDelta = categoricalCapable > 0 ? THRESHOLD_DELTA_SHARE * encoderDelta : 0;
        conversionDelta = encoderDelta - thresholdDelta;
        double[] base = new double[RdpAccountant.DEFAULT_ORDERS.length];
        for (EncoderReleases.Release r : ledger) {
            for (int i = 0; i < base.length; i++) {
                base[i] += r.rdp(RdpAccountant.DEFAULT_ORDERS[i]);
            }
        }
        double rho = RdpAccountant.rhoFor(base, privacy.encoderEpsilon(), conversionDelta);
        double weights = 0;
        for (ColumnPlan p : plans) {
            weights += budgetWeight(p);
        }
        double perColumn = plans.isEmpty() ? 0 : rho / weights;
        for (ColumnPlan p : plans) {
            Column c = columns.get(p.index);
            c.rho = perColumn * budgetWeight(p);
            c.planned = c.rho;
            c.delta = p.mode == Mode.CATEGORICAL || categoricalRequested(p) ? thresholdDelta / categoricalCapable : 0;
        }
        LOG.info("Differential privacy: encoders' Gaussian releases get zCDP ρ = {} (RDP composition with the row count "
                + "within ε = {} at δ = {}): ρ = {} per column over {} columns, {} times that for each of the {} that "
                + "may be categorical (σ = {} and {} on a histogram of the whole share), δ = {} per category threshold",
                fmt(rho), fmt(privacy.encoderEpsilon()), fmt(conversionDelta), fmt(perColumn), plans.size(),
                CATEGORY_WEIGHT, categoricalCapable, fmt(sigma(perColumn, 1)),
                fmt(sigma(perColumn * CATEGORY_WEIGHT, 1)),
                categoricalCapable == 0 ? "0" : fmt(thresholdDelta / categoricalCapable));
    }

    /**
     * A column's weight in the split of ρ_E ({@link #plan}): {@value #CATEGORY_WEIGHT} for a column that may be
     * categorical, else 1.
     */
    private double budgetWeight(ColumnPlan p) {
        return p.mode == Mode.CATEGORICAL || categoricalRequested(p) ? CATEGORY_WEIGHT : 1;
    }

    /** Noise std σ = Δ/√(2ρ) of a Gaussian release of L2 sensitivity Δ that spends zCDP ρ. */
    static double sigma(double rho, double sensitivity) {
        return sensitivity / Math.sqrt(2 * rho);
    }

    /** A Gaussian release's ledger entry, with its ε accounted alone at the conversion δ (for reading only). */
    private EncoderReleases.Release gaussian(String column, String statistic, double sensitivity, double sigma,
                                             double delta, String detail) {
        double[] r = new double[RdpAccountant.DEFAULT_ORDERS.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = RdpAccountant.gaussianRdp(sensitivity, sigma, RdpAccountant.DEFAULT_ORDERS[i]);
        }
        double alone = RdpAccountant.epsilon(r, conversionDelta).epsilon();
        return new EncoderReleases.Release(column, statistic, EncoderReleases.GAUSSIAN, sensitivity, sigma, alone,
                delta, detail);
    }

    private void kind(ColumnPlan p) {
        String o = p.override;
        if (EncodeOptions.TEXT.equals(o) || EncodeOptions.PHONE.equals(o)) {
            throw new BadInputException("Column '" + p.name + "': kind " + o + " cannot be fitted under differential "
                    + "privacy (" + ConfigKeys.PRIVACY_EPSILON + " is set): its format model reads real words and shapes; "
                    + "set " + ConfigKeys.COLUMNS_PREFIX + p.name + ".kind to categorical, ignore or a fake-value kind");
        }
        if (EncodeOptions.MODE.equals(p.encoderOverride)) {
            LOG.warn("Column '{}': encoder mode (a mixture fitted to the data) has no DP version here: quantile",
                    p.name);
            p.encoderOverride = null;
        }
        if (EncodeOptions.ID.equals(o) || (o != null && EncodeOptions.FAKE_KINDS.contains(o))) {
            p.mode = Mode.FAKE;
            p.kind = o;
            p.why = "set by " + ConfigKeys.COLUMNS_PREFIX + p.name + ".kind; generated from a fixed generator (DP)";
            return;
        }
        String kind = o != null ? o
                : p.type.isIntegral() ? EncodeOptions.INTEGER
                : p.type.isNumeric() ? EncodeOptions.CONTINUOUS
                : p.type.isDatetime() ? EncodeOptions.DATETIME
                : EncodeOptions.CATEGORICAL;
        p.kind = kind;
        p.mode = kind.equals(EncodeOptions.CATEGORICAL) ? Mode.CATEGORICAL : Mode.QUANTILE;
        p.why = o != null ? "set by " + ConfigKeys.COLUMNS_PREFIX + p.name + ".kind" : "its type (DP: no detection)";
        String e = p.encoderOverride;
        if (e != null && (e.equals(EncodeOptions.FREQUENCY) || e.equals(EncodeOptions.ONEHOT))
                != (p.mode == Mode.CATEGORICAL) && !(p.type.isIntegral() && o == null)) {
            throw new BadInputException("Column '" + p.name + "': encoder '" + e + "' does not fit its kind " + kind);
        }
    }

    /**
     * Parses {@code lo,hi} of a bounds setting in the column's type: numbers; dates as yyyy-MM-dd; timestamps as
     * yyyy-MM-dd, yyyy-MM-dd[ T]HH:mm:ss[.SSSSSS] (UTC) or an ISO instant. Returns them as the encoders' doubles
     * (days, microseconds).
     */
    public static double[] parseBounds(String column, ColumnType type, String text) {
        String key = ConfigKeys.COLUMNS_PREFIX + column + ".bounds";
        String[] parts = text.split(",");
        if (parts.length != 2) {
            throw new BadInputException("Configuration " + key + ": expected lo,hi, got '" + text + "'");
        }
        double[] out = new double[2];
        for (int i = 0; i < 2; i++) {
            String v = parts[i].trim();
            try {
                if (type.base() == ColumnType.Base.DATE) {
                    out[i] = LocalDate.parse(v).toEpochDay();
                } else if (type.base() == ColumnType.Base.TIMESTAMP) {
                    Instant t = v.endsWith("Z") ? Instant.parse(v)
                            : v.length() <= 10 ? LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC)
                            : LocalDateTime.parse(v.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
                    out[i] = t.getEpochSecond() * 1e6 + t.getNano() / 1000;
                } else {
                    out[i] = Double.parseDouble(v);
                    if (!Double.isFinite(out[i])) {
                        throw new NumberFormatException();
                    }
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new BadInputException("Configuration " + key + ": '" + v + "' is not a "
                        + (type.isDatetime() ? type.base().toString().toLowerCase(java.util.Locale.ROOT)
                        + " (yyyy-MM-dd" + (type.base() == ColumnType.Base.TIMESTAMP ? "[ HH:mm:ss]" : "") + ")"
                        : "finite number") + " for column '" + column + "' of type " + type);
            }
        }
        if (!(out[0] < out[1])) {
            throw new BadInputException("Configuration " + key + ": lo must be below hi, got '" + text + "'");
        }
        return out;
    }

    // ---- 3. ranges ------------------------------------------------------------------------------------------------

    /** Whether a column needs a DP range pass: numeric, date or timestamp, learned by value, without bounds setting. */
    public boolean needsRange(ColumnPlan p) {
        Column c = columns.get(p.index);
        return p.mode == Mode.QUANTILE && c.bounds == null;
    }

    /** The origin subtracted before the range grid: 2000-01-01 for dates and timestamps, else 0. */
    public static double rangeOrigin(ColumnType type) {
        return type.base() == ColumnType.Base.DATE ? DATE_ORIGIN
                : type.base() == ColumnType.Base.TIMESTAMP ? TIMESTAMP_ORIGIN : 0.0;
    }

    /**
     * Releases a column's range from its counts in the zoom grid ({@link DpMechanisms#zoomBin} of value −
     * {@link #rangeOrigin}): the range on the signed power-of-two grid ({@link DpMechanisms#range}, the zoom grid's
     * blocks summed; Gaussian, L2 sensitivity 1), with {@value #RANGE_SHARE} of the column's ρ; when that range is only
     * the bin around 0, the same counts are released again with another {@value #ZERO_RANGE_RETRY_SHARE} of ρ and the
     * range grown on the two releases' precision-weighted mean (noise std 1/√(1/σ₁² + 1/σ₂²)); when the range is one
     * octave away from 0 (a year column: [1024, 2048]), a further release narrows it within the octave
     * ({@link DpMechanisms#zoom}, another {@value #ZOOM_SHARE} of ρ).
     */
    public void releaseRange(ColumnPlan p, long[] zoomCounts) {
        Column c = columns.get(p.index);
        double rangeRho = RANGE_SHARE * c.planned;
        double sigma = sigma(rangeRho, 1);
        boolean wholeNumbers = p.type.isIntegral() || p.type.isDatetime();
        double[] noisy = new double[DpMechanisms.RANGE_BINS];
        long[] octaves = DpMechanisms.octaveCounts(zoomCounts);
        double[] r = DpMechanisms.range(octaves, sigma, noise.stream("range|" + p.index), wholeNumbers, noisy);
        double origin = rangeOrigin(p.type);
        ledger.add(gaussian(p.name, "range", 1, sigma, 0, DpMechanisms.RANGE_BINS + " bins of signed powers of two, "
                + "threshold " + fmt(DpMechanisms.rangeThreshold(sigma))));
        double spent = rangeRho;
        int zero = DpMechanisms.rangeBin(0);
        if (onlyZero(r, wholeNumbers)) {
            // only the bin around 0: released again with more budget, the two releases' noisy counts averaged by
            // precision (post-processing), and the range grown anew on the average
            double retryRho = ZERO_RANGE_RETRY_SHARE * c.planned;
            double retrySigma = sigma(retryRho, 1);
            double[] second = new double[DpMechanisms.RANGE_BINS];
            DpMechanisms.range(octaves, retrySigma, noise.stream("range-retry|" + p.index), wholeNumbers, second);
            double w1 = 1 / (sigma * sigma);
            double w2 = 1 / (retrySigma * retrySigma);
            for (int b = 0; b < noisy.length; b++) {
                noisy[b] = (w1 * noisy[b] + w2 * second[b]) / (w1 + w2);
            }
            sigma = 1 / Math.sqrt(w1 + w2);
            r = DpMechanisms.rangeOfNoisy(noisy, sigma, wholeNumbers);
            spent += retryRho;
            ledger.add(gaussian(p.name, "range_retry", 1, retrySigma, 0, "the range counts again (the first range "
                    + "was only the bin around 0), averaged with the first by precision: noise std " + fmt(sigma)));
        }
        int first = DpMechanisms.rangeBin(Math.nextUp(r[0])); // negative bins hold their upper edge
        int last = DpMechanisms.rangeBin(Math.nextDown(r[1]));
        // one octave away from 0, or two of which one holds (noisily) nearly all: a noisy neighbour joined the bulk
        int dominant = noisy[first] >= noisy[last] ? first : last;
        boolean oneOctave = first == last
                || (last == first + 1 && noisy[dominant] >= DOMINANT_SHARE
                * (Math.max(0, noisy[first]) + Math.max(0, noisy[last])));
        if (oneOctave && first != zero && last != zero) {
            double zoomRho = ZOOM_SHARE * c.planned;
            double zoomSigma = sigma(zoomRho, 1);
            double[] z = DpMechanisms.zoom(zoomCounts, dominant, zoomSigma, noise.stream("zoom|" + p.index),
                    wholeNumbers);
            spent += zoomRho;
            // spread values (years 1872 … 2010) fill many sub-bins, none reaching the threshold alone: the growth
            // would stop at the largest one and clamp the rest; keep the range unless the narrowed one holds most
            boolean keep = z[2] >= ZOOM_KEEP * noisy[dominant];
            if (keep) {
                r = new double[]{z[0], z[1]};
                double octave = DpMechanisms.rangeHigh(dominant) - DpMechanisms.rangeLow(dominant);
                // still narrow against the octave: refine it once more, unless a whole-number column's bounds hold
                // few enough integers for one histogram bin each
                if (r[1] - r[0] <= REFINE_MAX_WIDTH * octave
                        && !(wholeNumbers && r[1] - r[0] + 1 <= REFINE_MIN_INTEGERS)
                        && rows >= REFINE_MIN_ROWS_PER_SIGMA * sigma(REFINE_SHARE * c.planned, 1)) {
                    c.refine = new double[]{r[0] + origin, r[1] + origin};
                }
            }
            ledger.add(gaussian(p.name, "range_zoom", 1, zoomSigma, 0, DpMechanisms.ZOOM_SUBBINS
                    + " equal sub-bins of the one-octave range, threshold " + fmt(DpMechanisms.rangeThreshold(zoomSigma))
                    + (keep ? "" : "; not narrowed (spread values)")));
        }
        c.bounds = new double[]{r[0] + origin, r[1] + origin};
        c.rho -= spent;
        LOG.info("Column '{}': DP range [{}, {}] (ρ = {}, σ = {})", p.name, fmt(c.bounds[0]), fmt(c.bounds[1]),
                fmt(spent), fmt(sigma));
    }

    /**
     * Whether a released range holds only the bin around 0 — for whole numbers also with the bins of ±1 next to it,
     * which a noisy count joins 5 % of the time each ({@link DpMechanisms#RANGE_BETA}) — so that the column would come
     * out (almost) constant.
     */
    static boolean onlyZero(double[] range, boolean wholeNumbers) {
        double limit = wholeNumbers ? 2 : Math.scalb(1.0, DpMechanisms.RANGE_MIN_EXPONENT);
        return range[0] >= -limit && range[1] <= limit;
    }

    /**
     * Whether a column's zoomed range is still narrow against its octave (at most {@link #REFINE_MAX_WIDTH} of it)
     * and is to be refined by {@link #releaseRefinement} from its counts in {@link DpMechanisms#REFINE_SUBBINS} equal
     * sub-bins of {@link #bounds} ({@link DpMechanisms#refineBin}).
     */
    public boolean needsRefinement(ColumnPlan p) {
        return columns.get(p.index).refine != null;
    }

    /**
     * Refines a narrow zoomed range (see {@link #needsRefinement}) from the column's counts in
     * {@link DpMechanisms#REFINE_SUBBINS} equal sub-bins of its bounds: {@link DpMechanisms#narrow} with another
     * {@value #REFINE_SHARE} of its ρ (Gaussian, L2 sensitivity 1: a value falls in one sub-bin or none); kept when its
     * noisy count is at least {@value #ZOOM_KEEP} of the sub-bins' (spread values keep the zoomed range). The
     * sub-bins are a function of the released range only.
     */
    public void releaseRefinement(ColumnPlan p, long[] counts) {
        Column c = columns.get(p.index);
        if (c.refine == null) {
            throw new IllegalStateException("Column '" + p.name + "': no narrow zoomed range to refine");
        }
        if (counts.length != DpMechanisms.REFINE_SUBBINS) {
            throw new IllegalArgumentException("Column '" + p.name + "': expected " + DpMechanisms.REFINE_SUBBINS
                    + " refinement sub-bins, got " + counts.length);
        }
        double origin = rangeOrigin(p.type);
        boolean wholeNumbers = p.type.isIntegral() || p.type.isDatetime();
        double rho = REFINE_SHARE * c.planned;
        double sigma = sigma(rho, 1);
        double lo = c.refine[0] - origin;
        double hi = c.refine[1] - origin;
        double[] z = DpMechanisms.narrow(counts, lo, hi, sigma, DpMechanisms.REFINE_BETA,
                noise.stream("refine|" + p.index), wholeNumbers);
        boolean keep = z[2] >= ZOOM_KEEP * z[3];
        if (keep) {
            c.bounds = new double[]{z[0] + origin, z[1] + origin};
        }
        c.rho -= rho;
        c.refine = null;
        ledger.add(gaussian(p.name, "range_refine", 1, sigma, 0, DpMechanisms.REFINE_SUBBINS
                + " equal sub-bins of the zoomed range [" + fmt(lo + origin) + ", " + fmt(hi + origin) + "], threshold "
                + fmt(sigma * DpMechanisms.upperQuantile(DpMechanisms.REFINE_BETA))
                + (keep ? "" : "; not narrowed (spread values)")));
        LOG.info("Column '{}': DP range refined to [{}, {}] (ρ = {}, σ = {})", p.name, fmt(c.bounds[0]),
                fmt(c.bounds[1]), fmt(rho), fmt(sigma));
    }

    /** An integer column without a kind whose encoder setting asks for a categorical encoder (frequency, onehot). */
    private boolean categoricalRequested(ColumnPlan p) {
        return columns.get(p.index).integralUndecided && (EncodeOptions.FREQUENCY.equals(p.encoderOverride)
                || EncodeOptions.ONEHOT.equals(p.encoderOverride));
    }

    /**
     * After the ranges: an integer column without a kind setting stays a quantile column — its histogram has one bin
     * per integer when its bounds hold few ({@link #UNIT_BINS_MAX}), so its values keep their point masses with no
     * release threshold (its domain, the integers within the bounds, is known: a stability histogram's threshold,
     * hundreds of rows on small budgets, would drop every value but the commonest). Only an encoder setting of
     * frequency or onehot makes it categorical, when its bounds hold at most {@code maxDiscreteValues} integers.
     */
    public void decideAfterBounds(ColumnPlan p) {
        Column c = columns.get(p.index);
        if (!c.integralUndecided) {
            return;
        }
        double span = Math.floor(c.bounds[1]) - Math.ceil(c.bounds[0]) + 1;
        if (categoricalRequested(p) && span <= options.maxDiscreteValues()) {
            p.mode = Mode.CATEGORICAL;
            p.kind = EncodeOptions.CATEGORICAL;
            p.why = "encoder " + p.encoderOverride + ", at most " + options.maxDiscreteValues()
                    + " integers within its bounds (DP)";
        } else if (p.encoderOverride != null && !EncodeOptions.QUANTILE.equals(p.encoderOverride)) {
            p.encoderOverride = null;
        }
    }

    /**
     * The bin edges of a quantile column's histogram pass (after its bounds are known): one bin per integer for a
     * whole-number column of at most {@value #UNIT_BINS_MAX} integers within its bounds and at least
     * {@value #UNIT_BINS_MIN_SIGMAS} σ of released rows per integer, else its log grid
     * ({@link DpMechanisms#logGridEdges} of the bounds relative to {@link #rangeOrigin}, {@link #histogramBins} bins
     * aimed at), or equal bins ({@link #equalEdges}) when a log grid aiming at 64 bins has fewer than
     * {@value #MIN_LOG_GRID_BINS}. A function of the bounds and the
     * type only.
     */
    public double[] gridEdges(ColumnPlan p) {
        Column c = columns.get(p.index);
        if (c.edges == null) {
            double origin = rangeOrigin(p.type);
            boolean whole = p.type.isIntegral() || p.type.isDatetime();
            double lo = c.bounds[0] - origin;
            double hi = c.bounds[1] - origin;
            double integers = Math.floor(hi) - Math.ceil(lo) + 1;
            boolean precision = p.type.isFloatingPoint() || p.type.base() == ColumnType.Base.TIMESTAMP;
            double sigma = sigma(c.rho * (precision ? 1 - PRECISION_SHARE : 1), 1);
            c.unitBins = whole && integers >= 2 && integers <= UNIT_BINS_MAX
                    && rows >= UNIT_BINS_MIN_SIGMAS * sigma * integers;
            if (c.unitBins) {
                // few whole values: one bin each (point masses such as a loan term of 12, 24, …, 60 stay points)
                double[] e = new double[(int) integers + 1];
                for (int j = 0; j < e.length; j++) {
                    e[j] = Math.ceil(lo) - 0.5 + j + origin;
                }
                c.edges = e;
            } else {
                // the round values' release (pointCandidates) takes its share first
                int target = histogramBins(rows, p.type.isDatetime() ? sigma : sigma / Math.sqrt(1 - POINT_SHARE));
                double[] e = DpMechanisms.logGridEdges(lo, hi, whole, 64).length - 1 >= MIN_LOG_GRID_BINS
                        ? DpMechanisms.logGridEdges(lo, hi, whole, target) : equalEdges(lo, hi, whole, target);
                for (int j = 0; j < e.length; j++) {
                    e[j] += origin;
                }
                c.edges = e;
            }
        }
        return c.edges.clone();
    }

    /**
     * The round values ({@link DpMechanisms#roundValues}) within a quantile column's bounds whose counts
     * {@link #releasePoints} releases: none for a column of one bin per integer (its values are points already) and
     * for dates and timestamps. A function of the bounds and the type only.
     */
    public double[] pointCandidates(ColumnPlan p) {
        Column c = columns.get(p.index);
        gridEdges(p);
        if (c.unitBins || p.type.isDatetime()) {
            return new double[0];
        }
        double[] values = DpMechanisms.roundValues(c.bounds[0], c.bounds[1], p.type.isIntegral());
        if (p.type.base() == ColumnType.Base.FLOAT) {
            // a float column's 1.1 reaches the passes as the double nearest to the float 1.1f, not to 1.1
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) values[i];
            }
        }
        return values;
    }

    /**
     * Releases which round values of a quantile column are point masses: the counts of its values equal to each of
     * the m {@code candidates} ({@link #pointCandidates}; a row equals at most one: L2 sensitivity 1) with Gaussian
     * noise from {@value #POINT_SHARE} of its ρ; a candidate whose noisy count reaches σ·Φ⁻¹(1 − β/m)
     * (β = {@value #POINT_BETA}) becomes a bin of its own in the histogram ({@link #histogramPoints}), so its mass
     * stays on that exact value instead of being smeared over a grid bin (real amounts pile on 1,000 and 5,000, and a
     * KS score counts the smear). The candidates are a function of the released bounds; which pass is
     * post-processing.
     */
    public void releasePoints(ColumnPlan p, double[] candidates, long[] counts) {
        Column c = columns.get(p.index);
        if (counts.length != candidates.length) {
            throw new IllegalArgumentException("Column '" + p.name + "': expected " + candidates.length
                    + " round-value counts, got " + counts.length);
        }
        if (candidates.length == 0) {
            return;
        }
        double rho = POINT_SHARE * c.rho;
        double sigma = sigma(rho, 1);
        double tau = sigma * DpMechanisms.upperQuantile(POINT_BETA / candidates.length);
        List<Double> kept = new ArrayList<>();
        for (int i = 0; i < candidates.length; i++) {
            double noisy = counts[i] + noise.gaussian("point|" + p.index + "|" + candidates[i], sigma);
            if (noisy >= tau) {
                kept.add(candidates[i]);
            }
        }
        c.points = kept.stream().mapToDouble(Double::doubleValue).toArray();
        c.rho -= rho;
        ledger.add(gaussian(p.name, "round_values", 1, sigma, 0, candidates.length
                + " round values (0 and two significant digits) within the bounds, threshold " + fmt(tau) + "; "
                + c.points.length + " kept as point masses"));
        LOG.info("Column '{}': {} of {} round values are point masses (noisy count ≥ {}, σ = {}){}", p.name,
                c.points.length, candidates.length, fmt(tau), fmt(sigma), c.points.length == 0 ? ""
                        : ": " + java.util.Arrays.toString(c.points.length <= 12 ? c.points
                                : java.util.Arrays.copyOf(c.points, 12)));
    }

    /** A quantile column's released point masses ({@link #releasePoints}), increasing; empty when none. */
    public double[] histogramPoints(ColumnPlan p) {
        return columns.get(p.index).points.clone();
    }

    /**
     * {@code bins} equal bins over [lo, hi] (a range within one octave away from 0, where the log grid is too
     * coarse); whole numbers: edges at half-integers, each bin at least one integer wide.
     */
    static double[] equalEdges(double lo, double hi, boolean whole, int bins) {
        if (!whole) {
            double[] e = new double[bins + 1];
            for (int j = 0; j <= bins; j++) {
                e[j] = j == bins ? hi : lo + (hi - lo) * j / bins;
            }
            return e;
        }
        double a = Math.ceil(lo) - 0.5;
        double b = Math.floor(hi) + 0.5;
        int n = (int) Math.max(1, Math.min(bins, b - a));
        java.util.TreeSet<Double> edges = new java.util.TreeSet<>();
        for (int j = 0; j <= n; j++) {
            edges.add(j == n ? b : Math.floor(a + (b - a) * j / n) + 0.5);
        }
        edges.add(a);
        return edges.stream().filter(x -> x >= a && x <= b).mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The bins a histogram of {@code rows} values with noise σ per bin aims at: the noise moves its CDF by about
     * √B·σ rows, linear interpolation within B bins by up to n/(8B) on smooth data; these balance at
     * B = (n/(8σ))^(2/3), kept within {@value #LOG_GRID_MIN_TARGET} … {@value #LOG_GRID_BINS}. A function of the
     * released row count and the budget.
     */
    public static int histogramBins(long rows, double sigma) {
        double b = Math.pow(Math.max(0.0, rows / (8.0 * sigma)), 2.0 / 3.0);
        return (int) Math.max(LOG_GRID_MIN_TARGET, Math.min(LOG_GRID_BINS, Math.round(b)));
    }

    /** A quantile column's bounds (set, or released by {@link #releaseRange}). */
    public double[] bounds(ColumnPlan p) {
        return columns.get(p.index).bounds.clone();
    }

    // ---- 4. categories ---------------------------------------------------------------------------------------------

    /**
     * Noise σ of a categorical column's histogram (all its ρ left; L2 sensitivity 1: a row is one value or null of
     * the column).
     */
    public double categorySigma(ColumnPlan p) {
        return sigma(columns.get(p.index).rho, 1);
    }

    /**
     * τ = 1 + σ·Φ⁻¹(1 − δ_c) of a categorical column's stability histogram: a value whose noisy count is below it is
     * never named; a value of one row only is named with probability δ_c ({@link DpMechanisms#gaussianThreshold}).
     */
    public double categoryThreshold(ColumnPlan p) {
        return DpMechanisms.gaussianThreshold(categorySigma(p), columns.get(p.index).delta);
    }

    /** The noise label of a category's count (the Spark pass draws it on the executors). */
    public static String categoryLabel(int column, String valueText) {
        return "category|" + column + "|" + valueText;
    }

    /**
     * Builds a categorical column's encoder from the released categories ({@code noisy}: value key → noisy count, each
     * ≥ τ, at most 2·maxCategories of the largest) and its exact null count, noised here in the same histogram. Kept:
     * the {@code maxCategories} largest noisy counts (at least {@code minCategoryFrequency}·n̂); the further released
     * ones form "other"; the rest of n̂ (never named) is redistributed over the kept outcomes.
     */
    public void categorical(ColumnPlan p, Map<Object, Double> noisy, long exactNulls) {
        Column c = columns.get(p.index);
        double sigma = categorySigma(p);
        double tau = categoryThreshold(p);
        double noisyNulls = exactNulls + noise.gaussian("nulls|" + p.index, sigma);
        long nulls = noisyNulls < stateFloor(sigma) ? 0 : Math.round(noisyNulls);
        List<Map.Entry<Object, Double>> released = new ArrayList<>(noisy.entrySet());
        released.sort(Comparator.<Map.Entry<Object, Double>>comparingDouble(Map.Entry::getValue).reversed()
                .thenComparing(e -> String.valueOf(e.getKey())));
        Map<Object, Long> kept = new LinkedHashMap<>();
        Map<Object, Long> rare = new LinkedHashMap<>();
        for (Map.Entry<Object, Double> e : released) {
            long n = Math.max(1, Math.round(e.getValue()));
            boolean keep = kept.size() < options.maxCategories() && n >= options.minCategoryFrequency() * rows;
            (keep ? kept : rare).put(e.getKey(), n);
        }
        long keptRows = kept.values().stream().mapToLong(Long::longValue).sum();
        long other = rare.values().stream().mapToLong(Long::longValue).sum();
        long unnamed = Math.max(1, rows - nulls - keptRows - other);
        CategoricalEncoder.Protection protection = new CategoricalEncoder.Protection(
                Math.max(2, (int) Math.min(Integer.MAX_VALUE, Math.ceil(tau))), 0, unnamed);
        if (nulls > 0) {
            kept.put(null, nulls);
        }
        int outcomes = kept.size() + (other > 0 ? 1 : 0);
        boolean onehot = p.encoderOverride != null ? p.encoderOverride.equals(EncodeOptions.ONEHOT)
                : outcomes >= 3 && outcomes <= options.onehotMaxCategories();
        if (kept.isEmpty() && other == 0) {
            kept.put(null, rows);
            LOG.warn("Column '{}': no value's noisy count reached the DP threshold {}: the synthetic column is all "
                    + "nulls", p.name, fmt(tau));
        }
        p.encoder = new CategoricalEncoder(p.name, p.type, kept, other, rare, onehot, null, Map.of(), protection);
        ledger.add(gaussian(p.name, "category_counts", 1, sigma, c.delta, "stability histogram, threshold "
                + fmt(tau) + " = 1 + sigma * Phi^-1(1 - delta); null count in the same histogram; " + released.size()
                + " values named"));
        LOG.info("Column '{}': {} categories released (noisy count ≥ {}), σ = {}, δ = {}", p.name, released.size(),
                fmt(tau), fmt(sigma), fmt(c.delta));
    }

    // ---- 5. quantile columns ----------------------------------------------------------------------------------

    /**
     * A noisy count of nulls, NaN or ±∞ below σ·Φ⁻¹(1 − β) (β = {@value #STATE_BETA}) is taken as 0
     * (post-processing): without the floor, the noise on a state the column never has would make the synthetic column
     * carry a few percent of phantom nulls, NaN or infinities; with it, an absent state appears with probability β.
     */
    public static double stateFloor(double sigma) {
        return sigma * DpMechanisms.upperQuantile(STATE_BETA);
    }

    /**
     * A rounding precision d is taken when fewer than this many values seem off the 10^−d grid: the noise bound
     * σ·Φ⁻¹(1 − β) of each count (β = {@value #STATE_BETA}), at least 1.
     */
    public static double decimalsFloor(double sigma) {
        return Math.max(1.0, stateFloor(sigma));
    }




    /**
     * Builds a quantile column's encoder from its exact value-state counts {value, null, NaN, +∞, −∞} and its values'
     * counts in the bins of {@link #gridEdges} (values clamped to the bounds), noised here ({@link #histogramQuantile});
     * for a float or double column with {@code offDecimals} (per d = 0..{@link QuantileEncoder#MAX_DECIMALS}, how many
     * values are not multiples of 10^−d) also its rounding precision: a Gaussian release of these counts (one value
     * changes each by at most 1: L2 sensitivity √7), the precision the smallest d whose noisy count, and every finer
     * one's, is below {@link #decimalsFloor}; none (every digit kept) when no d qualifies; not released at all when
     * that floor exceeds {@value #PRECISION_MAX_FLOOR_SHARE} of the released rows. For a timestamp column
     * {@code offDecimals} holds {values with a fraction of a second, with a fraction of a millisecond}, released the
     * same way, for its unit (1 s, 1 ms or 1 µs).
     */
    public void quantile(ColumnPlan p, long[] exactStates, long[] grid, long[] offDecimals) {
        if (columns.get(p.index).edges == null) {
            throw new IllegalStateException("Column '" + p.name + "': its grid edges come first (gridEdges)");
        }
        histogramQuantile(p, exactStates, grid, offDecimals);
    }

    /** A released rounding precision: decimals of a float or double column (−1: every digit), a timestamp's unit. */
    private record Precision(int decimals, double timestampUnit) {
        static final Precision NONE = new Precision(-1, 0);
    }

    /**
     * Whether a float, double or timestamp column's rounding precision is released with zCDP {@code rho}: only when
     * the noise floor ({@link #decimalsFloor}) is at most {@value #PRECISION_MAX_FLOOR_SHARE} of the released rows
     * (else a guess from noise could round 0.07 to 0; every digit is kept).
     */
    private boolean precisionReleasable(ColumnPlan p, long[] offDecimals, double rho) {
        return offDecimals != null && (p.type.isFloatingPoint() || p.type.base() == ColumnType.Base.TIMESTAMP)
                && decimalsFloor(sigma(rho, Math.sqrt(offDecimals.length))) <= PRECISION_MAX_FLOOR_SHARE * rows;
    }

    /**
     * Releases a float, double or timestamp column's rounding precision with zCDP {@code rho} (see {@link #quantile}):
     * its k counts, each changed by at most 1 by a row, are one Gaussian release of L2 sensitivity √k.
     */
    private Precision releasePrecision(ColumnPlan p, long[] offDecimals, double rho) {
        double sensitivity = Math.sqrt(offDecimals.length);
        double sigma = sigma(rho, sensitivity);
        double floor = decimalsFloor(sigma);
        if (p.type.base() == ColumnType.Base.TIMESTAMP) {
            // {values with a fraction of a second, values with a fraction of a millisecond}: one Gaussian release
            boolean subSecond = offDecimals[0] + noise.gaussian("precision|" + p.index + "|0", sigma) >= floor;
            boolean subMilli = offDecimals[1] + noise.gaussian("precision|" + p.index + "|1", sigma) >= floor;
            double unit = subMilli ? 1.0 : subSecond ? 1_000.0 : 1_000_000.0;
            ledger.add(gaussian(p.name, "rounding_precision", sensitivity, sigma, 0,
                    "counts of values with fractions of a second and of a millisecond: unit "
                    + (unit == 1.0 ? "1 µs" : unit == 1_000.0 ? "1 ms" : "1 s")));
            return new Precision(-1, unit);
        }
        double[] noisy = new double[offDecimals.length];
        for (int d = 0; d < offDecimals.length; d++) {
            noisy[d] = offDecimals[d] + noise.gaussian("decimals|" + p.index + "|" + d, sigma);
        }
        // a value on the 10^-d grid is on every finer one: d qualifies when it and every finer count are below
        int decimals = -1;
        for (int d = offDecimals.length - 1; d >= 0 && noisy[d] < floor; d--) {
            decimals = d;
        }
        ledger.add(gaussian(p.name, "rounding_precision", sensitivity, sigma, 0,
                "counts of values off each of 10^0..10^-" + (offDecimals.length - 1) + ": "
                + (decimals < 0 ? "every digit kept" : decimals + " decimals")));
        return new Precision(decimals, 0);
    }

    /**
     * The histogram release of {@link #quantile}: one Gaussian histogram of the column's value states (null, NaN, +∞,
     * −∞) and its values' counts in the log-grid bins ({@link #gridEdges}; a row falls in exactly one bin: L2
     * sensitivity 1) with all the column's ρ left after the range (and, for float, double and timestamp columns,
     * {@value #PRECISION_SHARE} of it for the rounding precision). The knots are the grid's edges and the probabilities the isotonic CDF of the noisy bins
     * ({@link DpMechanisms#isotonicCumulative}); the value count is its total. A noisy null, NaN or ±∞ count below
     * {@link #stateFloor} is 0. Everything after the noise is post-processing.
     */
    private void histogramQuantile(ColumnPlan p, long[] exactStates, long[] grid, long[] offDecimals) {
        Column c = columns.get(p.index);
        double rho = c.rho;
        Precision precision = Precision.NONE;
        if (precisionReleasable(p, offDecimals, PRECISION_SHARE * c.rho)) {
            precision = releasePrecision(p, offDecimals, PRECISION_SHARE * c.rho);
            rho -= PRECISION_SHARE * c.rho;
        }
        double sigma = sigma(rho, 1);
        long[] states = new long[exactStates.length];
        for (int s = 1; s < states.length; s++) {
            boolean possible = s == 1 || p.type.isFloatingPoint(); // NaN and ±∞ exist only in float and double
            double noisy = exactStates[s] + noise.gaussian("states|" + p.index + "|" + s, sigma);
            states[s] = !possible || noisy < stateFloor(sigma) ? 0 : Math.round(noisy);
        }
        double[] edges = c.edges;
        double[] pointValues = c.points;
        int gridBins = edges.length - 1;
        if (grid.length != gridBins + pointValues.length) {
            throw new IllegalArgumentException("Column '" + p.name + "': expected " + gridBins + " bins and "
                    + pointValues.length + " point masses, got " + grid.length + " counts");
        }
        double[] noisyBins = new double[grid.length];
        for (int b = 0; b < grid.length; b++) {
            String label = b < gridBins ? "histogram|" + p.index + "|" + b
                    : "histogram|" + p.index + "|point|" + pointValues[b - gridBins];
            noisyBins[b] = grid[b] + noise.gaussian(label, sigma);
        }
        boolean whole = p.type.isIntegral() || p.type.isDatetime();
        List<double[]> segments = segments(edges, pointValues, noisyBins, whole);
        double[] noisy = new double[segments.size()];
        for (int j = 0; j < noisy.length; j++) {
            noisy[j] = segments.get(j)[2];
        }
        double[] cdf = DpMechanisms.isotonicCumulative(noisy);
        double total = cdf[cdf.length - 1];
        states[0] = Math.round(total);
        String where = "bounds [" + fmt(c.bounds[0]) + ", " + fmt(c.bounds[1]) + "] "
                + (c.publicBounds ? "(set)" : "(DP range)");
        ledger.add(gaussian(p.name, "histogram", 1, sigma, 0, gridBins + " bins of the log grid"
                + (pointValues.length > 0 ? ", " + pointValues.length + " point masses" : "") + " and the counts of nulls"
                + (p.type.isFloatingPoint() ? ", NaN, +inf, -inf" : "") + " in one histogram; isotonic CDF; " + where));
        if (states[0] < 1) {
            LOG.warn("Column '{}': its noisy count of values is below 1: the synthetic column is all nulls", p.name);
            p.encoder = new ConstantEncoder(p.name, p.type, null);
            return;
        }
        double unit = EncoderChoice.unit(p);
        if (precision.timestampUnit() > 0) {
            unit = precision.timestampUnit();
        } else if (p.type.base() == ColumnType.Base.TIMESTAMP) {
            unit = 1.0; // no precision released: every microsecond kept
        }
        // knots where the CDF rises, each flat stretch kept as a near-empty segment: a segment holding a … b gives
        // the knots (a, F before) and (b, F after), so a one-value segment (a point mass, a one-integer bin) has tied
        // knots, as in an ordinary fit; where one segment starts at the previous one's end, one knot
        List<double[]> points = new ArrayList<>();
        for (int j = 0; j < segments.size(); j++) {
            if (!(cdf[j + 1] > cdf[j])) {
                continue;
            }
            double a = Math.max(c.bounds[0], Math.min(c.bounds[1], segments.get(j)[0]));
            double b = Math.max(c.bounds[0], Math.min(c.bounds[1], segments.get(j)[1]));
            if (points.isEmpty() || points.get(points.size() - 1)[0] != a) {
                points.add(new double[]{a, cdf[j] / total});
            }
            points.add(new double[]{b, cdf[j + 1] / total});
        }
        if (points.isEmpty()) {
            points.add(new double[]{c.bounds[0], 0.0});
        }
        double[] knots = new double[points.size()];
        double[] u = new double[points.size()];
        for (int j = 0; j < knots.length; j++) {
            knots[j] = points.get(j)[0];
            u[j] = j == 0 ? 0.0 : Math.max(points.get(j)[1], u[j - 1] + FLAT_STEP);
        }
        if (knots.length < 2 || knots[0] == knots[knots.length - 1]) {
            p.encoder = new QuantileEncoder(p.name, p.kind, p.type, new double[]{knots[0]}, new double[]{1.0}, unit,
                    precision.decimals(), states, null, null, 0);
            return;
        }
        double last = u[u.length - 1];
        for (int j = 0; j < u.length; j++) {
            u[j] /= last;
        }
        u[u.length - 1] = 1.0;
        p.encoder = new QuantileEncoder(p.name, p.kind, p.type, knots, u, unit, precision.decimals(), states, null,
                null, 0);
        LOG.info("Column '{}': DP histogram of {} bins in [{}, {}], {}; ρ = {} (noise σ = {} rows per bin)", p.name,
                grid.length, fmt(knots[0]), fmt(knots[knots.length - 1]), where, fmt(rho), fmt(sigma));
    }

    /**
     * The histogram's segments in value order, each {a, b, noisy mass}: the grid bin [edges[j], edges[j+1]) (whole
     * numbers: the integers ⌈edges[j]⌉ … ⌈edges[j+1]⌉ − 1) cut at the point masses within it, its noisy count
     * ({@code noisy[j]}) shared by the pieces in proportion to their length (whole numbers: their integers), and each
     * point v a segment {v, v, noisy[bins + i]}. A bin whose every value is a point keeps no piece (its count of other
     * values is noise). A point at an edge belongs to the bin that starts there, the top edge's to the last bin, as
     * in {@link DpMechanisms#edgeBin}.
     */
    static List<double[]> segments(double[] edges, double[] points, double[] noisy, boolean whole) {
        int bins = edges.length - 1;
        List<double[]> out = new ArrayList<>();
        int next = 0;
        for (int j = 0; j < bins; j++) {
            double a = whole ? Math.ceil(edges[j]) + 0.0 : edges[j]; // + 0.0: ⌈−0.5⌉ is −0.0
            double b = whole ? Math.ceil(edges[j + 1]) - 1 : edges[j + 1];
            int first = next;
            while (next < points.length && (points[next] < edges[j + 1] || (j == bins - 1 && points[next] <= b))) {
                next++;
            }
            List<double[]> pieces = new ArrayList<>();
            double cursor = a;
            for (int i = first; i < next; i++) {
                double v = points[i];
                double end = whole ? v - 1 : v;
                if (end > cursor || (whole && end >= cursor)) {
                    pieces.add(new double[]{cursor, end, whole ? end - cursor + 1 : end - cursor});
                }
                pieces.add(new double[]{v, v, -1 - i}); // a point: its own count
                cursor = whole ? v + 1 : v;
            }
            if (b > cursor || (whole && b >= cursor) || (first == next && b >= cursor)) {
                pieces.add(new double[]{cursor, b, whole ? b - cursor + 1 : b - cursor});
            }
            double length = 0;
            for (double[] q : pieces) {
                length += q[2] >= 0 ? q[2] : 0;
            }
            for (double[] q : pieces) {
                if (q[2] < 0) {
                    out.add(new double[]{q[0], q[1], noisy[bins + (int) (-1 - q[2])]});
                } else {
                    // no point in the bin: its whole count, whatever its length (a bin of one value keeps it)
                    out.add(new double[]{q[0], q[1], first == next ? noisy[j] : noisy[j] * q[2] / length});
                }
            }
        }
        return out;
    }

    // ---- 6. generated columns -----------------------------------------------------------------------------------

    /**
     * An id or fake-value column: its null count is released (Gaussian, the column's ρ); the values come from fixed
     * generators (ids counting up from 1 or fixed-alphabet strings, names from the built-in lists), with no
     * data-derived shape, range or mail domain.
     */
    public void generated(ColumnPlan p, long exactNulls) {
        Column c = columns.get(p.index);
        double sigma = sigma(c.rho, 1);
        double noisyNulls = exactNulls + noise.gaussian("nulls|" + p.index, sigma);
        long nulls = noisyNulls < stateFloor(sigma) ? 0 : Math.min(rows, Math.round(noisyNulls));
        ledger.add(gaussian(p.name, "null_count", 1, sigma, 0, "values from a fixed generator"));
        if (EncodeOptions.ID.equals(p.kind)) {
            p.encoder = p.type.isIntegral() ? IdEncoder.integral(p.name, p.type, rows, nulls, 0, 0)
                    : IdEncoder.string(p.name, rows, nulls, "", "", null, 12, "9A");
        } else {
            p.encoder = new FakeEncoder(p.name, p.kind, rows, nulls, "en", Map.of());
        }
    }

    /** The ledger of this fit (after the last release). */
    public EncoderReleases releases() {
        return new EncoderReleases(privacy.encoderEpsilon(), encoderDelta, rowCount(), ledger);
    }

    static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
