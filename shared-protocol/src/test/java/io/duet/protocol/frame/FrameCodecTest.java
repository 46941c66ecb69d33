package io.duet.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class FrameCodecTest {
    private static final FrameLimits LIMITS = FrameLimits.of(1024, 4096);

    private final EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(LIMITS));

    @AfterEach
    void closeChannel() {
        decoder.finishAndReleaseAll();
    }

    @Test
    void roundTripsFramesUncompressedAndCompressed() {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder(LIMITS, 16));
        byte[] small = "hi".getBytes(StandardCharsets.UTF_8);
        byte[] repetitive = "typing typing typing typing typing typing typing".getBytes(StandardCharsets.UTF_8);
        encoder.writeOutbound(Frame.of(FrameType.CALL, small), Frame.of(FrameType.EVENT, repetitive),
                Frame.empty(FrameType.PING));

        ByteBuf first = encoder.readOutbound();
        ByteBuf second = encoder.readOutbound();
        ByteBuf third = encoder.readOutbound();
        assertThat(first.getByte(5)).as("small frames are not compressed").isZero();
        assertThat(second.getByte(5)).as("repetitive frames are compressed").isEqualTo((byte) Frame.FLAG_SNAPPY);
        assertThat(second.readableBytes()).isLessThan(6 + repetitive.length);

        decoder.writeInbound(first, second, third);
        Frame a = decoder.readInbound();
        Frame b = decoder.readInbound();
        Frame c = decoder.readInbound();
        assertThat(a.type()).isEqualTo(FrameType.CALL);
        assertThat(a.payload()).isEqualTo(small);
        assertThat(b.type()).isEqualTo(FrameType.EVENT);
        assertThat(b.payload()).isEqualTo(repetitive);
        assertThat(c.type()).isEqualTo(FrameType.PING);
        assertThat(c.payload()).isEmpty();
        encoder.finishAndReleaseAll();
    }

    @Test
    void waitsForWholeFrameDeliveredByteByByte() {
        ByteBuf wire = frame(FrameType.CALL, 0, "hello".getBytes(StandardCharsets.UTF_8));
        while (wire.readableBytes() > 1) {
            decoder.writeInbound(wire.readRetainedSlice(1));
            assertThat((Object) decoder.readInbound()).isNull();
        }
        decoder.writeInbound(wire);
        Frame frame = decoder.readInbound();
        assertThat(new String(frame.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void rejectsFrameOverSizeLimitAsSoonAsLengthArrives() {
        ByteBuf header = Unpooled.buffer().writeInt(LIMITS.maxFrameBytes() + 1);
        assertThatThrownBy(() -> decoder.writeInbound(header))
                .isInstanceOf(FrameTooLargeException.class)
                .hasMessage("frame of 1025 bytes exceeds the limit of 1024 bytes");
    }

    @Test
    void rejectsLengthNearFourGigabytesWithoutAllocating() {
        ByteBuf header = Unpooled.buffer().writeInt(0xFFFFFFF0);
        assertThatThrownBy(() -> decoder.writeInbound(header))
                .isInstanceOfSatisfying(FrameTooLargeException.class,
                        e -> assertThat(e.length()).isEqualTo(0xFFFFFFF0L));
    }

    @Test
    void rejectsSnappyFrameDeclaringAbsurdUncompressedSize() {
        // A varint preamble declaring 2^32 - 1 bytes, followed by a few junk bytes.
        byte[] body = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 0x00, 0x01};
        assertThatThrownBy(() -> decoder.writeInbound(frame(FrameType.CALL, Frame.FLAG_SNAPPY, body)))
                .isInstanceOfSatisfying(UncompressedTooLargeException.class, e -> {
                    assertThat(e.declared()).isEqualTo(0xFFFFFFFFL);
                    assertThat(e.limit()).isEqualTo(4096);
                });
    }

    @Test
    void rejectsRealSnappyBlockThatInflatesPastTheLimit() throws Exception {
        byte[] zeros = new byte[LIMITS.maxUncompressedBytes() + 1];
        byte[] compressed = Snappy.compress(zeros);
        assertThat(compressed.length).isLessThan(LIMITS.maxFrameBytes());
        assertThatThrownBy(() -> decoder.writeInbound(frame(FrameType.CALL, Frame.FLAG_SNAPPY, compressed)))
                .isInstanceOf(UncompressedTooLargeException.class);
    }

    @Test
    void rejectsCorruptSnappyBody() {
        byte[] body = {0x10, 0x7F, 0x7F, 0x7F, 0x7F};
        assertThatThrownBy(() -> decoder.writeInbound(frame(FrameType.CALL, Frame.FLAG_SNAPPY, body)))
                .isInstanceOf(BadCompressionException.class);
    }

    @Test
    void rejectsUnknownTypeAndUnknownFlags() {
        assertThatThrownBy(() -> decoder.writeInbound(frame(99, 0, new byte[1])))
                .isInstanceOf(MalformedFrameException.class).hasMessage("unknown frame type 99");
        EmbeddedChannel other = new EmbeddedChannel(new FrameDecoder(LIMITS));
        assertThatThrownBy(() -> other.writeInbound(frame(FrameType.CALL, 0x80, new byte[1])))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("unknown frame flags 0x80");
        other.finishAndReleaseAll();
    }

    @Test
    void rejectsLengthTooShortForTypeAndFlags() {
        assertThatThrownBy(() -> decoder.writeInbound(Unpooled.buffer().writeInt(1).writeByte(3)))
                .isInstanceOf(MalformedFrameException.class).hasMessage("frame length 1 (expected: >= 2)");
    }

    @Test
    void discardsEverythingAfterTheFirstBadFrame() {
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x7F;
        assertThatThrownBy(() -> decoder.writeInbound(Unpooled.wrappedBuffer(garbage)))
                .isInstanceOf(FrameException.class);
        decoder.writeInbound(frame(FrameType.CALL, 0, new byte[] {1, 2, 3}));
        assertThat((Object) decoder.readInbound()).as("a desynchronized stream yields nothing more").isNull();
    }

    @Test
    void handsOnNothingMoreOnceAHandlerFurtherOnClosedTheChannel() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(LIMITS), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object frame) {
                seen.add(frame);
                ctx.close(); // as a relay handler does when it rejects a frame
            }
        });
        channel.writeInbound(Unpooled.wrappedBuffer(frame(FrameType.CALL, 0, new byte[] {1}),
                frame(FrameType.CALL, 0, new byte[] {2})));
        assertThat(seen).as("the frame behind the rejected one, in the same read").hasSize(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void encoderRefusesFrameThePeerWouldReject() {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder(LIMITS, FrameEncoder.NEVER_COMPRESS));
        byte[] random = new byte[LIMITS.maxFrameBytes()];
        new Random(1).nextBytes(random);
        assertThatThrownBy(() -> encoder.writeOutbound(Frame.of(FrameType.REPLY, random)))
                .isInstanceOf(EncoderException.class)
                .hasCauseInstanceOf(FrameTooLargeException.class);
        encoder.finishAndReleaseAll();
    }

    @Test
    void compressionIsSkippedWhenItDoesNotShrinkTheBody() {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder(LIMITS, 0));
        byte[] random = new byte[200];
        new Random(3).nextBytes(random);
        encoder.writeOutbound(Frame.of(FrameType.REPLY, random));
        ByteBuf wire = encoder.readOutbound();
        assertThat(wire.getByte(5)).isZero();
        assertThat(wire.readableBytes()).isEqualTo(6 + random.length);
        wire.release();
        encoder.finishAndReleaseAll();
    }

    static ByteBuf frame(FrameType type, int flags, byte[] body) {
        return frame(type.code(), flags, body);
    }

    static ByteBuf frame(int type, int flags, byte[] body) {
        return Unpooled.buffer().writeInt(2 + body.length).writeByte(type).writeByte(flags)
                .writeBytes(Arrays.copyOf(body, body.length));
    }
}
