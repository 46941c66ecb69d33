package io.duet.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.thrift.ThriftLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;

/**
 * The relay frame codec, as both ends of a relay connection run it: {@link FrameDecoder} under {@link
 * FrameLimits#RELAY}, then {@link RelayFrameCodec}. Input: byte 0 picks the mode; in odd modes the rest
 * is the body of one RELAY frame (so that the fuzzer spends its time in the Thrift decoding), in even
 * modes it is the raw stream, read in reads of {@code 1 + byte 0} bytes. Properties:
 *
 * <ul>
 *   <li>the pipeline yields relay frames, or rejects the stream with a {@code FrameException}, nothing else;
 *   <li>every relay frame is of a known kind and within {@link ThriftLimits#INTERNAL};
 *   <li>every buffer is released;
 *   <li>each relay frame encodes and decodes back to an equal frame.
 * </ul>
 */
class RelayFrameCodecFuzzTest {
    private static final ThriftLimitsCheck LIMITS = new ThriftLimitsCheck(ThriftLimits.INTERNAL);

    private final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    @FuzzTest
    void relayFrames(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int mode = input[0] & 0xff;
        byte[] rest = FrameStreams.rest(input, 1);
        byte[] stream = (mode & 1) == 1 ? relayFrame(rest) : rest;
        FrameStreams.Decoded decoded = FrameStreams.decode(stream, 1 + mode, allocator, pipeline());
        for (Object message : decoded.messages) {
            RelayFrame frame = (RelayFrame) message;
            assertThat(frame.getSetField()).as("kind of %s", frame).isNotNull();
            LIMITS.check(frame);
            byte[] again = wire(frame);
            FrameStreams.Decoded back = FrameStreams.decode(again, again.length, allocator, pipeline());
            assertThat(back.rejection).as("rejection of the re-encoded %s", frame).isNull();
            assertThat(back.messages).containsExactly(frame);
        }
    }

    private static ChannelHandler[] pipeline() {
        return new ChannelHandler[] {new FrameDecoder(FrameLimits.RELAY), RelayFrameCodec.INSTANCE};
    }

    /** {@code frame} as the relay's encoder puts it on the wire. */
    private byte[] wire(RelayFrame frame) {
        EmbeddedChannel channel = new EmbeddedChannel(
                new FrameEncoder(FrameLimits.RELAY, FrameEncoder.NEVER_COMPRESS), RelayFrameCodec.INSTANCE);
        channel.config().setAllocator(allocator);
        channel.writeOutbound(frame);
        ByteBuf out = channel.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        allocator.assertAllReleased();
        return bytes;
    }

    /** An uncompressed RELAY frame carrying {@code body}. */
    private static byte[] relayFrame(byte[] body) {
        return ByteBuffer.allocate(6 + body.length)
                .putInt(2 + body.length)
                .put((byte) FrameType.RELAY.code())
                .put((byte) 0)
                .put(body)
                .array();
    }
}
