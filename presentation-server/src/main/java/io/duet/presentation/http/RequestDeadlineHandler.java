package io.duet.presentation.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the time a connection may take to send a request, whatever it sends meanwhile (a byte does not
 * reset anything):
 *
 * <ul>
 *   <li>its head (request line and headers) within the header timeout of the connection's accept, or of
 *       the last response on a kept-alive connection; past it the connection is closed without a word
 *       (this is also the keep-alive idle timeout);
 *   <li>its body within the body timeout of its head; past it the client gets 408 and the connection
 *       is closed.
 * </ul>
 *
 * While a request waits for its reply, {@link HttpApiHandler} bounds that wait and answers 504 past it.
 * Should no response be written even so (a bug, a reply lost between handlers), a backstop closes the
 * connection once the request has waited the backstop timeout (the reply timeout plus {@link
 * #BACKSTOP_MARGIN}), so that no connection waits forever. An interim response ({@code 100 Continue} to
 * {@code Expect: 100-continue}) answers nothing: the request keeps its body deadline and its backstop, and
 * the header timeout starts again only after its real response. Sits behind the HTTP codec, so it sees a
 * request's head once it is complete.
 */
final class RequestDeadlineHandler extends ChannelDuplexHandler {
    /** How much longer than the reply timeout the backstop waits for a response. */
    static final Duration BACKSTOP_MARGIN = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadlineHandler.class);

    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final Duration backstopTimeout;
    private ScheduledFuture<?> deadline;
    /** Closes the connection if a received request gets no response in time; null when none waits. */
    private ScheduledFuture<?> backstop;
    /** Requests received whose response has not been written yet. */
    private int unanswered;

    /** @param backstopTimeout how long a received request may wait for its response before the connection closes */
    RequestDeadlineHandler(Duration headerTimeout, Duration bodyTimeout, Duration backstopTimeout) {
        this.headerTimeout = headerTimeout;
        this.bodyTimeout = bodyTimeout;
        this.backstopTimeout = backstopTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            awaitHead(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        awaitHead(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            unanswered++;
            arm(ctx, bodyTimeout, () -> requestTimedOut(ctx));
        }
        if (msg instanceof LastHttpContent) {
            cancel();
            if (unanswered > 0 && backstop == null) {
                backstop = ctx.executor().schedule(() -> {
                    backstop = null;
                    LOG.warn("No response to a request from {} within {} ms; closing the connection",
                            ctx.channel().remoteAddress(), backstopTimeout.toMillis());
                    ctx.close();
                }, backstopTimeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        // A 1xx (the aggregator's "100 Continue") is not the request's answer: the request still waits.
        if (msg instanceof LastHttpContent && !isInformational(msg)) {
            cancelBackstop();
            if (unanswered > 0 && --unanswered == 0 && deadline == null) {
                awaitHead(ctx);
            }
        }
        super.write(ctx, msg, promise);
    }

    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private void awaitHead(ChannelHandlerContext ctx) {
        arm(ctx, headerTimeout, ctx::close);
    }

    private void arm(ChannelHandlerContext ctx, Duration timeout, Runnable expiry) {
        cancel();
        deadline = ctx.executor().schedule(() -> {
            deadline = null;
            expiry.run();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void cancelBackstop() {
        if (backstop != null) {
            backstop.cancel(false);
            backstop = null;
        }
    }

    private void requestTimedOut(ChannelHandlerContext ctx) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.copiedBuffer(
                        "request body not received within " + bodyTimeout.toMillis() + " ms\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONNECTION, "close")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        cancelBackstop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
        cancelBackstop();
    }
}
