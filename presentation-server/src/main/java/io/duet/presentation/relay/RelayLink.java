package io.duet.presentation.relay;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.frame.BatchedFlush;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.Hello;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.Ping;
import io.duet.protocol.relay.Pong;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayLinkFraming;
import io.duet.protocol.relay.StreamCredit;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.relayConstants;
import io.duet.security.RelayTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay connection to an application server, bound to one event loop: every method runs on that
 * loop, so the stream table needs no locks. Frames written before the connection is up are queued; if
 * it never comes up, or later dies, every stream's listener hears {@link CloseReason#SHUTTING_DOWN}.
 * Pings every few seconds keep the link provably alive; silence closes it. Credit for flow-controlled
 * session streams ({@code StreamCredit} in relay.thrift) is sent only to application servers whose
 * HELLO_ACK says they take it. When the connection's outbound buffer passes its high-water mark, and
 * again when it drains, every stream's listener hears it ({@link StreamListener#onWritabilityChanged}).
 * A refused connect, a link coming up and an established link dropping are told to {@link LinkEvents}.
 * A link to a server that left the cluster is {@linkplain #retire() retired}: it takes no new stream and
 * closes once the calls in flight on it are answered.
 */
public final class RelayLink extends SimpleChannelInboundHandler<RelayFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);
    static final int PING_INTERVAL_SECONDS = 3;
    static final int SILENCE_LIMIT_SECONDS = 15;
    /**
     * How long a {@linkplain #retire() retired} link stays open at most for the answers to its calls in
     * flight. A server handing its shards over turns calls away with the couple's new owner once it has unloaded
     * the couple, and answers those already running once their writes are done; it keeps its links until they
     * have gone quiet after that (200 ms, at most 2 s: {@code ApplicationServer.RELAY_QUIET} and {@code
     * RELAY_QUIET_WAIT}). One that is gone or paused does not answer: its calls end at this deadline as if its
     * link had dropped (they may have run).
     */
    static final long RETIRE_DEADLINE_MILLIS = 3_000;

    private final AppServerInfo server;
    private final EventLoop loop;
    private final String presentationId;
    private final UserEvents userEvents;
    private final RelayHealth health;
    private final LinkEvents events;
    private final Map<Long, Entry> streams = new HashMap<>();
    private final List<RelayFrame> pending = new ArrayList<>();
    private Channel channel;
    private BatchedFlush writes;
    private boolean active;
    /** The connection came up at some point: frames written since may have reached the application server. */
    private boolean everActive;
    private boolean closed;
    /** The server left the cluster: no new stream goes on this link, which closes with its last call. */
    private boolean retiring;
    /** HELLO_ACK came and the connection has not closed since; read off the loop by {@link #isUp()}. */
    private volatile boolean up;
    /** The application server said (in its HELLO_ACK) that it takes StreamCredit frames. */
    private boolean flowControl;
    private long nextStreamId = 1;
    private long pings;

    private RelayLink(AppServerInfo server, EventLoop loop, String presentationId, UserEvents userEvents,
            RelayHealth health, LinkEvents events) {
        this.server = server;
        this.events = events;
        this.loop = loop;
        this.presentationId = presentationId;
        this.userEvents = userEvents;
        this.health = health;
    }

    /** Starts connecting; must be called on {@code loop}. */
    static RelayLink connect(Bootstrap template, RelayTls tls, AppServerInfo server, EventLoop loop,
            String presentationId, UserEvents userEvents, RelayCallMeters meters, RelayHealth health,
            LinkEvents events) {
        RelayLink link = new RelayLink(server, loop, presentationId, userEvents, health, events);
        ChannelFuture connecting = template.clone(loop).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                RelayLinkFraming.addClientHandlers(ch, tls, server.getRelayEndpoint().getHost(),
                        server.getRelayEndpoint().getPort());
                ch.pipeline().addLast("callTimer", new RelayCallTimer(meters));
                ch.pipeline().addLast("idle", new IdleStateHandler(SILENCE_LIMIT_SECONDS, PING_INTERVAL_SECONDS, 0,
                        TimeUnit.SECONDS));
                ch.pipeline().addLast("link", link);
            }
        }).connect(server.getRelayEndpoint().getHost(), server.getRelayEndpoint().getPort());
        link.channel = connecting.channel();
        link.writes = new BatchedFlush(link.channel);
        connecting.addListener(result -> {
            if (!result.isSuccess()) {
                LOG.warn("Cannot connect to {} at {}: {}", server.getServerId(), server.getRelayEndpoint(),
                        result.cause().toString());
                link.failAll("cannot connect to " + server.getServerId());
                if (refused(result.cause())) {
                    events.refused(server);
                }
            }
        });
        return link;
    }

    public String serverId() {
        return server.getServerId();
    }

    AppServerInfo server() {
        return server;
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether the application server answered HELLO (TLS and version accepted) and the link is still open; any thread. */
    boolean isUp() {
        return up;
    }

    /** Opens a stream; {@code open}'s stream id is assigned here. */
    public RelayStream open(OpenStream open, StreamListener listener) {
        assert loop.inEventLoop();
        long streamId = nextStreamId++;
        RelayStream stream = new RelayStream(this, streamId);
        if (closed || retiring) { // retiring: defensive, AppLinks hands out no retired link
            stream.closedUnsent();
            String detail = "relay link to " + serverId() + (closed ? " is down" : " retired");
            loop.execute(() -> listener.onClosed(linkDown(streamId, detail)));
            return stream;
        }
        streams.put(streamId, new Entry(stream, listener, open.getKind() == StreamKind.REQUEST));
        write(RelayFrame.open(open.setStreamId(streamId)));
        return stream;
    }

    /** Frames written before the connection is up wait in a list: the link counts as writable then. */
    boolean isWritable() {
        return !active || channel.isWritable();
    }

    void write(RelayFrame frame) {
        if (active) {
            writes.write(frame);
        } else if (!closed) {
            pending.add(frame);
        }
    }

    /** Returns credit to a flow-controlled stream, if the application server takes credit at all. */
    void grant(long streamId, long bytes) {
        if (flowControl) {
            write(RelayFrame.credit(new StreamCredit(streamId, bytes)));
        }
    }

    /** Tells the application server, if it takes credit frames, that a session's client went quiet or spoke again. */
    void clientSilence(long streamId, long silentMillis) {
        if (flowControl) {
            write(RelayFrame.credit(new StreamCredit(streamId, 0).setClientSilentMillis(silentMillis)));
        }
    }

    void forget(long streamId) {
        streams.remove(streamId);
        closeIfRetiredAndIdle();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        active = true;
        everActive = true;
        ctx.write(RelayFrame.hello(new Hello(relayConstants.RELAY_VERSION, presentationId).setRevocations(true)), ctx.voidPromise());
        for (RelayFrame frame : pending) {
            ctx.write(frame, ctx.voidPromise());
        }
        pending.clear();
        ctx.flush();
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
        switch (frame.getSetField()) {
            case DATA: {
                Entry entry = streams.get(frame.getData().getStreamId());
                if (entry != null) {
                    if (entry.request && frame.getData().getKind() == PayloadKind.REPLY) {
                        // A request stream ends with its reply; the application server has forgotten it too.
                        streams.remove(frame.getData().getStreamId());
                        entry.stream.closedByServer();
                    }
                    entry.listener.onData(frame.getData());
                    closeIfRetiredAndIdle();
                }
                break;
            }
            case CLOSE: {
                Entry entry = streams.remove(frame.getClose().getStreamId());
                if (entry != null) {
                    entry.stream.closedByServer();
                    entry.listener.onClosed(frame.getClose());
                    closeIfRetiredAndIdle();
                }
                break;
            }
            case USER_PUSH:
                userEvents.deliver(frame.getUserPush().getUserIds(), frame.getUserPush().getEvent());
                break;
            case REVOCATION:
                userEvents.revoke(frame.getRevocation());
                break;
            case PING:
                ctx.writeAndFlush(RelayFrame.pong(new Pong(frame.getPing().getNonce())), ctx.voidPromise());
                break;
            case HELLO_ACK:
                flowControl = frame.getHelloAck().isFlowControl();
                up = true;
                events.up(server);
                LOG.info("Relay link to {} up ({})", frame.getHelloAck().getApplicationId(), ctx.channel().localAddress());
                break;
            case PONG:
                break;
            default:
                LOG.warn("Unexpected {} frame from {}", frame.getSetField(), serverId());
        }
    }

    /** Tells every stream's listener, so that sessions stop reading their clients while the link is backed up. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        for (Entry entry : new ArrayList<>(streams.values())) {
            entry.listener.onWritabilityChanged(writable);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (((IdleStateEvent) event).state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(RelayFrame.ping(new Ping(++pings)), ctx.voidPromise());
            } else if (((IdleStateEvent) event).state() == IdleState.READER_IDLE) {
                LOG.warn("Relay link to {} silent for {} s; closing it", serverId(), SILENCE_LIMIT_SECONDS);
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        boolean lost = up && !closed && !retiring; // a retired link is not reconnected
        failAll("relay link to " + serverId() + " lost");
        if (lost) {
            events.lost(server, loop);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("Relay link to {} failed: {}", serverId(), cause.toString());
        ctx.close();
    }

    /**
     * The server left the cluster (the shard map and its members no longer name it), or is named at another
     * endpoint, so that a new link replaces this one. Its sessions' streams are closed now, and hear
     * SHUTTING_DOWN so that they route again; no new stream goes on this link. The calls in flight on it keep
     * it open for their answers: closing it at once answered a call that the stopping server was about to turn
     * away to the couple's new owner with 503 (the call may have run, so it cannot be sent again). It closes
     * with its last call, or after {@link #RETIRE_DEADLINE_MILLIS} (its calls then hear that the link went
     * down).
     */
    void retire() {
        assert loop.inEventLoop();
        if (closed || retiring) {
            return;
        }
        if (!everActive) {
            close(); // nothing it holds was sent: its calls follow their couples at once
            return;
        }
        retiring = true;
        loop.schedule(this::close, RETIRE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        String detail = "relay link to " + serverId() + " retired";
        List<Long> sessions = new ArrayList<>();
        streams.forEach((streamId, entry) -> {
            if (!entry.request) {
                sessions.add(streamId);
            }
        });
        for (long streamId : sessions) {
            Entry session = streams.remove(streamId);
            if (session != null) { // not closed meanwhile by another session's listener
                session.stream.closedByServer();
                write(RelayFrame.close(new CloseStream(streamId, CloseReason.NORMAL)));
                session.listener.onClosed(linkDown(streamId, detail));
            }
        }
        closeIfRetiredAndIdle();
    }

    private void closeIfRetiredAndIdle() {
        if (retiring && !closed && streams.isEmpty()) {
            close();
        }
    }

    /** Closes the connection; its streams hear that the link went down. */
    void close() {
        if (channel != null) {
            channel.close();
        }
        failAll("relay link to " + serverId() + " closed");
    }

    private void failAll(String detail) {
        if (closed) {
            return;
        }
        closed = true;
        active = false;
        if (up) {
            up = false;
            health.linkLost();
        }
        pending.clear();
        List<Map.Entry<Long, Entry>> orphans = new ArrayList<>(streams.entrySet());
        streams.clear();
        for (Map.Entry<Long, Entry> orphan : orphans) {
            if (everActive) {
                orphan.getValue().stream.closedByServer();
            } else {
                orphan.getValue().stream.closedUnsent();
            }
            orphan.getValue().listener.onClosed(linkDown(orphan.getKey(), detail));
        }
    }

    /**
     * Whether a failed connect was refused by the peer's host (nothing listens on the port: the process is
     * gone), as opposed to timing out or failing on the way, which says nothing about the process.
     */
    static boolean refused(Throwable cause) {
        return cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException)
                && cause.getMessage() != null && cause.getMessage().contains("Connection refused");
    }

    private static CloseStream linkDown(long streamId, String detail) {
        return new CloseStream(streamId, CloseReason.SHUTTING_DOWN).setDetail(detail);
    }

    private static final class Entry {
        final RelayStream stream;
        final StreamListener listener;
        final boolean request;

        Entry(RelayStream stream, StreamListener listener, boolean request) {
            this.stream = stream;
            this.listener = listener;
            this.request = request;
        }
    }
}
