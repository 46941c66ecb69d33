package io.duet.protocol.frame;

/** A frame whose length field exceeds {@link FrameLimits#maxFrameBytes()}. */
public final class FrameTooLargeException extends FrameException {
    private static final long serialVersionUID = 1L;

    private final long length;
    private final int limit;

    public FrameTooLargeException(long length, int limit) {
        super("frame of " + length + " bytes exceeds the limit of " + limit + " bytes");
        this.length = length;
        this.limit = limit;
    }

    public long length() {
        return length;
    }

    public int limit() {
        return limit;
    }
}
