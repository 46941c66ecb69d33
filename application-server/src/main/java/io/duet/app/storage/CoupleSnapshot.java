package io.duet.app.storage;

import io.duet.protocol.api.Message;
import java.util.List;

/** What an owner loads when it claims a couple row: members, last sequence and recent messages. */
public final class CoupleSnapshot {
    private final long coupleId;
    private final long fence;
    private final long userA;
    private final long userB;
    private final long lastSeq;
    private final List<Message> recentMessages;
    private final byte[] readMarks;

    CoupleSnapshot(long coupleId, long fence, long userA, long userB, long lastSeq, List<Message> recentMessages,
            byte[] readMarks) {
        this.coupleId = coupleId;
        this.fence = fence;
        this.userA = userA;
        this.userB = userB;
        this.lastSeq = lastSeq;
        this.recentMessages = List.copyOf(recentMessages);
        this.readMarks = readMarks;
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

    /** The newest messages, oldest first, ending at {@link #lastSeq()}. */
    public List<Message> recentMessages() {
        return recentMessages;
    }

    /** The partners' read-marks cell as stored ({@code StoredReadMarks}), read after the claim; null if none. */
    public byte[] readMarks() {
        return readMarks;
    }
}
