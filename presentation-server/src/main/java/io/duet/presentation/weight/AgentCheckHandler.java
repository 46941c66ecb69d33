package io.duet.presentation.weight;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * HAProxy's agent protocol, server side: on connect, one ASCII line (for example {@code "ready 75%\n"} or
 * {@code "drain\n"}), then close. Whatever the checker sends ({@code agent-send}) is read and dropped. The
 * line comes from {@code reply}, which must not block: it runs on the event loop.
 */
@ChannelHandler.Sharable
final class AgentCheckHandler extends ChannelInboundHandlerAdapter {
    private final Supplier<String> reply;

    AgentCheckHandler(Supplier<String> reply) {
        this.reply = reply;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.copiedBuffer(reply.get(), StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A checker that resets the connection: nothing to tell anyone; it will come back.
        ctx.close();
    }
}
