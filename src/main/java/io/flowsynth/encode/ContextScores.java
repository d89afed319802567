package io.flowsynth.encode;

import java.io.Serializable;
import java.util.List;

/**
 * How much each automatic-context candidate ({@link AutoContext#candidates}) explains of the other columns: per
 * candidate, the mean over the other encoded columns of the column's largest bias-adjusted correlation ratio
 * (ε², the one-way ANOVA share of a feature's variance between the candidate's levels, less what the levels' count
 * explains of noise: (SSB − (L − 1)·SSW/(n − L)) / SST), measured on the encoded features (Gaussianized: a skewed
 * column's extremes do not dominate). A categorical column's feature is its frequency-interval position, so its
 * association with a candidate counts through the levels' order by frequency: roughly, not as a contingency table.
 *
 * <p>Sums of the features per candidate level are accumulated row by row ({@link Sums#add}), merged across
 * partitions ({@link Sums#merge}), and scored on the driver ({@link #scores}). A value outside a candidate's kept
 * levels counts in one extra level.
 */
public final class ContextScores {
    /** Most sums (per candidate level and feature) one task holds: 16 M doubles, 128 MB. */
    public static final long MAX_CELLS = 16_000_000L;

    /** Most row × candidate × feature additions a scoring pass makes (a few seconds of one core per 10⁹). */
    public static final double MAX_WORK = 4e9;

    private ContextScores() {
    }

    /**
     * How many of {@code candidates} (in their order: fewest outcomes first) are scored: the longest prefix whose sums
     * fit in {@link #MAX_CELLS}; a wide table's further candidates are not tried.
     */
    public static int scoredCandidates(TableEncoder encoder, List<Integer> candidates) {
        long cells = 0;
        for (int j = 0; j < candidates.size(); j++) {
            cells += (long) (((CategoricalEncoder) encoder.columns().get(candidates.get(j))).outcomeCount() + 1)
                    * Math.max(1, encoder.width());
            if (cells > MAX_CELLS) {
                return j;
            }
        }
        return candidates.size();
    }

    /**
     * Rows to score {@code candidates} candidates over {@code width} features on: at most {@code maxRows}, fewer when
     * the pass would exceed {@link #MAX_WORK} additions, never fewer than 10,000.
     */
    public static long scoredRows(int candidates, int width, long maxRows) {
        double perRow = (double) Math.max(1, candidates) * Math.max(1, width);
        return Math.max(10_000L, Math.min(maxRows, (long) (MAX_WORK / perRow)));
    }

    /** Feature sums per candidate level, and of all rows: mergeable, so one pass over the partitions fills them. */
    public static final class Sums implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int width;
        private final long[][] counts; // [candidate][level]
        private final double[][] sums; // [candidate][level · width + feature]
        private final double[] total;
        private final double[] totalSquares;
        private long rows;

        /**
         * @param levels per candidate, its outcomes (the extra level for values it does not keep is added here)
         * @param width  the encoder's features
         */
        public Sums(int[] levels, int width) {
            this.width = width;
            counts = new long[levels.length][];
            sums = new double[levels.length][];
            for (int j = 0; j < levels.length; j++) {
                counts[j] = new long[levels[j] + 1];
                sums[j] = new double[(levels[j] + 1) * width];
            }
            total = new double[width];
            totalSquares = new double[width];
        }

        /** The sums for {@code candidates} of {@code encoder} ({@link #add} then takes the encoder's features). */
        public static Sums of(TableEncoder encoder, List<Integer> candidates) {
            int[] levels = new int[candidates.size()];
            for (int j = 0; j < levels.length; j++) {
                levels[j] = ((CategoricalEncoder) encoder.columns().get(candidates.get(j))).outcomeCount();
            }
            return new Sums(levels, encoder.width());
        }

        /**
         * Adds one row.
         *
         * @param levels   per candidate, the row's kept level index, or −1 when its value is not kept
         * @param features the row's encoded features
         */
        public void add(int[] levels, double[] features) {
            for (int f = 0; f < width; f++) {
                double v = features[f];
                total[f] += v;
                totalSquares[f] += v * v;
            }
            for (int j = 0; j < counts.length; j++) {
                int l = levels[j] < 0 ? counts[j].length - 1 : levels[j];
                counts[j][l]++;
                double[] s = sums[j];
                int at = l * width;
                for (int f = 0; f < width; f++) {
                    s[at + f] += features[f];
                }
            }
            rows++;
        }

        /** Adds {@code other}'s rows into these sums; returns this. */
        public Sums merge(Sums other) {
            if (other.width != width || other.counts.length != counts.length) {
                throw new IllegalArgumentException("sums of different candidates or widths cannot merge");
            }
            for (int f = 0; f < width; f++) {
                total[f] += other.total[f];
                totalSquares[f] += other.totalSquares[f];
            }
            for (int j = 0; j < counts.length; j++) {
                for (int l = 0; l < counts[j].length; l++) {
                    counts[j][l] += other.counts[j][l];
                }
                for (int k = 0; k < sums[j].length; k++) {
                    sums[j][k] += other.sums[j][k];
                }
            }
            rows += other.rows;
            return this;
        }

        /** Rows added. */
        public long rows() {
            return rows;
        }

        /** Rows at candidate {@code j}'s level {@code l} (its last level: values it does not keep). */
        long count(int j, int l) {
            return counts[j][l];
        }

        /** Mean of feature {@code f} over the rows at candidate {@code j}'s level {@code l} (NaN without rows). */
        double mean(int j, int l, int f) {
            return counts[j][l] == 0 ? Double.NaN : sums[j][l * width + f] / counts[j][l];
        }

        /** Bias-adjusted correlation ratio of feature {@code f} given candidate {@code j}'s levels, in [0, 1]. */
        double adjustedEtaSquared(int j, int f) {
            double n = rows;
            double mean = total[f] / n;
            double sst = totalSquares[f] - n * mean * mean;
            if (!(sst > 1e-12 * Math.max(1, totalSquares[f]))) {
                return 0; // a constant feature: nothing to explain
            }
            double ssb = 0;
            int used = 0;
            for (int l = 0; l < counts[j].length; l++) {
                long c = counts[j][l];
                if (c > 0) {
                    double d = sums[j][l * width + f] / c - mean;
                    ssb += c * d * d;
                    used++;
                }
            }
            if (used < 2 || n <= used) {
                return 0;
            }
            double ssw = Math.max(0, sst - ssb);
            return Math.max(0, Math.min(1, (ssb - (used - 1) * ssw / (n - used)) / sst));
        }
    }

    /**
     * Per candidate (in {@code candidates} order), the mean over the encoder's other learned columns of the largest
     * adjusted correlation ratio among the column's features given the candidate; 0 for every candidate without rows.
     */
    public static double[] scores(TableEncoder encoder, List<Integer> candidates, Sums sums) {
        double[] out = new double[candidates.size()];
        if (sums.rows() < 2) {
            return out;
        }
        for (int j = 0; j < out.length; j++) {
            double sum = 0;
            int columns = 0;
            for (int i = 0; i < encoder.columns().size(); i++) {
                ColumnEncoder c = encoder.columns().get(i);
                if (i == candidates.get(j) || c.width() == 0 || c instanceof GeneratedColumn) {
                    continue;
                }
                double best = 0;
                for (int f = encoder.offset(i); f < encoder.offset(i) + c.width(); f++) {
                    best = Math.max(best, sums.adjustedEtaSquared(j, f));
                }
                sum += best;
                columns++;
            }
            out[j] = columns == 0 ? 0 : sum / columns;
        }
        return out;
    }
}
