package io.duet.app.storage;

import io.duet.process.metrics.Latency;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * What the couple store measures of HBase, in Prometheus form:
 *
 * <pre>
 * duet_hbase_calls_seconds{table,op,outcome}  timer    each operation on the couples table, from its start to its
 *                                                      outcome: ok, fenced (a conditional write that lost its fence or
 *                                                      sequence, a claim beaten by a newer epoch) or error
 * duet_commit_batch_messages                  summary  messages per group commit (one conditional write)
 * </pre>
 *
 * Every timer is made up front, so a call allocates no tags.
 */
public final class StoreMeters {
    public static final String CALLS = "duet.hbase.calls";
    public static final String BATCH = "duet.commit.batch.messages";
    /** Measures nothing: for stores made without a registry (tests). */
    public static final StoreMeters NONE = new StoreMeters(new CompositeMeterRegistry());

    /** The couple store's operations, each one or a few HBase round trips. */
    enum Op { CREATE, MEMBERS, CLAIM, COMMIT, DELETE, READ, FIND_SEND, REWRITE, ARCHIVE_MOVE }

    private enum Outcome { OK, FENCED, ERROR }

    private final Timer[][] timers = new Timer[Op.values().length][Outcome.values().length];
    private final DistributionSummary batch;

    public StoreMeters(MeterRegistry registry) {
        for (Op op : Op.values()) {
            for (Outcome outcome : Outcome.values()) {
                timers[op.ordinal()][outcome.ordinal()] = Latency.timer(CALLS)
                        .description("HBase operations on the couples table, by outcome")
                        .tags("table", "couples", "op", op.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                                "outcome", outcome.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
        }
        batch = Latency.counts(BATCH).description("Messages per group commit of a couple").register(registry);
    }

    /** Times {@code call} until it completes; returns it. */
    <T> CompletableFuture<T> timed(Op op, CompletableFuture<T> call) {
        long started = System.nanoTime();
        call.whenComplete((value, failure) -> {
            Outcome outcome = failure == null ? Outcome.OK
                    : fenced(failure) ? Outcome.FENCED : Outcome.ERROR;
            timers[op.ordinal()][outcome.ordinal()].record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        });
        return call;
    }

    private static boolean fenced(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof FencedException;
    }

    void batch(int messages) {
        batch.record(messages);
    }
}
