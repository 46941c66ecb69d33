package io.duet.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.duet.protocol.frame.BadCompressionException;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameTooLargeException;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.frame.UncompressedTooLargeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xerial.snappy.Snappy;

/**
 * Snappy blocks as a presentation server decompresses them: the body of a client frame flagged {@link
 * Frame#FLAG_SNAPPY}, through the {@link FrameDecoder} under {@link FrameLimits#CLIENT_TO_SERVER}. snappy is
 * native code that the fuzzer cannot see into, so inputs are blocks near valid ones as well as raw bytes.
 * Input: byte 0 picks how the block is made from the rest, {@code data}: even, {@code data} is the block;
 * odd, the block is {@code data} compressed, then, unless byte 0 is 1, with the byte at {@code byte 0 / 2}
 * (modulo its length) changed by byte 1. Properties:
 *
 * <ul>
 *   <li>the frame decodes, or is rejected as bad compression, as declaring too large a body, or (if the
 *       block is too long for a frame) as too large: nothing else;
 *   <li>a decoded body is what snappy itself makes of the block, and no larger than the limit;
 *   <li>{@code data} compressed and not changed decodes back to {@code data} whenever it fits the limits;
 *   <li>every buffer is released.
 * </ul>
 */
class SnappyBlockFuzzTest {
    private static final FrameLimits LIMITS = FrameLimits.CLIENT_TO_SERVER;

    private final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    @FuzzTest
    void snappyBlocks(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        int mode = input[0] & 0xff;
        byte[] data = FrameStreams.rest(input, 1);
        byte[] block = (mode & 1) == 0 ? data : Snappy.compress(data);
        boolean intact = (mode & 1) == 0 || mode == 1 || block.length == 0;
        if (!intact) {
            block[(mode >>> 1) % block.length] ^= data.length > 0 ? (byte) (data[0] | 1) : 1;
        }
        FrameStreams.Decoded decoded = FrameStreams.decode(snappyFrame(block), Integer.MAX_VALUE, allocator,
                new FrameDecoder(LIMITS));

        if (decoded.rejection != null) {
            assertThat(decoded.rejection).isInstanceOfAny(BadCompressionException.class,
                    UncompressedTooLargeException.class, FrameTooLargeException.class);
            if (decoded.rejection instanceof FrameTooLargeException) {
                assertThat(2L + block.length).isGreaterThan(LIMITS.maxFrameBytes());
            }
            if (mode == 1) {
                assertThat(data.length > LIMITS.maxUncompressedBytes() || 2L + block.length > LIMITS.maxFrameBytes())
                        .as("a block snappy made from %d bytes was rejected: %s", data.length, decoded.rejection)
                        .isTrue();
            }
            return;
        }
        assertThat(decoded.messages).hasSize(1);
        byte[] body = ((Frame) decoded.messages.get(0)).payload();
        assertThat(body.length).isLessThanOrEqualTo(LIMITS.maxUncompressedBytes());
        assertThat(body).as("what snappy itself makes of the block").isEqualTo(Snappy.uncompress(block));
        if (mode == 1) {
            assertThat(body).isEqualTo(data);
        }
    }

    /** A CALL frame whose body is {@code block}, flagged as compressed. */
    private static byte[] snappyFrame(byte[] block) {
        return ByteBuffer.allocate(6 + block.length)
                .putInt(2 + block.length)
                .put((byte) FrameType.CALL.code())
                .put((byte) Frame.FLAG_SNAPPY)
                .put(block)
                .array();
    }
}
