package io.duet.app.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<CompletableFuture<String>> started = new ArrayList<>();
    private final List<String> startOrder = new ArrayList<>();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    /** An operation that stays in flight until the test completes the future it returned. */
    private CompletableFuture<String> submit(AsyncLimiter limiter, String name) {
        return limiter.submit(() -> {
            CompletableFuture<String> running = new CompletableFuture<>();
            synchronized (started) {
                started.add(running);
                startOrder.add(name);
            }
            return running;
        });
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got " + future.get());
    }

    @Test
    void runsAtMostMaxInFlightAndStartsTheWaitingOnesInArrivalOrder() throws Exception {
        AsyncLimiter limiter = new AsyncLimiter("test", 2, 10, Duration.ofSeconds(30), timers);
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(submit(limiter, "op" + i));
        }
        assertThat(startOrder).containsExactly("op0", "op1");
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(limiter.waiting()).isEqualTo(3);
        assertThat(limiter.waited()).as("put in line").isEqualTo(3);

        started.get(1).complete("one");
        assertThat(results.get(1).get(5, TimeUnit.SECONDS)).isEqualTo("one");
        assertThat(startOrder).containsExactly("op0", "op1", "op2");
        started.get(0).completeExceptionally(new IllegalStateException("boom"));
        assertThat(failureOf(results.get(0))).isInstanceOf(IllegalStateException.class);
        assertThat(startOrder).containsExactly("op0", "op1", "op2", "op3");
        assertThat(limiter.inFlight()).isEqualTo(2);

        started.get(2).complete("two");
        started.get(3).complete("three");
        started.get(4).complete("four");
        assertThat(results.get(4).get(5, TimeUnit.SECONDS)).isEqualTo("four");
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
        assertThat(limiter.waited()).as("still counted once started").isEqualTo(3);
    }

    @Test
    void refusesAtOnceWhenTheQueueIsFull() throws Exception {
        AsyncLimiter limiter = new AsyncLimiter("test", 1, 1, Duration.ofSeconds(30), timers);
        submit(limiter, "running");
        CompletableFuture<String> queued = submit(limiter, "queued");
        CompletableFuture<String> refused = submit(limiter, "refused");
        assertThat(failureOf(refused)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("1 in flight and 1 waiting");
        assertThat(queued).isNotDone();
        assertThat(startOrder).containsExactly("running");
    }

    @Test
    void aWaitThatLastsTooLongFailsWithoutRunningAndGivesUpItsPlace() throws Exception {
        AsyncLimiter limiter = new AsyncLimiter("test", 1, 5, Duration.ofMillis(100), timers);
        submit(limiter, "running");
        CompletableFuture<String> late = submit(limiter, "late");
        assertThat(failureOf(late)).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("no turn");
        assertThat(limiter.waiting()).isZero();

        started.get(0).complete("done");
        assertThat(limiter.inFlight()).isZero();
        assertThat(startOrder).containsExactly("running");
    }

    @Test
    void anOperationThatThrowsFreesItsPlace() throws Exception {
        AsyncLimiter limiter = new AsyncLimiter("test", 1, 5, Duration.ofSeconds(30), timers);
        CompletableFuture<String> thrown = limiter.submit(() -> {
            throw new IllegalArgumentException("bad");
        });
        assertThat(failureOf(thrown)).isInstanceOf(IllegalArgumentException.class);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.submit(() -> CompletableFuture.completedFuture("next")).get(5, TimeUnit.SECONDS))
                .isEqualTo("next");
    }
}
