package io.duet.protocol.frame;

/** A snappy frame declaring an uncompressed size above {@link FrameLimits#maxUncompressedBytes()}. */
public final class UncompressedTooLargeException extends FrameException {
    private static final long serialVersionUID = 1L;

    private final long declared;
    private final int limit;

    public UncompressedTooLargeException(long declared, int limit) {
        super("compressed frame declares " + declared + " uncompressed bytes, above the limit of " + limit);
        this.declared = declared;
        this.limit = limit;
    }

    public long declared() {
        return declared;
    }

    public int limit() {
        return limit;
    }
}
