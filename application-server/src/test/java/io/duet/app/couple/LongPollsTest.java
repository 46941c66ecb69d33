package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.internal.SerialExecutor;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP long polls: parked within the server's bounds, woken by a commit or their wait's end, never leaked. */
class LongPollsTest {
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final SerialExecutor executor = new SerialExecutor(pool, "long-polls-test");
    private final LongPolls bounds = LongPolls.builder().maxParked(3).maxPerUser(2).maxWait(Duration.ofSeconds(25))
            .build();
    private final ParkedPolls polls = new ParkedPolls(executor, timers, bounds);

    @AfterEach
    void stop() {
        timers.shutdownNow();
        pool.shutdownNow();
    }

    @Test
    void aPollWaitsAtMostTheServersCap() {
        assertThat(bounds.waitFor(60_000)).isEqualTo(25_000);
        assertThat(bounds.waitFor(1_000)).isEqualTo(1_000);
        assertThat(bounds.waitFor(-5)).isZero();
    }

    @Test
    void aFeedPollReturnsAtMostTheServersCapOfEventsAndCouplesKeepTheirRingSize() {
        LongPolls feed = LongPolls.builder().maxEvents(50).ringEvents(300).build();
        assertThat(feed.eventsFor(null)).isEqualTo(50);
        assertThat(feed.eventsFor(500)).isEqualTo(50);
        assertThat(feed.eventsFor(7)).isEqualTo(7);
        assertThat(feed.ringEvents()).isEqualTo(300);
        assertThat(LongPolls.defaults().eventsFor(null)).isEqualTo(LongPolls.DEFAULT_MAX_EVENTS);
        assertThatThrownBy(() -> LongPolls.builder().maxEvents(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LongPolls.builder().ringEvents(0).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCommitWakesEveryParkedPollAndFreesItsPlace() throws Exception {
        CompletableFuture<Void> first = onExecutor(() -> polls.park(1, 60_000));
        CompletableFuture<Void> second = onExecutor(() -> polls.park(2, 60_000));
        assertThat(bounds.parked()).isEqualTo(2);
        assertThat(first).isNotDone();

        onExecutor(() -> {
            polls.wakeAll();
            return null;
        });

        first.get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);
        assertThat(bounds.parked()).isZero();
        assertThat(onExecutor(polls::size)).isZero();
    }

    @Test
    void aPollWithNothingToReturnEndsAfterItsWait() throws Exception {
        long start = System.nanoTime();
        onExecutor(() -> polls.park(1, 200)).get(5, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(190);
        assertThat(bounds.parked()).isZero();
    }

    @Test
    void pollsBeyondTheUsersOrTheServersBoundAreRefused() throws Exception {
        onExecutor(() -> polls.park(1, 60_000));
        onExecutor(() -> polls.park(1, 60_000));
        assertThat(errorOf(onExecutor(() -> polls.park(1, 60_000))).getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        onExecutor(() -> polls.park(2, 60_000));
        assertThat(errorOf(onExecutor(() -> polls.park(3, 60_000))).getCode()).isEqualTo(ErrorCode.BUSY);
        assertThat(bounds.parked()).as("refused polls take no place").isEqualTo(3);

        onExecutor(() -> {
            polls.wakeAll();
            return null;
        });
        assertThat(bounds.parked()).isZero();
        assertThat(onExecutor(() -> polls.park(3, 60_000))).isNotDone();
    }

    private static DuetError errorOf(CompletableFuture<Void> refused) {
        try {
            refused.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (DuetError) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("not refused");
    }

    private <T> T onExecutor(Supplier<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }
}
