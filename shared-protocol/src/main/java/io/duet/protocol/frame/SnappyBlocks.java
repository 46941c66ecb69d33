package io.duet.protocol.frame;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import org.xerial.snappy.Snappy;

/**
 * Raw snappy blocks, read defensively: the declared uncompressed length (the block's varint preamble)
 * is parsed here and checked against the limit before snappy or we allocate anything, and the block
 * is validated before room for its output is allocated and it is decompressed.
 */
final class SnappyBlocks {
    private static final int MAX_VARINT32_BYTES = 5;

    private SnappyBlocks() {
    }

    static byte[] uncompress(ByteBuf in, int index, int length, int maxUncompressedBytes) {
        long declared = declaredLength(in, index, length);
        if (declared > maxUncompressedBytes) {
            throw new UncompressedTooLargeException(declared, maxUncompressedBytes);
        }
        byte[] block = new byte[length];
        in.getBytes(index, block);
        try {
            if (!Snappy.isValidCompressedBuffer(block)) {
                throw new BadCompressionException("invalid snappy block of " + length + " bytes");
            }
            // Only now, for a valid block: a few bytes declaring the limit must not cost the limit.
            byte[] output = new byte[(int) declared];
            int produced = Snappy.uncompress(block, 0, block.length, output, 0);
            if (produced != declared) {
                throw new BadCompressionException(
                        "snappy block produced " + produced + " bytes, but declared " + declared);
            }
            return output;
        } catch (IOException e) {
            throw new BadCompressionException("invalid snappy block of " + length + " bytes: " + e.getMessage(), e);
        }
    }

    /** The unsigned varint32 at the start of a snappy block: its uncompressed length. */
    static long declaredLength(ByteBuf in, int index, int length) {
        long value = 0;
        for (int i = 0; i < MAX_VARINT32_BYTES; i++) {
            if (i >= length) {
                throw new BadCompressionException("snappy block ends inside its length preamble");
            }
            int b = in.getUnsignedByte(index + i);
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new BadCompressionException("snappy length preamble longer than " + MAX_VARINT32_BYTES + " bytes");
    }

    static byte[] compress(byte[] input) {
        try {
            return Snappy.compress(input);
        } catch (IOException e) {
            throw new IllegalStateException("snappy failed to compress " + input.length + " bytes", e);
        }
    }
}
