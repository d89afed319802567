package io.flowsynth.encode;

import java.io.Serializable;

/**
 * Approximate membership of the real values of generated columns, held only in memory while {@code run} samples (a
 * Bloom filter per column, never written to the model): a generated value it might contain is drawn again, so no
 * real value is published by coincidence. False positives only cost a redraw. It is deliberately not stored with the
 * model: any stored membership structure (a hash set, salted or not, or a Bloom filter) would let whoever holds the
 * model test whether a given person's value is in the training data.
 */
public interface RealValues extends Serializable {

    /** Whether {@code value} may be a real value of column {@code column} (an index of the table encoder). */
    boolean mightContain(int column, Object value);
}
