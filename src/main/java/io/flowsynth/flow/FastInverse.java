package io.flowsynth.flow;

/**
 * A faster route to x = f⁻¹(z) than composing the parts' {@link Transform#inverse}: the same map with the parameters
 * folded ahead of time and no log-determinant. {@link Flow#sample} uses it when the flow has one.
 */
public interface FastInverse {
    /** A new evaluator with its own scratch memory: one per thread, never shared. */
    Evaluator newEvaluator();

    /** Inverts batches of noise rows. Not thread-safe. */
    interface Evaluator {
        /**
         * Replaces the {@code rows × D} row-major noise {@code z} by x = f⁻¹(z), in place.
         */
        void inverseInPlace(float[] z, int rows);
    }
}
