package io.duet.process.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The one histogram layout of every latency and size the servers measure, so that dashboards can add
 * up buckets across servers and tiers. Buckets are fixed (service-level objectives rather than
 * Micrometer's percentile histogram of ~70 buckets), which keeps a timer at 16 Prometheus series
 * however many methods and outcomes it is tagged with.
 */
public final class Latency {
    /** Bucket bounds of every latency timer: from well under a millisecond to half a minute. */
    static final Duration[] BUCKETS = {
        Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
    };
    /** Bucket bounds of counts (such as messages per group commit): powers of two up to 1024. */
    static final double[] COUNT_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private Latency() {
    }

    /** A latency timer with the shared buckets; add tags and register it. */
    public static Timer.Builder timer(String name) {
        return Timer.builder(name).serviceLevelObjectives(BUCKETS);
    }

    /** A summary of counts with the shared power-of-two buckets; add tags and register it. */
    public static DistributionSummary.Builder counts(String name) {
        return DistributionSummary.builder(name).serviceLevelObjectives(COUNT_BUCKETS);
    }
}
