package io.flowsynth.spark;

/** Derives independent generator seeds for the parts of a distributed job (partitions, rows) from one job seed. */
public final class Seeds {
    private Seeds() {
    }

    /** The seed of stream {@code index} of {@code seed}: a SplitMix64 finalizer of seed + golden-ratio step × (index + 1). */
    public static long mix(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
