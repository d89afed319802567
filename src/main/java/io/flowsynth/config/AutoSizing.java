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
 *       rows, at least {@value #MIN_LOCAL_STEPS} and at most {@value #MAX_LOCAL_STEPS} steps;</li>
 *   <li>{@code flowsynth.flow.hidden-features} and {@code flowsynth.flow.layers}: {@value #SMALL_HIDDEN} and
 *       {@value #SMALL_LAYERS} below {@value #SMALL_TABLE_ROWS} rows, else {@value #HIDDEN} and {@value #LAYERS}.</li>
 * </ul>
 * An explicit value (≥ 1) always wins.
 */
public final class AutoSizing {
    /** Tables with fewer rows get the small network. */
    public static final long SMALL_TABLE_ROWS = 1_000;
    public static final int SMALL_HIDDEN = 32;
    public static final int SMALL_LAYERS = 4;
    public static final int HIDDEN = 64;
    public static final int LAYERS = 6;
    public static final int MIN_LOCAL_STEPS = 5;
    public static final int MAX_LOCAL_STEPS = 25;

    private AutoSizing() {
    }

    /** Width of the conditioners' hidden layers for a table of {@code rows} rows ({@code configured} if ≥ 1). */
    public static int hiddenFeatures(int configured, long rows) {
        return configured > 0 ? configured : rows < SMALL_TABLE_ROWS ? SMALL_HIDDEN : HIDDEN;
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

    /**
     * Local steps per round ({@code configured} if ≥ 1): ⌈trainRows / (partitions × batch)⌉, within
     * [{@value #MIN_LOCAL_STEPS}, {@value #MAX_LOCAL_STEPS}].
     */
    public static int localSteps(int configured, long trainRows, int partitions, int batchSize) {
        if (configured > 0) {
            return configured;
        }
        double perPass = Math.ceil((double) Math.max(0, trainRows) / ((double) Math.max(1, partitions)
                * Math.max(1, batchSize)));
        return (int) Math.max(MIN_LOCAL_STEPS, Math.min(MAX_LOCAL_STEPS, perPass));
    }
}
