package io.duet.presentation.relay;

import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.relay.HelloAck;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.relay.Revocation;
import io.duet.protocol.relay.relayConstants;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * An application server's relay port, for the presentation server's tests: it speaks the relay framing,
 * answers HELLO with HELLO_ACK (or, when told to, says nothing at all) and hands every other frame to a
 * listener. The caller owns the channels: each accepted connection is added to its group, and the
 * listening channel is returned for it to close.
 */
public final class RelayStandIn {
    /** The user events of an {@link AppLinks} that never delivers anything in a test: dropped. */
    public static final UserEvents NO_USER_EVENTS = new UserEvents() {
        @Override
        public void deliver(List<Long> userIds, byte[] event) {
        }

        @Override
        public void revoke(Revocation revocation) {
        }
    };

    private RelayStandIn() {
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0: any free port); {@code answersHello} false makes a port that
     * accepts and never answers. Frames other than HELLO go to {@code frames}.
     */
    public static Channel listen(EventLoopGroup group, ChannelGroup accepted, int port, boolean answersHello,
            Consumer<RelayFrame> frames) throws InterruptedException {
        return listen(group, accepted, port, answersHello, (connection, frame) -> frames.accept(frame));
    }

    /** Like the other {@code listen}, but the listener gets the connection too, to answer on it. */
    public static Channel listen(EventLoopGroup group, ChannelGroup accepted, int port, boolean answersHello,
            BiConsumer<Channel, RelayFrame> frames) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new FrameDecoder(FrameLimits.RELAY),
                                new FrameEncoder(FrameLimits.RELAY, FrameEncoder.NEVER_COMPRESS),
                                RelayFrameCodec.INSTANCE, new SimpleChannelInboundHandler<RelayFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
                                        if (!frame.isSetHello()) {
                                            frames.accept(ctx.channel(), frame);
                                        } else if (answersHello) {
                                            ctx.writeAndFlush(RelayFrame.helloAck(
                                                    new HelloAck(relayConstants.RELAY_VERSION, "stand-in")));
                                        }
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    /** The port {@code listener} listens on. */
    public static int port(Channel listener) {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }
}
