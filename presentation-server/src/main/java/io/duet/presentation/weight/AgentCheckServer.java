package io.duet.presentation.weight;

import io.duet.process.AcceptErrorHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent-check listener HAProxy polls ({@code agent-check agent-port N}): each connection gets the
 * server's weight line ({@link AgentCheckHandler}) and is closed. It runs on one event loop of its own,
 * like the admin port, so that probes never take a turn from client traffic.
 */
public final class AgentCheckServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentCheckServer.class);

    private enum State { NEW, RUNNING, CLOSED }

    private final WeightSettings settings;
    private final AgentCheckHandler handler;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private EventLoopGroup group;
    private Channel listener;

    /** @param reply the line to send; called on the listener's event loop, so it must not block */
    public AgentCheckServer(WeightSettings settings, Supplier<String> reply) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = new AgentCheckHandler(Objects.requireNonNull(reply, "reply"));
    }

    /** Binds {@code agent.host}:{@code agent.port}; once. */
    public void start() throws InterruptedException {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("start() may be called once; state is " + state.get());
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("duet-agent", true),
                NioIoHandler.newFactory());
        try {
            listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 64)
                    .handler(new AcceptErrorHandler("agent check"))
                    .childHandler(handler)
                    .bind(new InetSocketAddress(settings.agentHost, settings.agentPort))
                    .sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        LOG.info("Agent check on {}: {}", listener.localAddress(), settings);
    }

    /** The address bound; only after {@link #start()}. */
    public InetSocketAddress address() {
        if (listener == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) listener.localAddress();
    }

    /** What the ready file says of this listener: {@code agent.host} and {@code agent.port}, as bound. */
    public Map<String, String> readyInfo() {
        InetSocketAddress address = address();
        return Map.of(WeightSettings.AGENT_HOST_KEY, address.getHostString(),
                WeightSettings.AGENT_PORT_KEY, Integer.toString(address.getPort()));
    }

    /** Closes the listener and its event loop. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.RUNNING) {
            return;
        }
        if (listener != null) {
            listener.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
