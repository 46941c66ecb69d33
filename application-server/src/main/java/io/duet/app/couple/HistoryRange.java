package io.duet.app.couple;

import io.duet.protocol.api.Message;
import io.duet.protocol.api.MissingRange;
import java.util.ArrayList;
import java.util.List;

/**
 * The range of sequence numbers one history page covers, forwards (after a sequence number) or backwards
 * (before one), at most {@code limit} long and within [1, latest]; whether more lies beyond it in its
 * direction; and the cursor of the next page. Pure.
 */
final class HistoryRange {
    /** First and last sequence number covered; {@code from > to} for an empty range. */
    final long from;
    final long to;
    final boolean hasMore;
    /** The next page's afterSeq (forwards) or beforeSeq (backwards); 0 when the range is empty. */
    final long nextCursor;

    private HistoryRange(long from, long to, boolean hasMore, long nextCursor) {
        this.from = from;
        this.to = to;
        this.hasMore = hasMore;
        this.nextCursor = nextCursor;
    }

    boolean isEmpty() {
        return from > to;
    }

    /** The page right after {@code afterSeq}. */
    static HistoryRange after(long afterSeq, int limit, long latest) {
        long from = Math.max(1, afterSeq + 1);
        if (afterSeq >= latest || from > latest) {
            return new HistoryRange(1, 0, false, 0);
        }
        long to = Math.min(latest, from + pageSize(limit) - 1);
        return new HistoryRange(from, to, to < latest, to);
    }

    /** The page right before {@code beforeSeq}; a {@code beforeSeq} past {@code latest} ends at latest. */
    static HistoryRange before(long beforeSeq, int limit, long latest) {
        if (beforeSeq <= 1 || latest < 1) {
            return new HistoryRange(1, 0, false, 0);
        }
        long to = Math.min(latest, beforeSeq - 1);
        long from = Math.max(1, to - pageSize(limit) + 1);
        return new HistoryRange(from, to, from > 1, from);
    }

    /**
     * The parts of this range that {@code stored}, every stored message in it (oldest first), lacks: each
     * sequence number up to {@code to} was committed, so these are lost.
     */
    List<MissingRange> missingFrom(List<Message> stored) {
        List<MissingRange> missing = new ArrayList<>();
        long next = from;
        for (Message message : stored) {
            if (message.getSeq() > next) {
                missing.add(new MissingRange(next, message.getSeq() - 1));
            }
            next = Math.max(next, message.getSeq() + 1);
        }
        if (next <= to) {
            missing.add(new MissingRange(next, to));
        }
        return missing;
    }

    private static int pageSize(int limit) {
        return Math.max(1, Math.min(limit, CoupleLimits.MAX_PAGE));
    }
}
