package io.duet.client.internal;

import io.duet.client.TlsHandshakes;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;

/**
 * Counts a session's TLS handshakes, full and resumed. A resumed session keeps the creation time of the
 * one it resumes, so a session created before this connection began was resumed. One per connection,
 * after the TLS handler; the counts are the session's, thread-safe.
 */
final class TlsHandshakeCounter extends ChannelInboundHandlerAdapter {
    private final Counts counts;
    private final long startedMillis = System.currentTimeMillis();

    TlsHandshakeCounter(Counts counts) {
        this.counts = counts;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) event).isSuccess()) {
            SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            (session.getCreationTime() < startedMillis ? counts.resumed : counts.full).incrementAndGet();
            ctx.pipeline().remove(this);
        }
        super.userEventTriggered(ctx, event);
    }

    /** One session's counts, across its connections. */
    static final class Counts {
        private final AtomicLong full = new AtomicLong();
        private final AtomicLong resumed = new AtomicLong();

        TlsHandshakes snapshot() {
            return new TlsHandshakes(full.get(), resumed.get());
        }
    }
}
