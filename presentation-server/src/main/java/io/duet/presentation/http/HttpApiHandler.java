package io.duet.presentation.http;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.relay.RelayStream;
import io.duet.presentation.relay.StreamListener;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.token.TokenException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client API over HTTP.
 *
 * <pre>
 * POST /api/v1/account   AccountService   (signUp, logIn and refreshSession need no token)
 * POST /api/v1/pairing   PairingService
 * POST /api/v1/chat      ChatService      (subscribe is a long poll, of new messages only)
 * POST /api/v1/feed      FeedService      (pollEvents: every event a TCP session is pushed, a long poll)
 * POST /api/v1/memo, /calendar, /photo, /device: the other services
 * GET  /health           200 while this server has a shard map and relay links, else 503
 * </pre>
 *
 * <p>The body is one Thrift message, as Thrift's {@code THttpClient} sends it. The protocol follows the
 * {@code Content-Type}: {@code application/vnd.apache.thrift.binary}, {@code .compact} or {@code .json}
 * (or {@code application/json}); with {@code application/x-thrift}, which stock clients send whatever
 * their protocol, it is recognised from the message's first byte. The reply uses the same protocol.
 * A session token goes in {@code Authorization: Bearer <token>}. A message name may carry its service
 * ({@code "chat:sendMessage"}); it must then be the URL's service.
 *
 * <p>One request at a time per connection: the connection is not read while a request waits for its
 * reply. A client that pipelines anyway has its first request answered, then gets 400 for the rest
 * (once, with {@code Connection: close}), and the connection closes: pipelined requests are refused, never
 * answered out of order or mixed up.
 *
 * <p>A request that reaches a server which no longer owns the couple (a shard moved, or this server's map is
 * behind) is turned away before it runs, and one routed to a server that has stopped is never sent; it then
 * follows the couple to the owner that server names, or that this server's map names once it is as new (or
 * names another server), up to {@value #MAX_MOVES} moves, all within the reply timeout.
 * A client sees the reply, never the move (a request still turned away after that gets 503 with {@code
 * Retry-After: 1}).
 *
 * <p>Status codes: 200 with a Thrift reply (which may carry a {@code DuetError}); 400 unreadable
 * message or request, a method of another service than the URL's, or a pipelined request; 401 bad or
 * expired token; 403 a token not valid for the couple; 404 unknown path; 405 not POST; 408 request body
 * too slow; 413 body over {@value HttpApiInitializer#MAX_BODY_BYTES} bytes; 415 unknown content type; 429
 * a rate limit was reached (with {@code Retry-After} in seconds, and the Thrift reply carrying the
 * {@code RATE_LIMITED} DuetError); 503 no application server available; 504 no reply in time; 505 a
 * version other than HTTP/1.x (the connection then closes, as after a malformed request).
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);
    private static final Pattern SERVICE_PATH = Pattern.compile("/api/v1/([a-z][a-z0-9]{0,31})");
    /**
     * How many times one request follows its couple to another server (a shard move, then maybe another
     * during the first) before it is answered 503.
     */
    static final int MAX_MOVES = 3;
    /** How often a turned-away request looks again for a shard map that names the couple's new owner. */
    private static final long MOVE_POLL_MILLIS = 20;
    /** How long a turned-away request waits for that map before it is sent by whatever map this server has. */
    static final long MOVE_WAIT_MILLIS = 500;

    private final Authenticator authenticator;
    private final RoutingTable routing;
    private final AppLinks links;
    private final Duration replyTimeout;
    private ChannelHandlerContext ctx;
    /** The request waiting for its reply; null between requests. */
    private Exchange current;
    /** Whether a request came while {@link #current} waited: it is refused once current is answered. */
    private boolean pipelined;

    HttpApiHandler(Authenticator authenticator, RoutingTable routing, AppLinks links, Duration replyTimeout) {
        this.authenticator = authenticator;
        this.routing = routing;
        this.links = links;
        this.replyTimeout = replyTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!ctx.channel().isOpen()) {
            // Decoded from the last read after the connection closed (as it does when a reply closes it):
            // there is nobody to answer, so nothing to do.
            return;
        }
        if (current != null || pipelined) {
            // Decoded from bytes read before the connection stopped reading: refused after current's reply.
            pipelined = true;
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            respond(false, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            return;
        }
        String unsupported = ThriftHttpRequests.unsupportedVersion(request.protocolVersion());
        if (unsupported != null) {
            respond(false, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, unsupported);
            return;
        }
        String path;
        try {
            path = new QueryStringDecoder(request.uri()).path();
        } catch (IllegalArgumentException e) { // a malformed percent-escape
            respond(keepAlive, HttpResponseStatus.BAD_REQUEST, "malformed URI: " + e.getMessage());
            return;
        }
        if (path.equals("/health")) {
            boolean healthy = routing.current().isPresent() && links.openLinks() > 0;
            respond(keepAlive, healthy ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    healthy ? "ok" : "no routes");
            return;
        }
        Matcher service = SERVICE_PATH.matcher(path);
        if (!service.matches()) {
            respond(keepAlive, HttpResponseStatus.NOT_FOUND, "no such API; services are at /api/v1/<service>");
            return;
        }
        if (!request.method().equals(HttpMethod.POST)) {
            FullHttpResponse response = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST");
            response.headers().set(HttpHeaderNames.ALLOW, "POST");
            send(keepAlive, response);
            return;
        }
        ByteBuf body = request.content();
        WireProtocol protocol = ThriftHttpRequests.protocolOf(request.headers().get(HttpHeaderNames.CONTENT_TYPE), body);
        if (protocol == null) {
            respond(keepAlive, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "expected a Thrift content type: "
                    + "application/vnd.apache.thrift.{binary,compact,json} or application/x-thrift");
            return;
        }
        byte[] call = ByteBufUtil.getBytes(body);
        String mismatch = ThriftHttpRequests.serviceMismatch(service.group(1), call, protocol);
        if (mismatch != null) {
            respond(keepAlive, HttpResponseStatus.BAD_REQUEST, mismatch);
            return;
        }
        Principal principal = null;
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                unauthorized(keepAlive, "use Authorization: Bearer <token>");
                return;
            }
            try {
                principal = authenticator.authenticate(authorization.substring(7).trim());
            } catch (TokenException e) {
                unauthorized(keepAlive, e.getMessage());
                return;
            }
        }
        SocketAddress remote = ClientAddress.of(ctx);
        String sourceKey = remote instanceof InetSocketAddress
                ? ((InetSocketAddress) remote).getAddress().getHostAddress() : String.valueOf(remote);
        Optional<AppServerInfo> owner = routing.route(principal, sourceKey);
        if (owner.isEmpty()) {
            LOG.info("HTTP call answered 503: no application server available (shard map {})",
                    routing.current().map(view -> "epoch " + view.epoch()).orElse("not read yet"));
            respond(keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "no application server available; retry");
            return;
        }
        OpenStream open = new OpenStream()
                .setKind(StreamKind.REQUEST)
                .setServiceName(service.group(1))
                .setProtocol(protocol)
                .setClientAddress(String.valueOf(remote));
        if (principal != null) {
            open.setPrincipal(principal);
        }
        // One request at a time per connection: stop reading until this one is answered.
        ctx.channel().config().setAutoRead(false);
        Exchange exchange = new Exchange(keepAlive, request.headers().get(HttpHeaderNames.CONTENT_TYPE), call, open,
                sourceKey);
        current = exchange;
        exchange.sendTo(owner.get(), 0);
        if (current != exchange) {
            return; // the link was down: the stream closed at once and the exchange is answered
        }
        exchange.deadline = ctx.executor().schedule(exchange::timedOut, replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One request relayed to an application server, and its reply: what arrives for an exchange that has
     * ended (timed out, or answered) is ignored, so a late reply never answers a later request.
     */
    private final class Exchange implements StreamListener {
        final boolean keepAlive;
        final String replyContentType;
        /** The request's Thrift call, kept to be sent again if the couple turns out to have moved. */
        final byte[] call;
        final OpenStream open;
        final String sourceKey;
        RelayStream stream;
        ScheduledFuture<?> deadline;
        /** How many times the call followed its couple to another server, or by a newer shard map. */
        int moves;
        /** The shard map epoch by which the call was last sent (0: none yet). */
        long sentByEpoch;

        Exchange(boolean keepAlive, String replyContentType, byte[] call, OpenStream open, String sourceKey) {
            this.keepAlive = keepAlive;
            this.replyContentType = replyContentType;
            this.call = call;
            this.open = open;
            this.sourceKey = sourceKey;
        }

        /**
         * Opens a stream to {@code owner} and sends the call on it; {@code routedByEpoch} is the shard map
         * epoch that names {@code owner} (0: this server's map), which the server waits to reach before it
         * answers that it does not own the couple.
         */
        void sendTo(AppServerInfo owner, long routedByEpoch) {
            OpenStream attempt = open.deepCopy();
            if (routedByEpoch > 0) {
                attempt.setShardMapEpoch(routedByEpoch);
            }
            sentByEpoch = routedByEpoch > 0 ? routedByEpoch : routing.current().map(ShardMapView::epoch).orElse(0L);
            RelayStream opened = links.linkFor(owner, ctx.channel().eventLoop()).open(attempt, this);
            stream = opened;
            if (current == this) {
                opened.sendCall(call);
            }
        }

        /**
         * The server turned the stream away as NOT_OWNER before it ran the call (a shard move, a map this
         * server had not seen yet, or the server stopping), or the stream's relay link never came up (a
         * server that has stopped, named by a map this server has not replaced yet): the call goes to the couple's owner, the one the
         * refusing server named, else the one this server's map names once it is newer than the refusing
         * server's or names another server (or after {@value #MOVE_WAIT_MILLIS} ms, whatever it names). Runs on
         * a later turn of the loop, so that a stream never opens from inside another's close.
         */
        private void followCouple(CloseStream close, String refusedBy) {
            if (close.isSetMovedTo()) {
                moves++;
                LOG.debug("HTTP call follows its couple from {} to {} (shard map epoch {})", refusedBy,
                        close.getMovedTo().getServerId(), close.getShardMapEpoch());
                ctx.executor().execute(() -> {
                    if (current == this) {
                        sendTo(close.getMovedTo(), close.getShardMapEpoch());
                    }
                });
                return;
            }
            long giveUpWaitingAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MOVE_WAIT_MILLIS);
            // A lost link names no epoch: the map to move past is the one the call was sent by.
            long refusersEpoch = close.isSetShardMapEpoch() ? close.getShardMapEpoch() : sentByEpoch;
            ctx.executor().schedule(() -> routeAgain(refusersEpoch, refusedBy, giveUpWaitingAt),
                    MOVE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        }

        private void routeAgain(long refusersEpoch, String refusedBy, long giveUpWaitingAt) {
            if (current != this) {
                return; // answered meanwhile: timed out, or the client went away
            }
            long ours = routing.current().map(ShardMapView::epoch).orElse(0L);
            Optional<AppServerInfo> owner = routing.route(open.isSetPrincipal() ? open.getPrincipal() : null, sourceKey);
            boolean mapMoved = ours > refusersEpoch
                    || ours == refusersEpoch && owner.map(o -> !o.getServerId().equals(refusedBy)).orElse(false);
            if (owner.isEmpty() || !mapMoved && System.nanoTime() - giveUpWaitingAt < 0) {
                ctx.executor().schedule(() -> routeAgain(refusersEpoch, refusedBy, giveUpWaitingAt), MOVE_POLL_MILLIS,
                        TimeUnit.MILLISECONDS);
                return;
            }
            // Only a move counts against MAX_MOVES: asking the same server again after the wait (a stop or a
            // reload that no map announces yet) is bounded by the reply timeout instead.
            if (mapMoved) {
                moves++;
            }
            sendTo(owner.get(), ours);
        }

        @Override
        public void onPayload(PayloadKind kind, byte[] payload) {
            reply(kind, payload, 0);
        }

        @Override
        public void onData(StreamData data) {
            reply(data.getKind(), data.getPayload(),
                    data.isSetRateLimitedRetryAfterMillis() ? Math.max(1, data.getRateLimitedRetryAfterMillis()) : 0);
        }

        /** @param rateLimitedFor the client's wait in milliseconds if the reply is RATE_LIMITED, else 0 */
        private void reply(PayloadKind kind, byte[] payload, int rateLimitedFor) {
            if (kind != PayloadKind.REPLY || !end()) {
                return;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    rateLimitedFor > 0 ? HttpResponseStatus.TOO_MANY_REQUESTS : HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(payload));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, replyContentType);
            if (rateLimitedFor > 0) {
                // Retry-After is in whole seconds: round up, so that a client honouring it is not refused again.
                response.headers().setInt(HttpHeaderNames.RETRY_AFTER, (rateLimitedFor + 999) / 1000);
            }
            send(keepAlive, response);
        }

        @Override
        public void onClosed(CloseStream close) {
            if (current != this) {
                return;
            }
            boolean neverSent = close.getReason() == CloseReason.SHUTTING_DOWN && !stream.mayHaveReachedServer();
            if ((close.getReason() == CloseReason.NOT_OWNER || neverSent) && moves < MAX_MOVES) {
                // Turned away before it ran, or its link to a stopped server never came up: either way the
                // call did not run, and goes to whoever owns the couple now.
                followCouple(close, stream.serverId());
                return;
            }
            end();
            CloseReason reason = close.getReason();
            String detail = close.getDetail();
            CloseReason ended = reason == null ? CloseReason.INTERNAL : reason;
            if (ended == CloseReason.UNAUTHORIZED || ended == CloseReason.PROTOCOL_ERROR) {
                LOG.debug("HTTP call ends without a reply after {} move(s): {} from {} ({})", moves, reason,
                        stream.serverId(), detail);
            } else {
                // The client is told to retry (503): rare outside a server's crash, and what an operator asks
                // about when apps report failed calls during a deploy.
                LOG.info("HTTP call answered 503 after {} move(s): {} from {} ({})", moves, reason, stream.serverId(),
                        detail);
            }
            switch (ended) {
                case UNAUTHORIZED:
                    respond(keepAlive, HttpResponseStatus.FORBIDDEN, detail == null ? "not allowed" : detail);
                    break;
                case PROTOCOL_ERROR:
                    respond(keepAlive, HttpResponseStatus.BAD_REQUEST, "unreadable Thrift message: " + detail);
                    break;
                case NOT_OWNER: {
                    FullHttpResponse response = textResponse(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "the couple is moving between servers; retry");
                    response.headers().setInt(HttpHeaderNames.RETRY_AFTER, 1);
                    send(keepAlive, response);
                    break;
                }
                default:
                    respond(keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "the application server went away; retry");
            }
        }

        void timedOut() {
            if (end()) {
                stream.close(CloseReason.CLIENT_GONE);
                respond(keepAlive, HttpResponseStatus.GATEWAY_TIMEOUT, "no reply within " + replyTimeout.toMillis() + " ms");
            }
        }

        /** The client went away: nobody is left to answer. */
        void abandon() {
            if (end()) {
                stream.close(CloseReason.CLIENT_GONE);
            }
        }

        /** @return whether this exchange was the current one, which it no longer is */
        private boolean end() {
            if (current != this) {
                return false;
            }
            current = null;
            if (deadline != null) {
                deadline.cancel(false);
            }
            return true;
        }
    }

    private void unauthorized(boolean keepAlive, String why) {
        FullHttpResponse response = textResponse(HttpResponseStatus.UNAUTHORIZED, why);
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        send(keepAlive, response);
    }

    private void respond(boolean keepAlive, HttpResponseStatus status, String text) {
        send(keepAlive, textResponse(status, text));
    }

    private static FullHttpResponse textResponse(HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                status, Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return response;
    }

    /** Answers the current request; then refuses a pipelined one and closes, or reads the next request. */
    private void send(boolean keepAlive, FullHttpResponse response) {
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (pipelined && keepAlive) {
            FullHttpResponse refusal = textResponse(HttpResponseStatus.BAD_REQUEST,
                    "pipelined request refused: send the next request after the previous response");
            refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, refusal.content().readableBytes());
            written = ctx.writeAndFlush(refusal);
            keepAlive = false;
        }
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (current != null) {
            current.abandon();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException || cause instanceof CodecException)) {
            // Neither the client going away nor bytes the codec or TLS refused (or a request cut short):
            // a bug here, which would otherwise close the connection without a trace.
            LOG.warn("HTTP connection from {} closed on an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
