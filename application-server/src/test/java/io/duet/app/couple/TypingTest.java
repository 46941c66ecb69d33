package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.internal.SerialExecutor;
import io.duet.protocol.api.Event;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TypingTest {
    private static final long USER = 7;

    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final SerialExecutor executor = new SerialExecutor(pool, "typing-test");
    private final AtomicInteger timersScheduled = new AtomicInteger();
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1) {
        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            timersScheduled.incrementAndGet();
            return super.schedule(command, delay, unit);
        }
    };
    private final AtomicLong now = new AtomicLong();
    private final List<Boolean> partnerHeard = new CopyOnWriteArrayList<>();
    private final Typing typing = new Typing(executor, timers, Duration.ofMillis(200),
            (userId, event) -> partnerHeard.add(typingOf(event)), now::get);

    private static boolean typingOf(byte[] event) {
        try {
            return ThriftCodec.INTERNAL.decode(event, new Event()).getTyping().isTyping();
        } catch (MalformedPayloadException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
        pool.shutdownNow();
    }

    private <T> T onExecutor(java.util.function.Supplier<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> result.complete(task.get()));
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void manyRefreshesShareOneTimer() throws Exception {
        onExecutor(() -> {
            for (int i = 0; i < 10_000; i++) {
                typing.start(USER);
            }
            return null;
        });
        assertThat(timersScheduled.get()).isEqualTo(1);
        assertThat(partnerHeard).containsExactly(true);
    }

    @Test
    void aRefreshMovesTheDeadlineAndTheOneTimerFollowsIt() throws Exception {
        onExecutor(() -> {
            typing.start(USER);
            return null;
        });
        // Refreshed 150 ms in: when the timer fires at 200 ms, 150 ms are left, and it schedules itself once more.
        now.set(TimeUnit.MILLISECONDS.toNanos(150));
        onExecutor(() -> {
            typing.start(USER);
            return null;
        });
        Thread.sleep(300); // the first timer has fired by now
        assertThat(onExecutor(() -> typing.isTyping(USER))).as("still typing: refreshed").isTrue();
        assertThat(timersScheduled.get()).isEqualTo(2);

        now.set(TimeUnit.MILLISECONDS.toNanos(400));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (onExecutor(() -> typing.isTyping(USER)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(onExecutor(() -> typing.isTyping(USER))).as("typing ended at its deadline").isFalse();
        assertThat(partnerHeard).containsExactly(true, false);
    }

    @Test
    void stopAndStartAgainGetAFreshTimerAndTheOldOneDoesNothing() throws Exception {
        onExecutor(() -> {
            typing.start(USER);
            typing.stop(USER);
            typing.start(USER);
            return null;
        });
        assertThat(timersScheduled.get()).isEqualTo(2);
        assertThat(partnerHeard).containsExactly(true, false, true);
    }
}
