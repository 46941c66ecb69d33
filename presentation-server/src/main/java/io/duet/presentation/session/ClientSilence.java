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
 * Notices a silent client: once nothing has been read from the connection for the idle timeout, fires
 * {@link IdleStateEvent#FIRST_READER_IDLE_STATE_EVENT} (which {@link ClientErrorHandler} answers with
 * IDLE_TIMEOUT), once. This is Netty's {@code IdleStateHandler} for reads alone in a fraction of its memory,
 * which every idle session keeps: no write tracking, and one timer per connection, this handler itself, set
 * again for what is left of the timeout each time it fires. On the connection's event loop only.
 */
final class ClientSilence extends ChannelInboundHandlerAdapter implements Runnable {
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private Ticker ticker;
    /** When the last read ended; valid once started. */
    private long lastReadNanos;
    /** A read is under way: the client is not silent, whatever the clock says. */
    private boolean reading;
    private ScheduledFuture<?> timer;
    /** Started, and not yet stopped nor fired. */
    private boolean watching;

    ClientSilence(long timeout, TimeUnit unit) {
        if (timeout <= 0) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.timeoutNanos = unit.toNanos(timeout);
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
        timer = ctx.executor().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
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
        }
        ctx.fireChannelReadComplete();
    }

    /** The timer: fires the event if the client has been silent for the whole timeout, else waits the rest. */
    @Override
    public void run() {
        timer = null;
        if (!watching || !ctx.channel().isOpen()) {
            return;
        }
        long left = reading ? timeoutNanos : timeoutNanos - (ticker.nanoTime() - lastReadNanos);
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
