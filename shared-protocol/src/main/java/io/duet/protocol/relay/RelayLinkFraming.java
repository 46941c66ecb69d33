package io.duet.protocol.relay;

import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.security.RelayTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import java.nio.ByteBuffer;

/**
 * How a relay link is framed, the same at both ends: TLS when {@link RelayTls#enabled()}, then frames of at
 * most {@link FrameLimits#RELAY}, never compressed, decoded into {@link RelayFrame}s ({@link RelayFrameCodec}).
 * The connecting end (a presentation server's link, an application server's warm-up) adds {@link
 * #addClientHandlers}, the accepting end {@link #addServerHandlers}; each then adds its own handlers after them.
 * The handlers are named {@value #TLS}, {@value #FRAME_DECODER}, {@value #FRAME_ENCODER} and {@value
 * #RELAY_CODEC}.
 */
public final class RelayLinkFraming {
    public static final String TLS = "tls";
    public static final String FRAME_DECODER = "frameDecoder";
    public static final String FRAME_ENCODER = "frameEncoder";
    public static final String RELAY_CODEC = "relayCodec";

    private RelayLinkFraming() {
    }

    /** The connecting end's handlers, for a link to {@code host:port} (the name its certificate must carry). */
    public static void addClientHandlers(Channel channel, RelayTls tls, String host, int port) {
        if (tls.enabled()) {
            channel.pipeline().addLast(TLS, tls.newClientHandler(channel.alloc(), host, port));
        }
        addFraming(channel.pipeline());
    }

    /** The accepting end's handlers. */
    public static void addServerHandlers(Channel channel, RelayTls tls) {
        if (tls.enabled()) {
            channel.pipeline().addLast(TLS, tls.newServerHandler(channel.alloc()));
        }
        addFraming(channel.pipeline());
    }

    private static void addFraming(ChannelPipeline pipeline) {
        pipeline.addLast(FRAME_DECODER, new FrameDecoder(FrameLimits.RELAY));
        pipeline.addLast(FRAME_ENCODER, new FrameEncoder(FrameLimits.RELAY, FrameEncoder.NEVER_COMPRESS));
        pipeline.addLast(RELAY_CODEC, RelayFrameCodec.INSTANCE);
    }

    /** The frame that carries an encoded Thrift call ({@code call}) on stream {@code streamId}. */
    public static RelayFrame callFrame(long streamId, byte[] call) {
        return RelayFrame.data(new StreamData(streamId, PayloadKind.CALL, ByteBuffer.wrap(call)));
    }
}
