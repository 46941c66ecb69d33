package io.duet.presentation.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.relay.HelloAck;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.relay.Revocation;
import io.duet.protocol.relay.relayConstants;
import io.duet.security.RelayTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AppLinks#whyNotRelaying}, against stand-in application servers on 127.0.0.1 (plain TCP): one that
 * answers HELLO with HELLO_ACK, one that accepts and never answers (as a TLS or version mismatch looks).
 */
class AppLinksReadinessTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AppLinks links = new AppLinks(group, "presentation-test", new UserEvents() {
        @Override
        public void deliver(List<Long> userIds, byte[] event) {
        }

        @Override
        public void revoke(Revocation revocation) {
        }
    }, RelayTls.disabled());

    @AfterEach
    void close() {
        links.close();
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void relaysOnceAServerOfTheShardMapAnswersHello() throws Exception {
        AppServerInfo answering = server("app-1", standIn(true));
        AppServerInfo silent = server("app-2", standIn(false));
        assertThat(links.whyNotRelaying(Set.of("app-1"))).as("no link yet").isPresent();
        links.serversChanged(Map.of("app-1", answering, "app-2", silent));
        await(() -> links.whyNotRelaying(Set.of("app-1")), true);
        Thread.sleep(500);
        assertThat(links.whyNotRelaying(Set.of("app-2"))).as("only the silent server in the map")
                .hasValueSatisfying(reason -> assertThat(reason).contains("yet"));
        assertThat(links.whyNotRelaying(Set.of())).as("an empty map").isPresent();

        accepted.close().awaitUninterruptibly();
        await(() -> links.openLinks() < 4 ? Optional.empty() : Optional.of("links open"), true);
        assertThat(links.whyNotRelaying(Set.of("app-1"))).as("within the grace after the last link was lost")
                .isEmpty();
    }

    private static void await(Supplier<Optional<String>> whyNot, boolean ready) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (whyNot.get().isEmpty() != ready) {
            assertThat(System.nanoTime()).as("%s within %s", ready ? "ready" : "not ready", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static AppServerInfo server(String id, int port) {
        return new AppServerInfo().setServerId(id).setRelayEndpoint(new Endpoint("127.0.0.1", port));
    }

    /** A relay port that answers HELLO with HELLO_ACK, or never says anything. */
    private int standIn(boolean answers) throws InterruptedException {
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(new FrameDecoder(FrameLimits.RELAY),
                                new FrameEncoder(FrameLimits.RELAY, FrameEncoder.NEVER_COMPRESS),
                                RelayFrameCodec.INSTANCE, new SimpleChannelInboundHandler<RelayFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
                                        if (answers && frame.isSetHello()) {
                                            ctx.writeAndFlush(RelayFrame.helloAck(
                                                    new HelloAck(relayConstants.RELAY_VERSION, "stand-in")));
                                        }
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        accepted.add(listener);
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }
}
