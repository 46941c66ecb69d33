package io.duet.protocol.relay;

import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.frame.MalformedFrameException;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;

/**
 * Turns {@link FrameType#RELAY} frames into {@link RelayFrame}s and back, on both ends of a relay
 * connection. Writers on other threads may instead write {@link #toFrame(RelayFrame)} to encode off the
 * event loop.
 */
@Sharable
public final class RelayFrameCodec extends MessageToMessageCodec<Frame, RelayFrame> {
    public static final RelayFrameCodec INSTANCE = new RelayFrameCodec();

    private RelayFrameCodec() {
    }

    /** Encodes on the calling thread. */
    public static Frame toFrame(RelayFrame frame) {
        return Frame.of(FrameType.RELAY, ThriftCodec.INTERNAL.encode(frame));
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RelayFrame frame, List<Object> out) {
        out.add(toFrame(frame));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        if (frame.type() != FrameType.RELAY) {
            throw new MalformedFrameException("expected a RELAY frame on a relay connection, got " + frame.type());
        }
        try {
            RelayFrame decoded = ThriftCodec.INTERNAL.decode(frame.payload(), new RelayFrame());
            if (decoded.getSetField() == null) {
                throw new MalformedFrameException("relay frame of an unknown kind (a newer peer?)");
            }
            out.add(decoded);
        } catch (MalformedPayloadException e) {
            throw new MalformedFrameException("unreadable relay frame: " + e.getMessage());
        }
    }
}
