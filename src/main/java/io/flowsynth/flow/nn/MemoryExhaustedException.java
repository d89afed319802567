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
    private final boolean nativeLimit;
    private final boolean onExecutor;

    /**
     * @param workload   what was running, e.g. "training 12 features × batch 512 on 50000 rows"
     * @param cause      the error
     * @param onExecutor true in a task on a cluster executor (not in the driver's JVM)
     */
    public MemoryExhaustedException(String workload, OutOfMemoryError cause, boolean onExecutor) {
        super("Out of " + (NativeMemory.isNativeLimit(cause) ? "native" : "Java heap") + " memory while " + workload
                + (onExecutor ? " on an executor" : "") + ": " + cause.getMessage(), cause);
        this.workload = workload;
        this.nativeLimit = NativeMemory.isNativeLimit(cause);
        this.onExecutor = onExecutor;
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
