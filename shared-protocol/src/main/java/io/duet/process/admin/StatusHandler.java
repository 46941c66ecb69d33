package io.duet.process.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code GET /status} (the operators' page, {@link StatusHtml}) and {@code GET /status.json}
 * ({@link StatusJson}); any other request goes on to {@link AdminHandler}. Both show the server's
 * readiness, its drain when it can drain, and what its {@link StatusSource} keeps in memory: it never
 * waits for anything.
 */
final class StatusHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(StatusHandler.class);
    static final String HTML_CONTENT_TYPE = "text/html; charset=utf-8";
    static final String JSON_CONTENT_TYPE = "application/json";

    private final ReadinessCheck readiness;
    /** Null on a server that cannot drain. */
    private final DrainControl drain;
    private final Supplier<StatusSource> source;
    private final Clock clock;

    StatusHandler(ReadinessCheck readiness, DrainControl drain, Supplier<StatusSource> source, Clock clock) {
        this.readiness = readiness;
        this.drain = drain;
        this.source = source;
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (!(message instanceof FullHttpRequest request) || !request.decoderResult().isSuccess()) {
            ctx.fireChannelRead(message);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.equals("/status") && !path.equals("/status.json")) {
            ctx.fireChannelRead(message);
            return;
        }
        try {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            FullHttpResponse response;
            if (!request.method().equals(HttpMethod.GET)) {
                response = answer(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "use GET\n");
                response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
            } else if (path.equals("/status")) {
                response = answer(HttpResponseStatus.OK, HTML_CONTENT_TYPE, StatusHtml.render(report()));
                response.headers().set("Content-Security-Policy", StatusHtml.CONTENT_SECURITY_POLICY);
            } else {
                response = answer(HttpResponseStatus.OK, JSON_CONTENT_TYPE, StatusJson.render(report()));
            }
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            send(ctx, response, keepAlive);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    /** What this request shows. */
    StatusReport report() {
        StatusSource status = source.get();
        Map<String, String> facts = status.self();
        Map<String, String> self = new LinkedHashMap<>();
        for (String first : new String[] {"server", "role"}) {
            if (facts.containsKey(first)) {
                self.put(first, facts.get(first));
            }
        }
        self.put("ready", ready());
        if (drain != null) {
            DrainStatus drainStatus = drain.drainStatus();
            self.put("drain", StatusHtml.drainWords(drainStatus.phase().name()) + ": " + drainStatus.detail());
        }
        facts.forEach(self::putIfAbsent);
        return new StatusReport(self, status.cluster(), clock.millis());
    }

    private String ready() {
        try {
            Optional<String> whyNot = readiness.whyNotReady();
            return whyNot.map(reason -> "no: " + AdminHandler.oneLine(reason)).orElse("yes");
        } catch (RuntimeException e) {
            LOG.warn("Readiness check failed", e);
            return "no: readiness check failed: " + e;
        }
    }

    private static FullHttpResponse answer(HttpResponseStatus status, String contentType, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        response.headers().set("X-Content-Type-Options", "nosniff");
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
