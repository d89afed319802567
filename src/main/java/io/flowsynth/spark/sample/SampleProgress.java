package io.flowsynth.spark.sample;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the progress of a sampling write on the driver, at most once every {@code intervalSeconds}: rows written so
 * far (from the finished tasks' output metrics), share of the total, rows/s and ETA. Register it for the duration of
 * the write only.
 */
public final class SampleProgress extends SparkListener {
    private static final Logger LOG = LoggerFactory.getLogger(SampleProgress.class);

    private final long total;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();
    private volatile long lastLog = System.nanoTime();

    public SampleProgress(long total, double intervalSeconds) {
        this.total = total;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.taskMetrics() == null || !"Success".equals(taskEnd.reason().toString())) {
            return;
        }
        long rows = written.addAndGet(taskEnd.taskMetrics().outputMetrics().recordsWritten());
        tasks.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastLog >= intervalNanos) {
            lastLog = now;
            double seconds = (now - start) / 1e9;
            double rate = rows / Math.max(seconds, 1e-9);
            LOG.info(String.format("sampled %,d of %,d rows (%.0f%%, %d tasks done), %.0f rows/s, ETA %.0f s", rows, total,
                    100.0 * rows / Math.max(1, total), tasks.get(), rate, rate > 0 ? (total - rows) / rate : Double.NaN));
        }
    }

    public long rowsWritten() {
        return written.get();
    }
}
