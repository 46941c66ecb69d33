package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.pki.ClusterCa;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.relay.StreamData;
import io.duet.security.RelayTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Relay link throughput with mutual TLS on and off: one connection on 127.0.0.1 with the relay's own
 * pipeline (frame codec, relay codec, and the TLS handler of {@link RelayTls} with certificates of a
 * {@link ClusterCa}), carrying {@value #FRAMES} StreamData frames of {@value #PAYLOAD_BYTES} bytes one
 * way. Prints min, median and max of {@value #RUNS} runs per mode, after one warm-up run each. Not part of
 * the test suite (its name does not end in IT); run it with:
 *
 * <pre>
 * mvn -B -o verify -pl integration-tests -am -Dit.test=RelayThroughputBenchmark -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 */
class RelayThroughputBenchmark {
    static final int FRAMES = 200_000;
    static final int PAYLOAD_BYTES = 512;
    static final int RUNS = 3;
    private static final long TIMEOUT_SECONDS = 120;

    @Test
    void relayThroughputWithTlsOnAndOff() throws Exception {
        Path dir = Files.createTempDirectory("duet-relay-bench-");
        ClusterCa ca = ClusterCa.loadOrCreate(dir, "benchmark CA");
        ClusterCa.NodeCredentials app = ca.issue("app-1");
        ClusterCa.NodeCredentials presentation = ca.issue("presentation-1");
        RelayTls serverTls = RelayTls.of(app.certificate(), app.key(), app.ca());
        RelayTls clientTls = RelayTls.of(presentation.certificate(), presentation.key(), presentation.ca());
        RelayTls off = RelayTls.disabled();

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            run(group, off, off);
            run(group, serverTls, clientTls);
            List<Double> plain = new ArrayList<>();
            List<Double> tls = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                plain.add(run(group, off, off));
                tls.add(run(group, serverTls, clientTls));
            }
            System.out.println(String.format(Locale.ROOT, "Relay throughput, %d frames of %d bytes, TLS provider %s:",
                    FRAMES, PAYLOAD_BYTES, RelayTls.provider()));
            System.out.println(summary("TLS off", plain));
            System.out.println(summary("TLS on ", tls));
            assertThat(Collections.min(tls)).isPositive();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Frames per second over one fresh connection, timed from the end of the handshake. */
    private static double run(EventLoopGroup group, RelayTls serverTls, RelayTls clientTls) throws Exception {
        CountDownLatch allArrived = new CountDownLatch(1);
        AtomicLong arrived = new AtomicLong();
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (serverTls.enabled()) {
                            ch.pipeline().addLast(serverTls.newServerHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new FrameDecoder(FrameLimits.RELAY), RelayFrameCodec.INSTANCE,
                                new SimpleChannelInboundHandler<RelayFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
                                        if (frame.isSetData() && arrived.incrementAndGet() == FRAMES) {
                                            allArrived.countDown();
                                        }
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (clientTls.enabled()) {
                            ch.pipeline().addLast(clientTls.newClientHandler(ch.alloc(), "127.0.0.1", port));
                        }
                        ch.pipeline().addLast(new FrameEncoder(FrameLimits.RELAY, FrameEncoder.NEVER_COMPRESS),
                                RelayFrameCodec.INSTANCE);
                    }
                }).connect("127.0.0.1", port).sync().channel();
        try {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl != null) {
                assertThat(ssl.handshakeFuture().await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(ssl.handshakeFuture().isSuccess()).isTrue();
            }
            byte[] payload = new byte[PAYLOAD_BYTES];
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            for (int i = 0; i < FRAMES; i++) {
                while (!channel.isWritable()) { // bounded: the benchmark thread waits, not an event loop
                    assertThat(System.nanoTime()).as("writable before the deadline").isLessThan(deadline);
                    Thread.onSpinWait();
                }
                RelayFrame frame = RelayFrame.data(new StreamData(1, PayloadKind.CALL, ByteBuffer.wrap(payload)));
                if (i % 64 == 63 || i == FRAMES - 1) {
                    channel.writeAndFlush(frame);
                } else {
                    channel.write(frame);
                }
            }
            assertThat(allArrived.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("every frame arrived").isTrue();
            return FRAMES / ((System.nanoTime() - started) / 1e9);
        } finally {
            channel.close().sync();
            listener.close().sync();
        }
    }

    private static String summary(String mode, List<Double> framesPerSecond) {
        List<Double> sorted = new ArrayList<>(framesPerSecond);
        Collections.sort(sorted);
        double mbPerFrame = PAYLOAD_BYTES / 1e6;
        return String.format(Locale.ROOT, "  %s: frames/s min %.0f, median %.0f, max %.0f (median %.1f MB/s of payload)",
                mode, sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1),
                sorted.get(sorted.size() / 2) * mbPerFrame);
    }
}
