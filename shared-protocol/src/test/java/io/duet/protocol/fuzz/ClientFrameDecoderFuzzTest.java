package io.duet.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The frame decoder as a presentation server runs it on a client connection, under {@link
 * FrameLimits#CLIENT_TO_SERVER}. Input: byte 0 picks the size of the reads the stream arrives in (1 to 256
 * bytes); the rest is the stream. Properties:
 *
 * <ul>
 *   <li>the decoder either yields frames or rejects the stream with a {@code FrameException}, nothing else,
 *       and nothing after the rejection;
 *   <li>delivered whole or in reads of any size, the stream decodes to the same frames and rejection;
 *   <li>no frame's body exceeds the limits, and the heap the decoder allocates is bounded by the bytes it
 *       received (a few bytes never make it allocate a body's worth);
 *   <li>every buffer is released;
 *   <li>each frame encodes and decodes back to itself, compressed or not.
 * </ul>
 */
class ClientFrameDecoderFuzzTest {
    private static final FrameLimits LIMITS = FrameLimits.CLIENT_TO_SERVER;
    /** The most a valid snappy block expands: a 3-byte copy produces at most 64 bytes. */
    private static final int SNAPPY_EXPANSION = 22;
    /** Heap an EmbeddedChannel and the bookkeeping of one stream may take whatever the stream holds. */
    private static final int ALLOCATION_OVERHEAD = 64 * 1024;
    /** Limits for re-encoding: the round trip checks the codec's symmetry, not the client limits again. */
    private static final FrameLimits ROUND_TRIP = FrameLimits.of(Integer.MAX_VALUE, Integer.MAX_VALUE);

    private final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    @FuzzTest
    void clientFrames(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int chunk = 1 + (input[0] & 0xff);
        byte[] stream = FrameStreams.rest(input, 1);
        FrameStreams.Decoded whole = FrameStreams.decode(stream, Math.max(1, stream.length), allocator,
                new FrameDecoder(LIMITS));
        FrameStreams.Decoded chunked = FrameStreams.decode(stream, chunk, allocator, new FrameDecoder(LIMITS));

        assertThat(chunked.rejectionType()).as("rejection, in reads of %d bytes", chunk).isEqualTo(whole.rejectionType());
        assertThat(chunked.messages).as("frames, in reads of %d bytes", chunk).hasSameSizeAs(whole.messages);
        for (int i = 0; i < whole.messages.size(); i++) {
            assertSameFrame((Frame) chunked.messages.get(i), (Frame) whole.messages.get(i));
        }
        // Measured on a second, warm run: the first may load and initialize classes.
        long allocated = FrameStreams.decode(stream, Math.max(1, stream.length), allocator, new FrameDecoder(LIMITS))
                .allocatedBytes;
        assertThat(allocated).as("heap allocated to decode %d bytes", stream.length)
                .isLessThanOrEqualTo((long) SNAPPY_EXPANSION * 4 * stream.length + ALLOCATION_OVERHEAD);
        for (Object message : whole.messages) {
            Frame frame = (Frame) message;
            assertThat(frame.payload().length).as("body of %s", frame).isLessThanOrEqualTo(LIMITS.maxUncompressedBytes());
            roundTrip(frame, FrameEncoder.NEVER_COMPRESS);
            roundTrip(frame, 0);
        }
    }

    private void roundTrip(Frame frame, int compressionThreshold) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(ROUND_TRIP, compressionThreshold),
                new FrameDecoder(ROUND_TRIP));
        channel.config().setAllocator(allocator);
        channel.writeOutbound(frame);
        ByteBuf wire = channel.readOutbound();
        channel.writeInbound(wire);
        Frame back = channel.readInbound();
        assertSameFrame(back, frame);
        assertThat(channel.finishAndReleaseAll()).as("nothing left over").isFalse();
        allocator.assertAllReleased();
    }

    private static void assertSameFrame(Frame actual, Frame expected) {
        assertThat(actual).as("frame").isNotNull();
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.payload()).isEqualTo(expected.payload());
    }
}
