package io.duet.process.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The pipeline of an admin connection: an HTTP codec with small limits, an idle timeout, an aggregator
 * that refuses bodies (these are GETs and a bodiless POST) over {@value #MAX_REQUEST_BODY_BYTES} bytes, and {@link
 * AdminHandler}.
 */
final class AdminServerInitializer extends ChannelInitializer<Channel> {
    /** Longest request line: a path and a short query. */
    static final int MAX_INITIAL_LINE_BYTES = 1024;
    /** Most bytes of headers: what curl, Prometheus and load balancers send, with room to spare. */
    static final int MAX_HEADER_BYTES = 4096;
    /** Largest request body; over it the aggregator answers 413 and closes. */
    static final int MAX_REQUEST_BODY_BYTES = 4096;

    private final ReadinessCheck readiness;
    private final PrometheusMeterRegistry metrics;
    private final Duration idleTimeout;
    private final DrainControl drain;
    private final Supplier<StatusSource> status;

    AdminServerInitializer(ReadinessCheck readiness, PrometheusMeterRegistry metrics, Duration idleTimeout) {
        this(readiness, metrics, idleTimeout, null, () -> StatusSource.NONE);
    }

    /**
     * @param drain null on a server that cannot drain
     * @param status what the status page shows, read for every request
     */
    AdminServerInitializer(ReadinessCheck readiness, PrometheusMeterRegistry metrics, Duration idleTimeout,
            DrainControl drain, Supplier<StatusSource> status) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.idleTimeout = idleTimeout;
        this.drain = drain;
        this.status = status;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setMaxChunkSize(MAX_REQUEST_BODY_BYTES)));
        pipeline.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        pipeline.addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BODY_BYTES, true));
        pipeline.addLast("status", new StatusHandler(readiness, drain, status, Clock.systemUTC()));
        pipeline.addLast("admin", new AdminHandler(readiness, metrics, drain));
    }
}
