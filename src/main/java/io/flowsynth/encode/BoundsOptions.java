package io.flowsynth.encode;

import io.flowsynth.error.BadInputException;
import io.flowsynth.config.ConfigKeys;

import java.io.Serializable;

/**
 * Bounds and tails of the numeric, date and timestamp encoders (validated, immutable); keys and defaults in
 * {@link ConfigKeys}. See {@link ExtremeBounds} for what they do.
 *
 * @param extremeK       extreme-value protection: the k smallest and k largest finite values of every numeric, date
 *                       and timestamp column are withheld (never stored in the model, never sampled); 0 = off
 * @param bounds         {@code observed}: the bounds are the observed range less the k extremes at each end;
 *                       {@code quantile}: they are, in addition, clipped at the sketch's {@code boundsQuantile} and
 *                       1 − {@code boundsQuantile} quantiles (interpolated, so not a real row's value)
 * @param boundsQuantile tail probability cut off at each end by {@code quantile} bounds, in (0, 0.5)
 */
public record BoundsOptions(int extremeK, String bounds, double boundsQuantile) implements Serializable {
    public static final String OBSERVED = "observed";
    public static final String QUANTILE = "quantile";

    public BoundsOptions {
        if (extremeK < 0 || extremeK > MAX_EXTREME_K) {
            throw new BadInputException(ConfigKeys.PRIVACY_EXTREME_K + ": expected 0.." + MAX_EXTREME_K + ", got "
                    + extremeK);
        }
        if (!OBSERVED.equals(bounds) && !QUANTILE.equals(bounds)) {
            throw new BadInputException(ConfigKeys.ENCODE_BOUNDS + ": expected observed or quantile, got '" + bounds
                    + "'");
        }
        if (!(boundsQuantile > 0.0 && boundsQuantile < 0.5)) {
            throw new BadInputException(ConfigKeys.ENCODE_BOUNDS_QUANTILE + ": expected in (0, 0.5), got "
                    + boundsQuantile);
        }
    }

    /** Largest k: the per-partition buffers of the order statistics hold 2k + 1 values per end and column. */
    public static final int MAX_EXTREME_K = 1000;

    public static BoundsOptions defaults() {
        return new BoundsOptions(ConfigKeys.PRIVACY_EXTREME_K_DEFAULT, ConfigKeys.ENCODE_BOUNDS_DEFAULT,
                ConfigKeys.ENCODE_BOUNDS_QUANTILE_DEFAULT);
    }

    /** No protection and observed bounds: the exact range of the data (tails are still fitted). */
    public static BoundsOptions unprotected() {
        return new BoundsOptions(0, OBSERVED, ConfigKeys.ENCODE_BOUNDS_QUANTILE_DEFAULT);
    }

    public BoundsOptions withExtremeK(int value) {
        return new BoundsOptions(value, bounds, boundsQuantile);
    }

    public BoundsOptions withBounds(String value) {
        return new BoundsOptions(extremeK, value, boundsQuantile);
    }

    /** Tail probability clipped at each end: {@code boundsQuantile} for quantile bounds, else 0. */
    public double clippedTail() {
        return QUANTILE.equals(bounds) ? boundsQuantile : 0.0;
    }
}
