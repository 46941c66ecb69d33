package io.duet.presentation.session;

import io.duet.presentation.proxy.ProxyProtocol;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.frame.BadCompressionException;
import io.duet.protocol.frame.FrameException;
import io.duet.protocol.frame.FrameTooLargeException;
import io.duet.protocol.frame.UncompressedTooLargeException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client pipeline, and the one place where failures on a client connection become
 * the client's {@code SessionError}: limits broken, bytes that are not frames, silence. Each ends the
 * connection after an ERROR frame that names the limit or the fault; other clients are unaffected.
 * Stateless: one instance serves every connection.
 */
@ChannelHandler.Sharable
final class ClientErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientErrorHandler.class);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof FrameTooLargeException || cause instanceof UncompressedTooLargeException) {
            SessionErrors.closeWith(ctx.channel(), SessionErrorCode.FRAME_TOO_LARGE, cause.getMessage());
        } else if (cause instanceof BadCompressionException) {
            SessionErrors.closeWith(ctx.channel(), SessionErrorCode.BAD_COMPRESSION, cause.getMessage());
        } else if (cause instanceof FrameException) {
            SessionErrors.closeWith(ctx.channel(), SessionErrorCode.BAD_FRAME, cause.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("Client connection {} failed: {}", ProxyProtocol.clientAddress(ctx.channel()), cause.toString());
            ctx.close();
        } else {
            LOG.warn("Unexpected failure on client connection {}", ProxyProtocol.clientAddress(ctx.channel()), cause);
            SessionErrors.closeWith(ctx.channel(), SessionErrorCode.INTERNAL, "internal error");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            SessionErrors.closeWith(ctx.channel(), SessionErrorCode.IDLE_TIMEOUT, "no frame received for too long; send PING");
            return;
        }
        super.userEventTriggered(ctx, event);
    }
}
