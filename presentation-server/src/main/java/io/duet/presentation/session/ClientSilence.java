package io.duet.presentation.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * Notices a silent client, in two steps:
 * <ul>
 *   <li>once nothing has been read for {@code quietAfter} (the ping interval and a grace), fires a {@link
 *       ClientQuiet} event, and a {@link ClientQuiet#HEARD} once the client is heard from again: the session
 *       tells the application server, which no longer counts a quiet session as a connected device when it
 *       decides whether to push (a half-open connection would otherwise hold pushes back until the idle
 *       timeout);</li>
 *   <li>once nothing has been read for the idle timeout, fires {@link IdleStateEvent#FIRST_READER_IDLE_STATE_EVENT}
 *       (which {@link ClientErrorHandler} answers with IDLE_TIMEOUT), once.</li>
 * </ul>
 * This is Netty's {@code IdleStateHandler} for reads alone in a fraction of its memory, which every idle
 * session keeps: no write tracking, and one timer per connection, this handler itself, set again for what
 * is left of the next step each time it fires. On the connection's event loop only.
 */
final class ClientSilence extends ChannelInboundHandlerAdapter implements Runnable {
    private final long timeoutNanos;
    private final long quietNanos;
    private ChannelHandlerContext ctx;
    private Ticker ticker;
    /** When the last read ended; valid once started. */
    private long lastReadNanos;
    /** A read is under way: the client is not silent, whatever the clock says. */
    private boolean reading;
    /** {@link ClientQuiet} was fired and the client has not been heard from since. */
    private boolean quiet;
    private ScheduledFuture<?> timer;
    /** Started, and not yet stopped nor fired. */
    private boolean watching;

    /** Silence for the idle timeout only, never quiet first. */
    ClientSilence(long timeout, TimeUnit unit) {
        this(timeout, timeout, unit);
    }

    /** @param quietAfter silence before {@link ClientQuiet}; from {@code timeout} on, none is fired */
    ClientSilence(long timeout, long quietAfter, TimeUnit unit) {
        if (timeout <= 0 || quietAfter <= 0) {
            throw new IllegalArgumentException("timeout: " + timeout + ", quietAfter: " + quietAfter
                    + " (expected: > 0)");
        }
        this.timeoutNanos = unit.toNanos(timeout);
        this.quietNanos = Math.min(timeoutNanos, unit.toNanos(quietAfter));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        EventExecutor executor = ctx.executor();
        ticker = executor instanceof AbstractScheduledEventExecutor
                ? ((AbstractScheduledEventExecutor) executor).ticker() : Ticker.systemTicker();
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    private void start() {
        if (watching || timer != null) {
            return;
        }
        watching = true;
        lastReadNanos = ticker.nanoTime();
        timer = ctx.executor().schedule(this, nextStepNanos(), TimeUnit.NANOSECONDS);
    }

    /** Silence, from the last read, after which the next step is due. */
    private long nextStepNanos() {
        return quiet || quietNanos >= timeoutNanos ? timeoutNanos : quietNanos;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (reading) {
            lastReadNanos = ticker.nanoTime();
            reading = false;
            if (quiet && watching) {
                quiet = false;
                // The timer waits for the idle timeout: bring it forward to the quiet step.
                if (timer != null) {
                    timer.cancel(false);
                }
                timer = ctx.executor().schedule(this, quietNanos, TimeUnit.NANOSECONDS);
                ctx.fireUserEventTriggered(ClientQuiet.HEARD);
            }
        }
        ctx.fireChannelReadComplete();
    }

    /** The timer: takes the step that is due, if the client has been silent long enough, and waits for the next. */
    @Override
    public void run() {
        timer = null;
        if (!watching || !ctx.channel().isOpen()) {
            return;
        }
        long silent = reading ? 0 : ticker.nanoTime() - lastReadNanos;
        if (!quiet && quietNanos < timeoutNanos && silent >= quietNanos) {
            quiet = true;
            timer = ctx.executor().schedule(this, timeoutNanos - silent, TimeUnit.NANOSECONDS);
            ctx.fireUserEventTriggered(new ClientQuiet(TimeUnit.NANOSECONDS.toMillis(silent)));
            return;
        }
        long left = nextStepNanos() - silent;
        if (left > 0) {
            timer = ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        watching = false;
        ctx.fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        watching = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
