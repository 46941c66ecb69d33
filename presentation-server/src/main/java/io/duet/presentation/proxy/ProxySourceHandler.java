package io.duet.presentation.proxy;

import io.duet.net.AddressRanges;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the decoded PROXY header: its source becomes the connection's client address ({@link
 * ProxyProtocol#CLIENT}), then this handler leaves the pipeline. A LOCAL header (the proxy's own
 * connection, a health check) or one without addresses leaves the peer as the client. A header the
 * decoder could not read has closed the connection; that failure ends here, logged once.
 */
final class ProxySourceHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "proxySource";
    static final String DECODER_NAME = "proxyDecoder";
    private static final Logger LOG = LoggerFactory.getLogger(ProxySourceHandler.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HAProxyMessage header = (HAProxyMessage) msg;
        try {
            InetAddress source = header.command() == HAProxyCommand.PROXY ? AddressRanges.literal(header.sourceAddress())
                    : null;
            if (source != null) {
                ctx.channel().attr(ProxyProtocol.CLIENT).set(new InetSocketAddress(source, header.sourcePort()));
            }
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException) {
            LOG.warn("Closing a connection from {}: bad PROXY header: {}", ctx.channel().remoteAddress(),
                    cause.getMessage());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
