package io.duet.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The application server's group commit ({@code CommitBatcher}) for any kind of write: at most {@code
 * maxInFlight} requests out at a time; writes that come meanwhile wait and go together in the next
 * request (at most {@code maxGroup} each). Thread-safe.
 */
final class CommitGroups<W, R> {
    private final int maxInFlight;
    private final int maxGroup;
    /** Sends one group as one request; one future per write, in order. */
    private final Function<List<W>, List<CompletableFuture<R>>> send;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private final List<Pending<W, R>> queued = new ArrayList<>();
    // @GuardedBy("lock")
    private int inFlight;

    CommitGroups(int maxInFlight, int maxGroup, Function<List<W>, List<CompletableFuture<R>>> send) {
        this.maxInFlight = maxInFlight;
        this.maxGroup = maxGroup;
        this.send = send;
    }

    CompletableFuture<R> submit(W write) {
        Pending<W, R> pending = new Pending<>(write);
        List<Pending<W, R>> group;
        synchronized (lock) {
            queued.add(pending);
            if (inFlight >= maxInFlight) {
                return pending.result;
            }
            inFlight++;
            group = take();
        }
        send(group);
        return pending.result;
    }

    // @GuardedBy("lock")
    private List<Pending<W, R>> take() {
        int size = Math.min(queued.size(), maxGroup);
        List<Pending<W, R>> group = new ArrayList<>(queued.subList(0, size));
        queued.subList(0, size).clear();
        return group;
    }

    private void send(List<Pending<W, R>> group) {
        List<W> writes = new ArrayList<>(group.size());
        group.forEach(pending -> writes.add(pending.write));
        List<CompletableFuture<R>> results;
        try {
            results = send.apply(writes);
        } catch (RuntimeException e) {
            group.forEach(pending -> pending.result.completeExceptionally(e));
            sent();
            return;
        }
        AtomicInteger left = new AtomicInteger(group.size());
        for (int i = 0; i < group.size(); i++) {
            Pending<W, R> pending = group.get(i);
            results.get(i).whenComplete((value, failure) -> {
                if (failure != null) {
                    pending.result.completeExceptionally(failure);
                } else {
                    pending.result.complete(value);
                }
                if (left.decrementAndGet() == 0) {
                    sent();
                }
            });
        }
    }

    private void sent() {
        List<Pending<W, R>> next;
        synchronized (lock) {
            if (queued.isEmpty()) {
                inFlight--;
                return;
            }
            next = take();
        }
        send(next);
    }

    private static final class Pending<W, R> {
        final W write;
        final CompletableFuture<R> result = new CompletableFuture<>();

        Pending(W write) {
            this.write = write;
        }
    }
}
