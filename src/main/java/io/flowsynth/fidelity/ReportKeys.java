package io.flowsynth.fidelity;

/**
 * The JSON keys of the scores part of {@code fidelity.json}, written and read by {@link FidelityReport} and read by
 * {@link ReportPage}: one spelling for both, so the page cannot look for a key the report no longer writes.
 */
public final class ReportKeys {
    /** {@code overall}: the three scores below. */
    public static final String OVERALL = "overall";
    public static final String QUALITY = "quality";
    public static final String COLUMN_SHAPES = "column_shapes";
    public static final String COLUMN_PAIR_TRENDS = "column_pair_trends";
    /** {@code columns[]}: per column its name, kind, metric, score and the two null rates. */
    public static final String COLUMNS = "columns";
    public static final String NAME = "name";
    public static final String KIND = "kind";
    public static final String METRIC = "metric";
    public static final String SCORE = "score";
    public static final String REAL_NULL_RATE = "real_null_rate";
    public static final String SYNTHETIC_NULL_RATE = "synthetic_null_rate";
    /** {@code pairs[]}: per pair its two column names ({@link #COLUMNS}), metric and score. */
    public static final String PAIRS = "pairs";
    /** {@code rows}: the row counts of both tables and of their samples. */
    public static final String ROWS = "rows";
    public static final String REAL = "real";
    public static final String SYNTHETIC = "synthetic";
    public static final String SAMPLED_REAL = "sampled_real";
    public static final String SAMPLED_SYNTHETIC = "sampled_synthetic";

    private ReportKeys() {
    }
}
