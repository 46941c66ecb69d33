package io.duet.bench;

import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bin/duet-handshakes}: TLS handshakes per second on one presentation server's client TCP port
 * ({@code client.tls.enabled}), full and resumed, beside the baseline of plain TCP connections to the same
 * port (connect and close: what every connection costs without TLS). Closed loop: {@code --concurrency}
 * connections at a time, each made, used and closed, then made again, for {@code --duration} seconds per
 * mode, {@code --runs} times; prints min / median / max of each mode, and with {@code --local} the
 * presentation server's CPU per connection, read from {@code /proc}.
 *
 * <p>A TLS connection handshakes, then sends an AUTH frame with a bad token and waits for the server's
 * answer (an ERROR frame) before it closes: the session ticket comes before that answer, so that the next
 * resumed connection has one. Full handshakes are made without naming the endpoint (nothing to resume);
 * resumed ones name it, as the SDK does (each of the {@code --concurrency} loops its own name, since a TLS 1.3
 * ticket is used once), and are checked: the server's handshake flight of a resumed session carries no
 * certificate, so it is under half the size of a full one's.
 * The client side is the JDK's TLS, as the SDK's (Netty's BoringSSL client, cheaper, did not resume TLS 1.3
 * sessions in a trial), so the client takes much of the box's CPU: read the server's CPU per connection.
 */
public final class HandshakeBenchmark {
    enum Mode { TCP, FULL, RESUMED }

    private static final byte[] BAD_AUTH = ThriftCodec.INTERNAL.encode(
            new AuthRequest("not-a-token", commonConstants.API_VERSION).setClientVersion("duet-handshakes"));

    private final InetSocketAddress target;
    private final SslContext tls;
    private final EventLoopGroup group;
    private final ProcessCpu cpu;
    private final String cpuNode;
    /** The size of the server's flight in the last full handshake; written and read on the client's loop. */
    private long fullFlightBytes;

    private HandshakeBenchmark(InetSocketAddress target, SslContext tls, EventLoopGroup group, ProcessCpu cpu,
            String cpuNode) {
        this.target = target;
        this.tls = tls;
        this.group = group;
        this.cpu = cpu;
        this.cpuNode = cpuNode;
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** What {@code main} does, printing to {@code out} and {@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        try {
            BenchOptions options = BenchOptions.parse(args,
                    List.of("--local", "--target", "--ca", "--runs", "--concurrency", "--duration", "--warm-up"), List.of());
            if (options.help()) {
                usage(out);
                return 0;
            }
            Path local = options.path("--local", null);
            String targetArg = options.string("--target", null);
            Path ca = options.path("--ca", null);
            int runs = options.integer("--runs", 3);
            int concurrency = options.integer("--concurrency", 16);
            Duration duration = options.seconds("--duration", Duration.ofSeconds(10));
            Duration warmUp = options.seconds("--warm-up", Duration.ofSeconds(5));
            InetSocketAddress target;
            if (local != null) {
                target = new InetSocketAddress("127.0.0.1", Integer.parseInt(
                        BenchMains.localClusterConf(local, "presentation-1.properties").getProperty("client.tcp.port")));
                ca = ca != null ? ca : local.resolve("tls/ca.pem");
            } else if (targetArg != null && ca != null) {
                int colon = targetArg.lastIndexOf(':');
                target = new InetSocketAddress(targetArg.substring(0, colon), Integer.parseInt(targetArg.substring(colon + 1)));
            } else {
                throw new IllegalArgumentException("give --local DIR, or --target HOST:PORT and --ca FILE");
            }
            if (runs < 1 || concurrency < 1) {
                throw new IllegalArgumentException("--runs and --concurrency: at least 1");
            }
            // Full handshakes name no endpoint, so the name is not checked (the chain is).
            // The JDK's TLS, as the SDK: Netty's BoringSSL client did not resume TLS 1.3 sessions here.
            SslContext tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3").trustManager(ca.toFile()).endpointIdentificationAlgorithm(null).build();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("duet-handshakes", true),
                    NioIoHandler.newFactory());
            try {
                ProcessCpu cpu = local != null ? ProcessCpu.ofCluster(local) : null;
                HandshakeBenchmark benchmark = new HandshakeBenchmark(target, tls, group, cpu, "presentation-1");
                return benchmark.measure(runs, concurrency, warmUp, duration, out);
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        } catch (IllegalArgumentException e) {
            err.println("duet-handshakes: " + e.getMessage());
            usage(err);
            return 2;
        }
    }

    private int measure(int runs, int concurrency, Duration warmUp, Duration duration, PrintStream out)
            throws Exception {
        out.printf(Locale.ROOT, "TLS handshakes on %s (client %s, TLSv1.3), %d at a time, %d s per mode, %d runs%n",
                target, "JDK", concurrency, duration.toSeconds(), runs);
        for (Mode mode : Mode.values()) {
            loop(mode, concurrency, warmUp);
        }
        Map<Mode, List<Double>> rates = new EnumMap<>(Mode.class);
        Map<Mode, List<Double>> cpuMicros = new EnumMap<>(Mode.class);
        long failures = 0;
        for (int run = 1; run <= runs; run++) {
            StringBuilder line = new StringBuilder("run " + run + ":");
            for (Mode mode : Mode.values()) {
                Long cpuBefore = serverCpuMicros();
                Result result = loop(mode, concurrency, duration);
                Long cpuAfter = serverCpuMicros();
                failures += result.failed;
                double rate = result.completed / result.seconds;
                rates.computeIfAbsent(mode, m -> new ArrayList<>()).add(rate);
                line.append(String.format(Locale.ROOT, "  %s %,.0f/s", label(mode), rate));
                if (cpuBefore != null && cpuAfter != null && result.completed > 0) {
                    double micros = (double) (cpuAfter - cpuBefore) / result.completed;
                    cpuMicros.computeIfAbsent(mode, m -> new ArrayList<>()).add(micros);
                    line.append(String.format(Locale.ROOT, " (server %,.0f µs CPU each)", micros));
                }
                if (mode == Mode.RESUMED && result.notResumed > 0) {
                    line.append(" NOT RESUMED: ").append(result.notResumed);
                    failures += result.notResumed;
                }
            }
            out.println(line);
        }
        double tcp = BenchMains.minMedianMax(rates.get(Mode.TCP))[1];
        for (Mode mode : Mode.values()) {
            double[] rate = BenchMains.minMedianMax(rates.get(mode));
            out.printf(Locale.ROOT, "%-26s min %,8.0f  median %,8.0f  max %,8.0f   (%.2fx TCP)%n",
                    label(mode) + " per second", rate[0], rate[1], rate[2], rate[1] / tcp);
        }
        for (Mode mode : Mode.values()) {
            List<Double> values = cpuMicros.get(mode);
            if (values != null) {
                double[] cpu = BenchMains.minMedianMax(values);
                out.printf(Locale.ROOT, "%-26s min %,8.0f  median %,8.0f  max %,8.0f%n",
                        "server µs CPU per " + label(mode), cpu[0], cpu[1], cpu[2]);
            }
        }
        if (failures > 0) {
            out.println("failed or not resumed: " + failures);
        }
        return failures == 0 ? 0 : 1;
    }

    private static String label(Mode mode) {
        switch (mode) {
            case TCP:
                return "TCP connects";
            case FULL:
                return "full handshakes";
            default:
                return "resumed handshakes";
        }
    }

    private Long serverCpuMicros() {
        return cpu == null ? null : cpu.sample().get(cpuNode);
    }

    private static final class Result {
        long completed;
        long failed;
        long notResumed;
        double seconds;
    }

    /** {@code concurrency} loops of connections in {@code mode} for {@code duration}; on the group's loop. */
    private Result loop(Mode mode, int concurrency, Duration duration) throws InterruptedException {
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong notResumed = new AtomicLong();
        if (mode == Mode.RESUMED) {
            // One full handshake per loop first, so that each has a ticket to resume.
            for (int i = 0; i < concurrency; i++) {
                connection(mode, i, completed, failed, notResumed).channel().closeFuture().await(10, TimeUnit.SECONDS);
            }
            completed.set(0);
            notResumed.set(0);
        }
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            next(mode, i, end, done, completed, failed, notResumed);
        }
        if (!done.await(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(mode + ": connections still open 30 s after the end");
        }
        Result result = new Result();
        result.completed = completed.get();
        result.failed = failed.get();
        result.notResumed = notResumed.get();
        result.seconds = (System.nanoTime() - start) / 1e9;
        return result;
    }

    private void next(Mode mode, int loop, long end, CountDownLatch done, AtomicLong completed,
            AtomicLong failed, AtomicLong notResumed) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        connection(mode, loop, completed, failed, notResumed).channel().closeFuture()
                .addListener(closed -> next(mode, loop, end, done, completed, failed, notResumed));
    }

    /**
     * One connection in {@code mode}, of loop {@code loop}: it counts itself and closes when done. A full
     * handshake records the size of the server's flight, against which resumed ones are checked.
     */
    private ChannelFuture connection(Mode mode, int loop, AtomicLong completed, AtomicLong failed,
            AtomicLong notResumed) {
        InboundBytes handshakeBytes = new InboundBytes();
        ChannelFuture connect = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (mode == Mode.TCP) {
                            return;
                        }
                        // The session cache's key: the host, and the loop in place of the port (never dialled).
                        SslHandler handler = mode == Mode.RESUMED
                                ? tls.newHandler(ch.alloc(), target.getHostString(), 1 + loop)
                                : tls.newHandler(ch.alloc());
                        handler.setHandshakeTimeoutMillis(10_000);
                        ch.pipeline().addLast(handshakeBytes, handler,
                                new FrameEncoder(FrameLimits.CLIENT_TO_SERVER, FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD),
                                new ChannelInboundHandlerAdapter() {
                                    private boolean answered;

                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                        if (event instanceof SslHandshakeCompletionEvent) {
                                            if (((SslHandshakeCompletionEvent) event).isSuccess()) {
                                                long bytes = handshakeBytes.bytes;
                                                ctx.pipeline().remove(handshakeBytes);
                                                if (mode == Mode.FULL) {
                                                    fullFlightBytes = bytes;
                                                } else if (bytes * 2 >= fullFlightBytes) {
                                                    notResumed.incrementAndGet();
                                                }
                                                ctx.writeAndFlush(Frame.of(FrameType.AUTH, BAD_AUTH));
                                            } else {
                                                failed.incrementAndGet();
                                                ctx.close();
                                            }
                                        }
                                    }

                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ReferenceCountUtil.release(msg);
                                        if (!answered) {
                                            answered = true;
                                            completed.incrementAndGet();
                                            ctx.close();
                                        }
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                })
                .connect(target);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                failed.incrementAndGet();
            } else if (mode == Mode.TCP) {
                completed.incrementAndGet();
                connect.channel().close();
            }
        });
        return connect;
    }

    /** Bytes from the server until the handshake is done; before the TLS handler. */
    private static final class InboundBytes extends ChannelInboundHandlerAdapter {
        long bytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytes += ((ByteBuf) msg).readableBytes();
            ctx.fireChannelRead(msg);
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: bin/duet-handshakes (--local DIR | --target HOST:PORT --ca FILE) [--runs N]");
        out.println("                           [--concurrency N] [--warm-up S] [--duration S]");
        out.println("Full and resumed TLS handshakes per second on one presentation server's client TCP port");
        out.println("(client.tls.enabled; bin/local-cluster --client-tls), beside plain TCP connects.");
        out.println("--local: presentation-1 of that local cluster, its CA, and its CPU from /proc.");
        out.println("Defaults: 3 runs, 16 at a time, 5 s warm-up per mode, 10 s per mode and run.");
    }
}
