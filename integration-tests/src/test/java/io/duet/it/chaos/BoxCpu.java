package io.duet.it.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's CPUs were between two readings of {@code /proc/stat}: a stall measured on a
 * saturated box is mostly queueing for a core, so phases report it beside their stalls.
 */
final class BoxCpu {
    private final long busy;
    private final long total;

    private BoxCpu(long busy, long total) {
        this.busy = busy;
        this.total = total;
    }

    /** The machine's CPU time so far; a reading of zeros where {@code /proc/stat} cannot be read. */
    static BoxCpu now() {
        try {
            // cpu  user nice system idle iowait irq softirq steal ...
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new BoxCpu(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return new BoxCpu(0, 0);
        }
    }

    /** The share of CPU time spent busy since {@code earlier}, in percent; -1 if unknown. */
    long busyPercentSince(BoxCpu earlier) {
        long elapsed = total - earlier.total;
        return elapsed <= 0 ? -1 : Math.round(100.0 * (busy - earlier.busy) / elapsed);
    }
}
