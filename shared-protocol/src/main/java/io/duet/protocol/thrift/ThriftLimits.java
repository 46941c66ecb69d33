package io.duet.protocol.thrift;

import org.apache.thrift.TConfiguration;

/**
 * Limits applied to every Thrift payload decoded from a peer. Thrift's defaults (100 MiB messages, no
 * container limit) let one small frame claim a huge allocation; these do not.
 */
public final class ThriftLimits {
    /** For payloads from clients, after decompression: matches the client frame limits. */
    public static final ThriftLimits UNTRUSTED = of(256 * 1024, 10_000, 64);
    /** For payloads between our own servers, and from our servers to clients. */
    public static final ThriftLimits INTERNAL = of(16 * 1024 * 1024, 100_000, 64);

    private final int maxMessageBytes;
    private final int maxContainerLength;
    private final int maxNestingDepth;

    private ThriftLimits(int maxMessageBytes, int maxContainerLength, int maxNestingDepth) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxContainerLength = maxContainerLength;
        this.maxNestingDepth = maxNestingDepth;
    }

    /**
     * @param maxMessageBytes the largest message; also bounds every string and binary field
     * @param maxContainerLength the most elements one list, set or map may declare
     * @param maxNestingDepth the deepest nesting of structs and containers
     */
    public static ThriftLimits of(int maxMessageBytes, int maxContainerLength, int maxNestingDepth) {
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes: " + maxMessageBytes + " (expected: > 0)");
        }
        if (maxContainerLength < 0) {
            throw new IllegalArgumentException("maxContainerLength: " + maxContainerLength + " (expected: >= 0)");
        }
        if (maxNestingDepth <= 0) {
            throw new IllegalArgumentException("maxNestingDepth: " + maxNestingDepth + " (expected: > 0)");
        }
        return new ThriftLimits(maxMessageBytes, maxContainerLength, maxNestingDepth);
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public int maxContainerLength() {
        return maxContainerLength;
    }

    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    /** The Thrift configuration carrying these limits, for transports. */
    public TConfiguration configuration() {
        return TConfiguration.custom()
                .setMaxMessageSize(maxMessageBytes)
                .setMaxFrameSize(maxMessageBytes)
                .setRecursionLimit(maxNestingDepth)
                .build();
    }
}
