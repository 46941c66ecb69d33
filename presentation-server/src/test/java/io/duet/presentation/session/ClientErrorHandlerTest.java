package io.duet.presentation.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

class ClientErrorHandlerTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameLimits.CLIENT_TO_SERVER),
            new ClientErrorHandler());

    private SessionError errorSent() throws Exception {
        Frame frame = channel.readOutbound();
        assertThat(frame.type()).isEqualTo(FrameType.ERROR);
        assertThat(channel.isOpen()).isFalse();
        return ThriftCodec.INTERNAL.decode(frame.payload(), new SessionError());
    }

    @Test
    void oversizedFrameBecomesFrameTooLargeNamingTheLimit() throws Exception {
        channel.writeInbound(Unpooled.buffer().writeInt(1 << 20));
        SessionError error = errorSent();
        assertThat(error.getCode()).isEqualTo(SessionErrorCode.FRAME_TOO_LARGE);
        assertThat(error.getMessage()).isEqualTo("frame of 1048576 bytes exceeds the limit of 65536 bytes");
    }

    @Test
    void absurdDeclaredUncompressedSizeBecomesFrameTooLarge() throws Exception {
        channel.writeInbound(Unpooled.buffer().writeInt(7).writeByte(FrameType.CALL.code()).writeByte(Frame.FLAG_SNAPPY)
                .writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}));
        assertThat(errorSent().getCode()).isEqualTo(SessionErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void unknownFrameTypeBecomesBadFrame() throws Exception {
        channel.writeInbound(Unpooled.buffer().writeInt(2).writeByte(200).writeByte(0));
        assertThat(errorSent().getCode()).isEqualTo(SessionErrorCode.BAD_FRAME);
    }

    @Test
    void silenceBecomesIdleTimeout() throws Exception {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat(errorSent().getCode()).isEqualTo(SessionErrorCode.IDLE_TIMEOUT);
    }
}
