package io.flowsynth.jobs.bench;

import java.util.Arrays;

/** Small statistics the benchmarks share. */
final class BenchStats {
    private BenchStats() {
    }

    /** Seconds since {@code start} ({@link System#nanoTime()}). */
    static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
