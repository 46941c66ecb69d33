package io.duet.app.push;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.duet.app.limits.Rate;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * Decides, per device, whether a push goes out: never twice for one message (nor for an older message of
 * the same couple than one already considered), at most one per coalescing window, and within the
 * device's rate. The window and the rate are one Bucket4j bucket per device; devices are remembered in
 * a bounded cache (Caffeine), dropped when their bucket would be full again. Thread-safe.
 */
final class PushGate {
    enum Verdict {
        SEND,
        /** This message, or a newer one of the couple, was already considered for the device. */
        DUPLICATE,
        /** Within the coalescing window of the last push, or over the device's rate. */
        HELD_BACK
    }

    private final Cache<String, Device> devices;
    private final Duration window;
    private final Rate rate;
    private final TimeMeter time;

    PushGate(Duration window, Rate rate, int maxDevices, TimeMeter time) {
        this.window = window;
        this.rate = rate;
        this.time = time;
        Duration forget = window.compareTo(rate.period()) > 0 ? window : rate.period();
        this.devices = Caffeine.newBuilder()
                .maximumSize(maxDevices)
                .expireAfterAccess(forget)
                .ticker(time::currentTimeNanos)
                .executor(Runnable::run)
                .build();
    }

    /** Whether to push message {@code seq} of {@code coupleId} to the device known by {@code deviceKey}. */
    Verdict admit(String deviceKey, long coupleId, long seq) {
        Device device = devices.get(deviceKey, ignored -> new Device(newBucket()));
        synchronized (device) {
            if (device.coupleId == coupleId && seq <= device.lastSeq) {
                return Verdict.DUPLICATE;
            }
            device.coupleId = coupleId;
            device.lastSeq = seq;
            return device.bucket.tryConsume(1) ? Verdict.SEND : Verdict.HELD_BACK;
        }
    }

    private Bucket newBucket() {
        LocalBucketBuilder builder = Bucket.builder()
                .addLimit(limit -> limit.capacity(rate.tokens()).refillGreedy(rate.tokens(), rate.period()));
        if (!window.isZero()) {
            builder.addLimit(limit -> limit.capacity(1).refillIntervally(1, window));
        }
        return builder.withCustomTimePrecision(time).build();
    }

    private static final class Device {
        final Bucket bucket;
        long coupleId;
        long lastSeq;

        Device(Bucket bucket) {
            this.bucket = bucket;
        }
    }
}
