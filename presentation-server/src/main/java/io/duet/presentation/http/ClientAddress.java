package io.duet.presentation.http;

import io.duet.net.AddressRanges;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * The address of the client behind an HTTP request. It is the connection's peer, unless the peer is a
 * trusted proxy (a load balancer, see {@code http.trusted-proxies}): then it is the right-most address
 * in {@code X-Forwarded-For} that is not a trusted proxy, since each proxy appends the address it got
 * the request from and only the hops the trusted proxies appended can be believed (a client may send
 * any header of its own). When every hop is trusted, it is the left-most; when the hop to take is not a
 * literal IP address (a client-written value a proxy passed on), it is the hop to its right, the last
 * one a trusted proxy vouched for.
 *
 * <p>As a handler, it stores each request's client address in the channel attribute {@link #CLIENT}
 * before passing the request on, for {@link HttpApiHandler} (which takes one request at a time).
 */
final class ClientAddress extends ChannelInboundHandlerAdapter {
    static final String FORWARDED_FOR = "X-Forwarded-For";
    /** The client address of the request being passed on. */
    static final AttributeKey<SocketAddress> CLIENT = AttributeKey.valueOf(ClientAddress.class, "client");

    private final AddressRanges trusted;

    ClientAddress(AddressRanges trusted) {
        this.trusted = trusted;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            ctx.channel().attr(CLIENT).set(resolve(ctx.channel().remoteAddress(),
                    ((HttpRequest) msg).headers().getAll(FORWARDED_FOR), trusted));
        }
        ctx.fireChannelRead(msg);
    }

    /** The client address {@link ClientAddress} stored for the request being handled; the peer if none. */
    static SocketAddress of(ChannelHandlerContext ctx) {
        SocketAddress client = ctx.channel().attr(CLIENT).get();
        return client != null ? client : ctx.channel().remoteAddress();
    }

    /**
     * @param forwardedFor the values of every {@code X-Forwarded-For} header of the request, in order
     * @return the client's address (port 0 when taken from the header)
     */
    static SocketAddress resolve(SocketAddress peer, List<String> forwardedFor, AddressRanges trusted) {
        if (trusted.isEmpty() || forwardedFor.isEmpty() || !(peer instanceof InetSocketAddress)
                || !trusted.contains(((InetSocketAddress) peer).getAddress())) {
            return peer;
        }
        SocketAddress client = peer;
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String[] hops = forwardedFor.get(h).split(",", -1);
            for (int i = hops.length - 1; i >= 0; i--) {
                InetAddress hop = AddressRanges.literal(hops[i]);
                if (hop == null) {
                    return client;
                }
                client = new InetSocketAddress(hop, 0);
                if (!trusted.contains(hop)) {
                    return client;
                }
            }
        }
        return client;
    }
}
