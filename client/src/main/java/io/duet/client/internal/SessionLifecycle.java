package io.duet.client.internal;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClientException;
import io.duet.client.DuetTls;
import io.duet.client.TlsHandshakes;
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.RefreshSessionRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's connection lifecycle, and the owner of its other parts. It connects, authenticates,
 * subscribes from the last contiguous sequence number delivered, and, whenever the connection is lost
 * (reconnecting with backoff and jitter), the server moves the session, or a draining server asks it to
 * reconnect elsewhere ({@link #serverDraining}: quietly, CONNECTING rather than DISCONNECTED), does it
 * all again, telling the {@link SendPipeline} when to (re)transmit. It keeps the {@link ConnectionState} and the
 * user and couple the token authenticated, and tells the {@link Subscription} when a subscribe in flight
 * is superseded (by a session move, or a planned reconnect), so that its outcome is ignored. A token that
 * carries no couple is refreshed and the session reconnected once the partner joins (with the refresh
 * token, or again later, if the access token alone is refused). Given a refresh token, it renews the
 * access token before it expires and reconnects with the new one ({@link #renew}).
 *
 * <p>Confined to the session's event loop: {@link #start} and {@link #close} may be called from any
 * thread and hop onto the loop; every other method runs there, called by a {@link SessionHandler} (one
 * per connection), by {@link Delivery}, or by its own timers and call callbacks. {@link #state} and
 * {@link #coupleId} are also read by the application, from any thread.
 */
final class SessionLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLifecycle.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    /** How long leaving a draining server waits for the calls in flight over its connection. */
    private static final long MOVE_QUIET_WAIT_MILLIS = 1000;
    private static final long MOVE_POLL_MILLIS = 10;
    /** How soon a renewal that got no answer is tried again. */
    private static final long RENEW_RETRY_MILLIS = 1000;
    /** How soon a session that paired asks again for a token that carries the couple. */
    private static final long PAIR_REFRESH_RETRY_MILLIS = 2000;

    private final InetSocketAddress server;
    /** Null: plain TCP. */
    private final DuetTls tls;
    private final TlsHandshakeCounter.Counts tlsHandshakes = new TlsHandshakeCounter.Counts();
    private final EventLoop loop;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Bootstrap bootstrap;
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
    private final ListenerCallbacks listeners;
    private final SessionTransport transport;
    private final SendPipeline sends;
    private final RetriedCalls calls;
    private final Delivery delivery;
    private final Subscription subscription;

    // Confined to the loop.
    private Supplier<String> token;
    /** Renews the access token; replaced by each renewal; null when the application gave none. */
    private String refreshToken;
    /** Renews the access token ahead of its expiry; null when none is due. */
    private ScheduledFuture<?> renewal;
    private ConnectionState state = ConnectionState.DISCONNECTED;
    private volatile long userId;
    /** The device the token names; "" before the first session, or from a server that does not say. */
    private String deviceId = "";
    private int failures;
    private ScheduledFuture<?> reconnect;
    private boolean paired;
    /** The partner joined while the token carried no couple: one that does is still to be got. */
    private boolean wantsCoupleToken;
    /** The next attempt to get a token that carries the couple; null when none is due. */
    private ScheduledFuture<?> pairRefresh;
    private volatile long coupleId;
    /** Leaving a draining server: scheduled, or waiting for calls in flight; null otherwise. */
    private ScheduledFuture<?> move;
    /** Leaving a draining server: the end of this connection is a planned reconnect, not a loss. */
    private boolean moving;

    SessionLifecycle(InetSocketAddress server, DuetTls tls, EventLoop loop, Supplier<String> token, String refreshToken,
            long lastSeq, ListenerCallbacks listeners, SessionTransport transport, Duration minBackoff,
            Duration maxBackoff) {
        this.server = server;
        this.tls = tls;
        this.loop = loop;
        this.token = token;
        this.refreshToken = refreshToken;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
        this.listeners = listeners;
        this.transport = transport;
        this.sends = new SendPipeline(loop, transport, this::state, this::ownMessageStored);
        this.calls = new RetriedCalls(loop, transport, this::state, transport.callTimeout());
        this.delivery = new Delivery(loop, lastSeq, listeners, sends, this);
        this.subscription = new Subscription(loop, transport, delivery, this::subscribed);
    }

    SendPipeline sends() {
        return sends;
    }

    RetriedCalls calls() {
        return calls;
    }

    Delivery delivery() {
        return delivery;
    }

    ConnectionState state() {
        return state;
    }

    long coupleId() {
        return coupleId;
    }

    TlsHandshakes tlsHandshakes() {
        return tlsHandshakes.snapshot();
    }

    long userId() {
        return userId;
    }

    String deviceId() {
        return deviceId;
    }

    private void ownMessageStored(SendMessageRequest request, SendMessageResult result) {
        delivery.ownMessageStored(request, result);
    }

    /** Starts connecting; completes when the first session is up (authenticated and subscribed). */
    CompletableFuture<Void> start() {
        loop.execute(this::connect);
        return firstConnect;
    }

    private void connect() {
        reconnect = null;
        if (state == ConnectionState.CLOSED) {
            return;
        }
        changeState(ConnectionState.CONNECTING, "connecting to " + server.getHostString() + ":" + server.getPort());
        transport.newCallTracker();
        SessionHandler handler = new SessionHandler(this, transport, delivery);
        bootstrap.clone().handler(new SessionChannelInitializer(handler, tls, server, tlsHandshakes)).connect(server).addListener(connected -> {
            if (!connected.isSuccess()) {
                lost("cannot connect: " + connected.cause().getMessage());
            }
        });
    }

    void authenticate(Channel ch) {
        transport.attach(ch);
        String current;
        try {
            current = token.get();
        } catch (RuntimeException e) {
            reject(SessionErrorCode.TOKEN_INVALID, "no token: " + e.getMessage());
            return;
        }
        AuthRequest auth = new AuthRequest(current, commonConstants.API_VERSION).setClientVersion("duet-java-sdk");
        ch.writeAndFlush(Frame.of(FrameType.AUTH, CODEC.encode(auth)));
    }

    void authenticated(AuthAccepted accepted) {
        userId = accepted.getUserId();
        deviceId = accepted.isSetDeviceId() ? accepted.getDeviceId() : "";
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
        if (refreshToken != null && accepted.isSetTokenExpiresAtMillis()) {
            // Both instants are the server's: no clock skew. Renew with a quarter of the lifetime to spare.
            long left = Math.max(0, accepted.getTokenExpiresAtMillis() - accepted.getServerTimeMillis());
            renewal = loop.schedule(this::renew, left - left / 4, TimeUnit.MILLISECONDS);
        }
        paired = accepted.isSetCoupleId() && accepted.getCoupleId() != 0;
        coupleId = paired ? accepted.getCoupleId() : 0;
        if (paired) {
            wantsCoupleToken = false;
            subscribe();
        } else {
            ready("authenticated; not paired yet");
            if (wantsCoupleToken && pairRefresh == null) {
                pairRefresh = loop.schedule(this::refreshAndReconnect, PAIR_REFRESH_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Subscribes after the last message delivered; also how {@link Delivery} recovers from a gap. */
    void subscribe() {
        subscription.subscribe();
    }

    private void subscribed(long from, SubscribeResult result) {
        delivery.subscribed(result);
        if (result.isPartnerTyping()) {
            listeners.post(l -> l.onPartnerTyping(true));
        }
        ready("subscribed after " + from + ", latest " + result.getLatestSeq());
    }

    private void ready(String detail) {
        failures = 0;
        changeState(ConnectionState.CONNECTED, detail);
        firstConnect.complete(null);
        sends.transmitWaiting();
        calls.connected();
    }

    /**
     * The server moved the session (a NOTICE): events may have been missed and calls lost. Write the sends
     * in flight off and fail the lost calls (superseding any subscribe among them), then subscribe again
     * and resend each unacknowledged send once.
     */
    void sessionMoved() {
        subscription.supersede();
        sends.forgetInFlight();
        transport.failAll("session moved");
        if (paired) {
            subscribe();
        }
        // Resend right behind the subscribe, not after its reply: the new owner takes them in order on the
        // same stream, and the couple is served a round trip sooner.
        sends.transmitWaiting();
    }

    /**
     * The server is draining (a RECONNECT notice): after a random delay of up to {@code withinMillis},
     * stop sending over this connection, let the calls in flight finish (for a second at most), close it,
     * and connect again through the same endpoint at once, resubscribing from the last sequence delivered.
     * The state is CONNECTING meanwhile, never DISCONNECTED: nothing was lost, and the backoff is not used.
     */
    void serverDraining(int withinMillis, String detail) {
        if (state == ConnectionState.CLOSED || move != null || moving) {
            return;
        }
        long delay = withinMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(withinMillis + 1L);
        LOG.debug("Server draining ({}): reconnecting in {} ms", detail, delay);
        move = loop.schedule(this::leave, delay, TimeUnit.MILLISECONDS);
    }

    private void leave() {
        move = null;
        if (state == ConnectionState.CLOSED) {
            return;
        }
        moving = true;
        // A subscribe still in flight must not make the session CONNECTED again on the way out.
        subscription.supersede();
        changeState(ConnectionState.CONNECTING, "moving to another server: this one is draining");
        leaveWhenQuiet(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOVE_QUIET_WAIT_MILLIS));
    }

    private void leaveWhenQuiet(long deadlineNanos) {
        move = null;
        if (!moving) {
            return;
        }
        if (transport.callsInFlight() && System.nanoTime() < deadlineNanos) {
            move = loop.schedule(() -> leaveWhenQuiet(deadlineNanos), MOVE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        transport.closeChannel();
    }

    /** The server ended the session (an ERROR frame): a bad token or version, or a closed couple, is final. */
    void sessionError(SessionError error) {
        SessionErrorCode code = error.getCode() == null ? SessionErrorCode.INTERNAL : error.getCode();
        if (code == SessionErrorCode.TOKEN_EXPIRED || code == SessionErrorCode.TOKEN_INVALID
                || code == SessionErrorCode.TOKEN_REVOKED || code == SessionErrorCode.UNSUPPORTED_VERSION
                || code == SessionErrorCode.COUPLE_CLOSED) {
            reject(code, error.getMessage());
        } else {
            LOG.info("Server closed the session: {} {}", code, error.getMessage());
        }
    }

    /**
     * The connection is gone: fail in-flight calls (sends stay queued) and reconnect, at once after
     * leaving a draining server, else with backoff.
     */
    void lost(String why) {
        transport.detach();
        subscription.supersede();
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
        if (move != null) {
            move.cancel(false);
            move = null;
        }
        if (pairRefresh != null) {
            pairRefresh.cancel(false);
            pairRefresh = null;
        }
        boolean moved = moving;
        moving = false;
        if (state != ConnectionState.CLOSED && !moved) {
            changeState(ConnectionState.DISCONNECTED, why);
        }
        transport.failAll(moved ? "left a draining server" : why);
        sends.forgetInFlight();
        if (moved) {
            connect();
        } else {
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        if (reconnect != null || state == ConnectionState.CLOSED) {
            return;
        }
        long base = Math.min(maxBackoff.toMillis(), minBackoff.toMillis() << Math.min(failures, 16));
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        failures++;
        reconnect = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void reject(SessionErrorCode code, String message) {
        changeState(ConnectionState.CLOSED, code + ": " + message);
        listeners.post(l -> l.onSessionRejected(code, message));
        firstConnect.completeExceptionally(new DuetClientException("session refused: " + code + ": " + message));
        sends.failAll(new DuetClientException("session refused: " + code));
        calls.closed("session refused: " + code);
        transport.closeChannel();
    }

    /** Closes for good; calls and unacknowledged sends fail. Completes once the channel is closed. */
    CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        loop.execute(() -> {
            state = ConnectionState.CLOSED;
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            if (move != null) {
                move.cancel(false);
            }
            if (pairRefresh != null) {
                pairRefresh.cancel(false);
            }
            transport.failAll("client closed");
            sends.failAll(new DuetClientException("client closed"));
            calls.closed("client closed");
            firstConnect.completeExceptionally(new DuetClientException("client closed"));
            listeners.post(l -> l.onConnectionChanged(ConnectionState.CLOSED, "closed by the application"));
            transport.closeChannel(() -> closed.complete(null));
        });
        return closed;
    }

    private void changeState(ConnectionState next, String detail) {
        if (state == ConnectionState.CLOSED && next != ConnectionState.CLOSED) {
            return;
        }
        state = next;
        listeners.post(l -> l.onConnectionChanged(next, detail));
    }

    /** The partner joined (an event): a session that was not paired gets a token that is, and reconnects. */
    void partnerJoined() {
        if (!paired) {
            wantsCoupleToken = true;
            refreshAndReconnect();
        }
    }

    /**
     * The access token expires soon: use up the refresh token for a new one (and the next refresh token),
     * then reconnect with it as when leaving a draining server, resuming after the last message delivered.
     * A refused refresh (the session was logged out) ends the session; a call that got no answer is
     * tried again shortly, on this connection or, once authenticated, on the next.
     */
    private void renew() {
        renewal = null;
        if (state == ConnectionState.CLOSED || moving) {
            return;
        }
        String using = refreshToken;
        transport.<Session>call(commonConstants.ACCOUNT_SERVICE, "refreshSession",
                new AccountService.refreshSession_args(new RefreshSessionRequest().setRefreshToken(using)),
                new AccountService.refreshSession_result()).whenComplete((session, failure) -> {
                    if (failure instanceof DuetError) {
                        reject(SessionErrorCode.TOKEN_REVOKED, "cannot renew the session: " + failure.getMessage());
                        return;
                    }
                    if (failure != null) {
                        LOG.info("Cannot renew the session yet: {}", failure.toString());
                        if (state == ConnectionState.CONNECTED && renewal == null) {
                            renewal = loop.schedule(this::renew, RENEW_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                        }
                        return;
                    }
                    String renewed = session.getToken();
                    token = () -> renewed;
                    refreshToken = session.getRefreshToken();
                    listeners.post(l -> l.onSessionRefreshed(session));
                    if (state != ConnectionState.CLOSED && !moving) {
                        moving = true;
                        subscription.supersede();
                        changeState(ConnectionState.CONNECTING, "reconnecting with a renewed access token");
                        leaveWhenQuiet(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOVE_QUIET_WAIT_MILLIS));
                    }
                });
    }

    /**
     * After pairing, this session's token carries no couple: get one that does, and reconnect with it. An
     * access token alone may not get it (an application server refuses access-only refreshes while older
     * presentation servers are still deployed): then the refresh token, if the session holds one, renews
     * it ({@link #renew}, whose token carries the couple); else it is asked again shortly, on this
     * connection or, once authenticated, on the next.
     */
    private void refreshAndReconnect() {
        pairRefresh = null;
        if (state == ConnectionState.CLOSED || paired) {
            return;
        }
        transport.<Session>call(commonConstants.ACCOUNT_SERVICE, "refreshSession",
                new AccountService.refreshSession_args(new RefreshSessionRequest()),
                new AccountService.refreshSession_result()).whenComplete((session, failure) -> {
                    if (state == ConnectionState.CLOSED || paired) {
                        return;
                    }
                    switch (afterPairRefresh(session, failure, refreshToken != null)) {
                        case USE:
                            String refreshed = session.getToken();
                            token = () -> refreshed;
                            listeners.post(l -> l.onSessionRefreshed(session));
                            transport.closeChannel();
                            return;
                        case RENEW:
                            LOG.info("Cannot refresh the session after pairing ({}): renewing it with the refresh token",
                                    failure != null ? failure.toString() : "the token carries no couple");
                            if (renewal != null) {
                                renewal.cancel(false); // a refresh token is used up once: never renew twice
                                renewal = null;
                            }
                            renew();
                            return;
                        case RETRY:
                            LOG.warn("Cannot refresh the session after pairing yet ({}); retrying in {} ms",
                                    failure != null ? failure.toString() : "the token carries no couple",
                                    PAIR_REFRESH_RETRY_MILLIS);
                            if (state == ConnectionState.CONNECTED && pairRefresh == null) {
                                pairRefresh = loop.schedule(this::refreshAndReconnect, PAIR_REFRESH_RETRY_MILLIS,
                                        TimeUnit.MILLISECONDS);
                            }
                    }
                });
    }

    /** What to do with the outcome of the access-only refresh after pairing. */
    enum PairRefresh {
        /** Reconnect with the token it gave, which carries the couple. */
        USE,
        /** Renew with the refresh token instead. */
        RENEW,
        /** Ask again later. */
        RETRY
    }

    static PairRefresh afterPairRefresh(Session session, Throwable failure, boolean holdsRefreshToken) {
        if (failure == null && session != null && session.isSetCoupleId()) {
            return PairRefresh.USE;
        }
        return holdsRefreshToken ? PairRefresh.RENEW : PairRefresh.RETRY;
    }
}
