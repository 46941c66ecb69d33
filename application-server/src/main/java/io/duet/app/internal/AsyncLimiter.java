package io.duet.app.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An asynchronous semaphore: runs operations that return futures with at most {@code maxInFlight} of
 * them unfinished; the others wait their turn, first come first served, in a queue of at most {@code
 * maxWaiting}, each for at most {@code maxWait}. A submission that finds the queue full, or waits too
 * long, fails with {@link RejectedExecutionException} without running.
 *
 * <p>No thread ever waits here: {@link #submit} returns at once, and a waiting operation is started by
 * the thread that completes the one before it, so operations must only start non-blocking work.
 * Thread-safe.
 */
public final class AsyncLimiter {
    private final String name;
    private final int maxInFlight;
    private final int maxWaiting;
    private final Duration maxWait;
    private final ScheduledExecutorService timers;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private final Queue<Waiter<?>> waiting = new ArrayDeque<>();
    // @GuardedBy("lock")
    private int inFlight;
    // @GuardedBy("lock")
    private long waited;

    public AsyncLimiter(String name, int maxInFlight, int maxWaiting, Duration maxWait, ScheduledExecutorService timers) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("maxWaiting: " + maxWaiting + " (expected: >= 0)");
        }
        this.name = name;
        this.maxInFlight = maxInFlight;
        this.maxWaiting = maxWaiting;
        this.maxWait = maxWait;
        this.timers = timers;
    }

    /** Runs {@code operation} now if a place is free, else when its turn comes; its outcome is the result's. */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> operation) {
        Waiter<T> waiter = new Waiter<>(operation);
        synchronized (lock) {
            if (inFlight < maxInFlight) {
                inFlight++;
            } else if (waiting.size() < maxWaiting) {
                waiting.add(waiter);
                waited++;
                waiter.timeout = timers.schedule(() -> expire(waiter), maxWait.toMillis(), TimeUnit.MILLISECONDS);
                return waiter.result;
            } else {
                waiter.result.completeExceptionally(new RejectedExecutionException(
                        name + ": " + maxInFlight + " in flight and " + maxWaiting + " waiting already"));
                return waiter.result;
            }
        }
        start(waiter);
        return waiter.result;
    }

    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    public int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /** Operations so far that could not start at once and were put in line (whatever became of them). */
    public long waited() {
        synchronized (lock) {
            return waited;
        }
    }

    private void expire(Waiter<?> waiter) {
        boolean removed;
        synchronized (lock) {
            removed = waiting.remove(waiter);
        }
        if (removed) {
            waiter.result.completeExceptionally(new RejectedExecutionException(
                    name + ": no turn within " + maxWait.toMillis() + " ms"));
        }
    }

    private <T> void start(Waiter<T> waiter) {
        if (waiter.timeout != null) {
            waiter.timeout.cancel(false);
        }
        CompletableFuture<T> running;
        try {
            running = waiter.operation.get();
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        running.whenComplete((value, failure) -> {
            release();
            if (failure != null) {
                waiter.result.completeExceptionally(failure);
            } else {
                waiter.result.complete(value);
            }
        });
    }

    /** An operation finished: its place goes to the first one waiting, if any. */
    private void release() {
        Waiter<?> next;
        synchronized (lock) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            start(next);
        }
    }

    @Override
    public String toString() {
        return "AsyncLimiter(" + name + ')';
    }

    private static final class Waiter<T> {
        final Supplier<CompletableFuture<T>> operation;
        final CompletableFuture<T> result = new CompletableFuture<>();
        ScheduledFuture<?> timeout;

        Waiter(Supplier<CompletableFuture<T>> operation) {
            this.operation = operation;
        }
    }
}
