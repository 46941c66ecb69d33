package io.duet.presentation.session;

import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

/** Ends a client connection with a typed reason: an ERROR frame, then close. */
final class SessionErrors {
    private SessionErrors() {
    }

    static void closeWith(Channel channel, SessionErrorCode code, String message) {
        if (!channel.isActive()) {
            return;
        }
        byte[] body = ThriftCodec.INTERNAL.encode(new SessionError(code, message));
        channel.writeAndFlush(Frame.of(FrameType.ERROR, body)).addListener(ChannelFutureListener.CLOSE);
    }
}
