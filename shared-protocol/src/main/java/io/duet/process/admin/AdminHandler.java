package io.duet.process.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin port's requests, each on the connection's event loop:
 *
 * <pre>
 * GET /live      200 "live": the process runs its event loops (this one answered)
 * GET /ready     200 "ready", or 503 with why not in one line ({@link ReadinessCheck})
 * GET /metrics   200, the Prometheus text exposition (format 0.0.4) of the server's meters
 * POST /drain    starts draining ({@link DrainControl}): 202 "draining: ...", 200 "drained: ..." once done,
 *                409 with why when the server cannot drain yet
 * GET /drain     200 "drained: ..." once every client has left, 503 "draining: ..." meanwhile, 409
 *                "not draining: ..." before a drain started; a script polls it until 200
 * </pre>
 *
 * {@code /status} and {@code /status.json} are answered before this handler ({@link StatusHandler}).
 * {@code /drain} is there only on servers that can drain (404 elsewhere). Any other path is 404, any
 * other method on these paths 405; a malformed request is 400 and closes
 * the connection, as does a connection idle past the limit ({@link AdminServerInitializer}).
 *
 * <p>Scraping is done here, on the event loop: the server's meters are counters and gauges over
 * counts it keeps anyway, so it reads memory and never waits.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    /** What Prometheus expects of the text exposition format. */
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** A reason longer than this is cut: /ready answers in one short line. */
    static final int MAX_REASON_LENGTH = 200;

    private final ReadinessCheck readiness;
    private final PrometheusMeterRegistry metrics;
    /** Null on a server that cannot drain. */
    private final DrainControl drain;

    AdminHandler(ReadinessCheck readiness, PrometheusMeterRegistry metrics) {
        this(readiness, metrics, null);
    }

    AdminHandler(ReadinessCheck readiness, PrometheusMeterRegistry metrics, DrainControl drain) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.drain = drain;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, text(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = new QueryStringDecoder(request.uri()).path();
        if (drain != null && path.equals("/drain")) {
            drain(ctx, request, keepAlive);
            return;
        }
        if (!path.equals("/live") && !path.equals("/ready") && !path.equals("/metrics")) {
            send(ctx, text(HttpResponseStatus.NOT_FOUND, drain == null ? "not found; try /live, /ready, /metrics or /status"
                    : "not found; try /live, /ready, /metrics, /drain or /status"), keepAlive);
            return;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET");
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
            send(ctx, response, keepAlive);
            return;
        }
        switch (path) {
            case "/live":
                send(ctx, text(HttpResponseStatus.OK, "live"), keepAlive);
                break;
            case "/ready":
                send(ctx, ready(), keepAlive);
                break;
            default:
                send(ctx, metrics(ctx), keepAlive);
        }
    }

    private void drain(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        DrainStatus status;
        if (request.method().equals(HttpMethod.POST)) {
            status = drain.startDrain();
        } else if (request.method().equals(HttpMethod.GET)) {
            status = drain.drainStatus();
        } else {
            FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET or POST");
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name() + ", " + HttpMethod.POST.name());
            send(ctx, response, keepAlive);
            return;
        }
        HttpResponseStatus code;
        String word;
        switch (status.phase()) {
            case DRAINED:
                code = HttpResponseStatus.OK;
                word = "drained";
                break;
            case DRAINING:
                code = request.method().equals(HttpMethod.POST) ? HttpResponseStatus.ACCEPTED
                        : HttpResponseStatus.SERVICE_UNAVAILABLE;
                word = "draining";
                break;
            default:
                code = HttpResponseStatus.CONFLICT;
                word = "not draining";
        }
        send(ctx, text(code, oneLine(word + ": " + status.detail())), keepAlive);
    }

    private FullHttpResponse ready() {
        Optional<String> whyNot;
        try {
            whyNot = readiness.whyNotReady();
        } catch (RuntimeException e) {
            LOG.warn("Readiness check failed", e);
            whyNot = Optional.of("readiness check failed: " + e);
        }
        return whyNot.map(reason -> text(HttpResponseStatus.SERVICE_UNAVAILABLE, oneLine(reason)))
                .orElseGet(() -> text(HttpResponseStatus.OK, "ready"));
    }

    /** The reason on one line of at most {@value #MAX_REASON_LENGTH} characters. */
    static String oneLine(String reason) {
        String line = reason == null || reason.isBlank() ? "not ready" : reason.strip().replaceAll("\\s+", " ");
        return line.length() <= MAX_REASON_LENGTH ? line : line.substring(0, MAX_REASON_LENGTH - 3) + "...";
    }

    private FullHttpResponse metrics(ChannelHandlerContext ctx) {
        ByteBuf body = ctx.alloc().buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            metrics.scrape(out);
        } catch (IOException | RuntimeException e) {
            body.release();
            LOG.warn("Scraping the meters failed", e);
            return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "scraping the meters failed: " + e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, METRICS_CONTENT_TYPE);
        return response;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Admin connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
