package io.duet.app.storage;

/**
 * A write to a couple row was refused because another owner, with a newer epoch, has claimed the row:
 * this server no longer owns the couple and must drop it from memory.
 */
public final class FencedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long coupleId;
    private final long epoch;

    public FencedException(long coupleId, long epoch, String detail) {
        super("couple " + coupleId + " is fenced at epoch " + epoch + ": " + detail);
        this.coupleId = coupleId;
        this.epoch = epoch;
    }

    public long coupleId() {
        return coupleId;
    }

    public long epoch() {
        return epoch;
    }
}
