package io.flowsynth.jobs;

import io.flowsynth.flow.nn.MemoryExhaustedException;
import io.flowsynth.flow.nn.NativeMemory;
import java.util.Locale;

/**
 * The one line the CLI prints when a command ran out of memory: which memory (the Java heap, JavaCPP's native limit,
 * an executor lost to it), what was running (width and rows, when known), and the setting to raise. Null when the
 * failure was something else.
 */
final class OutOfMemoryLine {
    static final String DRIVER_MEMORY = "FLOWSYNTH_DRIVER_MEMORY";
    static final String EXECUTOR_MEMORY = "spark.executor.memory";

    private OutOfMemoryLine() {
    }

    /**
     * @param t     what the command threw
     * @param local true when the tasks ran in the driver's JVM (a local master)
     */
    static String describe(Throwable t, boolean local) {
        MemoryExhaustedException exhausted = null;
        OutOfMemoryError oom = null;
        String executorLost = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MemoryExhaustedException m && exhausted == null) {
                exhausted = m;
            }
            if (c instanceof OutOfMemoryError o && oom == null) {
                oom = o;
            }
            String m = c.getMessage();
            if (executorLost == null && m != null && m.contains("ExecutorLostFailure")
                    && (m.contains("exit code 52") || m.contains("exited with code 52") || m.contains("OutOfMemory")
                    || m.contains("exceeding memory limits") || m.contains("OOMKilled"))) {
                executorLost = m;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        if (exhausted == null && oom == null) {
            if (executorLost == null) {
                return null;
            }
            return "an executor was lost to out of memory (" + firstLine(executorLost) + "): raise " + EXECUTOR_MEMORY
                    + " (--spark-conf " + EXECUTOR_MEMORY + "=…, FLOWSYNTH_EXECUTOR_MEMORY with jobs/submit.sh) and "
                    + "spark.executor.memoryOverhead, or lower flowsynth.train.batch-size / flowsynth.sample.batch-size";
        }
        boolean nativeLimit = exhausted != null ? exhausted.nativeLimit() : NativeMemory.isNativeLimit(oom);
        boolean onExecutor = exhausted != null ? exhausted.onExecutor() : !local && oom == null;
        String work = exhausted != null ? exhausted.workload() : MemoryExhaustedException.currentWork();
        String what = work != null ? " while " + work : "";
        String detail = firstLine(exhausted != null ? exhausted.error() : oom.getMessage());
        if (nativeLimit) {
            String where = onExecutor
                    ? "raise it on the executors with spark.executor.extraJavaOptions=-D" + NativeMemory.MAX_PHYSICAL_BYTES
                    + "=… (by default " + EXECUTOR_MEMORY + " + max(half of it, 1 GiB))"
                    : "raise -D" + NativeMemory.MAX_PHYSICAL_BYTES + " in FLOWSYNTH_JAVA_OPTS, or " + DRIVER_MEMORY
                    + " (the limit is the heap + max(half the heap, 1 GiB); " + limitsNow() + ")";
            return "out of native memory" + what + " (" + detail + "): " + where
                    + ", or lower flowsynth.train.batch-size / flowsynth.sample.batch-size";
        }
        String where = onExecutor
                ? "raise " + EXECUTOR_MEMORY + " (--spark-conf " + EXECUTOR_MEMORY + "=…, FLOWSYNTH_EXECUTOR_MEMORY with "
                + "jobs/submit.sh)"
                : "raise " + DRIVER_MEMORY + " (now " + gib(Runtime.getRuntime().maxMemory()) + "; spark-submit "
                + "--driver-memory)" + (local ? ", which also holds the local executor's tasks" : "");
        return "out of Java heap memory" + what + " (" + detail + "): " + where
                + ", or lower flowsynth.train.batch-size / flowsynth.sample.batch-size";
    }

    private static String limitsNow() {
        try {
            return "now " + NativeMemory.limits();
        } catch (Throwable e) {
            return "limits unknown";
        }
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
