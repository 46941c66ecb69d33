package io.duet.bench;

import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Authenticated sessions that do nothing but stay connected, as the phones of couples who are not
 * chatting right now: each sends its token, never subscribes, and answers and sends pings. Or, as a
 * baseline, plain TCP connections that send nothing ({@link #plain}). Closing resets the connections
 * (linger 0), so that thousands of them leave no ports in TIME_WAIT behind.
 */
final class IdleSessions implements AutoCloseable {
    private static final long PING_SECONDS = 20;

    private final List<Channel> channels = new ArrayList<>();
    private final AtomicInteger authenticated = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();

    /** Opens {@code count} sessions to {@code server}, session {@code i} with token {@code tokens.apply(i)}. */
    static IdleSessions open(EventLoopGroup group, InetSocketAddress server, int count, IntFunction<String> tokens)
            throws InterruptedException {
        return connect(group, server, count, Objects.requireNonNull(tokens, "tokens"));
    }

    /** Opens {@code count} plain TCP connections to {@code server} that send nothing. */
    static IdleSessions plain(EventLoopGroup group, InetSocketAddress server, int count) throws InterruptedException {
        return connect(group, server, count, null);
    }

    /** @param tokens null: plain connections */
    private static IdleSessions connect(EventLoopGroup group, InetSocketAddress server, int count,
            IntFunction<String> tokens) throws InterruptedException {
        IdleSessions sessions = new IdleSessions();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.SO_LINGER, 0);
        List<ChannelFuture> connecting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ChannelHandler handler;
            if (tokens == null) {
                handler = sessions.new Handler(null);
            } else {
                byte[] auth = ThriftCodec.INTERNAL.encode(new AuthRequest(tokens.apply(i), commonConstants.API_VERSION)
                        .setClientVersion("duet-load"));
                handler = new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("frameDecoder", new FrameDecoder(FrameLimits.SERVER_TO_CLIENT));
                        ch.pipeline().addLast("frameEncoder", new FrameEncoder(FrameLimits.CLIENT_TO_SERVER,
                                FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
                        ch.pipeline().addLast("idle", new IdleStateHandler(0, PING_SECONDS, 0, TimeUnit.SECONDS));
                        ch.pipeline().addLast("session", sessions.new Handler(auth));
                    }
                };
            }
            connecting.add(bootstrap.clone().handler(handler).connect(server));
            if (connecting.size() % 500 == 0) {
                // Do not open thousands of connections in one burst: the accept queue would overflow.
                connecting.get(connecting.size() - 1).await(5, TimeUnit.SECONDS);
            }
        }
        for (ChannelFuture future : connecting) {
            if (future.await(10, TimeUnit.SECONDS) && future.isSuccess()) {
                sessions.channels.add(future.channel());
            }
        }
        return sessions;
    }

    int connected() {
        return (int) channels.stream().filter(Channel::isActive).count();
    }

    int authenticated() {
        return authenticated.get();
    }

    int closedByServer() {
        return closed.get();
    }

    /**
     * Waits until every connected session is authenticated or closed, at most {@code timeout}; returns
     * whether they all were.
     */
    boolean awaitAuthenticated(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (authenticated.get() + closed.get() < channels.size()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Override
    public void close() {
        channels.forEach(Channel::close);
    }

    /** Closes every connection and waits for them to close, at most {@code timeout}. */
    void closeAndWait(Duration timeout) throws InterruptedException {
        close();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Channel channel : channels) {
            channel.closeFuture().await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** A session's last handler; with no AUTH frame to send, the only handler of a plain connection. */
    private final class Handler extends SimpleChannelInboundHandler<Frame> {
        private final byte[] auth;

        /** @param auth the AUTH frame's payload; null for a plain connection */
        Handler(byte[] auth) {
            this.auth = auth;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (auth != null) {
                ctx.writeAndFlush(Frame.of(FrameType.AUTH, auth));
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (frame.type() == FrameType.AUTH_OK) {
                authenticated.incrementAndGet();
            } else if (frame.type() == FrameType.PING) {
                ctx.writeAndFlush(Frame.of(FrameType.PONG, frame.payload()));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                ctx.writeAndFlush(Frame.empty(FrameType.PING));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.incrementAndGet();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
