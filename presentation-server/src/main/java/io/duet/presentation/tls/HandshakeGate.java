package io.duet.presentation.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the TLS handshakes in flight on a server, against the handshake storm of every client
 * reconnecting at once (after a deploy, or a load balancer's failover): a connection that finds {@link
 * Budget#max()} handshakes under way is closed before its ClientHello is read, which costs the server an
 * accept and the client a reconnect with backoff, instead of queueing CPU-bound work that would time out
 * anyway. A permit is held from the connection's start to its handshake's end (success, failure or
 * timeout) or its close. One per connection, after the {@code SslHandler}, whose completion event it
 * waits for.
 */
final class HandshakeGate extends ChannelInboundHandlerAdapter {
    private final Budget budget;
    private boolean holding;

    HandshakeGate(Budget budget) {
        this.budget = budget;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!budget.tryAcquire()) {
            ctx.close();
            return;
        }
        holding = true;
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent) {
            if (((SslHandshakeCompletionEvent) event).isSuccess()) {
                budget.completed.incrementAndGet();
            }
            release();
            ctx.pipeline().remove(this);
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }

    private void release() {
        if (holding) {
            holding = false;
            budget.release();
        }
    }

    /** The permits of one server, shared by its client ports; thread-safe. */
    static final class Budget {
        private final int max;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicLong refused = new AtomicLong();
        private final AtomicLong completed = new AtomicLong();

        Budget(int max) {
            this.max = max;
        }

        boolean tryAcquire() {
            while (true) {
                int now = inFlight.get();
                if (now >= max) {
                    refused.incrementAndGet();
                    return false;
                }
                if (inFlight.compareAndSet(now, now + 1)) {
                    return true;
                }
            }
        }

        void release() {
            inFlight.decrementAndGet();
        }

        int max() {
            return max;
        }

        int inFlight() {
            return inFlight.get();
        }

        /** Handshakes completed, since start. */
        long completed() {
            return completed.get();
        }

        /** Connections closed because the budget was spent, since start. */
        long refused() {
            return refused.get();
        }
    }
}
