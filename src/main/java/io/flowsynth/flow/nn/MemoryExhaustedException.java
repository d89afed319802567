package io.flowsynth.flow.nn;

/**
 * An {@link OutOfMemoryError} (the Java heap's or JavaCPP's native limit) caught where flowsynth knows what it was
 * doing — the width and rows that drove it — and rethrown as an ordinary exception. Inside a Spark task this matters
 * twice: Spark treats an {@code OutOfMemoryError} as fatal and ends the whole JVM with exit code 52 (in local mode the
 * driver too, before flowsynth can say anything), whereas this fails the task and reaches the CLI, which prints one
 * line naming the setting to raise.
 */
public final class MemoryExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static volatile String current;

    private final String workload;
    private final String error;
    private final boolean nativeLimit;
    private final boolean onExecutor;

    /**
     * @param workload   what was running, e.g. "training 12 features × batch 512 on 50000 rows"
     * @param thrown     the {@link OutOfMemoryError}, or an exception caused by one (DL4J wraps it)
     * @param onExecutor true in a task on a cluster executor (not in the driver's JVM)
     */
    public MemoryExhaustedException(String workload, Throwable thrown, boolean onExecutor) {
        this(workload, outOfMemory(thrown), onExecutor, 0);
    }

    // The error is not kept as the cause: Spark looks for fatal errors down the cause chain (depth 5) and would end
    // the JVM all the same. Its message and stack trace are kept instead.
    private MemoryExhaustedException(String workload, Throwable oom, boolean onExecutor, int unused) {
        super("Out of " + (NativeMemory.isNativeLimit(oom) ? "native" : "Java heap") + " memory while " + workload
                + (onExecutor ? " on an executor" : "") + ": " + oom.getMessage());
        this.workload = workload;
        this.error = oom.getMessage();
        this.nativeLimit = NativeMemory.isNativeLimit(oom);
        this.onExecutor = onExecutor;
        setStackTrace(oom.getStackTrace());
    }

    /** The {@link OutOfMemoryError} in {@code t}'s cause chain, or {@code t} itself. */
    public static Throwable outOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return t;
    }

    /** True when {@code t} is an {@link OutOfMemoryError} or was caused by one. */
    public static boolean causedByOutOfMemory(Throwable t) {
        return outOfMemory(t) instanceof OutOfMemoryError;
    }

    /** The out-of-memory error's message. */
    public String error() {
        return error;
    }

    /**
     * Notes what this JVM is doing now (width and rows where known), for the out-of-memory line of an error thrown
     * where nobody caught it with a description (on the driver, or in a local task).
     */
    public static void working(String what) {
        current = what;
    }

    /** The last {@link #working} note of this JVM, or null. */
    public static String currentWork() {
        return current;
    }

    public String workload() {
        return workload;
    }

    /** JavaCPP's limit ({@value NativeMemory#MAX_PHYSICAL_BYTES} or maxbytes), not the heap. */
    public boolean nativeLimit() {
        return nativeLimit;
    }

    public boolean onExecutor() {
        return onExecutor;
    }
}
