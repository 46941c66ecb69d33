package io.duet.client.internal;

import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one session connection: framing with the client's limits, the idle timer that makes
 * {@link SessionHandler} ping a quiet connection and drop a silent one, and that handler. One per
 * connection, since the handler is.
 */
final class SessionChannelInitializer extends ChannelInitializer<Channel> {
    private static final long PING_SECONDS = 20;
    private static final long SILENCE_LIMIT_SECONDS = 75;

    private final SessionHandler handler;

    SessionChannelInitializer(SessionHandler handler) {
        this.handler = handler;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast("frameDecoder", new FrameDecoder(FrameLimits.SERVER_TO_CLIENT));
        ch.pipeline().addLast("frameEncoder", new FrameEncoder(FrameLimits.CLIENT_TO_SERVER,
                FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
        ch.pipeline().addLast("idle", new IdleStateHandler(SILENCE_LIMIT_SECONDS, PING_SECONDS, 0, TimeUnit.SECONDS));
        ch.pipeline().addLast("session", handler);
    }
}
