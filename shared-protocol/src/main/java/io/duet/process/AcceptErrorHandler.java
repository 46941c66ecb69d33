package io.duet.process;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a listening channel ({@code ServerBootstrap.handler}) that keeps a server up when it
 * cannot accept connections, most often because the process has run out of file descriptors ("Too many
 * open files"). The pending connection stays in the kernel's queue, so accepting again at once would fail
 * again at once: it stops accepting for {@link #DEFAULT_PAUSE} (existing connections are served all the
 * while), then tries again, so the server takes new clients as soon as descriptors are free. It logs the
 * failure at most once per {@link #LOG_INTERVAL}, with the number of failures since the last line.
 *
 * <p>It takes the place of Netty's own reaction (a one-second pause, and a warning with a stack trace
 * from the end of the pipeline on every failure). One instance per listening channel; it runs on that
 * channel's event loop only.
 */
public final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {
    /** How long a listener stops accepting after a failure. */
    public static final Duration DEFAULT_PAUSE = Duration.ofMillis(500);
    /** At most one log line per listener in this interval. */
    public static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(AcceptErrorHandler.class);

    private final String listener;
    private final Duration pause;
    private long failures;
    private long lastLogged;
    private boolean loggedOnce;

    /** {@code listener} names the listener in the log, such as {@code "client TCP"}. */
    public AcceptErrorHandler(String listener) {
        this(listener, DEFAULT_PAUSE);
    }

    public AcceptErrorHandler(String listener, Duration pause) {
        if (pause.isNegative() || pause.isZero()) {
            throw new IllegalArgumentException("pause: " + pause + " (expected: > 0)");
        }
        this.listener = listener;
        this.pause = pause;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel channel = ctx.channel();
        if (channel.config().isAutoRead()) {
            channel.config().setAutoRead(false);
            Runnable resume = () -> channel.config().setAutoRead(true);
            ctx.executor().schedule(resume, pause.toMillis(), TimeUnit.MILLISECONDS);
        }
        failures++;
        long now = System.nanoTime();
        if (!loggedOnce || now - lastLogged >= LOG_INTERVAL.toNanos()) {
            LOG.warn("{} listener {} cannot accept connections ({} failures since the last report): {};"
                    + " pausing accepts for {} ms, serving existing connections", listener, channel.localAddress(),
                    failures, cause.toString(), pause.toMillis());
            failures = 0;
            lastLogged = now;
            loggedOnce = true;
        }
        // Not passed on: the failure is handled here (see the class comment).
    }
}
