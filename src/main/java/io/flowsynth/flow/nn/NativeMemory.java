package io.flowsynth.flow.nn;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * The bound on a flowsynth JVM's native (off-heap) memory. ND4J keeps its arrays outside the Java heap through
 * JavaCPP, whose own limits are system properties read once, when {@link Pointer} is first loaded:
 * <ul>
 * <li>{@value #MAX_PHYSICAL_BYTES} bounds the process's <em>resident</em> memory (heap included); above it JavaCPP
 * runs the garbage collector, retries, and then throws an {@link OutOfMemoryError} ("Physical memory usage is too
 * high …"). This is the limit that matters with ND4J 1.0.0-M2.1, whose buffers JavaCPP does not count in
 * {@code totalBytes}.</li>
 * <li>{@value #MAX_BYTES} bounds the bytes JavaCPP allocates itself.</li>
 * </ul>
 * JavaCPP's defaults are the heap and 4 × the heap (24 GB for a 6 GB heap: a leak thrashes the machine long before).
 * flowsynth's rule, {@link #physicalLimit(long)}: {@code maxbytes} = the heap, {@code maxphysicalbytes} = the heap +
 * max(heap / 2, 1 GiB). The launch scripts pass both on the java command line; {@link #bound()} sets them in any
 * flowsynth JVM whose launcher did not (spark-submit by hand, executors), when it runs before ND4J is first used.
 */
public final class NativeMemory {
    public static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    public static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";
    private static final long GIB = 1L << 30;

    private NativeMemory() {
    }

    /** The resident-memory limit for a JVM with a heap of {@code heapBytes}: heap + max(heap / 2, 1 GiB). */
    public static long physicalLimit(long heapBytes) {
        return heapBytes + Math.max(heapBytes / 2, GIB);
    }

    /**
     * Sets JavaCPP's limits from this JVM's heap unless already given (either spelling JavaCPP reads). Effective only
     * before JavaCPP's {@link Pointer} class is loaded, i.e. before the first ND4J array; harmless afterwards.
     */
    public static synchronized void bound() {
        long heap = Runtime.getRuntime().maxMemory();
        if (unset(MAX_BYTES, "org.bytedeco.javacpp.maxBytes")) {
            System.setProperty(MAX_BYTES, Long.toString(heap));
        }
        if (unset(MAX_PHYSICAL_BYTES, "org.bytedeco.javacpp.maxPhysicalBytes")) {
            System.setProperty(MAX_PHYSICAL_BYTES, Long.toString(physicalLimit(heap)));
        }
    }

    private static boolean unset(String lower, String camel) {
        return System.getProperty(lower) == null && System.getProperty(camel) == null;
    }

    /** The limits in force, e.g. "maxphysicalbytes 4.5 GiB, maxbytes 3.0 GiB, heap 3.0 GiB". */
    public static String limits() {
        return String.format(Locale.ROOT, "%s = %s, %s = %s, heap %s", MAX_PHYSICAL_BYTES,
                gib(Pointer.maxPhysicalBytes()), MAX_BYTES, gib(Pointer.maxBytes()),
                gib(Runtime.getRuntime().maxMemory()));
    }

    static String gib(long bytes) {
        return bytes <= 0 ? "unlimited" : String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB);
    }

    /** True for JavaCPP's out-of-native-memory error (its limits), false for the Java heap's. */
    public static boolean isNativeLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof OutOfMemoryError && m != null && (m.contains("physicalBytes") || m.contains("totalBytes")
                    || m.contains("maxPhysicalBytes") || m.contains("maxBytes"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Native memory in use now, in bytes: the resident set (JavaCPP's {@link Pointer#physicalBytes()}) minus what
     * the JVM has committed for its heap and non-heap pools, after a garbage collection so that ND4J's arrays that
     * are no longer referenced are freed first. What a leak of ND4J buffers or libnd4j scratch memory grows.
     */
    public static long nativeBytesAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50); // ND4J frees collected arrays on its deallocator threads
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Pointer.physicalBytes() - mx.getHeapMemoryUsage().getCommitted()
                - mx.getNonHeapMemoryUsage().getCommitted();
    }
}
