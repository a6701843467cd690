package io.tarn.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The heap (and resident set) a timed section needed, for every benchmark here: a {@code System.gc()} and a reset of every heap pool's peak before, then the sum of the pools'
 * peaks (an upper bound), the old generation's peak, and the largest heap occupancy right after
 * any collection (the live set's high-water mark, from GC notifications).
 */
final class HeapProbe {

    private static final AtomicLong MAX_AFTER_GC = new AtomicLong();
    private static boolean watching;

    /** Heap figures of one timed section, in bytes; GC time in milliseconds. */
    record Figures(long sumOfPoolPeaks, long oldGenPeak, long maxAfterGc, long gcMillis, long gcCount, long peakRssKb) {

        String text() {
            return "heap %d MB peak (sum of pools), %d MB old gen peak, %d MB max after GC; GC %d ms in %d; peak RSS %d MB"
                    .formatted(sumOfPoolPeaks >> 20, oldGenPeak >> 20, maxAfterGc >> 20, gcMillis, gcCount, peakRssKb >> 10);
        }
    }

    private final long gcMillisBefore;
    private final long gcCountBefore;

    private HeapProbe(long gcMillisBefore, long gcCountBefore) {
        this.gcMillisBefore = gcMillisBefore;
        this.gcCountBefore = gcCountBefore;
    }

    static synchronized HeapProbe start() {
        if (!watching) {
            watchGarbageCollections();
            watching = true;
        }
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
        MAX_AFTER_GC.set(0);
        resetPeakRss();
        return new HeapProbe(gcMillis(), gcCount());
    }

    Figures finish() {
        long sum = 0;
        long old = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                long peak = pool.getPeakUsage().getUsed();
                sum += peak;
                String name = pool.getName().toLowerCase(Locale.ROOT);
                if (name.contains("old") || name.contains("tenured")) {
                    old = peak;
                }
            }
        }
        return new Figures(sum, old, MAX_AFTER_GC.get(), gcMillis() - gcMillisBefore, gcCount() - gcCountBefore,
                peakRssKb());
    }

    private static void watchGarbageCollections() {
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                GarbageCollectionNotificationInfo info =
                        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                long used = 0;
                for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(pool.getKey())) {
                        used += pool.getValue().getUsed();
                    }
                }
                MAX_AFTER_GC.accumulateAndGet(used, Math::max);
            }, null, null);
        }
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    /** Linux: writing 5 to clear_refs resets VmHWM, the process's peak resident set. */
    static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            // Not Linux, or not allowed: the RSS figure then covers the process's whole life.
        }
    }

    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
