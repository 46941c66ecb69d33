package io.duet.protocol.relay;

import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.frame.MalformedFrameException;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftCodec.ProtocolAction;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;

/**
 * Turns {@link FrameType#RELAY} frames into {@link RelayFrame}s and back, on both ends of a relay
 * connection. Writers on other threads may instead write {@link #toFrame(RelayFrame)} to encode off the
 * event loop, and {@link #dataFrame} encodes the frames that carry the traffic.
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

    private static final TStruct RELAY_FRAME = new TStruct("RelayFrame");
    private static final TField DATA = new TField("data", TType.STRUCT, (short) 4);
    private static final TStruct STREAM_DATA = new TStruct("StreamData");
    private static final TField STREAM_ID = new TField("streamId", TType.I64, (short) 1);
    private static final TField KIND = new TField("kind", TType.I32, (short) 2);
    private static final TField PAYLOAD = new TField("payload", TType.STRING, (short) 3);
    private static final TField RETRY_AFTER = new TField("rateLimitedRetryAfterMillis", TType.I32, (short) 4);
    /** {@link #dataFrame}'s {@code rateLimitedRetryAfterMillis} when the frame carries none. */
    public static final int NO_RETRY_AFTER = -1;

    /**
     * The frame {@code toFrame(RelayFrame.data(new StreamData(streamId, kind, payload)))} makes, byte for byte,
     * with {@code rateLimitedRetryAfterMillis} set unless it is {@link #NO_RETRY_AFTER}. It writes the payload
     * straight into the frame: a {@code StreamData} would copy it first, and every message crosses the relay
     * in one of these. Encodes on the calling thread.
     */
    public static Frame dataFrame(long streamId, PayloadKind kind, byte[] payload, int rateLimitedRetryAfterMillis) {
        ProtocolAction writer = out -> {
            out.writeStructBegin(RELAY_FRAME);
            out.writeFieldBegin(DATA);
            out.writeStructBegin(STREAM_DATA);
            out.writeFieldBegin(STREAM_ID);
            out.writeI64(streamId);
            out.writeFieldEnd();
            out.writeFieldBegin(KIND);
            out.writeI32(kind.getValue());
            out.writeFieldEnd();
            out.writeFieldBegin(PAYLOAD);
            out.writeBinary(ByteBuffer.wrap(payload));
            out.writeFieldEnd();
            if (rateLimitedRetryAfterMillis != NO_RETRY_AFTER) {
                out.writeFieldBegin(RETRY_AFTER);
                out.writeI32(rateLimitedRetryAfterMillis);
                out.writeFieldEnd();
            }
            out.writeFieldStop();
            out.writeStructEnd();
            out.writeFieldEnd();
            out.writeFieldStop();
            out.writeStructEnd();
        };
        try {
            return Frame.of(FrameType.RELAY, ThriftCodec.INTERNAL.encode(WireProtocol.COMPACT, writer));
        } catch (TException e) {
            throw new IllegalArgumentException("cannot encode a relay data frame", e);
        }
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
