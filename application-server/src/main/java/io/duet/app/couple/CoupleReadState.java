package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.ReadState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongUnaryOperator;

/**
 * A couple's read state: both partners' {@link ReadMarks}, written under the actor's fence ({@link
 * FencedWriter}), and the unread counts computed from the log. The marks are read after the claim and
 * arrive a round trip after the couple is active: calls wait for them. Confined to the couple's executor.
 */
final class CoupleReadState {
    /** Told of each mark that moved forward and is durable, on the executor. */
    interface Moved {
        void moved(long userId, long readUpTo);
    }

    private final long coupleId;
    private final CoupleLog log;
    private final HistoryReads historyReads;
    private final LongUnaryOperator partnerOf;
    private final ReadMarks marks;
    /** Completed on the executor once the marks, read after the claim, are loaded. */
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    /**
     * @param partnerOf the partner of a member (known once the couple is loaded)
     * @param moved told of each mark that moved forward and is durable
     */
    CoupleReadState(long coupleId, SerialExecutor executor, SpaceStore space, CoupleLog log, HistoryReads historyReads,
            LongUnaryOperator partnerOf, FencedWriter writer, Moved moved) {
        this.coupleId = coupleId;
        this.log = log;
        this.historyReads = historyReads;
        this.partnerOf = partnerOf;
        this.marks = new ReadMarks(coupleId, executor, new ReadMarks.Writer() {
            @Override
            public long fence() {
                return writer.fence();
            }

            @Override
            public CompletableFuture<Void> write(byte[] value) {
                if (!writer.writable()) {
                    return CompletableFuture.failedFuture(new NotOwnerException("couple " + coupleId
                            + " may have moved: this server cannot vouch for it now; retry"));
                }
                return space.write(coupleId, writer.fence(), SpaceStore.readMarksQualifier(), value);
            }
        }, new ReadMarks.Listener() {
            @Override
            public void moved(long userId, long readUpTo) {
                moved.moved(userId, readUpTo);
            }

            @Override
            public void writeFailed(Throwable cause) {
                writer.failed("read-mark write", cause);
            }
        });
    }

    /** The stored marks arrived (null: never written). */
    void load(byte[] stored) {
        marks.load(stored);
        loaded.complete(null);
    }

    /**
     * Moves {@code userId}'s read mark up to {@code upToSeq} (at most the last sequence number); completes
     * once it is durable, with the user's read state.
     */
    CompletableFuture<ReadState> markRead(long userId, long upToSeq) {
        return loaded.thenCompose(done -> marks.mark(userId, Math.min(upToSeq, log.lastSeq())))
                .thenCompose(mark -> now(userId));
    }

    /** Both partners' read marks, and {@code userId}'s unread count. */
    CompletableFuture<ReadState> readState(long userId) {
        return loaded.thenCompose(done -> now(userId));
    }

    private CompletableFuture<ReadState> now(long userId) {
        long mark = marks.markOf(userId);
        long latest = log.lastSeq();
        long partner = partnerOf.applyAsLong(userId);
        long partnerMark = marks.markOf(partner);
        long from = Math.max(mark + 1, latest - CoupleLimits.MAX_UNREAD_COUNTED + 1);
        CompletableFuture<List<Message>> counted = from > latest ? CompletableFuture.completedFuture(List.of())
                : historyReads.read(from, latest);
        return counted.thenApply(messages -> new ReadState(mark, partnerMark,
                ReadMarks.countFrom(messages, partner), from > mark + 1, latest));
    }

    void close(RuntimeException cause) {
        marks.close(cause);
        loaded.completeExceptionally(cause);
    }

    boolean inFlight() {
        return marks.inFlight();
    }

    boolean isIdle() {
        return marks.isIdle();
    }
}
