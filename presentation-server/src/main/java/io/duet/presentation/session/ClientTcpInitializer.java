package io.duet.presentation.session;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of a client TCP connection, in order: framing, silence, authentication, relay, errors.
 * The stateless handlers (the frame encoder, the error handler) are shared by every connection: a server
 * keeps tens of thousands of idle sessions, and each handler instance is memory per session.
 */
public final class ClientTcpInitializer extends ChannelInitializer<SocketChannel> {
    private final FrameEncoder frameEncoder = new FrameEncoder(FrameLimits.SERVER_TO_CLIENT,
            FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD);
    private final ClientErrorHandler errors = new ClientErrorHandler();
    private final Authenticator authenticator;
    private final RoutingTable routing;
    private final AppLinks links;
    private final SessionRegistry registry;
    private final SessionSettings settings;

    public ClientTcpInitializer(Authenticator authenticator, RoutingTable routing, AppLinks links,
            SessionRegistry registry, SessionSettings settings) {
        this.authenticator = authenticator;
        this.routing = routing;
        this.links = links;
        this.registry = registry;
        this.settings = settings;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("frameDecoder", new FrameDecoder(FrameLimits.CLIENT_TO_SERVER));
        pipeline.addLast("frameEncoder", frameEncoder);
        pipeline.addLast("idle", new ClientSilence(settings.idleTimeout.toMillis(),
                settings.quietAfter().toMillis(), TimeUnit.MILLISECONDS));
        pipeline.addLast("auth", new AuthHandler(authenticator,
                principal -> new SessionRelayHandler(principal, routing, links, registry, settings), registry,
                settings, routing, links));
        pipeline.addLast("errors", errors);
    }
}
