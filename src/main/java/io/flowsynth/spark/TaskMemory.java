package io.flowsynth.spark;

import io.flowsynth.flow.nn.MemoryExhaustedException;
import java.util.Iterator;
import java.util.function.Supplier;
import org.apache.spark.SparkEnv;

/**
 * Running out of memory inside a Spark task, said in one line. Spark treats an {@link OutOfMemoryError} anywhere in a
 * task's cause chain as fatal and ends the JVM (exit 52; in local mode the driver with it, before flowsynth can say
 * what ran out): every task that decodes, samples, scores or trains catches it where it happens and fails with a
 * {@link MemoryExhaustedException} naming the work instead, which reaches the CLI as the one-line error naming the
 * setting to raise. Most of these tasks do their work lazily, in their iterator's {@code hasNext}/{@code next}, so
 * the iterator is guarded, not only the function that builds it.
 */
public final class TaskMemory {
    private TaskMemory() {
    }

    /**
     * {@code t} as a {@link MemoryExhaustedException} naming {@code workload} when it is or was caused by an
     * {@link OutOfMemoryError}; otherwise {@code t} itself (rethrown unchanged by the caller).
     */
    public static RuntimeException exhausted(String workload, Throwable t) {
        if (!MemoryExhaustedException.causedByOutOfMemory(t)) {
            return t instanceof RuntimeException r ? r : null;
        }
        SparkEnv env = SparkEnv.get();
        boolean onExecutor = env != null && !"driver".equals(env.executorId());
        return new MemoryExhaustedException(workload, t, onExecutor);
    }

    /** The iterator {@code make} builds, with running out of memory while building or iterating it said in one line. */
    public static <T> Iterator<T> guard(String workload, Supplier<Iterator<T>> make) {
        Iterator<T> it;
        try {
            MemoryExhaustedException.working(workload);
            it = make.get();
        } catch (OutOfMemoryError | RuntimeException e) {
            throw rethrown(workload, e);
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return it.hasNext();
                } catch (OutOfMemoryError | RuntimeException e) {
                    throw rethrown(workload, e);
                }
            }

            @Override
            public T next() {
                try {
                    return it.next();
                } catch (OutOfMemoryError | RuntimeException e) {
                    throw rethrown(workload, e);
                }
            }
        };
    }

    private static RuntimeException rethrown(String workload, Throwable e) {
        RuntimeException r = exhausted(workload, e);
        if (r != null) {
            return r;
        }
        throw (Error) e; // an OutOfMemoryError is always turned into an exception above
    }
}
