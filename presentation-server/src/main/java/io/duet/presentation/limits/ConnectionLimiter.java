package io.duet.presentation.limits;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps client connections, per source address and in all ({@link ConnectionLimits}). It sits in the
 * pipeline of each listening channel ({@code ServerBootstrap.handler}), where every accepted connection
 * passes before it gets a pipeline of its own: one over a cap is closed at once, before it is
 * registered or read, and counted; the others are counted until they close. Connections already open
 * are never touched. One instance serves all of a server's client listeners, so the caps are for the
 * process; thread-safe (accepts run on the listeners' event loops, closes on the connections').
 *
 * <p>Per-address counts exist only for addresses with open connections, so their number is bounded by
 * the global cap.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);
    /** At most one log line about refused connections in this interval. */
    static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    private final ConnectionLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final LongAdder refusedGlobal = new LongAdder();
    private final LongAdder refusedPerAddress = new LongAdder();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_INTERVAL.toNanos());

    public ConnectionLimiter(ConnectionLimits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Channel child = (Channel) msg;
        InetAddress address = addressOf(child.remoteAddress());
        boolean exempt = address == null || limits.exemptAddresses().contains(address);
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            refuse(child, refusedGlobal, "the server has " + limits.maxConnections() + " connections");
            return;
        }
        if (!exempt && perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet()
                > limits.maxPerAddress()) {
            release(address);
            open.decrementAndGet();
            refuse(child, refusedPerAddress, address.getHostAddress() + " has " + limits.maxPerAddress()
                    + " connections");
            return;
        }
        child.closeFuture().addListener(closed -> {
            if (!exempt) {
                release(address);
            }
            open.decrementAndGet();
        });
        ctx.fireChannelRead(child);
    }

    private void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    private void refuse(Channel child, LongAdder counter, String why) {
        counter.increment();
        // Not registered with an event loop yet: close the socket directly, as Netty does on a failed registration.
        child.unsafe().closeForcibly();
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= LOG_INTERVAL.toNanos() && lastLogged.compareAndSet(last, now)) {
            LOG.warn("Refusing new client connections: {} ({} refused so far at the global cap, {} at the"
                    + " per-address cap); open connections are served", why, refusedGlobal.sum(),
                    refusedPerAddress.sum());
        }
    }

    private static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getAddress() : null;
    }

    /** Client connections open now (as counted here). */
    public int openConnections() {
        return open.get();
    }

    /** Connections refused since start because the server was at its global cap. */
    public long refusedAtGlobalCap() {
        return refusedGlobal.sum();
    }

    /** Connections refused since start because their address was at its cap. */
    public long refusedAtAddressCap() {
        return refusedPerAddress.sum();
    }

    /** Addresses with open connections counted now. */
    int trackedAddresses() {
        return perAddress.size();
    }
}
