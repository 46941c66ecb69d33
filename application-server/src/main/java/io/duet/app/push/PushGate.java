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
 *
 * <p>Messages held back are not forgotten: the first one held back since the device's last push says
 * when the bucket will let a push through again ({@link Admission#trailingAfterNanos}), and the caller then
 * asks {@link #trailing} for one push that sums them up ("3 new messages"). A push that goes out before
 * that (a message after the window) covers them instead ({@link Admission#messages}).
 */
final class PushGate {
    enum Verdict {
        SEND,
        /** This message, or a newer one of the couple, was already considered for the device. */
        DUPLICATE,
        /** Within the coalescing window of the last push, or over the device's rate. */
        HELD_BACK
    }

    /**
     * What {@link #admit} decided. {@code messages}: for SEND, how many messages the push covers (this one
     * and the ones held back since the device's last push). {@code trailingAfterNanos}: for the first
     * message HELD_BACK since the last push, in how many nanoseconds to call {@link #trailing}; otherwise -1
     * (a call is due already).
     */
    record Admission(Verdict verdict, int messages, long trailingAfterNanos) {
        static final Admission DUPLICATE = new Admission(Verdict.DUPLICATE, 0, -1);

        boolean trailingDue() {
            return trailingAfterNanos >= 0;
        }
    }

    /**
     * What {@link #trailing} decided: send one push about {@code messages} messages, the newest of which is
     * {@code latest} ({@code messages} 0: nothing to send); or, when {@code retryAfterNanos} is not -1, the
     * device's rate allows none yet: call again then.
     */
    record Trailing(int messages, PushContent latest, long retryAfterNanos) {
        static final Trailing NOTHING = new Trailing(0, null, -1);

        boolean send() {
            return messages > 0;
        }

        boolean retry() {
            return retryAfterNanos >= 0;
        }
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

    /** Whether to push {@code content}'s message to the device known by {@code deviceKey}. */
    Admission admit(String deviceKey, PushContent content) {
        Device device = devices.get(deviceKey, ignored -> new Device(newBucket()));
        synchronized (device) {
            if (device.coupleId == content.coupleId() && content.seq() <= device.lastSeq) {
                return Admission.DUPLICATE;
            }
            if (device.coupleId != content.coupleId()) {
                device.forgetHeld(); // the device's user paired again: the old couple's messages are moot
            }
            device.coupleId = content.coupleId();
            device.lastSeq = content.seq();
            if (device.bucket.tryConsume(1)) {
                int covered = device.held + 1;
                device.forgetHeld();
                return new Admission(Verdict.SEND, covered, -1);
            }
            device.held++;
            device.latestHeld = content;
            if (device.trailingPending) {
                return new Admission(Verdict.HELD_BACK, 0, -1);
            }
            device.trailingPending = true;
            return new Admission(Verdict.HELD_BACK, 0, nanosUntilAllowed(device));
        }
    }

    /**
     * The trailing push of the device, due {@link Admission#trailingAfterNanos} after the first message held
     * back: one push for every message held back since its last push, if any still is and the rate allows.
     */
    Trailing trailing(String deviceKey) {
        Device device = devices.getIfPresent(deviceKey);
        if (device == null) {
            return Trailing.NOTHING;
        }
        synchronized (device) {
            if (device.held == 0) {
                device.trailingPending = false; // a push since covered them
                return Trailing.NOTHING;
            }
            if (!device.bucket.tryConsume(1)) {
                return new Trailing(0, null, nanosUntilAllowed(device));
            }
            Trailing summary = new Trailing(device.held, device.latestHeld, -1);
            device.forgetHeld();
            device.trailingPending = false;
            return summary;
        }
    }

    private static long nanosUntilAllowed(Device device) {
        return Math.max(0, device.bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
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
        /** Messages held back since the last push, and the newest of them. */
        int held;
        PushContent latestHeld;
        /** A trailing push is due (the caller was told when); no other is scheduled meanwhile. */
        boolean trailingPending;

        Device(Bucket bucket) {
            this.bucket = bucket;
        }

        void forgetHeld() {
            held = 0;
            latestHeld = null;
        }
    }
}
