package io.duet.protocol.frame;

/**
 * Hard limits for decoding frames from one peer: the largest frame on the wire and the largest body
 * a compressed frame may declare. Both are checked before any buffer is allocated for the frame.
 */
public final class FrameLimits {
    /** Limits for what a server accepts from a mobile client: calls are small. */
    public static final FrameLimits CLIENT_TO_SERVER = of(64 * 1024, 256 * 1024);
    /** Limits for what a client accepts from the server: history pages can be larger. */
    public static final FrameLimits SERVER_TO_CLIENT = of(4 * 1024 * 1024, 16 * 1024 * 1024);
    /** Limits between presentation and application servers: a client frame plus relay overhead. */
    public static final FrameLimits RELAY = of(17 * 1024 * 1024, 17 * 1024 * 1024);

    private final int maxFrameBytes;
    private final int maxUncompressedBytes;

    private FrameLimits(int maxFrameBytes, int maxUncompressedBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxUncompressedBytes = maxUncompressedBytes;
    }

    /**
     * @param maxFrameBytes the largest value of a frame's length field (type, flags and body)
     * @param maxUncompressedBytes the largest uncompressed body a snappy frame may declare
     */
    public static FrameLimits of(int maxFrameBytes, int maxUncompressedBytes) {
        if (maxFrameBytes < 2) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " (expected: >= 2)");
        }
        if (maxUncompressedBytes < 0) {
            throw new IllegalArgumentException(
                    "maxUncompressedBytes: " + maxUncompressedBytes + " (expected: >= 0)");
        }
        return new FrameLimits(maxFrameBytes, maxUncompressedBytes);
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public int maxUncompressedBytes() {
        return maxUncompressedBytes;
    }

    /** The largest payload a frame can carry uncompressed under these limits. */
    public int maxPayloadBytes() {
        return Math.min(maxFrameBytes - 2, maxUncompressedBytes);
    }

    @Override
    public String toString() {
        return "FrameLimits(maxFrameBytes=" + maxFrameBytes + ", maxUncompressedBytes=" + maxUncompressedBytes + ')';
    }
}
