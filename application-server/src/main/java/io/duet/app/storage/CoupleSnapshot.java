package io.duet.app.storage;

import io.duet.app.storage.CoupleStore.OrderKey;
import io.duet.protocol.api.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.hbase.client.Result;

/**
 * What an owner knows once it has claimed a couple row: members, last sequence and the order streams'
 * marks at once; the recent messages, the read marks and the change log a round trip later (see {@link CoupleStore#claim}).
 */
public final class CoupleSnapshot {
    private final long coupleId;
    private final long fence;
    private final long userA;
    private final long userB;
    private final long lastSeq;
    private final Map<OrderKey, Long> orderMarks;
    private final CompletableFuture<List<Message>> recentMessages;
    private final CompletableFuture<byte[]> readMarks;
    private final CompletableFuture<byte[]> changes;

    CoupleSnapshot(long coupleId, long fence, long userA, long userB, long lastSeq, Map<OrderKey, Long> orderMarks,
            CompletableFuture<List<Message>> recentMessages, CompletableFuture<Result> smallCells) {
        this.coupleId = coupleId;
        this.fence = fence;
        this.userA = userA;
        this.userB = userB;
        this.lastSeq = lastSeq;
        this.orderMarks = Map.copyOf(orderMarks);
        this.recentMessages = recentMessages.thenApply(List::copyOf);
        this.readMarks = smallCells.thenApply(cells -> cells.getValue(HBaseSchema.SPACE, SpaceStore.readMarksQualifier()));
        this.changes = smallCells.thenApply(cells -> cells.getValue(HBaseSchema.SPACE, SpaceStore.changesQualifier()));
    }

    public long coupleId() {
        return coupleId;
    }

    /** The fence value this owner claimed the row with; every commit is conditional on it. */
    public long fence() {
        return fence;
    }

    public long userA() {
        return userA;
    }

    public long userB() {
        return userB;
    }

    public boolean hasMember(long userId) {
        return userId == userA || userId == userB;
    }

    /** The other member of the couple. */
    public long partnerOf(long userId) {
        return userId == userA ? userB : userA;
    }

    public long lastSeq() {
        return lastSeq;
    }

    /**
     * The highest ordinal stored of each order stream written recently (see {@link OrderMarks}), as the
     * claim left them: only commits write them, and the claim's condition fails if one landed since they
     * were read. A stream missing here may still have a mark: ask the row ({@link CoupleStore#findSend}).
     */
    public Map<OrderKey, Long> orderMarks() {
        return orderMarks;
    }

    /** The newest messages, oldest first, ending at {@link #lastSeq()}: read once the claim succeeded. */
    public CompletableFuture<List<Message>> recentMessages() {
        return recentMessages;
    }

    /**
     * The partners' read-marks cell as stored ({@code StoredReadMarks}; null if none): read once the claim
     * succeeded.
     */
    public CompletableFuture<byte[]> readMarks() {
        return readMarks;
    }

    /**
     * The couple's change log as stored ({@code StoredChanges}; null if none): read once the claim succeeded,
     * with the read marks.
     */
    public CompletableFuture<byte[]> changes() {
        return changes;
    }
}
