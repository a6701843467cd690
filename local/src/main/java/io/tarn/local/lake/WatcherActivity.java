package io.tarn.local.lake;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Whether {@code tarn up}'s watcher is still converting: a triggered ETL run waits, after its
 * window, for a scan that found nothing to hand over. In AWS the Glue job runs on machines of its
 * own; here its Spark shares the CPU with the conversions, and a run every window during a burst
 * of uploads slowed each conversion by half. Bounded, so that a steady stream of uploads delays a
 * run but never stops it.
 */
final class WatcherActivity {

    /** Scans that handed nothing over since the last one that did. */
    private int quietScans;
    private boolean closed;

    /** Told by the watcher at the end of each scan. */
    synchronized void scanned(boolean handedAny) {
        quietScans = handedAny ? 0 : quietScans + 1;
        notifyAll();
    }

    /** Stops every wait: a closing watcher scans no more. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /**
     * Waits, at most {@code max}, until the latest scan handed nothing over (or the watcher closed);
     * returns whether it did, {@code false} when {@code max} ran out first.
     */
    synchronized boolean awaitQuiet(Duration max) throws InterruptedException {
        requireNonNull(max, "max is null");
        long deadline = System.nanoTime() + max.toNanos();
        while (quietScans == 0 && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
