package io.flowsynth.encode;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How a decoded number becomes a value of its column's source type, shared by {@link QuantileEncoder} and
 * {@link ModeEncoder}: integers, dates and timestamps are rounded to whole units (timestamps to the observed
 * precision), decimals to the type's scale (HALF_UP, never beyond its precision), floats and doubles with d ≤
 * {@link #MAX_DECIMALS} learned decimals to d decimals (HALF_EVEN on the double), and every value is clipped to the
 * bounds [min, max] (the observed range, or the protected bounds of extreme-value protection).
 */
final class ValueRounding implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Most decimals a float or double column's rounding precision is learned to. */
    static final int MAX_DECIMALS = 6;

    private final ColumnType type;
    private final double min;
    private final double max;
    private final double unit;
    private final int decimals;

    /**
     * @param min      lower bound of the decoded values, in the numeric form of {@link ColumnValues#toDouble}
     * @param max      upper bound (≥ min)
     * @param unit     the rounding unit, 0 for float and double
     * @param decimals float and double only: round decoded values to this many decimals (0 to
     *                 {@link #MAX_DECIMALS}), or −1 to keep every digit
     */
    ValueRounding(String column, ColumnType type, double min, double max, double unit, int decimals) {
        if (decimals < -1 || decimals > MAX_DECIMALS || (decimals >= 0 && !type.isFloatingPoint())) {
            throw new IllegalArgumentException("Column '" + column + "': decimals " + decimals
                    + " (expected -1, or 0.." + MAX_DECIMALS + " for float and double)");
        }
        if (!(unit >= 0.0) || Double.isInfinite(unit)) {
            throw new IllegalArgumentException("Column '" + column + "': unit must be finite and ≥ 0, got " + unit);
        }
        this.type = type;
        this.min = min;
        this.max = max;
        this.unit = unit;
        this.decimals = decimals;
    }

    double min() {
        return min;
    }

    double max() {
        return max;
    }

    double unit() {
        return unit;
    }

    int decimals() {
        return decimals;
    }

    /**
     * The grid the column's decoded values are rounded to: the unit of integers, dates, timestamps and decimals, and
     * 10^−d for float and double columns with d learned decimals ({@link #decimals()}); 0 for floats without.
     */
    double resolution() {
        if (unit > 0.0) {
            return unit;
        }
        return decimals >= 0 ? Math.pow(10.0, -decimals) : 0.0;
    }

    /** The number x as a value of the source type into a sink: rounded to the unit or decimals, clipped to [min, max]. */
    void valueOf(double x, ValueSink out, int column) {
        if (!Double.isFinite(x)) {
            x = Double.isNaN(x) ? min() : x > 0 ? max() : min();
        }
        if (type.isFloatingPoint() || type.base() == ColumnType.Base.DECIMAL) {
            emit(x, 0.0, out, column);
            return;
        }
        long u = unit >= 1.0 ? Math.round(unit) : 1L;
        double clipped = clip(x);
        emit((double) (Math.round(clipped / u) * u), 0.0, out, column);
    }

    /** The value base + delta of the source type, rounded to the unit and clipped to [min, max], into a sink. */
    void emit(double base, double delta, ValueSink out, int column) {
        switch (type.base()) {
            case FLOAT, DOUBLE -> out.setDouble(column, clip(round(base + delta)));
            case DECIMAL -> emitDecimal(base, delta, out, column);
            case BYTE, SHORT, INT, LONG, DATE, TIMESTAMP -> {
                long u = unit >= 1.0 ? Math.round(unit) : 1L;
                long b = (long) base; // knots of integral, date and timestamp columns are whole numbers
                long v = b + Math.round(delta / u) * u;
                out.setLong(column, Math.max((long) min(), Math.min((long) max(), v)));
            }
            default -> throw new IllegalStateException("unhandled type " + type);
        }
    }

    private void emitDecimal(double base, double delta, ValueSink out, int column) {
        int scale = type.scale();
        double scaled = (base + delta) * (scale < POWERS_OF_TEN.length ? POWERS_OF_TEN[scale] : Double.NaN);
        BigDecimal[] bounds = decimalBounds();
        if (Math.abs(scaled) < 0x1p52) {
            // the sum rounded to the scale in double, exact whenever the unscaled value fits 52 bits (ties aside,
            // which a continuous delta never hits): no decimal expansion of two doubles per value
            long unscaled = Math.round(scaled);
            if (type.precision() <= MAX_LONG_DECIMAL_PRECISION) {
                long[] limits = unscaledBounds;
                out.setUnscaledDecimal(column, Math.max(limits[0], Math.min(limits[1], unscaled)));
                return;
            }
            out.setValue(column, BigDecimal.valueOf(unscaled, scale).max(bounds[0]).min(bounds[1]));
            return;
        }
        BigDecimal v = BigDecimal.valueOf(base).add(new BigDecimal(delta)).setScale(scale, RoundingMode.HALF_UP);
        out.setValue(column, v.max(bounds[0]).min(bounds[1]));
    }

    /** Decimals of at most this precision have unscaled values that fit a long. */
    private static final int MAX_LONG_DECIMAL_PRECISION = 18;

    /**
     * [lower, upper] clip of decoded decimals: the fitted range at the column's scale, within its precision; also
     * {@link #unscaledBounds} for precisions up to 18. Built on first use.
     */
    private BigDecimal[] decimalBounds() {
        BigDecimal[] bounds = decimalBounds;
        if (bounds == null) {
            int scale = type.scale();
            BigDecimal limit = BigDecimal.ONE.movePointRight(type.precision() - scale)
                    .subtract(BigDecimal.ONE.movePointLeft(scale)); // largest value with this precision and scale
            bounds = new BigDecimal[]{BigDecimal.valueOf(min()).setScale(scale, RoundingMode.HALF_UP).max(limit.negate()),
                    BigDecimal.valueOf(max()).setScale(scale, RoundingMode.HALF_UP).min(limit)};
            if (type.precision() <= MAX_LONG_DECIMAL_PRECISION) {
                unscaledBounds = new long[]{bounds[0].unscaledValue().longValueExact(),
                        bounds[1].unscaledValue().longValueExact()};
            }
            decimalBounds = bounds; // racy but idempotent: immutable values, same result on every thread
        }
        return bounds;
    }

    private transient volatile BigDecimal[] decimalBounds;
    /** {@link #decimalBounds} as unscaled values, for precisions up to 18; set before it. */
    private transient long[] unscaledBounds;

    /** x rounded to {@link #decimals} decimals (unchanged when −1, or when too large to round in a double). */
    double round(double x) {
        if (decimals < 0) {
            return x;
        }
        double scale = POWERS_OF_TEN[decimals];
        double scaled = x * scale;
        if (!(Math.abs(scaled) < 0x1p52)) {
            return x;
        }
        return Math.rint(scaled) / scale;
    }

    /** 10^k, exact in double, for rounding to learned decimals (k ≤ {@link #MAX_DECIMALS}) and decimal scales. */
    static final double[] POWERS_OF_TEN = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
        1e15, 1e16, 1e17, 1e18};

    double clip(double x) {
        return Math.max(min(), Math.min(max(), x));
    }
}
