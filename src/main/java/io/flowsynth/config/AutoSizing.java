package io.flowsynth.config;

/**
 * The settings whose default ({@code 0}, "auto") depends on the table's size, chosen with the real-table benchmark
 * ({@code jobs/bench.sh fidelity-real}). On small tables the default flow over-fits within a few dozen steps: its
 * training NLL keeps falling while the validation NLL rises after the first rounds, so the best round must be found
 * precisely and the network must be smaller. Measured on penguins (234 training rows, seed 7): validation NLL 14.82
 * with 25 local steps per round and 64×6, 14.33 with 5 local steps, 14.30 with 5 local steps and 32×4 (copula 14.76).
 *
 * <ul>
 *   <li>{@code flowsynth.train.local-steps}: one round is about one pass over a partition's share of the training
 *       rows, at least {@value #MIN_LOCAL_STEPS} steps and at most {@value #MAX_LOCAL_STEPS} steps or
 *       {@value #ROUND_ROWS} rows per partition, whichever is more, as long as the budget still affords
 *       {@value #MIN_ROUNDS} rounds ({@link #localSteps});</li>
 *   <li>{@code flowsynth.flow.hidden-features}: the number of features rounded up to a multiple of 32, at least
 *       {@value #HIDDEN} and at most {@value #MAX_HIDDEN} ({@link #width}), from {@value #WIDE_MIN_ROWS} rows
 *       ({@value #HIDDEN} below), halved below {@value #SMALL_TABLE_ROWS} rows ({@value #SMALL_HIDDEN});</li>
 *   <li>{@code flowsynth.flow.layers}: {@value #SMALL_LAYERS} below {@value #SMALL_TABLE_ROWS} rows, else
 *       {@value #LAYERS};</li>
 *   <li>{@code flowsynth.train.batch-size}: {@value #BATCH}, smaller under an epoch budget so that an epoch is at
 *       least {@value #MIN_EPOCH_STEPS} steps ({@link #batchSize}).</li>
 * </ul>
 * An explicit value (≥ 1) always wins.
 */
public final class AutoSizing {
    /** Tables with fewer rows get the small network. */
    public static final long SMALL_TABLE_ROWS = 1_000;
    public static final int SMALL_HIDDEN = 32;
    public static final int SMALL_LAYERS = 4;
    public static final int HIDDEN = 64;
    /** Most hidden features of {@link #width}. */
    public static final int MAX_HIDDEN = 256;
    public static final int LAYERS = 6;
    public static final int MIN_LOCAL_STEPS = 5;
    public static final int MAX_LOCAL_STEPS = 25;

    private AutoSizing() {
    }

    /**
     * Width of the conditioners' hidden layers for a table of {@code rows} rows and {@code features} encoded features
     * ({@code configured} if ≥ 1): {@link #width} of the features from {@link #WIDE_MIN_ROWS} rows, else at most
     * {@value #HIDDEN}; halved below {@value #SMALL_TABLE_ROWS} rows.
     */
    public static int hiddenFeatures(int configured, long rows, int features) {
        if (configured > 0) {
            return configured;
        }
        int w = rows < WIDE_MIN_ROWS ? Math.min(HIDDEN, width(features)) : width(features);
        return rows < SMALL_TABLE_ROWS ? w / 2 : w;
    }

    /**
     * Fewest rows for conditioners wider than {@value #HIDDEN}: measured on ames (2,331 rows, 97 features, seed 7), the
     * 128-wide conditioners of the rule by features reached validation NLL 95.6 (best round 17, 62 s), 64-wide ones
     * 87.8 (38 s) at the same fidelity (quality 0.9607 vs 0.9602, pairs 0.9431 vs 0.9429, three draws each).
     */
    public static final long WIDE_MIN_ROWS = 10_000;

    /**
     * The features rounded up to a multiple of 32, at least {@value #HIDDEN} and at most {@value #MAX_HIDDEN}.
     * Narrow tables keep the fixed 64 of earlier versions; a wide table's conditioners grow with it (a coupling
     * layer's conditioner maps D/2 inputs to D outputs, so its first and last weights grow with D whatever the width)
     * until 256: measured, a 240-feature RealNVP of 6 layers has 1.5 M parameters (6 MB, 12 MB of Adam state) and a
     * 1,200-feature one 6.0 M (24 MB, 48 MB of Adam state): neither starved nor enormous. The fit log states the
     * figures.
     */
    static int width(int features) {
        int rounded = 32 * (int) Math.ceil(Math.max(1, features) / 32.0);
        return Math.max(HIDDEN, Math.min(MAX_HIDDEN, rounded));
    }

    /** Coupling layers for a table of {@code rows} rows ({@code configured} if ≥ 1). */
    public static int layers(int configured, long rows) {
        return configured > 0 ? configured : rows < SMALL_TABLE_ROWS ? SMALL_LAYERS : LAYERS;
    }

    /**
     * Plateau patience in rounds: with auto local steps, the configured rounds of {@value #MAX_LOCAL_STEPS}-step
     * rounds converted to the same number of steps (⌈patience × {@value #MAX_LOCAL_STEPS} / localSteps⌉), so short
     * rounds do not shorten the plateau (mlc_churn, 3,979 rows: patience 8 of 5-step rounds stopped the flow at
     * validation NLL 14.65 where 8 of 25-step rounds had reached 10.72); an explicit local-steps keeps the patience.
     */
    public static int patience(int patience, int configuredLocalSteps, int localSteps) {
        if (configuredLocalSteps > 0 || patience <= 0) {
            return patience;
        }
        return (int) Math.ceil((double) patience * MAX_LOCAL_STEPS / Math.max(1, localSteps));
    }

    /** Rows per step of a steps budget (and the most of an epoch budget) when {@code flowsynth.train.batch-size} is auto. */
    public static final int BATCH = 512;
    /** Fewest optimizer steps one epoch of an epoch budget takes when the batch size is auto. */
    public static final int MIN_EPOCH_STEPS = 100;
    /** Smallest auto batch. */
    public static final int MIN_BATCH = 32;

    /**
     * Rows per optimizer step ({@code configured} if ≥ 1): {@value #BATCH}; under an epoch budget ({@code epochs} ≥ 1)
     * at most ⌈trainRows / (partitions × {@value #MIN_EPOCH_STEPS})⌉ and at least {@value #MIN_BATCH}, so that an
     * epoch is at least {@value #MIN_EPOCH_STEPS} steps where the rows allow. One epoch of a 10,000-row table in 512-row
     * batches is 9 steps per partition at 2 partitions, too few to move a flow off its initialization: the wide
     * benchmark's 200-column table then scored like the independent-columns baseline.
     */
    public static int batchSize(int configured, int epochs, long trainRows, int partitions) {
        if (configured > 0) {
            return configured;
        }
        if (epochs <= 0) {
            return BATCH;
        }
        long perEpochStep = (long) Math.ceil((double) Math.max(0, trainRows)
                / ((double) Math.max(1, partitions) * MIN_EPOCH_STEPS));
        return (int) Math.max(MIN_BATCH, Math.min(BATCH, perEpochStep));
    }

    /**
     * Rows per partition per round that a large table's auto rounds hold (local steps × batch): long enough that the
     * per-round cost of averaging (Spark's job scheduling, broadcast of parameters and Adam state, result transfer,
     * the driver's average, waiting for the slowest partition) stays small next to the round's training work.
     */
    public static final int ROUND_ROWS = 65_536;
    /** Fewest rounds a budget keeps when auto rounds grow past {@value #MAX_LOCAL_STEPS} steps. */
    public static final int MIN_ROUNDS = 30;

    /**
     * Local steps per round ({@code configured} if ≥ 1): about one pass over a partition's training rows,
     * ⌈trainRows / (partitions × batch)⌉, at least {@value #MIN_LOCAL_STEPS} and at most the larger of
     * {@value #MAX_LOCAL_STEPS} and {@link #workSteps}. A small table's rounds stay short (its best round comes within
     * a few dozen steps, and the round is the unit of validation and of the plateau rule); a large table's rounds grow
     * to {@value #ROUND_ROWS} rows per partition, so the fixed per-round cost of averaging is paid rarely.
     *
     * @param epochs passes of an epoch budget, or 0 for a budget of {@code steps} optimizer steps
     */
    public static int localSteps(int configured, long trainRows, int partitions, int batchSize, int epochs,
                                 long steps) {
        if (configured > 0) {
            return configured;
        }
        double perPass = Math.ceil((double) Math.max(0, trainRows) / ((double) Math.max(1, partitions)
                * Math.max(1, batchSize)));
        long budget = epochs > 0 ? (long) epochs * (long) Math.max(1, perPass) : steps;
        int longest = Math.max(MAX_LOCAL_STEPS, workSteps(batchSize, budget));
        return (int) Math.max(MIN_LOCAL_STEPS, Math.min(longest, perPass));
    }

    /**
     * The local steps of a round of {@value #ROUND_ROWS} rows at {@code batchSize} rows per step, at most
     * {@code budgetSteps / }{@value #MIN_ROUNDS}, so that early stopping still has rounds to choose from.
     */
    static int workSteps(int batchSize, long budgetSteps) {
        long work = (ROUND_ROWS + Math.max(1, batchSize) - 1) / Math.max(1, batchSize);
        return (int) Math.max(1, Math.min(work, Math.max(0, budgetSteps) / MIN_ROUNDS));
    }

    /** Fewest validation rows an auto round scores (all of them where there are fewer). */
    public static final int MIN_ROUND_VALIDATION_ROWS = 10_000;
    /**
     * Training rows per validation row scored in an auto round. Measured (jobs/bench.sh train-defaults, 200,000 rows,
     * 100-step rounds at 2 partitions), scoring a validation row costs about half of training on a row (forward,
     * backward and Adam at batch 512; scores run in 4,096-row chunks), so validation stays near 5 % of a round.
     */
    public static final int TRAIN_ROWS_PER_VALIDATION_ROW = 8;

    /**
     * Most validation rows one round scores ({@code configured} if ≥ 1): the rows trained per round (partitions ×
     * local steps × batch) / {@value #TRAIN_ROWS_PER_VALIDATION_ROW}, at least {@value #MIN_ROUND_VALIDATION_ROWS}.
     * Early stopping stays sound: a round's decision (a new best, the plateau's patience) compares the NLLs of two
     * parameter vectors on the same rows, whose difference has a far smaller standard error than either level (at
     * 10,000 rows, per-row differences of 0.1 nats give 0.001, the default min-delta). A fit that holds out more
     * scores a fixed, evenly strided subset of them ({@link #validationStride}), the same rows every round.
     */
    public static int roundValidationRows(int configured, int partitions, int localSteps, int batchSize) {
        if (configured > 0) {
            return configured;
        }
        long perRound = (long) Math.max(1, partitions) * Math.max(1, localSteps) * Math.max(1, batchSize);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_ROUND_VALIDATION_ROWS,
                perRound / TRAIN_ROWS_PER_VALIDATION_ROW));
    }

    /**
     * Every how many validation rows (of each partition's, in order) a round scores one, so that about
     * {@code roundValidationRows} of {@code validationRows} are scored: 1 (all) when they are no more.
     */
    public static int validationStride(long validationRows, int roundValidationRows) {
        if (roundValidationRows <= 0 || validationRows <= roundValidationRows) {
            return 1;
        }
        return (int) Math.min(Integer.MAX_VALUE, (validationRows + roundValidationRows - 1) / roundValidationRows);
    }
}
