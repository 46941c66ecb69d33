package io.duet.client.internal;

import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.NoticeKind;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionNotice;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel handler of one session connection: it decodes the control frames and hands each frame
 * to the part of the session that owns it (authentication, notices, errors and the connection's end to
 * {@link SessionLifecycle}, replies to {@link SessionTransport}, events to {@link Delivery}), answers
 * pings, pings a quiet connection and closes a silent one. It holds no state of its own; a new one is
 * made for each connection. Runs on the session's event loop, as Netty calls it there.
 */
final class SessionHandler extends SimpleChannelInboundHandler<Frame> {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    private final SessionLifecycle lifecycle;
    private final SessionTransport transport;
    private final Delivery delivery;

    SessionHandler(SessionLifecycle lifecycle, SessionTransport transport, Delivery delivery) {
        this.lifecycle = lifecycle;
        this.transport = transport;
        this.delivery = delivery;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        lifecycle.authenticate(ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) throws Exception {
        switch (frame.type()) {
            case AUTH_OK: {
                AuthAccepted accepted = CODEC.decode(frame.payload(), new AuthAccepted());
                SessionChannelInitializer.pingEvery(ctx.channel(), accepted.getPingIntervalMillis());
                lifecycle.authenticated(accepted);
                break;
            }
            case REPLY:
                transport.onReply(frame.payload());
                break;
            case EVENT:
                delivery.onEvent(frame.payload());
                break;
            case NOTICE:
                notice(CODEC.decode(frame.payload(), new SessionNotice()));
                break;
            case ERROR:
                lifecycle.sessionError(CODEC.decode(frame.payload(), new SessionError()));
                break;
            case PING:
                ctx.writeAndFlush(Frame.of(FrameType.PONG, frame.payload()));
                break;
            default:
                break;
        }
    }

    private void notice(SessionNotice notice) {
        NoticeKind kind = notice.getKind();
        if (kind == NoticeKind.SESSION_MOVED) {
            lifecycle.sessionMoved();
        } else if (kind == NoticeKind.RECONNECT) {
            lifecycle.serverDraining(notice.isSetReconnectWithinMillis() ? notice.getReconnectWithinMillis() : 0,
                    notice.getDetail());
        } else {
            // A kind from a newer server: nothing this client must do.
            LOG.debug("Ignoring a notice of a kind this client does not know: {}", notice);
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
        lifecycle.lost("connection closed");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Session failed: {}", cause.toString());
        ctx.close();
    }
}
