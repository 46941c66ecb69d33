package io.duet.client.internal;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClientException;
import io.duet.client.DuetListener;
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.RefreshSessionRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.SetTypingResult;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.thrift.TBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one client session, confined to one event loop. It connects, authenticates,
 * subscribes from the last contiguous sequence number it delivered, and, whenever the connection is
 * lost or the server moves the session, does it all again, resending every unacknowledged message with
 * the same client id (the server stores each once).
 */
public final class ClientSession {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final long PING_SECONDS = 20;
    private static final long SILENCE_LIMIT_SECONDS = 75;
    private static final long GAP_RESUBSCRIBE_MILLIS = 2000;
    /** The server's limit on message text, in characters. */
    private static final int MAX_TEXT_CHARS = 4000;
    /** An order stream idle this long (nothing waiting) is replaced by a new one; see send(). */
    private static final Duration ORDER_STREAM_IDLE = Duration.ofHours(24);

    private final InetSocketAddress server;
    private final EventLoop loop;
    private final Executor callbacks;
    private final DuetListener listener;
    private final Duration callTimeout;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Bootstrap bootstrap;
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();

    // Confined to the loop.
    private Supplier<String> token;
    private Channel channel;
    private CallTracker calls = new CallTracker();
    private ConnectionState state = ConnectionState.DISCONNECTED;
    private long lastSeq;
    private final TreeMap<Long, Message> outOfOrder = new TreeMap<>();
    private ScheduledFuture<?> gapCheck;
    private final Map<String, Outgoing> outgoing = new LinkedHashMap<>();
    /** This session's order stream (see SendMessageRequest): sends are numbered 1, 2, 3, ... in it. */
    private String orderStream = newOrderStream();
    private long nextOrdinal = 1;
    /** The highest ordinal the server has acknowledged in the current order stream. */
    private long highestAcked;
    private long lastSendNanos = System.nanoTime();
    private volatile long userId;
    private int failures;
    private ScheduledFuture<?> reconnect;
    private boolean paired;
    private volatile long coupleId;
    /** Counts subscribe calls, so that the outcome of one superseded by a newer one is ignored. */
    private int subscriptions;

    public ClientSession(InetSocketAddress server, EventLoop loop, Executor callbacks, Supplier<String> token,
            long lastSeq, DuetListener listener, Duration callTimeout, Duration minBackoff, Duration maxBackoff) {
        this.server = server;
        this.loop = loop;
        this.callbacks = callbacks;
        this.token = token;
        this.lastSeq = lastSeq;
        this.listener = listener;
        this.callTimeout = callTimeout;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    }

    /** Starts connecting; completes when the first session is up (authenticated and subscribed). */
    public CompletableFuture<Void> start() {
        loop.execute(this::connect);
        return firstConnect;
    }

    public long lastSeq() {
        return lastSeq;
    }

    public long coupleId() {
        return coupleId;
    }

    public ConnectionState state() {
        return state;
    }

    // ---- connection lifecycle --------------------------------------------------------------------

    private void connect() {
        reconnect = null;
        if (state == ConnectionState.CLOSED) {
            return;
        }
        changeState(ConnectionState.CONNECTING, "connecting to " + server.getHostString() + ":" + server.getPort());
        calls = new CallTracker();
        Handler handler = new Handler();
        bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("frameDecoder", new FrameDecoder(FrameLimits.SERVER_TO_CLIENT));
                ch.pipeline().addLast("frameEncoder", new FrameEncoder(FrameLimits.CLIENT_TO_SERVER,
                        FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
                ch.pipeline().addLast("idle", new IdleStateHandler(SILENCE_LIMIT_SECONDS, PING_SECONDS, 0, TimeUnit.SECONDS));
                ch.pipeline().addLast("session", handler);
            }
        }).connect(server).addListener(connected -> {
            if (!connected.isSuccess()) {
                lost("cannot connect: " + connected.cause().getMessage());
            }
        });
    }

    private void authenticate(Channel ch) {
        channel = ch;
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

    private void authenticated(AuthAccepted accepted) {
        userId = accepted.getUserId();
        paired = accepted.isSetCoupleId() && accepted.getCoupleId() != 0;
        coupleId = paired ? accepted.getCoupleId() : 0;
        if (paired) {
            subscribe();
        } else {
            ready("authenticated; not paired yet");
        }
    }

    private void subscribe() {
        long from = lastSeq;
        int generation = ++subscriptions;
        this.<SubscribeResult>call(commonConstants.CHAT_SERVICE, "subscribe",
                new ChatService.subscribe_args(new SubscribeRequest(from)), new ChatService.subscribe_result())
                .whenComplete((result, failure) -> {
                    if (generation != subscriptions) {
                        return;
                    }
                    if (failure != null) {
                        LOG.debug("Subscribe failed: {}", failure.toString());
                        if (channel != null) {
                            channel.close();
                        }
                        return;
                    }
                    if (result.isPartnerTyping()) {
                        notify(l -> l.onPartnerTyping(true));
                    }
                    ready("subscribed after " + from + ", latest " + result.getLatestSeq());
                });
    }

    private void ready(String detail) {
        failures = 0;
        changeState(ConnectionState.CONNECTED, detail);
        firstConnect.complete(null);
        for (Outgoing message : new ArrayList<>(outgoing.values())) {
            if (!message.inFlight) {
                transmit(message);
            }
        }
    }

    /** The connection is gone: fail in-flight calls (sends stay queued) and reconnect with backoff. */
    private void lost(String why) {
        channel = null;
        if (state != ConnectionState.CLOSED) {
            changeState(ConnectionState.DISCONNECTED, why);
        }
        calls.failAll(why);
        outgoing.values().forEach(message -> message.inFlight = false);
        scheduleReconnect();
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
        notify(l -> l.onSessionRejected(code, message));
        firstConnect.completeExceptionally(new DuetClientException("session refused: " + code + ": " + message));
        failOutgoing(new DuetClientException("session refused: " + code));
        if (channel != null) {
            channel.close();
        }
    }

    /** Closes for good; unacknowledged sends fail. */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        loop.execute(() -> {
            state = ConnectionState.CLOSED;
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            calls.failAll("client closed");
            failOutgoing(new DuetClientException("client closed"));
            firstConnect.completeExceptionally(new DuetClientException("client closed"));
            notify(l -> l.onConnectionChanged(ConnectionState.CLOSED, "closed by the application"));
            if (channel != null) {
                channel.close().addListener(f -> closed.complete(null));
            } else {
                closed.complete(null);
            }
        });
        return closed;
    }

    private void changeState(ConnectionState next, String detail) {
        if (state == ConnectionState.CLOSED && next != ConnectionState.CLOSED) {
            return;
        }
        state = next;
        notify(l -> l.onConnectionChanged(next, detail));
    }

    // ---- calls -----------------------------------------------------------------------------------

    /** A call over the session; fails at once when not connected. Must run on the loop. */
    private <R> CompletableFuture<R> call(String service, String method, TBase<?, ?> args, TBase<?, ?> emptyResult) {
        CompletableFuture<R> future = new CompletableFuture<>();
        if (channel == null || !channel.isActive()) {
            future.completeExceptionally(new DuetClientException(method + ": not connected"));
            return future;
        }
        byte[] call = calls.call(service, method, args, emptyResult, future);
        ScheduledFuture<?> timeout = loop.schedule(() -> future.completeExceptionally(
                new DuetClientException(method + ": no reply within " + callTimeout.toMillis() + " ms")),
                callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        future.whenComplete((ignored, failure) -> timeout.cancel(false));
        channel.writeAndFlush(Frame.of(FrameType.CALL, call));
        return future;
    }

    /** Runs a call on the loop, from any thread, when connected. */
    public <R> CompletableFuture<R> callWhenConnected(String service, String method, TBase<?, ?> args,
            TBase<?, ?> emptyResult) {
        CompletableFuture<R> result = new CompletableFuture<>();
        loop.execute(() -> {
            if (state != ConnectionState.CONNECTED) {
                result.completeExceptionally(new DuetClientException(method + ": not connected (" + state + ")"));
                return;
            }
            this.<R>call(service, method, args, emptyResult).whenComplete((value, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(value);
                }
            });
        });
        return result;
    }

    public CompletableFuture<SetTypingResult> setTyping(boolean typing) {
        return callWhenConnected(commonConstants.CHAT_SERVICE, "setTyping",
                new ChatService.setTyping_args(new SetTypingRequest(typing)), new ChatService.setTyping_result());
    }

    public CompletableFuture<HistoryPage> fetchHistory(long afterSeq, int limit) {
        return callWhenConnected(commonConstants.CHAT_SERVICE, "fetchHistory",
                new ChatService.fetchHistory_args(new FetchHistoryRequest(afterSeq, limit)),
                new ChatService.fetchHistory_result());
    }

    // ---- sending ---------------------------------------------------------------------------------

    /** Queues a message; it is sent now if connected, else after the next connect, until acknowledged. */
    public CompletableFuture<SendMessageResult> send(String text) {
        Outgoing message = new Outgoing(UUID.randomUUID().toString(), text);
        if (text.isBlank() || text.length() > MAX_TEXT_CHARS) {
            // Checked here, before the message takes a place in the order stream.
            message.future.completeExceptionally(new DuetClientException("text: expected 1 to " + MAX_TEXT_CHARS
                    + " characters, not all blank"));
            return message.future;
        }
        loop.execute(() -> {
            if (state == ConnectionState.CLOSED) {
                message.future.completeExceptionally(new DuetClientException("client closed"));
                return;
            }
            if (outgoing.isEmpty() && System.nanoTime() - lastSendNanos > ORDER_STREAM_IDLE.toNanos()) {
                // The server forgets an order stream after its dedup window; start a new one well before.
                orderStream = newOrderStream();
                nextOrdinal = 1;
                highestAcked = 0;
            }
            lastSendNanos = System.nanoTime();
            message.ordinal = nextOrdinal++;
            outgoing.put(message.clientMessageId, message);
            if (state == ConnectionState.CONNECTED) {
                transmit(message);
            }
        });
        return message.future;
    }

    private void transmit(Outgoing message) {
        message.attempt++;
        message.inFlight = true;
        SendMessageRequest request = new SendMessageRequest(message.clientMessageId, message.text, message.attempt)
                .setOrderStream(orderStream)
                .setOrdinal(message.ordinal)
                .setAfterOrdinal(predecessorOf(message));
        this.<SendMessageResult>call(commonConstants.CHAT_SERVICE, "sendMessage",
                new ChatService.sendMessage_args(request), new ChatService.sendMessage_result())
                .whenComplete((result, failure) -> {
                    message.inFlight = false;
                    if (failure == null) {
                        acknowledged(message.clientMessageId, result);
                    } else if (isPermanent(failure)) {
                        outgoing.remove(message.clientMessageId);
                        message.future.completeExceptionally(failure);
                    } else if (outgoing.containsKey(message.clientMessageId) && state == ConnectionState.CONNECTED) {
                        long retryAfter = failure instanceof DuetError && ((DuetError) failure).isSetRetryAfterMillis()
                                ? ((DuetError) failure).getRetryAfterMillis() : 500;
                        loop.schedule(() -> {
                            if (outgoing.containsKey(message.clientMessageId) && !message.inFlight
                                    && state == ConnectionState.CONNECTED) {
                                transmit(message);
                            }
                        }, retryAfter, TimeUnit.MILLISECONDS);
                    }
                });
    }

    /**
     * The message this one must be stored after: the latest earlier send still waiting, else the latest
     * acknowledged one. Sends that failed for good are skipped, so they hold nothing up.
     */
    private long predecessorOf(Outgoing message) {
        long after = 0;
        for (Outgoing earlier : outgoing.values()) {
            if (earlier.ordinal < message.ordinal) {
                after = Math.max(after, earlier.ordinal);
            }
        }
        return Math.max(after, Math.min(highestAcked, message.ordinal - 1));
    }

    private static boolean isPermanent(Throwable failure) {
        return failure instanceof DuetError && ((DuetError) failure).getCode() != ErrorCode.UNAVAILABLE
                && ((DuetError) failure).getCode() != ErrorCode.RESOURCE_EXHAUSTED;
    }

    private void acknowledged(String clientMessageId, SendMessageResult result) {
        Outgoing message = outgoing.remove(clientMessageId);
        if (message != null) {
            highestAcked = Math.max(highestAcked, message.ordinal);
            message.future.complete(result);
        }
    }

    private void failOutgoing(RuntimeException error) {
        outgoing.values().forEach(message -> message.future.completeExceptionally(error));
        outgoing.clear();
    }

    // ---- events ----------------------------------------------------------------------------------

    private void onEvent(byte[] payload) {
        Event event;
        try {
            event = CODEC.decode(payload, new Event());
        } catch (MalformedPayloadException e) {
            LOG.warn("Ignoring an unreadable event: {}", e.getMessage());
            return;
        }
        if (event.getSetField() == null) {
            return;
        }
        switch (event.getSetField()) {
            case MESSAGE:
                onMessage(event.getMessage().getMessage());
                break;
            case TYPING:
                notify(l -> l.onPartnerTyping(event.getTyping().isTyping()));
                break;
            case MESSAGES_MISSING:
                onMessagesMissing(event.getMessagesMissing().getFromSeq(), event.getMessagesMissing().getToSeq());
                break;
            case PARTNER_JOINED:
                notify(l -> l.onPartnerJoined(event.getPartnerJoined().getCoupleId(), event.getPartnerJoined().getPartner()));
                if (!paired) {
                    refreshAndReconnect();
                }
                break;
            default:
                break;
        }
    }

    /** Delivers messages exactly once and in sequence order, holding early ones until the gap fills. */
    private void onMessage(Message message) {
        long seq = message.getSeq();
        // Only our own message (same sender, same id) acknowledges a pending send: the partner's client
        // may well have picked the same id.
        Outgoing mine = message.getSenderId() == userId ? outgoing.get(message.getClientMessageId()) : null;
        if (mine != null) {
            acknowledged(message.getClientMessageId(), new SendMessageResult(seq, message.getSentAtMillis(), false));
        }
        if (seq <= lastSeq) {
            return;
        }
        if (seq > lastSeq + 1) {
            outOfOrder.put(seq, message);
            if (gapCheck == null) {
                gapCheck = loop.schedule(this::resubscribeIfGap, GAP_RESUBSCRIBE_MILLIS, TimeUnit.MILLISECONDS);
            }
            return;
        }
        deliver(message);
        deliverHeld();
    }

    /** Delivers the held messages that now follow on. */
    private void deliverHeld() {
        while (!outOfOrder.isEmpty() && outOfOrder.firstKey() <= lastSeq + 1) {
            Message next = outOfOrder.pollFirstEntry().getValue();
            if (next.getSeq() == lastSeq + 1) {
                deliver(next);
            }
        }
    }

    /**
     * The server lost these messages and says so where they would have come: take them as seen, rather
     * than resubscribe for them forever. (Out of place, it is ignored; the gap check then resubscribes.)
     */
    private void onMessagesMissing(long from, long to) {
        if (from > lastSeq + 1 || to <= lastSeq) {
            return;
        }
        LOG.warn("The server lost messages {} to {}; going on after them", from, to);
        lastSeq = to;
        notify(l -> l.onMessagesMissing(from, to));
        deliverHeld();
    }

    private void deliver(Message message) {
        lastSeq = message.getSeq();
        notify(l -> l.onMessage(message));
    }

    private void resubscribeIfGap() {
        gapCheck = null;
        if (!outOfOrder.isEmpty() && state == ConnectionState.CONNECTED) {
            LOG.info("Messages after {} arrived out of order; resubscribing", lastSeq);
            outOfOrder.clear();
            subscribe();
        }
    }

    /** After pairing, this session's token carries no couple: get one that does, and reconnect with it. */
    private void refreshAndReconnect() {
        this.<Session>call(commonConstants.ACCOUNT_SERVICE, "refreshSession",
                new AccountService.refreshSession_args(new RefreshSessionRequest()),
                new AccountService.refreshSession_result()).whenComplete((session, failure) -> {
                    if (failure != null || !session.isSetCoupleId()) {
                        LOG.warn("Cannot refresh the session after pairing: {}", failure);
                        return;
                    }
                    String refreshed = session.getToken();
                    token = () -> refreshed;
                    notify(l -> l.onSessionRefreshed(session));
                    if (channel != null) {
                        channel.close();
                    }
                });
    }

    private void notify(java.util.function.Consumer<DuetListener> callback) {
        callbacks.execute(() -> {
            try {
                callback.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("Listener failed", e);
            }
        });
    }

    /** The channel handler: frames in, on the loop. */
    private final class Handler extends SimpleChannelInboundHandler<Frame> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            authenticate(ctx.channel());
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) throws Exception {
            switch (frame.type()) {
                case AUTH_OK:
                    authenticated(CODEC.decode(frame.payload(), new AuthAccepted()));
                    break;
                case REPLY:
                    calls.onReply(frame.payload());
                    break;
                case EVENT:
                    onEvent(frame.payload());
                    break;
                case NOTICE:
                    // The server moved the session: events may have been missed and calls lost. Fail the
                    // lost calls (superseding any subscribe among them), then subscribe again.
                    subscriptions++;
                    outgoing.values().forEach(message -> message.inFlight = false);
                    calls.failAll("session moved");
                    if (paired) {
                        subscribe();
                        // Resend right behind the subscribe, not after its reply: the new owner takes
                        // them in order on the same stream, and the couple is served a round trip sooner.
                        for (Outgoing message : new ArrayList<>(outgoing.values())) {
                            transmit(message);
                        }
                    }
                    break;
                case ERROR: {
                    SessionError error = CODEC.decode(frame.payload(), new SessionError());
                    SessionErrorCode code = error.getCode() == null ? SessionErrorCode.INTERNAL : error.getCode();
                    if (code == SessionErrorCode.TOKEN_EXPIRED || code == SessionErrorCode.TOKEN_INVALID
                            || code == SessionErrorCode.UNSUPPORTED_VERSION) {
                        reject(code, error.getMessage());
                    } else {
                        LOG.info("Server closed the session: {} {}", code, error.getMessage());
                    }
                    break;
                }
                case PING:
                    ctx.writeAndFlush(Frame.of(FrameType.PONG, frame.payload()));
                    break;
                default:
                    break;
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                if (((IdleStateEvent) event).state() == IdleState.WRITER_IDLE) {
                    ctx.writeAndFlush(Frame.empty(FrameType.PING));
                } else {
                    ctx.close();
                }
                return;
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            lost("connection closed");
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("Session failed: {}", cause.toString());
            ctx.close();
        }
    }

    private static String newOrderStream() {
        return UUID.randomUUID().toString();
    }

    private static final class Outgoing {
        final String clientMessageId;
        final String text;
        final CompletableFuture<SendMessageResult> future = new CompletableFuture<>();
        /** Its place in the session's order stream; assigned on the loop. */
        long ordinal;
        int attempt;
        boolean inFlight;

        Outgoing(String clientMessageId, String text) {
            this.clientMessageId = clientMessageId;
            this.text = text;
        }
    }
}
