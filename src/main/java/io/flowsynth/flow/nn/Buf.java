package io.flowsynth.flow.nn;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct element access to the off-heap storage of an ND4J array (float or double), for element-wise loops that fuse
 * several ops into one pass without an ND4J op call per step. Indices are absolute positions in the array's buffer;
 * the array must not be a view with an offset (callers add their own offsets). Arithmetic is done in double by the
 * callers and rounded on {@link #set}.
 */
abstract class Buf {
    abstract double get(int i);

    abstract void set(int i, double v);

    static Buf of(INDArray a) {
        if (a.offset() != 0) {
            throw new IllegalArgumentException("Element access needs an array that starts at its buffer");
        }
        if (a.dataType() == DataType.FLOAT) {
            return new F(a.data().asNioFloat());
        }
        if (a.dataType() == DataType.DOUBLE) {
            return new D(a.data().asNioDouble());
        }
        throw new IllegalArgumentException("Element access supports float and double arrays, not " + a.dataType());
    }

    private static final class F extends Buf {
        private final FloatBuffer b;

        F(FloatBuffer b) {
            this.b = b;
        }

        @Override
        double get(int i) {
            return b.get(i);
        }

        @Override
        void set(int i, double v) {
            b.put(i, (float) v);
        }
    }

    private static final class D extends Buf {
        private final DoubleBuffer b;

        D(DoubleBuffer b) {
            this.b = b;
        }

        @Override
        double get(int i) {
            return b.get(i);
        }

        @Override
        void set(int i, double v) {
            b.put(i, v);
        }
    }
}
