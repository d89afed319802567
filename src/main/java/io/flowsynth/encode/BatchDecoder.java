package io.flowsynth.encode;

import java.util.List;
import java.util.Random;

/**
 * Decodes a batch of feature rows into a {@link ValueSink}, row by row, with exactly the values and random draws of
 * {@link TableEncoder#decodeInto} on each row in turn, but faster: the columns whose decoding draws no random numbers
 * ({@link ColumnEncoder#decodesWithoutRandomness()}: quantile, mode and constant columns, categorical ones without an
 * "other" outcome) are decoded ahead, a chunk of {@value #CHUNK} rows at a time and column by column, so that each
 * column's tables (its knots, probabilities and search guide, several KiB) stay in the L1 cache for the whole chunk
 * instead of being evicted by the other columns' on every row. The remaining columns and the identifiers are decoded
 * when the row is emitted, drawing from {@code rng} in the same order as {@link TableEncoder#decodeInto}.
 *
 * <p>Not thread-safe: one per partition.
 */
public final class BatchDecoder {
    /** Rows decoded ahead per column: 1024 keeps the buffers at 9 KiB per column, also for wide tables. */
    static final int CHUNK = 1024;

    private final TableEncoder encoder;
    private final List<ColumnEncoder> columns;
    private final int width;
    private final boolean[] ahead;
    private final boolean[] generated;
    private final Buffer[] buffers;
    private final boolean independent;
    private float[] batch;
    private int rows;
    private int chunk = -1;
    private final double[] features;

    /** @param independent decode as {@link TableEncoder#decodeIndependent} does (the independent-columns baseline) */
    public BatchDecoder(TableEncoder encoder, boolean independent) {
        this.encoder = encoder;
        this.columns = encoder.columns();
        this.width = encoder.width();
        this.independent = independent;
        this.ahead = new boolean[columns.size()];
        this.buffers = new Buffer[columns.size()];
        this.generated = new boolean[columns.size()];
        for (int c = 0; c < ahead.length; c++) {
            ahead[c] = columns.get(c).decodesWithoutRandomness() && !(columns.get(c) instanceof GeneratedColumn);
            buffers[c] = ahead[c] ? new Buffer() : null;
            generated[c] = columns.get(c) instanceof GeneratedColumn;
        }
        this.features = new double[CHUNK * width];
    }

    /** Starts a batch: {@code rows} feature rows, row-major in {@code batch} (not copied). */
    public void load(float[] batch, int rows) {
        if (batch.length < (long) rows * width) {
            throw new IllegalArgumentException("batch has " + batch.length + " values, need " + rows + " × " + width);
        }
        this.batch = batch;
        this.rows = rows;
        this.chunk = -1;
    }

    /**
     * Emits row {@code r} of the batch into {@code out} as synthetic row {@code row} of a table of {@code totalRows}
     * rows sampled with {@code seed}; rows must be emitted in order (each chunk is decoded once).
     */
    public void emit(int r, Random rng, long row, long totalRows, long seed, ValueSink out) {
        if (r < 0 || r >= rows) {
            throw new IndexOutOfBoundsException("row " + r + " of a batch of " + rows);
        }
        int c = r / CHUNK;
        if (c != chunk) {
            decodeChunk(c);
        }
        int i = r - c * CHUNK;
        int base = i * width;
        for (int k = 0; k < ahead.length; k++) {
            if (ahead[k]) {
                buffers[k].replay(i, out, k);
            } else if (generated[k]) {
                continue; // set by generateIds below
            } else if (independent) {
                columns.get(k).decodeIndependentInto(features, base + encoder.offset(k), rng, out, k);
            } else {
                columns.get(k).decodeInto(features, base + encoder.offset(k), rng, out, k);
            }
        }
        encoder.generateIds(rng, row, totalRows, seed, out);
    }

    private void decodeChunk(int c) {
        int first = c * CHUNK;
        int n = Math.min(CHUNK, rows - first);
        int from = first * width;
        for (int j = 0; j < n * width; j++) {
            features[j] = batch[from + j];
        }
        for (int k = 0; k < ahead.length; k++) {
            if (!ahead[k]) {
                continue;
            }
            ColumnEncoder column = columns.get(k);
            Buffer buffer = buffers[k];
            int offset = encoder.offset(k);
            for (int i = 0; i < n; i++) { // the buffer's "column" is the row within the chunk
                if (independent) {
                    column.decodeIndependentInto(features, i * width + offset, null, buffer, i);
                } else {
                    column.decodeInto(features, i * width + offset, null, buffer, i);
                }
            }
        }
        chunk = c;
    }

    /** One column's decoded values for a chunk, by row, as the sink calls that made them. */
    private static final class Buffer implements ValueSink {
        private static final byte NULL = 0;
        private static final byte LONG = 1;
        private static final byte DOUBLE = 2;
        private static final byte UNSCALED = 3;
        private static final byte VALUE = 4;
        private final byte[] kinds = new byte[CHUNK];
        /** A long, an unscaled decimal, or a double's bits. */
        private final long[] bits = new long[CHUNK];
        private Object[] values;

        @Override
        public void setNull(int row) {
            kinds[row] = NULL;
        }

        @Override
        public void setLong(int row, long value) {
            kinds[row] = LONG;
            bits[row] = value;
        }

        @Override
        public void setDouble(int row, double value) {
            kinds[row] = DOUBLE;
            bits[row] = Double.doubleToRawLongBits(value);
        }

        @Override
        public void setUnscaledDecimal(int row, long unscaled) {
            kinds[row] = UNSCALED;
            bits[row] = unscaled;
        }

        @Override
        public void setValue(int row, Object value) {
            if (value == null) {
                kinds[row] = NULL;
                return;
            }
            if (values == null) {
                values = new Object[CHUNK];
            }
            kinds[row] = VALUE;
            values[row] = value;
        }

        void replay(int row, ValueSink out, int column) {
            switch (kinds[row]) {
                case NULL -> out.setNull(column);
                case LONG -> out.setLong(column, bits[row]);
                case DOUBLE -> out.setDouble(column, Double.longBitsToDouble(bits[row]));
                case UNSCALED -> out.setUnscaledDecimal(column, bits[row]);
                default -> out.setValue(column, values[row]);
            }
        }
    }
}
