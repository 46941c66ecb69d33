package io.duet.presentation.http;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.routing.RoutingTable;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of an HTTP connection: codec with header limits, deadlines for a request's head and body
 * (and for an idle kept-alive connection), a body limit, the client's address (behind a trusted proxy,
 * from {@code X-Forwarded-For}), the API.
 */
public final class HttpApiInitializer extends ChannelInitializer<Channel> {
    /** Largest request body; the same bound as a client TCP frame's uncompressed size. */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    private final Authenticator authenticator;
    private final RoutingTable routing;
    private final AppLinks links;
    private final HttpSettings settings;

    public HttpApiInitializer(Authenticator authenticator, RoutingTable routing, AppLinks links, HttpSettings settings) {
        this.authenticator = authenticator;
        this.routing = routing;
        this.links = links;
        this.settings = settings;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("codec", new HttpServerCodec(4096, 8192, 8192));
        pipeline.addLast("deadline", new RequestDeadlineHandler(settings.headerTimeout(), settings.bodyTimeout(),
                settings.replyTimeout().plus(RequestDeadlineHandler.BACKSTOP_MARGIN)));
        pipeline.addLast("aggregator", new HttpObjectAggregator(MAX_BODY_BYTES));
        pipeline.addLast("client-address", new ClientAddress(settings.trustedProxies()));
        pipeline.addLast("api", new HttpApiHandler(authenticator, routing, links, settings.replyTimeout()));
    }
}
