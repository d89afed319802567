package io.flowsynth.spark.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** float32 arrays as big-endian bytes: the parameter files of models and checkpoints. */
public final class FloatArrays {
    private FloatArrays() {
    }

    public static byte[] toBytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.BIG_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    public static float[] fromBytes(byte[] bytes) {
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException("A float32 file must have a multiple of 4 bytes, got " + bytes.length);
        }
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
