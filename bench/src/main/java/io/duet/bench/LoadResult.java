package io.duet.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** What one load run measured over its measured duration (the warm-up is left out). */
public final class LoadResult {
    final LoadSettings settings;
    final long sends;
    final long acks;
    final long failures;
    final long skipped;
    final long unanswered;
    final long untagged;
    final Histogram ackMicros;
    final Histogram deliveryMicros;
    final Histogram typingMicros;
    /** CPU time each local process used while measuring, in microseconds; empty for a remote cluster. */
    final Map<String, Long> cpuMicros;
    final List<Second> timeline;
    final int idleConnected;
    final int idleClosed;

    LoadResult(LoadSettings settings, long sends, long acks, long failures, long skipped, long unanswered,
            long untagged, Histogram ackMicros, Histogram deliveryMicros, Histogram typingMicros,
            Map<String, Long> cpuMicros, List<Second> timeline, int idleConnected, int idleClosed) {
        this.settings = settings;
        this.sends = sends;
        this.acks = acks;
        this.failures = failures;
        this.skipped = skipped;
        this.unanswered = unanswered;
        this.untagged = untagged;
        this.ackMicros = ackMicros;
        this.deliveryMicros = deliveryMicros;
        this.typingMicros = typingMicros;
        this.cpuMicros = cpuMicros;
        this.timeline = timeline;
        this.idleConnected = idleConnected;
        this.idleClosed = idleClosed;
    }

    /** Acknowledged sends per second over the measured duration. */
    public double ackedPerSecond() {
        return acks / (settings.duration.toNanos() / 1e9);
    }

    public long failures() {
        return failures;
    }

    public long acknowledged() {
        return acks;
    }

    public long delivered() {
        return deliveryMicros.getTotalCount();
    }

    /** Server CPU per acknowledged message, in microseconds, over all local processes; -1 when unknown. */
    /** One process's CPU per acknowledged message, or NaN if it was not measured. */
    public double cpuMicrosPerMessage(String node) {
        Long micros = cpuMicros.get(node);
        return micros == null || acks == 0 ? Double.NaN : micros / (double) acks;
    }

    public double serverCpuMicrosPerMessage() {
        if (cpuMicros.isEmpty() || acks == 0) {
            return -1;
        }
        return cpuMicros.values().stream().mapToLong(Long::longValue).sum() / (double) acks;
    }

    /** Percentile {@code p} (0-100) of send to partner, in milliseconds. */
    public double deliveryMillis(double p) {
        return deliveryMicros.getValueAtPercentile(p) / 1000.0;
    }

    public double ackMillis(double p) {
        return ackMicros.getValueAtPercentile(p) / 1000.0;
    }

    /** The summary printed at the end of a run. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "duet-load: %d couples, %.0f sends/s scheduled for %d s: %d sent, "
                        + "%d acknowledged (%.0f/s), %d failed, %d skipped, %d unanswered at the end%n",
                settings.couples, settings.rate, settings.duration.toSeconds(), sends, acks, ackedPerSecond(), failures,
                skipped, unanswered));
        text.append(line("send -> ack", ackMicros));
        text.append(line("send -> partner", deliveryMicros));
        text.append(line("typing -> partner", typingMicros));
        if (!cpuMicros.isEmpty()) {
            double seconds = settings.duration.toNanos() / 1e9;
            StringBuilder perNode = new StringBuilder();
            cpuMicros.forEach((node, micros) -> perNode.append(String.format(Locale.ROOT, " %s %.2f", node,
                    micros / 1e6 / seconds)));
            text.append(String.format(Locale.ROOT, "  server CPU: %.1f us per acknowledged message; cores:%s%n",
                    serverCpuMicrosPerMessage(), perNode));
        }
        if (settings.idleConnections > 0) {
            text.append(String.format(Locale.ROOT, "  idle sessions: %d of %d connected, %d closed by the server%n",
                    idleConnected, settings.idleConnections, idleClosed));
        }
        return text.toString();
    }

    private static String line(String what, Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return String.format(Locale.ROOT, "  %-18s none measured%n", what);
        }
        return String.format(Locale.ROOT, "  %-18s n=%d  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f ms%n", what,
                micros.getTotalCount(), micros.getValueAtPercentile(50) / 1000.0,
                micros.getValueAtPercentile(90) / 1000.0, micros.getValueAtPercentile(99) / 1000.0,
                micros.getValueAtPercentile(99.9) / 1000.0, micros.getMaxValue() / 1000.0);
    }

    /** One second of the run, for the live progress line and the plot. */
    static final class Second {
        final long second;
        final boolean measured;
        final long acks;
        final double ackP50;
        final double ackP99;
        final long deliveries;
        final double deliveryP50;
        final double deliveryP99;
        final int outstanding;

        private Second(long second, boolean measured, long acks, double ackP50, double ackP99, long deliveries,
                double deliveryP50, double deliveryP99, int outstanding) {
            this.second = second;
            this.measured = measured;
            this.acks = acks;
            this.ackP50 = ackP50;
            this.ackP99 = ackP99;
            this.deliveries = deliveries;
            this.deliveryP50 = deliveryP50;
            this.deliveryP99 = deliveryP99;
            this.outstanding = outstanding;
        }

        static Second of(long second, boolean measured, Histogram acks, Histogram deliveries, int outstanding) {
            return new Second(second, measured, acks.getTotalCount(), ms(acks, 50), ms(acks, 99),
                    deliveries.getTotalCount(), ms(deliveries, 50), ms(deliveries, 99), outstanding);
        }

        private static double ms(Histogram histogram, double percentile) {
            return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
        }

        String describe() {
            return String.format(Locale.ROOT, "[%3ds%s] acked %6d/s  ack p50 %7.1f p99 %7.1f ms  partner p50 %7.1f "
                            + "p99 %7.1f ms  waiting %d", second, measured ? "" : " warm-up", acks, ackP50, ackP99,
                    deliveryP50, deliveryP99, outstanding);
        }
    }
}
