package io.duet.presentation.http;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.relay.RelayStream;
import io.duet.presentation.relay.StreamListener;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.cluster.AppServerInfo;
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
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client API over HTTP.
 *
 * <pre>
 * POST /api/v1/account   AccountService   (signUp and logIn need no token)
 * POST /api/v1/pairing   PairingService
 * POST /api/v1/chat      ChatService      (not subscribe: that needs a TCP session)
 * GET  /health           200 while this server has a shard map and relay links, else 503
 * </pre>
 *
 * <p>The body is one Thrift message, as Thrift's {@code THttpClient} sends it. The protocol follows the
 * {@code Content-Type}: {@code application/vnd.apache.thrift.binary}, {@code .compact} or {@code .json}
 * (or {@code application/json}); with {@code application/x-thrift}, which stock clients send whatever
 * their protocol, it is recognised from the message's first byte. The reply uses the same protocol.
 * A session token goes in {@code Authorization: Bearer <token>}.
 *
 * <p>Status codes: 200 with a Thrift reply (which may carry a {@code DuetError}); 400 unreadable
 * message; 401 bad or expired token; 403 a token not valid for the couple; 404 unknown path; 405 not
 * POST; 408 request body too slow; 413 body over {@value HttpApiInitializer#MAX_BODY_BYTES} bytes;
 * 415 unknown content type; 429 a rate limit was reached (with {@code Retry-After} in seconds, and the
 * Thrift reply carrying the {@code RATE_LIMITED} DuetError); 503 no application server available; 504 no
 * reply in time.
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> implements StreamListener {
    private static final Pattern SERVICE_PATH = Pattern.compile("/api/v1/([a-z][a-z0-9]{0,31})");

    private final Authenticator authenticator;
    private final RoutingTable routing;
    private final AppLinks links;
    private final Duration replyTimeout;
    private ChannelHandlerContext ctx;
    private RelayStream inFlight;
    private boolean keepAlive;
    private String replyContentType;
    private ScheduledFuture<?> replyDeadline;

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
        keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            keepAlive = false;
            respond(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals("/health")) {
            boolean healthy = routing.current().isPresent() && links.openLinks() > 0;
            respond(healthy ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, healthy ? "ok" : "no routes");
            return;
        }
        Matcher service = SERVICE_PATH.matcher(path);
        if (!service.matches()) {
            respond(HttpResponseStatus.NOT_FOUND, "no such API; services are at /api/v1/<service>");
            return;
        }
        if (!request.method().equals(HttpMethod.POST)) {
            FullHttpResponse response = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST");
            response.headers().set(HttpHeaderNames.ALLOW, "POST");
            send(response);
            return;
        }
        ByteBuf body = request.content();
        WireProtocol protocol = protocolOf(request.headers().get(HttpHeaderNames.CONTENT_TYPE), body);
        if (protocol == null) {
            respond(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "expected a Thrift content type: "
                    + "application/vnd.apache.thrift.{binary,compact,json} or application/x-thrift");
            return;
        }
        Principal principal = null;
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                unauthorized("use Authorization: Bearer <token>");
                return;
            }
            try {
                principal = authenticator.authenticate(authorization.substring(7).trim());
            } catch (TokenException e) {
                unauthorized(e.getMessage());
                return;
            }
        }
        SocketAddress remote = ctx.channel().remoteAddress();
        Optional<AppServerInfo> owner = routing.route(principal, remote instanceof InetSocketAddress
                ? ((InetSocketAddress) remote).getAddress().getHostAddress() : String.valueOf(remote));
        if (owner.isEmpty()) {
            respond(HttpResponseStatus.SERVICE_UNAVAILABLE, "no application server available; retry");
            return;
        }
        replyContentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        OpenStream open = new OpenStream()
                .setKind(StreamKind.REQUEST)
                .setService(service.group(1))
                .setProtocol(protocol)
                .setClientAddress(String.valueOf(ctx.channel().remoteAddress()));
        if (principal != null) {
            open.setPrincipal(principal);
        }
        // One request at a time per connection: stop reading until this one is answered.
        ctx.channel().config().setAutoRead(false);
        inFlight = links.linkFor(owner.get(), ctx.channel().eventLoop()).open(open, this);
        inFlight.sendCall(ByteBufUtil.getBytes(body));
        replyDeadline = ctx.executor().schedule(() -> {
            if (inFlight != null) {
                inFlight.close(CloseReason.CLIENT_GONE);
                inFlight = null;
                respond(HttpResponseStatus.GATEWAY_TIMEOUT, "no reply within " + replyTimeout.toMillis() + " ms");
            }
        }, replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The protocol named by the content type, or sniffed from the first byte for application/x-thrift. */
    static WireProtocol protocolOf(String contentType, ByteBuf body) {
        String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case "application/vnd.apache.thrift.binary":
                return WireProtocol.BINARY;
            case "application/vnd.apache.thrift.compact":
                return WireProtocol.COMPACT;
            case "application/vnd.apache.thrift.json":
            case "application/json":
                return WireProtocol.JSON;
            case "application/x-thrift":
                if (!body.isReadable()) {
                    return WireProtocol.BINARY;
                }
                int first = body.getUnsignedByte(body.readerIndex());
                return first == 0x82 ? WireProtocol.COMPACT : first == '[' ? WireProtocol.JSON : WireProtocol.BINARY;
            default:
                return null;
        }
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
        if (kind != PayloadKind.REPLY || inFlight == null) {
            return;
        }
        finish();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                rateLimitedFor > 0 ? HttpResponseStatus.TOO_MANY_REQUESTS : HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(payload));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, replyContentType);
        if (rateLimitedFor > 0) {
            // Retry-After is in whole seconds: round up, so that a client honouring it is not refused again.
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, (rateLimitedFor + 999) / 1000);
        }
        send(response);
    }

    @Override
    public void onClosed(CloseStream close) {
        if (inFlight == null) {
            return;
        }
        finish();
        CloseReason reason = close.getReason();
        String detail = close.getDetail();
        switch (reason == null ? CloseReason.INTERNAL : reason) {
            case UNAUTHORIZED:
                respond(HttpResponseStatus.FORBIDDEN, detail == null ? "not allowed" : detail);
                break;
            case PROTOCOL_ERROR:
                respond(HttpResponseStatus.BAD_REQUEST, "unreadable Thrift message: " + detail);
                break;
            default:
                respond(HttpResponseStatus.SERVICE_UNAVAILABLE, "the application server went away; retry");
        }
    }

    private void finish() {
        inFlight = null;
        if (replyDeadline != null) {
            replyDeadline.cancel(false);
            replyDeadline = null;
        }
    }

    private void unauthorized(String why) {
        FullHttpResponse response = textResponse(HttpResponseStatus.UNAUTHORIZED, why);
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        send(response);
    }

    private void respond(HttpResponseStatus status, String text) {
        send(textResponse(status, text));
    }

    private static FullHttpResponse textResponse(HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                status, Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return response;
    }

    private void send(FullHttpResponse response) {
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (inFlight != null) {
            inFlight.close(CloseReason.CLIENT_GONE);
            finish();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
