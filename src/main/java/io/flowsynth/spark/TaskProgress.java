package io.flowsynth.spark;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Progress of a long loop inside one Spark task (e.g. a training round's local steps), logged from the task itself
 * at most once per {@link #INTERVAL_NANOS} (so a task that ends sooner logs nothing, and a long one is not silent
 * until it ends): {@code <what>: 120 of 400 steps (3.1 steps/s, ETA 90 s)}. The lines go to the executor's log (the
 * driver's in local mode). Costs one {@link System#nanoTime} per {@link #advance} call; logs nothing else, changes no
 * result.
 */
public final class TaskProgress {
    private static final Logger LOG = LoggerFactory.getLogger(TaskProgress.class);
    /** Shortest time between two progress lines of one task: 30 s. */
    public static final long INTERVAL_NANOS = 30_000_000_000L;

    private final String what;
    private final long total;
    private final String unit;
    private final long started;
    private final long interval;
    private long next;
    private int lines;

    /**
     * @param what  what the loop does, for the log line (e.g. "Round 3, partition 1: training")
     * @param total the loop's number of units
     * @param unit  the unit's plural name (e.g. "steps")
     */
    public TaskProgress(String what, long total, String unit) {
        this(what, total, unit, INTERVAL_NANOS);
    }

    TaskProgress(String what, long total, String unit, long intervalNanos) {
        this.what = what;
        this.total = total;
        this.unit = unit;
        this.interval = intervalNanos;
        this.started = System.nanoTime();
        this.next = started + intervalNanos;
    }

    /** Records that {@code done} of the units are done; logs a line when the interval has passed since the last. */
    public void advance(long done) {
        long now = System.nanoTime();
        if (now < next) {
            return;
        }
        next = now + interval;
        lines++;
        double seconds = (now - started) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        LOG.info("{}: {} of {} {} ({} {}/s, ETA {} s)", what, done, total, unit,
                String.format(Locale.ROOT, "%.1f", rate), unit,
                rate > 0 ? String.format(Locale.ROOT, "%.0f", (total - done) / rate) : "?");
    }

    /** Number of lines logged so far. */
    public int lines() {
        return lines;
    }
}
