package io.duet.app.relay;

import io.duet.app.couple.CoupleRegistry;
import io.duet.app.rpc.ServiceDispatcher;
import io.duet.protocol.relay.RelayLinkFraming;
import io.duet.security.RelayTls;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one relay connection from a presentation server: mutual TLS first (when {@link RelayTls}
 * is enabled), so that nothing reaches the relay handlers from a peer without the cluster's certificate.
 */
public final class RelayServerInitializer extends ChannelInitializer<SocketChannel> {
    /** Presentation servers ping every few seconds; silence this long means the link is dead. */
    static final long READ_IDLE_SECONDS = 30;

    private final String instanceId;
    private final ServiceDispatcher dispatcher;
    private final CoupleRegistry couples;
    private final PresentationLinks presentationLinks;
    private final RelayTls tls;

    public RelayServerInitializer(String instanceId, ServiceDispatcher dispatcher, CoupleRegistry couples,
            PresentationLinks presentationLinks, RelayTls tls) {
        this.instanceId = instanceId;
        this.dispatcher = dispatcher;
        this.couples = couples;
        this.presentationLinks = presentationLinks;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        RelayLinkFraming.addServerHandlers(channel, tls);
        pipeline.addLast("idle", new IdleStateHandler(READ_IDLE_SECONDS, 0, 0, TimeUnit.SECONDS));
        pipeline.addLast("connection", new RelayConnectionHandler(instanceId, dispatcher, couples,
                presentationLinks, presentationLinks.streamCounter()));
    }
}
