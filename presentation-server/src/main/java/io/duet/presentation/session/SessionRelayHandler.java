package io.duet.presentation.session;

import io.duet.presentation.proxy.ProxyProtocol;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.relay.RelayStream;
import io.duet.presentation.relay.StreamListener;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.api.NoticeKind;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.SessionNotice;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.frame.BatchedFlush;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.Revocation;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authenticated client session: relays its CALL frames, unparsed, over one SESSION stream to the
 * application server that owns the couple, and writes back what comes the other way.
 *
 * <p>When the stream ends because the couple moved (a shard changed owner, the owner shut down or its
 * link died), the session is routed again, with backoff and jitter, and the client stays connected: it
 * gets a {@code SESSION_MOVED} notice and resubscribes from its last sequence number. Calls sent while
 * no stream is open wait in a bounded queue. Everything here runs on the channel's event loop, which is
 * also the loop of the relay link the stream uses.
 *
 * <p>The stream is flow-controlled: the application server replays missed messages only as fast as the
 * client takes them, {@link EventCredit} returning credit as events are written to the client. Live
 * events are not held back, so a client that stops reading is still cut off with SLOW_CONSUMER: here,
 * when more than {@code maxPendingWriteBytes} wait for it, or by the application server, when its replay
 * gets no credit back for a minute.
 *
 * <p>Calls are backpressured ({@link ClientReads}): the client's socket is not read while
 * {@code maxCallsInFlight} calls wait for their replies, or while the stream's relay link is backed up;
 * at most {@code maxCallsInFlight} go to the application server at a time, the rest (decoded from
 * bytes read before reading stopped) wait in the queue, and a client that overflows that queue too is
 * closed with UNAVAILABLE.
 *
 * <p>A client silent for longer than its ping interval and a grace goes quiet ({@link ClientQuiet}): the
 * application server is told, and does not count the session as a connected device for pushes until the
 * client is heard from again.
 *
 * <p>When the server drains, the client is asked to reconnect through the endpoint (a {@code RECONNECT}
 * notice, at the moment the drain's schedule gives this session) and is served as usual until it goes.
 */
final class SessionRelayHandler extends SimpleChannelInboundHandler<Frame> implements RegisteredSession {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRelayHandler.class);
    private static final long FIRST_RETRY_MILLIS = 50;
    private static final long MAX_RETRY_MILLIS = 2000;
    /** How long a session waits for a shard map newer than this server's before routing by its own. */
    private static final long MAP_WAIT_MILLIS = 1000;

    private final Principal principal;
    private final RoutingTable routing;
    private final AppLinks links;
    private final SessionRegistry registry;
    private final SessionSettings settings;
    /** Small at first (the default's 16 slots, kept by every idle session, are memory per session); it grows. */
    private final ArrayDeque<byte[]> queuedCalls = new ArrayDeque<>(1);
    private ChannelHandlerContext ctx;
    private BatchedFlush writes;
    private ClientReads reads;
    private RelayStream stream;
    /** The handle of {@link #stream}. */
    private StreamHandle handle;
    private EventCredit credit;
    private boolean everOpened;
    private int attempts;
    private long reroutingSinceNanos;
    private ScheduledFuture<?> retry;
    private boolean closed;
    /** Whether this server, draining, has asked the client to reconnect elsewhere. */
    private boolean askedToReconnect;
    /** The client went quiet ({@link ClientQuiet}) and has not been heard from since. */
    private boolean clientQuiet;

    SessionRelayHandler(Principal principal, RoutingTable routing, AppLinks links, SessionRegistry registry,
            SessionSettings settings) {
        this.principal = principal;
        this.routing = routing;
        this.links = links;
        this.registry = registry;
        this.settings = settings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writes = new BatchedFlush(ctx.channel());
        this.reads = new ClientReads(ctx.channel(), settings.maxCallsInFlight);
        registry.register(principal.getUserId(), this);
        openStream();
    }

    private void openStream() {
        retry = null;
        if (closed) {
            return;
        }
        // Read before routing: the map routed by is at least this new, so the owner never waits for a
        // map newer than the one that named it.
        long routedByEpoch = routing.current().map(ShardMapView::epoch).orElse(0L);
        Optional<AppServerInfo> owner = routing.route(principal);
        if (owner.isEmpty()) {
            reroute("no application server owns the shard yet");
            return;
        }
        openStreamTo(owner.get(), routedByEpoch);
    }

    /**
     * Opens the session's stream at {@code owner}, named by a shard map of {@code routedByEpoch}: the
     * owner holds the session's calls until it has seen that map.
     */
    private void openStreamTo(AppServerInfo owner, long routedByEpoch) {
        OpenStream open = new OpenStream()
                .setKind(StreamKind.SESSION)
                .setPrincipal(principal)
                .setProtocol(WireProtocol.COMPACT)
                .setClientAddress(String.valueOf(ProxyProtocol.clientAddress(ctx.channel())))
                .setInitialCredit(settings.replayWindowBytes);
        if (routedByEpoch > 0) {
            open.setShardMapEpoch(routedByEpoch);
        }
        handle = new StreamHandle();
        stream = links.linkFor(owner, ctx.channel().eventLoop()).open(open, handle);
        handle.stream = stream;
        credit = new EventCredit(settings.replayWindowBytes, stream::grantCredit);
        handle.credit = credit;
        reads.relayWritable(stream.isWritable());
        if (!stream.isOpen()) {
            // The link is down: its close is on its way and the session will be routed again. The client
            // hears about the move once a stream is really open.
            return;
        }
        if (everOpened) {
            write(Frame.of(FrameType.NOTICE, ThriftCodec.INTERNAL.encode(new SessionNotice(NoticeKind.SESSION_MOVED)
                    .setDetail("now served by " + stream.serverId()))));
        }
        everOpened = true;
        if (clientQuiet) {
            stream.clientSilence(settings.quietAfter().toMillis());
        }
        sendQueuedCalls();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (frame.type()) {
            case CALL:
                reads.callSent();
                if (queuedCalls.size() < settings.maxQueuedCalls) {
                    queuedCalls.add(frame.payload());
                    sendQueuedCalls();
                } else {
                    close(SessionErrorCode.UNAVAILABLE, "too many calls waiting: at most "
                            + settings.maxCallsInFlight + " in flight and " + settings.maxQueuedCalls + " queued");
                }
                break;
            case PING:
                write(Frame.of(FrameType.PONG, frame.payload()));
                break;
            case PONG:
                break;
            default:
                close(SessionErrorCode.BAD_FRAME, "unexpected " + frame.type() + " frame from a client");
        }
    }

    /**
     * Sends waiting calls, in order, while the stream is open and has fewer than {@code maxCallsInFlight}
     * unanswered. Calls decoded from bytes read before the client's socket stopped being read wait here.
     */
    private void sendQueuedCalls() {
        while (!queuedCalls.isEmpty() && stream != null && stream.isOpen()
                && handle.unanswered < settings.maxCallsInFlight) {
            handle.send(queuedCalls.poll());
        }
    }

    /**
     * One stream of the session, and what comes back on it. A session may have had several (it moves when
     * its couple does): replies and events of an earlier one still reach the client, since they answer
     * its calls, but only the current stream's end routes the session again.
     */
    private final class StreamHandle implements StreamListener {
        RelayStream stream;
        EventCredit credit;
        /** Calls sent on this stream without a reply yet. */
        int unanswered;

        /** Sends a call; it stays in flight until its reply, or the stream's end. */
        void send(byte[] call) {
            stream.sendCall(call);
            unanswered++;
        }

        /** The stream ended: its unanswered calls never will be (the client retries them). */
        void settleAll() {
            reads.callsSettled(unanswered);
            unanswered = 0;
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            if (stream == SessionRelayHandler.this.stream) {
                reads.relayWritable(writable);
            }
        }

        @Override
        public void onPayload(PayloadKind kind, byte[] payload) {
            if (stream == SessionRelayHandler.this.stream) {
                attempts = 0;
                reroutingSinceNanos = 0;
            }
            if (kind == PayloadKind.REPLY) {
                if (unanswered > 0) {
                    unanswered--;
                    reads.callsSettled(1);
                }
                write(Frame.of(FrameType.REPLY, payload));
                sendQueuedCalls();
            } else if (kind == PayloadKind.EVENT) {
                // Timed from here, as read off the relay link, to the write to the client's socket.
                write(Frame.of(FrameType.EVENT, payload),
                        credit.returnWhenWritten(payload.length, links.fanOutLag()));
            }
        }

        @Override
        public void onClosed(CloseStream close) {
            settleAll();
            if (stream != SessionRelayHandler.this.stream) {
                return;
            }
            SessionRelayHandler.this.stream = null;
            streamClosed(close, stream.serverId());
        }
    }

    private void streamClosed(CloseStream close, String closedBy) {
        if (closed) {
            return;
        }
        CloseReason reason = close.getReason() == null ? CloseReason.INTERNAL : close.getReason();
        String detail = close.getDetail();
        switch (reason) {
            case NOT_OWNER:
            case SHUTTING_DOWN:
            case OVERLOADED:
            case INTERNAL:
                if (close.getShardMapEpoch() > routing.current().map(ShardMapView::epoch).orElse(0L)) {
                    if (close.isSetMovedTo()) {
                        followMove(close.getMovedTo(), close.getShardMapEpoch(), detail);
                    } else {
                        awaitNewerMap(detail);
                    }
                } else if (movedAway(reason, closedBy)) {
                    openStream();
                } else {
                    reroute(detail);
                }
                break;
            case UNAUTHORIZED:
                close(SessionErrorCode.TOKEN_INVALID, detail == null ? "not allowed" : detail);
                break;
            case PROTOCOL_ERROR:
                close(SessionErrorCode.BAD_FRAME, detail == null ? "malformed call" : detail);
                break;
            case SLOW_CONSUMER:
                close(SessionErrorCode.SLOW_CONSUMER, detail == null ? "the client reads too slowly" : detail);
                break;
            case COUPLE_CLOSED:
                close(SessionErrorCode.COUPLE_CLOSED, detail == null ? "the couple was closed: refresh the session"
                        : detail);
                break;
            default:
                LOG.info("Closing the session of user {}: its stream ended with {} {}", principal.getUserId(), reason,
                        detail);
                ctx.close();
        }
    }

    /**
     * The server that turned the session away had seen a newer shard map than this server, and named the
     * couple's owner by it: open the stream there now, instead of waiting for that map to arrive here.
     */
    private void followMove(AppServerInfo owner, long byEpoch, String why) {
        if (retry != null || givenUp(why)) {
            return;
        }
        LOG.debug("Session of user {} follows its couple to {} (shard map epoch {}): {}", principal.getUserId(),
                owner.getServerId(), byEpoch, why);
        openStreamTo(owner, byEpoch);
    }

    /**
     * Whether the stream closed because its couple left {@code closedBy}, and this server's map already
     * names another owner: then the session goes there at once. An overloaded or failing server, or a
     * map still naming the server that closed, means backing off instead.
     */
    private boolean movedAway(CloseReason reason, String closedBy) {
        if (reason != CloseReason.NOT_OWNER && reason != CloseReason.SHUTTING_DOWN) {
            return false;
        }
        return routing.route(principal).map(owner -> !owner.getServerId().equals(closedBy)).orElse(false);
    }

    /** Opens the stream again soon, backing off (with jitter, so that moved sessions do not stampede). */
    private void reroute(String why) {
        if (closed || retry != null || givenUp(why)) {
            return;
        }
        long backoff = Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(attempts, 10));
        long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        attempts++;
        LOG.debug("Rerouting session of user {} in {} ms: {}", principal.getUserId(), delay, why);
        retry = ctx.executor().schedule(this::openStream, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the reroute clock if it is not running; closes the session with UNAVAILABLE, and says so,
     * once it has run past the reroute deadline without a stream that answered.
     */
    private boolean givenUp(String why) {
        long now = System.nanoTime();
        if (reroutingSinceNanos == 0) {
            reroutingSinceNanos = now;
            return false;
        }
        if (now - reroutingSinceNanos > settings.rerouteDeadline.toNanos()) {
            close(SessionErrorCode.UNAVAILABLE, "no application server could take the session: " + why);
            return true;
        }
        return false;
    }

    /**
     * The server that turned the session away had seen a newer shard map than this server: the map that
     * names the couple's owner is on its way, and {@link #routesChanged} routes the session the moment it
     * arrives. Routing by the map at hand would only lead back to the server that refused it.
     */
    private void awaitNewerMap(String why) {
        if (closed || retry != null || givenUp(why)) {
            return;
        }
        LOG.debug("Session of user {} waits for a newer shard map: {}", principal.getUserId(), why);
        retry = ctx.executor().schedule(this::openStream, MAP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Callable from any thread: moves the stream if the shard map now names another owner. */
    @Override
    public void routesChanged() {
        ctx.executor().execute(() -> {
            if (closed) {
                return;
            }
            Optional<AppServerInfo> owner = routing.route(principal);
            // A new map is new information: back off from scratch. The new owner may hear of the map a
            // moment after this server and refuse the first attempt; the next comes within 50 ms.
            attempts = 0;
            if (retry != null) {
                // Waiting to route again: the new map may have the answer now.
                if (owner.isPresent()) {
                    retry.cancel(false);
                    openStream();
                }
                return;
            }
            if (stream != null && owner.isPresent() && !owner.get().getServerId().equals(stream.serverId())) {
                stream.close(CloseReason.NOT_OWNER);
                handle.settleAll();
                stream = null;
                openStream();
            }
        });
    }

    /**
     * Callable from any thread: after {@code after}, sends the client a {@code RECONNECT} notice that
     * tells it to spread its reconnect over {@code within} (once only, however often asked), and closes
     * the session with SHUTTING_DOWN if it is still open {@code closeAfter} from now.
     */
    @Override
    public void drain(Duration after, Duration within, Duration closeAfter) {
        ctx.executor().schedule(() -> {
            if (!closed) {
                close(SessionErrorCode.SHUTTING_DOWN, "the server is shutting down");
            }
        }, closeAfter.toNanos(), TimeUnit.NANOSECONDS);
        ctx.executor().schedule(() -> {
            if (closed || askedToReconnect) {
                return;
            }
            askedToReconnect = true;
            write(Frame.of(FrameType.NOTICE, ThriftCodec.INTERNAL.encode(new SessionNotice(NoticeKind.RECONNECT)
                    .setDetail("this server is draining: reconnect through the endpoint")
                    .setReconnectWithinMillis((int) Math.min(Integer.MAX_VALUE, within.toMillis())))));
        }, after.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The client went quiet, or was heard from again ({@link ClientSilence}): the application server is
     * told, so that a half-open connection does not hold its user's pushes back until the idle timeout.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof ClientQuiet) {
            long silentMillis = ((ClientQuiet) event).silentMillis;
            clientQuiet = silentMillis > 0;
            if (stream != null) {
                stream.clientSilence(silentMillis);
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void revokeIf(Revocation revocation) {
        ChannelHandler lifetime = ctx.pipeline().get(AuthHandler.TOKEN_LIFETIME);
        if (lifetime instanceof TokenLifetimeHandler) {
            ((TokenLifetimeHandler) lifetime).revokeIf(revocation);
        }
    }

    /** An event addressed to this session's user; callable from any thread. */
    @Override
    public void pushEvent(byte[] event) {
        write(Frame.of(FrameType.EVENT, event));
    }

    private void write(Frame frame) {
        write(frame, null);
    }

    /** @param written told when the frame is written, or not; null when nobody needs to know */
    private void write(Frame frame, ChannelFutureListener written) {
        Channel channel = ctx.channel();
        if (!channel.isWritable() && channel.bytesBeforeWritable() > settings.maxPendingWriteBytes) {
            close(SessionErrorCode.SLOW_CONSUMER, "the client reads too slowly");
            return;
        }
        writes.write(frame, written);
    }

    private void close(SessionErrorCode code, String message) {
        LOG.info("Closing the session of user {} ({}): {} {}", principal.getUserId(), principal.getDeviceId(), code,
                message);
        SessionErrors.closeWith(ctx.channel(), code, message);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        registry.unregister(principal.getUserId(), this);
        if (retry != null) {
            retry.cancel(false);
        }
        if (stream != null) {
            stream.close(CloseReason.CLIENT_GONE);
            stream = null;
        }
        super.channelInactive(ctx);
    }
}
