package io.duet.client.internal;

import io.duet.client.DuetTls;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one session connection: TLS when the session has it (keyed by the endpoint's name and
 * port, so that a reconnect resumes the TLS session), framing with the client's limits, the idle timer that makes
 * {@link SessionHandler} ping a quiet connection and drop a silent one, and that handler. One per
 * connection, since the handler is.
 */
final class SessionChannelInitializer extends ChannelInitializer<Channel> {
    private static final long PING_SECONDS = 20;
    private static final long SILENCE_LIMIT_SECONDS = 75;

    private final SessionHandler handler;
    private final DuetTls tls;
    private final InetSocketAddress server;
    private final TlsHandshakeCounter.Counts handshakes;

    /** @param tls null: plain TCP */
    SessionChannelInitializer(SessionHandler handler, DuetTls tls, InetSocketAddress server,
            TlsHandshakeCounter.Counts handshakes) {
        this.handler = handler;
        this.tls = tls;
        this.server = server;
        this.handshakes = handshakes;
    }

    /**
     * Pings at least as often as the server asks ({@code AuthAccepted.pingIntervalMillis}): a server that
     * hears nothing for longer stops counting the session as a connected device for pushes, and closes it
     * at its idle timeout. The server allows a grace past the interval.
     */
    static void pingEvery(Channel ch, int serverIntervalMillis) {
        long pingMillis = serverIntervalMillis;
        if (pingMillis > 0 && pingMillis < TimeUnit.SECONDS.toMillis(PING_SECONDS)) {
            ch.pipeline().replace("idle", "idle", new IdleStateHandler(TimeUnit.SECONDS.toMillis(SILENCE_LIMIT_SECONDS),
                    pingMillis, 0, TimeUnit.MILLISECONDS));
        }
    }

    @Override
    protected void initChannel(Channel ch) {
        if (tls != null) {
            // Frames written before the handshake ends (AUTH, at channelActive) wait in the TLS handler.
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), server.getHostString(), server.getPort()));
            ch.pipeline().addLast("tlsHandshakes", new TlsHandshakeCounter(handshakes));
        }
        ch.pipeline().addLast("frameDecoder", new FrameDecoder(FrameLimits.SERVER_TO_CLIENT));
        ch.pipeline().addLast("frameEncoder", new FrameEncoder(FrameLimits.CLIENT_TO_SERVER,
                FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
        ch.pipeline().addLast("idle", new IdleStateHandler(SILENCE_LIMIT_SECONDS, PING_SECONDS, 0, TimeUnit.SECONDS));
        ch.pipeline().addLast("session", handler);
    }
}
