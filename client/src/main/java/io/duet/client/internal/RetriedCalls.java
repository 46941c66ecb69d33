package io.duet.client.internal;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClientException;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.thrift.TBase;

/**
 * The session's calls other than sends (history, read marks, memos, photos, profile...), carried across
 * what a session goes through without the application seeing it: a call made while the session
 * reconnects or moves waits for it to be connected again; a call the server refused for now
 * (UNAVAILABLE while the couple moves between servers, BUSY, RESOURCE_EXHAUSTED, RATE_LIMITED) is asked
 * again after the delay the server named; a call lost with its connection or in a session move is asked
 * again if it is {@link ClientSession.Retry#SAFE_TO_REPEAT safe to repeat}. All of it within the call's
 * deadline (the session's call timeout, from the moment the application made the call), after which the
 * call fails with the last reason it was not answered.
 *
 * <p>A call that is not safe to repeat and was lost after it was written fails with "outcome unknown": the
 * server may or may not have carried it out. Confined to the session's event loop.
 */
final class RetriedCalls {
    private final EventLoop loop;
    private final SessionTransport transport;
    private final Supplier<ConnectionState> state;
    private final long deadlineNanos;
    /** Calls waiting for the session to be connected, in the order they were made. */
    private final List<Attempt<?>> waiting = new ArrayList<>();

    RetriedCalls(EventLoop loop, SessionTransport transport, Supplier<ConnectionState> state, Duration deadline) {
        this.loop = loop;
        this.transport = transport;
        this.state = state;
        this.deadlineNanos = deadline.toNanos();
    }

    /** Makes a call, on the loop; see the class comment for what happens when it is not answered. */
    <R> void call(String service, String method, TBase<?, ?> args, TBase<?, ?> emptyResult, ClientSession.Retry retry,
            CompletableFuture<R> result) {
        Attempt<R> attempt = new Attempt<>(service, method, args, emptyResult, retry, result,
                loop.ticker().nanoTime() + deadlineNanos);
        ScheduledFuture<?> expiry = loop.schedule(attempt::expire, deadlineNanos, TimeUnit.NANOSECONDS);
        result.whenComplete((ignored, failure) -> {
            expiry.cancel(false);
            waiting.remove(attempt);
        });
        attempt.run();
    }

    /** The session is connected (again): the calls that waited for it go out, in order. */
    void connected() {
        List<Attempt<?>> ready = new ArrayList<>(waiting);
        waiting.clear();
        ready.forEach(Attempt::run);
    }

    /** The session ended for good: calls waiting for it fail. */
    void closed(String why) {
        List<Attempt<?>> failed = new ArrayList<>(waiting);
        waiting.clear();
        for (Attempt<?> attempt : failed) {
            attempt.result.completeExceptionally(new DuetClientException(attempt.method + ": " + why));
        }
    }

    /** How many calls wait for the session to be connected. */
    int waitingCount() {
        return waiting.size();
    }

    private final class Attempt<R> {
        final String service;
        final String method;
        final TBase<?, ?> args;
        final TBase<?, ?> emptyResult;
        final ClientSession.Retry retry;
        final CompletableFuture<R> result;
        final long deadline;
        /** Why the last try went unanswered; what the call fails with at its deadline. */
        Throwable lastFailure;

        Attempt(String service, String method, TBase<?, ?> args, TBase<?, ?> emptyResult, ClientSession.Retry retry,
                CompletableFuture<R> result, long deadline) {
            this.service = service;
            this.method = method;
            this.args = args;
            this.emptyResult = emptyResult;
            this.retry = retry;
            this.result = result;
            this.deadline = deadline;
        }

        void run() {
            if (result.isDone()) {
                return;
            }
            ConnectionState now = state.get();
            if (now == ConnectionState.CLOSED) {
                result.completeExceptionally(new DuetClientException(method + ": the session is closed"));
                return;
            }
            if (now != ConnectionState.CONNECTED || !transport.connected()) {
                waiting.add(this);
                return;
            }
            transport.<R>call(service, method, args, emptyResult).whenComplete((value, failure) -> {
                if (failure == null) {
                    result.complete(value);
                } else {
                    unanswered(failure);
                }
            });
        }

        private void unanswered(Throwable failure) {
            if (result.isDone()) {
                return;
            }
            lastFailure = failure;
            if (state.get() == ConnectionState.CLOSED) {
                result.completeExceptionally(failure);
            } else if (ServerRefusals.isForNow(failure)) {
                // Refused before it was carried out: any call may be asked again.
                retryIn(ServerRefusals.retryAfterMillis(failure, 0));
            } else if (failure instanceof CallLost) {
                if (((CallLost) failure).written && retry != ClientSession.Retry.SAFE_TO_REPEAT) {
                    result.completeExceptionally(new DuetClientException(method + ": outcome unknown, "
                            + failure.getMessage() + " before the reply (not repeated: it is not safe to repeat)",
                            failure));
                } else {
                    // After whatever is running now (a session move writes its subscribe first).
                    retryIn(0);
                }
            } else {
                result.completeExceptionally(failure);
            }
        }

        private void retryIn(long millis) {
            long left = deadline - loop.ticker().nanoTime();
            if (TimeUnit.MILLISECONDS.toNanos(millis) >= left) {
                expire();
            } else if (millis <= 0) {
                loop.execute(this::run);
            } else {
                loop.schedule(this::run, millis, TimeUnit.MILLISECONDS);
            }
        }

        void expire() {
            // A refusal for now is the server's word: the application sees it (its code, its delay).
            result.completeExceptionally(lastFailure != null && !(lastFailure instanceof CallLost) ? lastFailure
                    : new DuetClientException(method + ": not answered within " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos)
                            + " ms" + (lastFailure == null ? " (the session was not connected)" : ": " + lastFailure.getMessage()),
                            lastFailure));
        }
    }
}
