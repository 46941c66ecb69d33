package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MissingRange;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A couple's committed messages read to answer a call (history pages, unread counts), as opposed to a
 * catch-up ({@link Delivery}). The part older than memory is read from HBase under the same bounds as
 * catch-up's pages: each read waits its turn among the server's reads ({@link CatchUpReads}), and at most
 * {@value #MAX_STORED_READS} are in flight for the couple. Past either bound the call fails with BUSY, for
 * the client to retry.
 *
 * <p>A history page whose range lacks committed sequence numbers is data loss: each missing range is
 * logged as an error with the couple and the range, counted with catch-up's ({@link
 * CatchUpReads#missingRanges()}), and named in the page ({@code HistoryPage.missing}). Confined to the
 * couple's executor.
 */
final class HistoryReads {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryReads.class);
    /** Most reads of a couple's older messages in flight at once for calls (one per partner paging back). */
    static final int MAX_STORED_READS = 2;

    private final long coupleId;
    private final SerialExecutor executor;
    private final CoupleLog log;
    private final CatchUpReads reads;
    private int storedReads;

    HistoryReads(long coupleId, SerialExecutor executor, CoupleLog log, CatchUpReads reads) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.log = log;
        this.reads = reads;
    }

    /**
     * A page of at most {@code limit} sequence numbers for {@code userId}, oldest first: right before {@code
     * beforeSeq} if it is not null, else right after {@code afterSeq} (see {@link HistoryRange}).
     */
    CompletableFuture<HistoryPage> page(long userId, long afterSeq, Long beforeSeq, int limit) {
        long latest = log.lastSeq();
        HistoryRange range = beforeSeq != null ? HistoryRange.before(beforeSeq, limit, latest)
                : HistoryRange.after(afterSeq, limit, latest);
        if (range.isEmpty()) {
            return CompletableFuture.completedFuture(new HistoryPage(List.of(), false, latest));
        }
        return page(userId, range, latest);
    }

    /** The page of {@code range} for {@code userId}, with the last sequence number {@code latest}. */
    CompletableFuture<HistoryPage> page(long userId, HistoryRange range, long latest) {
        return read(range.from, range.to).thenApply(messages -> {
            HistoryPage page = new HistoryPage(messages, range.hasMore, latest).setNextCursor(range.nextCursor);
            List<MissingRange> missing = range.missingFrom(messages);
            for (MissingRange lost : missing) {
                long ranges = reads.missing(lost.getToSeq() - lost.getFromSeq() + 1);
                LOG.error("DATA LOSS: couple {} is missing committed messages {}..{} in HBase (last seq {}); a history "
                        + "page for user {} says so ({} missing ranges, {} messages missing on this server so far)",
                        coupleId, lost.getFromSeq(), lost.getToSeq(), latest, userId, ranges, reads.missingMessages());
            }
            return missing.isEmpty() ? page : page.setMissing(missing);
        });
    }

    /** Every stored message in [from, to], oldest first. */
    CompletableFuture<List<Message>> read(long from, long to) {
        executor.checkInContext();
        int all = (int) (to - from + 1);
        if (from >= log.oldestInMemory()) {
            return CompletableFuture.completedFuture(log.inMemory(from, to));
        }
        if (storedReads >= MAX_STORED_READS) {
            return CompletableFuture.failedFuture(ApiErrors.busy("couple " + coupleId + " has " + MAX_STORED_READS
                    + " reads of older messages in flight; retry later"));
        }
        storedReads++;
        return log.read(from, to, all, reads).handleAsync((messages, failure) -> {
            storedReads--;
            if (failure == null) {
                return messages;
            }
            Throwable cause = ApiErrors.unwrap(failure);
            throw new CompletionException(cause instanceof RejectedExecutionException
                    ? ApiErrors.busy("this server's reads of older messages are all taken; retry later") : cause);
        }, executor);
    }
}
