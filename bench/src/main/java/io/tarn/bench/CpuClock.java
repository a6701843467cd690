package io.tarn.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time, the figure of the per-core benchmarks: on a shared machine a wall clock measures the
 * neighbours too, and a process with more threads than its competitor looks faster on more cores.
 * User plus system time of every thread of a process (the conversion's, the JIT compilers', the
 * collector's; DuckDB's native threads when it runs in this JVM).
 */
final class CpuClock {

    private CpuClock() {}

    /** This JVM's CPU time so far, in nanoseconds. */
    static long processNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Another process's CPU time so far, in nanoseconds: utime + stime of {@code /proc/<pid>/stat}
     * (10 ms ticks), not of its children. -1 when the system does not tell.
     */
    static long nanosOf(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /**
     * The CPUs this process may run on ({@code Cpus_allowed_list} of {@code /proc/self/status},
     * e.g. {@code 0} under {@code taskset -c 0}); "unknown" off Linux.
     */
    static String allowedCpus() {
        return allowedCpus("self");
    }

    /** The same for another process: {@code pid} a number, or {@code self}. */
    static String allowedCpus(String pid) {
        try {
            return Files.readAllLines(Path.of("/proc", pid, "status")).stream()
                    .filter(line -> line.startsWith("Cpus_allowed_list:"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A line saying where this JVM runs: pinned to one CPU, or not. */
    static String pinning() {
        String cpus = allowedCpus();
        boolean one = cpus.matches("\\d+");
        return one ? "pinned to CPU " + cpus + " (taskset)" : "NOT pinned: may run on CPUs " + cpus
                + " (the figures are then not per core; run under taskset -c 0)";
    }
}
