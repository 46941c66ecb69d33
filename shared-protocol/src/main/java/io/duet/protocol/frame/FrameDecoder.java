package io.duet.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes {@link Frame}s, checking the frame length against {@link FrameLimits#maxFrameBytes()} as soon
 * as the length field arrives (before buffering the body) and a compressed body's declared size
 * against {@link FrameLimits#maxUncompressedBytes()} before allocating room for it.
 *
 * <p>After the first {@link FrameException} the decoder discards all further input: the stream is out
 * of sync, and the pipeline's owner closes the connection. It also discards whatever is left once the
 * channel is closed, so that when a handler further on rejects a frame and closes the connection (as the
 * relay handlers do), the frames behind it in the same read are not handed on.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** Bytes of the length field. */
    static final int LENGTH_FIELD_BYTES = 4;
    /** Bytes counted by the length field before the body: type and flags. */
    static final int TYPE_AND_FLAGS_BYTES = 2;

    private final FrameLimits limits;
    private boolean failed;

    public FrameDecoder(FrameLimits limits) {
        if (limits == null) {
            throw new NullPointerException("limits");
        }
        this.limits = limits;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed || !ctx.channel().isOpen()) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < LENGTH_FIELD_BYTES) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < TYPE_AND_FLAGS_BYTES) {
            throw fail(in, new MalformedFrameException(
                    "frame length " + length + " (expected: >= " + TYPE_AND_FLAGS_BYTES + ")"));
        }
        if (length > limits.maxFrameBytes()) {
            throw fail(in, new FrameTooLargeException(length, limits.maxFrameBytes()));
        }
        if (in.readableBytes() < LENGTH_FIELD_BYTES + length) {
            return;
        }
        int start = in.readerIndex() + LENGTH_FIELD_BYTES;
        int typeCode = in.getUnsignedByte(start);
        int flags = in.getUnsignedByte(start + 1);
        FrameType type = FrameType.fromCode(typeCode);
        if (type == null) {
            throw fail(in, new MalformedFrameException("unknown frame type " + typeCode));
        }
        if ((flags & ~Frame.KNOWN_FLAGS) != 0) {
            throw fail(in, new MalformedFrameException(
                    "unknown frame flags 0x" + Integer.toHexString(flags) + " on a " + type + " frame"));
        }
        int bodyLength = (int) length - TYPE_AND_FLAGS_BYTES;
        int bodyStart = start + TYPE_AND_FLAGS_BYTES;
        byte[] payload;
        try {
            payload = (flags & Frame.FLAG_SNAPPY) != 0
                    ? SnappyBlocks.uncompress(in, bodyStart, bodyLength, limits.maxUncompressedBytes())
                    : readBytes(in, bodyStart, bodyLength);
        } catch (FrameException e) {
            throw fail(in, e);
        }
        in.skipBytes(LENGTH_FIELD_BYTES + (int) length);
        out.add(Frame.of(type, payload));
    }

    private static byte[] readBytes(ByteBuf in, int index, int length) {
        byte[] bytes = new byte[length];
        in.getBytes(index, bytes);
        return bytes;
    }

    private FrameException fail(ByteBuf in, FrameException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return e;
    }
}
