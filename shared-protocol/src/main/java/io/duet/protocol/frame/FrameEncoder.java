package io.duet.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Encodes {@link Frame}s, compressing bodies of at least {@code compressionThreshold} bytes with snappy
 * when that makes them smaller. A frame the peer would reject under {@code peerLimits} fails the write
 * with a {@link FrameTooLargeException} instead of being sent.
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
    /** A threshold that turns compression off. */
    public static final int NEVER_COMPRESS = Integer.MAX_VALUE;
    /** Below this size snappy rarely pays for its header on chat traffic. */
    public static final int DEFAULT_COMPRESSION_THRESHOLD = 128;

    private final FrameLimits peerLimits;
    private final int compressionThreshold;

    /**
     * Loads snappy now. snappy-java extracts and loads a native library the first time it is used, which
     * is file I/O: call this at start-up, off any event loop, in every process that compresses frames.
     */
    public static void preloadCompression() {
        SnappyBlocks.compress(new byte[] {0});
    }

    public FrameEncoder(FrameLimits peerLimits, int compressionThreshold) {
        super(Frame.class);
        if (peerLimits == null) {
            throw new NullPointerException("peerLimits");
        }
        if (compressionThreshold < 0) {
            throw new IllegalArgumentException(
                    "compressionThreshold: " + compressionThreshold + " (expected: >= 0)");
        }
        this.peerLimits = peerLimits;
        this.compressionThreshold = compressionThreshold;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        byte[] body = frame.payload();
        int flags = 0;
        if (body.length >= compressionThreshold) {
            byte[] compressed = SnappyBlocks.compress(body);
            if (compressed.length < body.length) {
                if (body.length > peerLimits.maxUncompressedBytes()) {
                    throw new UncompressedTooLargeException(body.length, peerLimits.maxUncompressedBytes());
                }
                body = compressed;
                flags = Frame.FLAG_SNAPPY;
            }
        }
        long length = (long) FrameDecoder.TYPE_AND_FLAGS_BYTES + body.length;
        if (length > peerLimits.maxFrameBytes()) {
            throw new FrameTooLargeException(length, peerLimits.maxFrameBytes());
        }
        out.ensureWritable(FrameDecoder.LENGTH_FIELD_BYTES + (int) length);
        out.writeInt((int) length);
        out.writeByte(frame.type().code());
        out.writeByte(flags);
        out.writeBytes(body);
    }
}
