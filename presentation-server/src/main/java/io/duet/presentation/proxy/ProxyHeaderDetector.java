package io.duet.presentation.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a connection from a trusted proxy: tells from the first bytes whether a PROXY v2
 * header comes. If not (the first byte differs from the header's signature: a direct connection), it steps
 * aside and the bytes go on as they came. If so, it checks the header's declared length against the limit
 * up front (a longer one closes the connection), then hands the bytes to Netty's {@link
 * HAProxyMessageDecoder}, followed by a {@link ProxySourceHandler} that takes the source address.
 */
final class ProxyHeaderDetector extends ByteToMessageDecoder {
    static final String NAME = "proxyHeader";
    private static final Logger LOG = LoggerFactory.getLogger(ProxyHeaderDetector.class);
    /** The PROXY v2 signature, the header's first 12 bytes. */
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** The signature, version and command, address family, and the 2-byte length of what follows. */
    private static final int FIXED_BYTES = 16;
    /** The fixed bytes and the largest address block: HAProxyMessageDecoder's least header limit. */
    private static final int DECODER_MIN_HEADER_BYTES = FIXED_BYTES + 216;

    private final int maxHeaderBytes;

    ProxyHeaderDetector(int maxHeaderBytes) {
        if (maxHeaderBytes < DECODER_MIN_HEADER_BYTES) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: >= "
                    + DECODER_MIN_HEADER_BYTES + ")");
        }
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int at = in.readerIndex();
        int readable = in.readableBytes();
        for (int i = 0; i < Math.min(readable, SIGNATURE.length); i++) {
            if (in.getByte(at + i) != SIGNATURE[i]) {
                ctx.pipeline().remove(this); // no header: a direct connection; the bytes go on
                return;
            }
        }
        if (readable < FIXED_BYTES) {
            return;
        }
        int length = FIXED_BYTES + in.getUnsignedShort(at + 14);
        if (length > maxHeaderBytes) {
            LOG.warn("Closing a connection from {}: its PROXY header has {} bytes (expected: at most {})",
                    ctx.channel().remoteAddress(), length, maxHeaderBytes);
            in.skipBytes(readable);
            ctx.close();
            return;
        }
        ctx.pipeline().addAfter(ctx.name(), ProxySourceHandler.DECODER_NAME,
                new HAProxyMessageDecoder(maxHeaderBytes - DECODER_MIN_HEADER_BYTES));
        ctx.pipeline().addAfter(ProxySourceHandler.DECODER_NAME, ProxySourceHandler.NAME, new ProxySourceHandler());
        ctx.pipeline().remove(this); // what it holds goes to the decoder
    }
}
