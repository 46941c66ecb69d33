package io.duet.presentation.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
 * While a request waits for its reply nothing is timed here: {@link HttpApiHandler} bounds that wait.
 * Sits behind the HTTP codec, so it sees a request's head once it is complete.
 */
final class RequestDeadlineHandler extends ChannelDuplexHandler {
    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private ScheduledFuture<?> deadline;
    /** Requests received whose response has not been written yet. */
    private int unanswered;

    RequestDeadlineHandler(Duration headerTimeout, Duration bodyTimeout) {
        this.headerTimeout = headerTimeout;
        this.bodyTimeout = bodyTimeout;
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
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent && unanswered > 0 && --unanswered == 0 && deadline == null) {
            awaitHead(ctx);
        }
        super.write(ctx, msg, promise);
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
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }
}
