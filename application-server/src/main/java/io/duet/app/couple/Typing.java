package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.TypingEvent;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Who of the couple is typing. Typing turns itself off after a timeout unless refreshed; the partner's
 * sessions hear every change. Confined to the couple's executor.
 */
final class Typing {
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;

    private final SerialExecutor executor;
    private final ScheduledExecutorService timers;
    private final Duration timeout;
    private final Delivery delivery;
    /** A typing user's refresh count: an expiry timer of an older refresh finds a newer count and does nothing. */
    private final Map<Long, Long> typing = new HashMap<>();

    Typing(SerialExecutor executor, ScheduledExecutorService timers, Duration timeout, Delivery delivery) {
        this.executor = executor;
        this.timers = timers;
        this.timeout = timeout;
        this.delivery = delivery;
    }

    boolean isTyping(long userId) {
        return typing.containsKey(userId);
    }

    void start(long userId) {
        Long previous = typing.get(userId);
        long token = previous == null ? 0 : previous + 1;
        typing.put(userId, token);
        timers.schedule(() -> executor.execute(() -> expire(userId, token)), timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (previous == null) {
            notifyPartner(userId, true);
        }
    }

    void stop(long userId) {
        if (typing.remove(userId) != null) {
            notifyPartner(userId, false);
        }
    }

    private void expire(long userId, long token) {
        Long current = typing.get(userId);
        if (current != null && current == token) {
            stop(userId);
        }
    }

    void clear() {
        typing.clear();
    }

    private void notifyPartner(long userId, boolean on) {
        delivery.pushToOthers(userId, EVENTS.encode(Event.typing(new TypingEvent(userId, on))));
    }
}
