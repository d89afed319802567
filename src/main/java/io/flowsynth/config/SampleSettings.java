package io.flowsynth.config;

/**
 * The sampling settings of a configuration ({@code flowsynth.sample.*} and the exact-copy guard's keys), validated.
 *
 * @param batchSize       rows per inverse pass
 * @param targetFileMb    Parquet file size the default partition count aims at
 * @param compression     Parquet codec
 * @param dropExactCopies drop (and redraw) synthetic rows equal to a training row
 * @param copyRedraws     redraw passes before giving up
 */
public record SampleSettings(int batchSize, double targetFileMb, String compression, boolean dropExactCopies,
                             int copyRedraws) {
}
