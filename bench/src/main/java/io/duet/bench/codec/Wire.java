package io.duet.bench.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

/** Runs messages through an encoding {@link EmbeddedChannel}, the way a pipeline writes them to a socket. */
final class Wire {
    private Wire() {
    }

    /** The bytes {@code channel}'s encoder wrote for {@code message}; the caller releases them. */
    static ByteBuf encode(EmbeddedChannel channel, Object message) {
        channel.writeOutbound(message);
        ByteBuf bytes = channel.readOutbound();
        if (bytes == null || channel.outboundMessages().size() != 0) {
            throw new IllegalStateException("expected one buffer from the encoder");
        }
        return bytes;
    }

    /** How many bytes {@code channel}'s encoder wrote for {@code message}. */
    static int encodedLength(EmbeddedChannel channel, Object message) {
        ByteBuf bytes = encode(channel, message);
        try {
            return bytes.readableBytes();
        } finally {
            bytes.release();
        }
    }
}
