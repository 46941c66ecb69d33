package io.duet.app.couple;

import io.duet.app.internal.AsyncLimiter;
import io.duet.protocol.api.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This server's catch-up reads from HBase, shared by all its couples: at most {@link
 * CatchUpLimits#maxReads} in flight, the others waiting their turn first come first served (bounded in
 * number and in time), and never a blocked thread. Each couple adds its own bound, one read in flight
 * (see {@link Delivery}), so a mass reconnect costs HBase a steady trickle of pages rather than every
 * session's whole history at once. History pages read their older messages here too ({@link
 * HistoryReads}).
 *
 * <p>Its reads in flight, waiting, and held back so far ({@link #inFlight}, {@link #waiting}, {@link #waited})
 * are metered. Also counts the committed ranges catch-up or a history page found missing in HBase (data loss):
 * each is logged as an error with the running totals, and {@link #missingRanges()} and {@link
 * #missingMessages()} read them. Thread-safe.
 */
public final class CatchUpReads {
    final CatchUpLimits limits;
    private final AsyncLimiter limiter;
    private final AtomicLong missingRanges = new AtomicLong();
    private final AtomicLong missingMessages = new AtomicLong();

    public CatchUpReads(CatchUpLimits limits, ScheduledExecutorService timers) {
        this.limits = limits;
        this.limiter = new AsyncLimiter("catch-up reads", limits.maxReads, limits.maxWaitingReads, limits.readWait,
                timers);
    }

    /** Up to {@code limit} stored messages of {@code log}'s couple in [from, to], when its turn comes. */
    CompletableFuture<List<Message>> read(CoupleLog log, long from, long to, int limit) {
        return limiter.submit(() -> log.readStored(from, to, limit));
    }

    /** Reads in flight now: at most {@link CatchUpLimits#maxReads}. */
    public int inFlight() {
        return limiter.inFlight();
    }

    /** Reads waiting for their turn now. */
    public int waiting() {
        return limiter.waiting();
    }

    /** Reads so far that had to wait for their turn: how often the server's bound held a mass reconnect back. */
    public long waited() {
        return limiter.waited();
    }

    /** Counts a missing range of {@code messages} messages; returns how many ranges are counted now. */
    long missing(long messages) {
        missingMessages.addAndGet(messages);
        return missingRanges.incrementAndGet();
    }

    /**
     * Ranges of committed messages a session was sent past, or a history page went without, because HBase
     * did not have them.
     */
    public long missingRanges() {
        return missingRanges.get();
    }

    /** Messages in those ranges. */
    public long missingMessages() {
        return missingMessages.get();
    }
}
