package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.deploy.local.pki.ClusterCa;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.relay.Hello;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.relay.relayConstants;
import io.duet.security.RelayTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An application server's relay port serves only processes holding a certificate of the cluster's CA. A
 * plain TCP client speaking the relay protocol, a TLS client with another CA's certificate and a TLS
 * client with no certificate all send HELLO and OPEN (a session for user 1 of couple 1) and get no frame
 * back, only a closed connection; a client with the cluster's credentials gets HELLO_ACK, which shows the
 * probe would see an answer. The cluster keeps chatting throughout.
 */
class RelayAuthenticationIT {
    private static final long WAIT_SECONDS = 20;
    private static LocalCluster cluster;
    private static EventLoopGroup group;
    private static Path strangers;

    @BeforeAll
    static void start() throws Exception {
        cluster = SharedCluster.get();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        strangers = Files.createTempDirectory("duet-stranger-ca-");
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aPlainTcpClientGetsNothing() throws Exception {
        assertGetsNothing(probe(channel -> null));
    }

    @Test
    void aTlsClientWithAnotherCasCertificateGetsNothing() throws Exception {
        ClusterCa.NodeCredentials stranger = ClusterCa.loadOrCreate(strangers, "a stranger's CA").issue("presentation-1");
        RelayTls tls = RelayTls.of(stranger.certificate(), stranger.key(), stranger.ca());
        assertGetsNothing(probe(channel -> tls.newClientHandler(channel.alloc(), "127.0.0.1", relayPort())));
    }

    @Test
    void aTlsClientWithoutACertificateGetsNothing() throws Exception {
        SslContext noCertificate = SslContextBuilder.forClient()
                .trustManager(cluster.certificateAuthority().certificateFile().toFile())
                .endpointIdentificationAlgorithm(null)
                .protocols("TLSv1.3")
                .build();
        assertGetsNothing(probe(channel -> noCertificate.newHandler(channel.alloc(), "127.0.0.1", relayPort())));
    }

    @Test
    void aClientWithTheClustersCredentialsIsAnswered() throws Exception {
        ClusterCa.NodeCredentials ours = cluster.certificateAuthority().issue("relay-probe");
        RelayTls tls = RelayTls.of(ours.certificate(), ours.key(), ours.ca());
        Probe probe = probe(channel -> tls.newClientHandler(channel.alloc(), "127.0.0.1", relayPort()));
        try {
            Object first = probe.received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(first).isInstanceOf(RelayFrame.class);
            assertThat(((RelayFrame) first).isSetHelloAck()).as("HELLO_ACK").isTrue();
        } finally {
            probe.channel.close();
        }
    }

    @Test
    void theClusterKeepsChatting() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0);
                DuetClient bob = couple.connect(couple.bob, 0, bobHears, 0)) {
            ann.send("over mutual TLS").get(WAIT_SECONDS, TimeUnit.SECONDS);
            bobHears.awaitMessages(1, java.time.Duration.ofSeconds(WAIT_SECONDS));
        }
    }

    private static int relayPort() {
        Node app = cluster.applicationServers().get(0);
        return Integer.parseInt(app.readyInfo().get("relay.port"));
    }

    /** Connects (with the handler {@code tls} makes first, if any) and sends HELLO and an OPEN claiming user 1. */
    private static Probe probe(Function<Channel, ChannelHandler> tls) throws Exception {
        BlockingQueue<Object> received = new ArrayBlockingQueue<>(64);
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelHandler first = tls.apply(ch);
                        if (first != null) {
                            ch.pipeline().addLast(first);
                        }
                        ch.pipeline().addLast(new FrameDecoder(FrameLimits.RELAY),
                                new FrameEncoder(FrameLimits.RELAY, FrameEncoder.NEVER_COMPRESS),
                                RelayFrameCodec.INSTANCE, new SimpleChannelInboundHandler<RelayFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
                                        received.offer(frame);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        received.offer(cause);
                                        ctx.close();
                                    }
                                });
                    }
                }).connect("127.0.0.1", relayPort()).sync().channel();
        channel.write(RelayFrame.hello(new Hello(relayConstants.RELAY_VERSION, "presentation-1")));
        channel.writeAndFlush(RelayFrame.open(new OpenStream(1, StreamKind.SESSION, WireProtocol.BINARY)
                .setPrincipal(new Principal(1, 1, "stolen-device"))));
        return new Probe(channel, received);
    }

    private static void assertGetsNothing(Probe probe) throws Exception {
        assertThat(probe.channel.closeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS))
                .as("the server closed the connection").isTrue();
        List<Object> frames = probe.received.stream().filter(RelayFrame.class::isInstance).toList();
        assertThat(frames).as("relay frames received").isEmpty();
    }

    private record Probe(Channel channel, BlockingQueue<Object> received) {
    }
}
