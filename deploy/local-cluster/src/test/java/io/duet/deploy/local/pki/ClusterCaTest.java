package io.duet.deploy.local.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.security.RelayTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCaTest {
    private static EventLoopGroup group;

    @TempDir
    Path dir;

    @BeforeAll
    static void startLoops() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void makesTheCaOnceAndKeepsPrivateKeysPrivate() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, "test CA");
        ClusterCa.NodeCredentials node = ca.issue("app-1");
        assertThat(mode(dir.resolve("ca.key"))).isEqualTo("rw-------");
        assertThat(mode(node.key())).isEqualTo("rw-------");
        assertThat(Files.readString(node.certificate())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(node.ca()).isEqualTo(ca.certificateFile());

        String caPem = Files.readString(ca.certificateFile());
        String nodePem = Files.readString(node.certificate());
        ClusterCa again = ClusterCa.loadOrCreate(dir, "test CA");
        assertThat(again.issue("app-1")).isEqualTo(node);
        assertThat(Files.readString(again.certificateFile())).isEqualTo(caPem);
        assertThat(Files.readString(node.certificate())).isEqualTo(nodePem);
    }

    @Test
    void nodesOfOneCaShakeHands() throws Exception {
        ClusterCa ca = ClusterCa.loadOrCreate(dir, "test CA");
        RelayTls server = tls(ca.issue("app-1"));
        RelayTls client = tls(ca.issue("presentation-1"));
        assertThat(handshake(server, client).get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aServerRefusesAClientOfAnotherCa() throws Exception {
        RelayTls server = tls(ClusterCa.loadOrCreate(dir.resolve("cluster"), "cluster CA").issue("app-1"));
        RelayTls stranger = tls(ClusterCa.loadOrCreate(dir.resolve("other"), "other CA").issue("presentation-1"));
        assertThat(handshake(server, stranger).get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void aClientRefusesAServerOfAnotherCa() throws Exception {
        RelayTls impostor = tls(ClusterCa.loadOrCreate(dir.resolve("other"), "other CA").issue("app-1"));
        RelayTls client = tls(ClusterCa.loadOrCreate(dir.resolve("cluster"), "cluster CA").issue("presentation-1"));
        assertThat(handshake(impostor, client).get(10, TimeUnit.SECONDS)).isFalse();
    }

    private static RelayTls tls(ClusterCa.NodeCredentials node) {
        return RelayTls.of(node.certificate(), node.key(), node.ca());
    }

    /** Whether both ends of one connection finish the handshake. */
    private static CompletableFuture<Boolean> handshake(RelayTls server, RelayTls client) throws Exception {
        CompletableFuture<Boolean> serverDone = new CompletableFuture<>();
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler ssl = server.newServerHandler(ch.alloc());
                        ch.pipeline().addLast(ssl);
                        ssl.handshakeFuture().addListener(f -> serverDone.complete(f.isSuccess()));
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        CompletableFuture<Boolean> clientDone = new CompletableFuture<>();
        Channel connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler ssl = client.newClientHandler(ch.alloc(), "127.0.0.1", port);
                        ch.pipeline().addLast(ssl);
                        Future<Channel> done = ssl.handshakeFuture();
                        done.addListener(f -> clientDone.complete(f.isSuccess()));
                    }
                }).connect("127.0.0.1", port).sync().channel();
        return serverDone.thenCombine(clientDone, (s, c) -> s && c).whenComplete((ok, e) -> {
            connection.close();
            listener.close();
        });
    }

    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
