package io.duet.presentation.proxy;

import io.duet.net.AddressRanges;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The PROXY protocol (v2) on the client TCP port. A load balancer in TCP mode (HAProxy with {@code
 * send-proxy-v2}, an AWS NLB with {@code proxy_protocol_v2.enabled}) connects from its own address and
 * says whose connection it carries in a binary header before the client's first byte. A connection from a
 * trusted proxy ({@code http.trusted-proxies}, the setting HTTP's {@code X-Forwarded-For} is believed by)
 * may start with such a header: its source address is then the connection's client address, for the
 * per-address rate limits of the calls before AUTH, the routing of those calls, and the logs ({@link
 * #clientAddress}). A trusted peer may also connect without one (a client or a probe that connects to the
 * server directly): the first byte tells. From any other peer no header is honoured: its bytes go to the
 * frame decoder as they are, which refuses them.
 *
 * <p>A header from a trusted proxy that is longer than {@link #MAX_HEADER_BYTES} or malformed closes the
 * connection before anything else reads it. The header comes before TLS, so {@link #wrap} puts its
 * handlers in front of the whole pipeline.
 */
public final class ProxyProtocol {
    /**
     * The longest header taken: 16 fixed bytes, the addresses (at most 216) and the TLVs. HAProxy's, with
     * IPv6 addresses and no {@code proxy-v2-options}, has 52 bytes.
     */
    public static final int MAX_HEADER_BYTES = 512;

    /** The client's address, from a trusted proxy's header; unset: the peer is the client. */
    static final AttributeKey<InetSocketAddress> CLIENT = AttributeKey.valueOf(ProxyProtocol.class, "client");

    private ProxyProtocol() {
    }

    /** The address of the client on {@code channel}: the PROXY header's source if a trusted proxy sent one, else the peer. */
    public static SocketAddress clientAddress(Channel channel) {
        InetSocketAddress client = channel.attr(CLIENT).get();
        return client != null ? client : channel.remoteAddress();
    }

    /**
     * {@code inner}, preceded on connections from {@code trusted} peers by the handlers that read a PROXY
     * header; {@code inner} itself when no peer is trusted.
     */
    public static ChannelInitializer<? extends Channel> wrap(AddressRanges trusted, ChannelInitializer<? extends Channel> inner) {
        if (trusted.isEmpty()) {
            return inner;
        }
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                if (isTrusted(channel.remoteAddress(), trusted)) {
                    channel.pipeline().addLast(ProxyHeaderDetector.NAME, new ProxyHeaderDetector(MAX_HEADER_BYTES));
                }
                channel.pipeline().addLast(inner);
            }
        };
    }

    /** Whether a PROXY header from {@code peer} is believed. */
    static boolean isTrusted(SocketAddress peer, AddressRanges trusted) {
        return peer instanceof InetSocketAddress && trusted.contains(((InetSocketAddress) peer).getAddress());
    }
}
