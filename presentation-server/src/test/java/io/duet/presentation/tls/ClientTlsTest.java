package io.duet.presentation.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.security.SecretFiles;
import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client TLS on real loopback connections: a client of the JDK's TLS (as the SDK) resumes its session by
 * ticket on another server that shares the ticket keys, and not on one that does not; keys rotate;
 * silent connections time out. The server side runs BoringSSL, as the presentation server does.
 */
class ClientTlsTest {
    /** The name and port the client knows the endpoint by (the load balancer's), whichever server answers. */
    private static final String ENDPOINT_HOST = "localhost";
    private static final int ENDPOINT_PORT = 7410;
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path dir;
    private Path cert;
    private Path key;
    private EventLoopGroup group;
    private final List<ClientTls> servers = new ArrayList<>();
    private final List<Channel> listeners = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        cert = dir.resolve("server.pem");
        key = dir.resolve("server.key");
        Files.writeString(cert, resource("tls/test-server.pem"));
        SecretFiles.writePrivate(key, resource("tls/test-server.key"));
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() {
        listeners.forEach(Channel::close);
        servers.forEach(ClientTls::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aClientResumesOnAnotherServerThatSharesTheTicketKeys() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenSsl.isAvailable(), "BoringSSL loads here");
        Path keys = writeKeys(TicketKeys.newLine());
        ClientTls a = server(settings().ticketKeys(keys).build());
        ClientTls b = server(settings().ticketKeys(keys).build());
        ClientTls stranger = server(settings().ticketKeys(writeKeys(TicketKeys.newLine())).build());
        int portA = listen(a);
        int portB = listen(b);
        int portStranger = listen(stranger);
        SslContext client = jdkClient("TLSv1.3");

        long first = handshake(client, portA).engine().getSession().getCreationTime();
        assertThat(a.stats().resumed()).as("the first connection is a full handshake").isZero();
        Thread.sleep(20);
        long second = handshake(client, portB).engine().getSession().getCreationTime();
        assertThat(second).as("the client sees the session it resumed (what the SDK counts)").isEqualTo(first);
        assertThat(b.stats()).as("B decrypted A's ticket").isEqualTo(new ClientTls.Stats(1, 1));
        handshake(client, portStranger);
        assertThat(stranger.stats()).as("other keys: a full handshake").isEqualTo(new ClientTls.Stats(1, 0));
    }

    @Test
    void tls12ClientsResumeBySessionTicketToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenSsl.isAvailable(), "BoringSSL loads here");
        Path keys = writeKeys(TicketKeys.newLine());
        ClientTls a = server(settings().ticketKeys(keys).build());
        ClientTls b = server(settings().ticketKeys(keys).build());
        int portA = listen(a);
        int portB = listen(b);
        SslContext client = jdkClient("TLSv1.2");

        SslHandler first = handshake(client, portA);
        assertThat(first.engine().getSession().getProtocol()).isEqualTo("TLSv1.2");
        handshake(client, portB);
        assertThat(b.stats().resumed()).isEqualTo(1);
    }

    @Test
    void ticketsOfAKeyMovedDownStillResumeAndOfAKeyDroppedDoNot() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenSsl.isAvailable(), "BoringSSL loads here");
        String oldKey = TicketKeys.newLine();
        Path keys = writeKeys(oldKey);
        ClientTls server = server(settings().ticketKeys(keys).build());
        int port = listen(server);
        SslContext client = jdkClient("TLSv1.3");
        handshake(client, port);

        SecretFiles.writePrivate(keys, "# newest first\n" + TicketKeys.newLine() + "\n" + oldKey + "\n");
        Files.setLastModifiedTime(keys, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 1000));
        server.reloadKeys();
        handshake(client, port);
        assertThat(server.stats().resumed()).as("the old key still decrypts").isEqualTo(1);

        SslContext fresh = jdkClient("TLSv1.3");
        handshake(fresh, port); // a ticket under the new key
        SecretFiles.writePrivate(keys, TicketKeys.newLine() + "\n");
        Files.setLastModifiedTime(keys, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
        server.reloadKeys();
        long resumedBefore = server.stats().resumed();
        handshake(fresh, port);
        assertThat(server.stats().resumed()).as("its key is gone: a full handshake").isEqualTo(resumedBefore);
    }

    @Test
    void aConnectionThatNeverHandshakesIsClosedAtTheTimeout() throws Exception {
        ClientTls server = server(settings().handshakeTimeout(Duration.ofMillis(200)).build());
        int port = listen(server);
        Channel silent = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        assertThat(silent.closeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS)).as("closed by the server").isTrue();
        assertThat(server.handshakesInFlight()).isZero();
    }

    @Test
    void isOffByDefaultAndNeedsACertificateWhenOn() {
        ClientTls off = ClientTls.create(ClientTlsSettings.from(Settings.of(Map.of())));
        ChannelInitializer<SocketChannel> inner = new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
            }
        };
        assertThat(off.enabled()).isFalse();
        assertThat(off.wrap(inner)).isSameAs(inner);
        assertThatThrownBy(() -> ClientTlsSettings.from(Settings.of(Map.of("client.tls.enabled", "true"))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("client.tls.cert, client.tls.key: missing");
    }

    @Test
    void aMalformedTicketKeyFileIsRefusedNamingTheLine() throws Exception {
        Path keys = writeKeys("# a comment\nc2hvcnQ=");
        assertThatThrownBy(() -> TicketKeys.read(keys))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("line 2 holds 5 bytes (expected: 48");
    }

    private ClientTlsSettings.Builder settings() {
        return ClientTlsSettings.builder().certificate(cert, key);
    }

    private ClientTls server(ClientTlsSettings settings) {
        ClientTls tls = ClientTls.create(settings);
        servers.add(tls);
        return tls;
    }

    private Path writeKeys(String text) throws Exception {
        Path file = Files.createTempFile(dir, "ticket-keys", "");
        SecretFiles.writePrivate(file, text + "\n");
        return file;
    }

    /** A server whose own pipeline says one byte once the handshake is done (after its session tickets). */
    private int listen(ClientTls tls) throws InterruptedException {
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(tls.wrap(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                if (event instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent
                                        && ((io.netty.handler.ssl.SslHandshakeCompletionEvent) event).isSuccess()) {
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42}));
                                }
                            }
                        });
                    }
                }))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        listeners.add(listener);
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    private static SslContext jdkClient(String protocol) throws Exception {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(protocol)
                .trustManager(ClientTlsTest.class.getClassLoader().getResourceAsStream("tls/test-server.pem"))
                .build();
    }

    /**
     * Connects to {@code port} as the endpoint {@code localhost:7410}, handshakes, reads the server's byte
     * (the session ticket came before it), and closes.
     */
    private SslHandler handshake(SslContext client, int port) throws Exception {
        CompletableFuture<Void> read = new CompletableFuture<>();
        SslHandler[] tls = new SslHandler[1];
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        tls[0] = client.newHandler(ch.alloc(), ENDPOINT_HOST, ENDPOINT_PORT);
                        ch.pipeline().addLast(tls[0], new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                                read.complete(null);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                read.completeExceptionally(cause);
                            }
                        });
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        try {
            tls[0].handshakeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            read.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            channel.close().sync();
        }
        return tls[0];
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = ClientTlsTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }
}
