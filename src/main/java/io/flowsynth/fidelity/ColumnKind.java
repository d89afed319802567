package io.flowsynth.fidelity;

/**
 * How the fidelity report treats a column: continuous kinds ({@link #NUMERICAL}, {@link #DATETIME}, compared as numbers,
 * datetimes as epoch numbers) get {@link Metrics#KS_COMPLEMENT}; discrete kinds ({@link #CATEGORICAL},
 * {@link #BOOLEAN}) get {@link Metrics#TV_COMPLEMENT}.
 */
public enum ColumnKind {
    NUMERICAL("numerical"),
    DATETIME("datetime"),
    CATEGORICAL("categorical"),
    BOOLEAN("boolean");

    private final String label;

    ColumnKind(String label) {
        this.label = label;
    }

    /** The name used in reports and JSON: {@code numerical}, {@code datetime}, {@code categorical}, {@code boolean}. */
    public String label() {
        return label;
    }

    /** True for numerical and datetime columns, whose values are ordered numbers. */
    public boolean isContinuous() {
        return this == NUMERICAL || this == DATETIME;
    }

    /** The column-shape metric of this kind: KSComplement for continuous kinds, TVComplement otherwise. */
    public String shapeMetric() {
        return isContinuous() ? Metrics.KS_COMPLEMENT : Metrics.TV_COMPLEMENT;
    }

    /** The pair-trend metric of two kinds: CorrelationSimilarity if both are continuous, else ContingencySimilarity. */
    public static String pairMetric(ColumnKind a, ColumnKind b) {
        return a.isContinuous() && b.isContinuous() ? Metrics.CORRELATION_SIMILARITY : Metrics.CONTINGENCY_SIMILARITY;
    }

    public static ColumnKind fromLabel(String label) {
        for (ColumnKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("Unknown column kind '" + label
                + "': expected numerical, datetime, categorical or boolean");
    }
}
