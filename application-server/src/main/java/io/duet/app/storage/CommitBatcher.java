package io.duet.app.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;

/**
 * Group commit across couples: the conditional writes of many couples go to HBase together, in one
 * multi-request per region server, instead of one RPC each. Each keeps its own condition (its couple's
 * fence) and its own outcome.
 *
 * <p>At most {@code maxInFlight} requests are out at a time. A write that comes while they are all out
 * waits, with the others that come meanwhile, for the first of them to finish, and then goes with them
 * in the next request (at most {@link #MAX_BATCH} writes each). So a lone write goes at once, and under
 * load the requests grow instead of multiplying. The queue is bounded by the couples this server has
 * loaded: each couple has at most one commit in flight. How a group goes to HBase is the {@link Writer}'s
 * business: one {@code checkAndMutate} per write ({@link #perRow}), or one atomic call per region ({@link
 * RegionCommits}). Thread-safe.
 */
final class CommitBatcher {
    /** Writes in one request; more wait for the next. */
    static final int MAX_BATCH = 256;

    private final Writer writer;
    private final int maxInFlight;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private final List<Pending> queued = new ArrayList<>();
    // @GuardedBy("lock")
    private int inFlight;
    private final LongAdder requests = new LongAdder();
    private final LongAdder writes = new LongAdder();

    /** Each group as one {@code checkAndMutate} per write ({@link #perRow}). */
    CommitBatcher(AsyncTable<?> table, int maxInFlight) {
        this(writes -> perRow(table, writes), maxInFlight);
    }

    CommitBatcher(Writer writer, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
        }
        this.writer = writer;
        this.maxInFlight = maxInFlight;
    }

    /** Sends one group of conditional writes to HBase: one result per write, in order, each its own outcome. */
    interface Writer {
        List<CompletableFuture<CheckAndMutateResult>> write(List<CheckAndMutate> writes);
    }

    /** Sends {@code write} with the next request; completes with its own result. */
    CompletableFuture<CheckAndMutateResult> submit(CheckAndMutate write) {
        Pending pending = new Pending(write);
        List<Pending> batch;
        synchronized (lock) {
            queued.add(pending);
            if (inFlight >= maxInFlight) {
                return pending.result;
            }
            inFlight++;
            batch = takeBatch();
        }
        send(batch);
        return pending.result;
    }

    /** Requests sent so far. */
    long requests() {
        return requests.sum();
    }

    /** Writes sent so far; divided by {@link #requests()}, the mean batch size. */
    long writes() {
        return writes.sum();
    }

    // @GuardedBy("lock")
    private List<Pending> takeBatch() {
        int size = Math.min(queued.size(), MAX_BATCH);
        List<Pending> batch = new ArrayList<>(queued.subList(0, size));
        queued.subList(0, size).clear();
        return batch;
    }

    private void send(List<Pending> batch) {
        requests.increment();
        writes.add(batch.size());
        List<CheckAndMutate> writesOfBatch = new ArrayList<>(batch.size());
        batch.forEach(pending -> writesOfBatch.add(pending.write));
        List<CompletableFuture<CheckAndMutateResult>> results;
        try {
            results = writer.write(writesOfBatch);
        } catch (RuntimeException e) {
            batch.forEach(pending -> pending.settle(null, e));
            sent();
            return;
        }
        AtomicInteger left = new AtomicInteger(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Pending pending = batch.get(i);
            results.get(i).whenComplete((value, failure) -> {
                pending.settle(value, failure);
                if (left.decrementAndGet() == 0) {
                    sent();
                }
            });
        }
    }

    /**
     * One {@code checkAndMutate} per write, all in one multi-request per region server (a lone write as a
     * plain {@code checkAndMutate}). HBase runs each alone: its own row lock, condition read, memstore
     * insert, WAL append and WAL sync.
     */
    static List<CompletableFuture<CheckAndMutateResult>> perRow(AsyncTable<?> table, List<CheckAndMutate> writes) {
        return writes.size() == 1 ? List.of(table.checkAndMutate(writes.get(0))) : table.checkAndMutate(writes);
    }

    /** A request finished: the writes that waited meanwhile go next. */
    private void sent() {
        List<Pending> next;
        synchronized (lock) {
            if (queued.isEmpty()) {
                inFlight--;
                return;
            }
            next = takeBatch();
        }
        send(next);
    }

    private static final class Pending {
        final CheckAndMutate write;
        final CompletableFuture<CheckAndMutateResult> result = new CompletableFuture<>();

        Pending(CheckAndMutate write) {
            this.write = write;
        }

        void settle(CheckAndMutateResult value, Throwable failure) {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        }
    }
}
