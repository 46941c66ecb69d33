package io.duet.process.admin;

import io.duet.process.AcceptErrorHandler;
import io.duet.process.metrics.CloudWatchExport;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's admin port: {@code /live}, {@code /ready} and {@code /metrics} over HTTP, and {@code /drain}
 * on a server that can drain (see {@link AdminHandler}), and the operators' status page {@code /status}
 * with its {@code /status.json} (see {@link StatusHandler}, fed by {@link #statusFrom}), on one event loop of its own, so that a slow scraper or a flood of probes never
 * takes a turn from client or relay traffic.
 *
 * <p>It owns the server's meter registry ({@link #metrics()}), with the JVM's meters already bound
 * (memory, garbage collection, threads, class loading, uptime) and Netty's buffer memory (the default
 * allocator's, and the pooled allocator's arenas); the server binds its own as it builds the parts they
 * read. The registry is the Prometheus one that {@code /metrics} serves, or, when the settings export to
 * CloudWatch ({@link io.duet.process.metrics.MetricsSettings}), a composite of it and CloudWatch's. A server starts its admin port first, so that {@code /live} answers and {@code
 * /ready} says "starting" while it starts, and closes it last.
 *
 * <pre>{@code
 * AdminServer admin = new AdminServer(AdminSettings.from(settings), this::whyNotReady);
 * admin.start();
 * FunctionCounter.builder("duet.messages.committed", store, CoupleStore::messagesCommitted).register(admin.metrics());
 * ...
 * admin.close();
 * }</pre>
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private enum State { NEW, RUNNING, CLOSED }

    private final AdminSettings settings;
    private final ReadinessCheck readiness;
    private final DrainControl drain;
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Empty unless the settings export to CloudWatch. */
    private final Optional<CloudWatchExport> cloudWatch;
    /** {@link #prometheus}, or a composite of it and CloudWatch's. */
    private final MeterRegistry registry;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private volatile StatusSource status = StatusSource.NONE;
    private EventLoopGroup group;
    private Channel listener;

    public AdminServer(AdminSettings settings, ReadinessCheck readiness) {
        this(settings, readiness, null);
    }

    /** An admin port that also serves {@code POST /drain} and {@code GET /drain}; {@code drain} null: it does not. */
    public AdminServer(AdminSettings settings, ReadinessCheck readiness, DrainControl drain) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.readiness = Objects.requireNonNull(readiness, "readiness");
        this.drain = drain;
        this.cloudWatch = CloudWatchExport.start(settings.metrics);
        this.registry = cloudWatch.<MeterRegistry>map(export -> new CompositeMeterRegistry(
                Clock.SYSTEM, List.of(prometheus, export.registry())))
                .orElse(prometheus);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        bindNettyMemory(registry);
        // Here, not on the event loop: the page's class hashes its script and style when it loads.
        Objects.requireNonNull(StatusHtml.CONTENT_SECURITY_POLICY);
        // Not ProcessorMetrics: in a container it reads cgroup files on every scrape, on the event loop.
    }

    /** The default allocator's memory and, if that is another, the pooled allocator's (arenas, caches). */
    private static void bindNettyMemory(MeterRegistry registry) {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider) {
            new NettyAllocatorMetrics((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).bindTo(registry);
        }
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT) {
            new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        }
    }

    /** Where the server registers its meters; thread-safe. */
    public MeterRegistry metrics() {
        return registry;
    }

    /**
     * What {@code /status} and {@code /status.json} show besides readiness and drain; until it is set (a
     * server sets it once it can read its cluster) they show only those. May be called at any time.
     */
    public void statusFrom(StatusSource source) {
        this.status = Objects.requireNonNull(source, "source");
    }

    /** Binds the port; once. */
    public void start() throws InterruptedException {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("start() may be called once; state is " + state.get());
        }
        // Netty's thread factory: its threads are known to be event loops (and checked as such by BlockHound).
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("duet-admin", true),
                NioIoHandler.newFactory());
        try {
            listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 64)
                    .handler(new AcceptErrorHandler("admin"))
                    .childHandler(new AdminServerInitializer(readiness, prometheus, settings.idleTimeout, drain,
                            () -> status))
                    .bind(new InetSocketAddress(settings.host, settings.port))
                    .sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        LOG.info("Admin port on {}: /live, /ready, /metrics, /status{}", listener.localAddress(), drain == null ? "" : ", /drain");
    }

    /** The address bound; only after {@link #start()}. */
    public InetSocketAddress address() {
        if (listener == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) listener.localAddress();
    }

    /** What the ready file says of this port: {@code admin.host} and {@code admin.port}, as bound. */
    public Map<String, String> readyInfo() {
        InetSocketAddress address = address();
        return Map.of(AdminSettings.HOST_KEY, address.getHostString(),
                AdminSettings.PORT_KEY, Integer.toString(address.getPort()));
    }

    /**
     * Closes the port and its event loop, releases the JVM meters' listeners, and sends CloudWatch its
     * last step. Idempotent.
     */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        if (listener != null) {
            listener.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        gcMetrics.close();
        registry.close();
        prometheus.close();
        cloudWatch.ifPresent(CloudWatchExport::close);
    }
}
