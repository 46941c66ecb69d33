package io.duet.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies of one run, in microseconds from the moment each action was scheduled (not sent): send to
 * acknowledgement, send to the partner's phone, and typing to the partner's phone. Callable from any
 * thread; {@link #interval()} hands out what was recorded since the last call.
 */
final class LoadRecorder {
    /** Latencies above this (a minute) are recorded as this. */
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);
    /** How many failed sends are printed with their cause; the rest are only counted. */
    private static final int FAILURES_PRINTED = 5;

    private final long startNanos = System.nanoTime();
    private final Recorder acks = new Recorder(MAX_MICROS, 3);
    private final Recorder deliveries = new Recorder(MAX_MICROS, 3);
    private final Recorder typing = new Recorder(MAX_MICROS, 3);
    private final LongAdder scheduled = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder untagged = new LongAdder();
    private Histogram ackInterval;
    private Histogram deliveryInterval;
    private Histogram typingInterval;

    /** Microseconds since the run began: the clock every latency is measured on. */
    long nowMicros() {
        return (System.nanoTime() - startNanos) / 1000;
    }

    long startNanos() {
        return startNanos;
    }

    void scheduled() {
        scheduled.increment();
    }

    /** Not sent: too many sends were waiting already. */
    void skipped() {
        skipped.increment();
    }

    void acked(long scheduledMicros) {
        acks.recordValue(clamp(nowMicros() - scheduledMicros));
    }

    /** A send failed for good; the first few failures are printed with their cause, to stderr. */
    void failed(Throwable cause) {
        failed.increment();
        if (failed.sum() <= FAILURES_PRINTED) {
            Throwable root = cause;
            while (root.getCause() != null && (root instanceof java.util.concurrent.CompletionException
                    || root instanceof java.util.concurrent.ExecutionException)) {
                root = root.getCause();
            }
            System.err.println("duet-load: a send failed: " + root);
        }
    }

    void delivered(long scheduledMicros) {
        if (scheduledMicros < 0) {
            untagged.increment();
            return;
        }
        deliveries.recordValue(clamp(nowMicros() - scheduledMicros));
    }

    void typingSeen(long toggledMicros) {
        typing.recordValue(clamp(nowMicros() - toggledMicros));
    }

    private static long clamp(long micros) {
        return Math.max(0, Math.min(MAX_MICROS, micros));
    }

    long scheduledCount() {
        return scheduled.sum();
    }

    long skippedCount() {
        return skipped.sum();
    }

    long failedCount() {
        return failed.sum();
    }

    long untaggedCount() {
        return untagged.sum();
    }

    /** What was recorded since the last call: acknowledgements, deliveries and typing, in that order. */
    synchronized Histogram[] interval() {
        ackInterval = acks.getIntervalHistogram(ackInterval);
        deliveryInterval = deliveries.getIntervalHistogram(deliveryInterval);
        typingInterval = typing.getIntervalHistogram(typingInterval);
        return new Histogram[] {ackInterval.copy(), deliveryInterval.copy(), typingInterval.copy()};
    }
}
