package io.duet.presentation.drain;

import io.duet.presentation.session.ReconnectSchedule;
import java.time.Duration;

/**
 * Spreads a drain's notices evenly over its window: of {@code count} sessions, session {@code i} is asked
 * at {@code i * window / count}, so the first goes at once and the last one slot before the window ends.
 * Each notice asks the client to spread its own reconnect over one slot (at most the configured
 * maximum), so that the reconnects stay spread even where notices leave together.
 */
final class DrainSpread implements ReconnectSchedule {
    private final Duration window;
    private final Duration maxReconnectSpread;

    DrainSpread(Duration window, Duration maxReconnectSpread) {
        this.window = window;
        this.maxReconnectSpread = maxReconnectSpread;
    }

    @Override
    public Duration delay(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("index: " + index + " (expected: 0.." + (count - 1) + ")");
        }
        // In double: window nanos times a count would overflow a long past a few hours of window.
        return Duration.ofNanos((long) ((double) window.toNanos() * index / count));
    }

    @Override
    public Duration reconnectWithin(int count) {
        Duration slot = count < 1 ? window : window.dividedBy(count);
        return slot.compareTo(maxReconnectSpread) < 0 ? slot : maxReconnectSpread;
    }
}
