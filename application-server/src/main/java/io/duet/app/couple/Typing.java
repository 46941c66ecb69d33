package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.TypingEvent;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Who of the couple is typing. Typing turns itself off after a timeout unless refreshed; the partner's
 * sessions hear every change. Confined to the couple's executor.
 *
 * <p>Timers are coalesced: a typing user has one expiry timer at most, however often typing is
 * refreshed. A refresh only moves the user's deadline; the timer, when it fires before the deadline,
 * schedules itself again for the rest.
 */
final class Typing {
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;

    /** Where typing changes go: to the sessions of the partner of {@code userId}. */
    interface Partner {
        void push(long userId, byte[] event);
    }

    private final SerialExecutor executor;
    private final ScheduledExecutorService timers;
    private final long timeoutNanos;
    private final Partner partner;
    private final LongSupplier nanoClock;
    private final Map<Long, Typist> typing = new HashMap<>();

    Typing(SerialExecutor executor, ScheduledExecutorService timers, Duration timeout, Partner partner) {
        this(executor, timers, timeout, partner, System::nanoTime);
    }

    Typing(SerialExecutor executor, ScheduledExecutorService timers, Duration timeout, Partner partner,
            LongSupplier nanoClock) {
        this.executor = executor;
        this.timers = timers;
        this.timeoutNanos = timeout.toNanos();
        this.partner = partner;
        this.nanoClock = nanoClock;
    }

    boolean isTyping(long userId) {
        return typing.containsKey(userId);
    }

    void start(long userId) {
        long deadline = nanoClock.getAsLong() + timeoutNanos;
        Typist typist = typing.get(userId);
        if (typist != null) {
            typist.deadlineNanos = deadline;
            return;
        }
        typist = new Typist(deadline);
        typing.put(userId, typist);
        schedule(userId, typist, timeoutNanos);
        notifyPartner(userId, true);
    }

    void stop(long userId) {
        Typist typist = typing.remove(userId);
        if (typist != null) {
            typist.timer.cancel(false);
            notifyPartner(userId, false);
        }
    }

    private void schedule(long userId, Typist typist, long delayNanos) {
        typist.timer = timers.schedule(() -> executor.execute(() -> check(userId, typist)), delayNanos,
                TimeUnit.NANOSECONDS);
    }

    /** The typist's timer fired: typing ends, unless it was refreshed meanwhile. */
    private void check(long userId, Typist typist) {
        if (typing.get(userId) != typist) {
            return; // stopped (and maybe started again, with a timer of its own)
        }
        long left = typist.deadlineNanos - nanoClock.getAsLong();
        if (left > 0) {
            schedule(userId, typist, left);
        } else {
            stop(userId);
        }
    }

    void clear() {
        typing.values().forEach(typist -> typist.timer.cancel(false));
        typing.clear();
    }

    private void notifyPartner(long userId, boolean on) {
        partner.push(userId, EVENTS.encode(Event.typing(new TypingEvent(userId, on))));
    }

    /** A typing user: when typing ends unless refreshed, and the one timer that checks. */
    private static final class Typist {
        long deadlineNanos;
        ScheduledFuture<?> timer;

        Typist(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }
    }
}
