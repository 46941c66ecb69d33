package io.duet.presentation.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.net.AddressRanges;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The PROXY v2 header on the client TCP port, through an {@link EmbeddedChannel}: a trusted proxy's header
 * names the client and the bytes after it go on untouched, even when it comes a byte at a time; a direct
 * connection's bytes go on as they came; an oversized or malformed header closes the connection; a header
 * from an untrusted peer is not read at all.
 */
class ProxyProtocolTest {
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** The first bytes of a client's frame: a length, then the AUTH type. */
    private static final byte[] FRAME = {0, 0, 0, 7, 1, 0, 'h', 'e', 'l', 'l', 'o'};

    private static EmbeddedChannel trustedConnection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ProxyHeaderDetector.NAME, new ProxyHeaderDetector(ProxyProtocol.MAX_HEADER_BYTES));
        return channel;
    }

    /** A v2 PROXY header for TCP over IPv4, from {@code source}:{@code port} to 10.0.0.1:7410, with {@code tlvBytes} of padding TLV. */
    static byte[] header(byte command, String source, int port, int tlvBytes) {
        byte[] tlv = tlvBytes == 0 ? new byte[0] : ByteBuffer.allocate(tlvBytes).put((byte) 0x04)
                .putShort((short) (tlvBytes - 3)).array(); // PP2_TYPE_NOOP
        ByteBuffer header = ByteBuffer.allocate(16 + 12 + tlv.length).put(SIGNATURE).put(command).put((byte) 0x11)
                .putShort((short) (12 + tlv.length));
        for (String octet : source.split("\\.")) {
            header.put((byte) Integer.parseInt(octet));
        }
        header.put(new byte[] {10, 0, 0, 1}).putShort((short) port).putShort((short) 7410).put(tlv);
        return header.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    private static byte[] readAll(EmbeddedChannel channel) {
        ByteBuffer all = ByteBuffer.allocate(1 << 16);
        ByteBuf read;
        while ((read = channel.readInbound()) != null) {
            byte[] bytes = new byte[read.readableBytes()];
            read.readBytes(bytes);
            read.release();
            all.put(bytes);
        }
        byte[] out = new byte[all.position()];
        all.flip().get(out);
        return out;
    }

    @Test
    void aTrustedProxysHeaderNamesTheClientAndTheBytesAfterItGoOnUntouched() {
        EmbeddedChannel channel = trustedConnection();
        channel.writeInbound(Unpooled.wrappedBuffer(concat(header((byte) 0x21, "203.0.113.7", 50123, 0), FRAME)));

        assertThat(ProxyProtocol.clientAddress(channel)).isEqualTo(new InetSocketAddress("203.0.113.7", 50123));
        assertThat(readAll(channel)).isEqualTo(FRAME);
        assertThat(channel.pipeline().names()).as("the header's handlers left")
                .doesNotContain(ProxyHeaderDetector.NAME, ProxySourceHandler.DECODER_NAME, ProxySourceHandler.NAME);
        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void aHeaderThatComesAByteAtATimeIsReadTheSame() {
        EmbeddedChannel channel = trustedConnection();
        byte[] bytes = concat(header((byte) 0x21, "198.51.100.20", 4000, 40), FRAME);
        for (byte b : bytes) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(ProxyProtocol.clientAddress(channel)).isEqualTo(new InetSocketAddress("198.51.100.20", 4000));
        assertThat(readAll(channel)).isEqualTo(FRAME);
        channel.finishAndReleaseAll();
    }

    @Test
    void aDirectConnectionFromATrustedAddressGoesOnAsItCame() {
        EmbeddedChannel channel = trustedConnection();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {FRAME[0]}));
        assertThat(channel.pipeline().names()).as("the first byte tells").doesNotContain(ProxyHeaderDetector.NAME);
        channel.writeInbound(Unpooled.wrappedBuffer(FRAME, 1, FRAME.length - 1));

        assertThat(readAll(channel)).isEqualTo(FRAME);
        assertThat(ProxyProtocol.clientAddress(channel)).as("the peer").isEqualTo(channel.remoteAddress());
        channel.finishAndReleaseAll();
    }

    @Test
    void aLocalHeaderLeavesThePeerAsTheClient() {
        EmbeddedChannel channel = trustedConnection();
        channel.writeInbound(Unpooled.wrappedBuffer(concat(header((byte) 0x20, "203.0.113.7", 1, 0), FRAME)));
        assertThat(ProxyProtocol.clientAddress(channel)).isEqualTo(channel.remoteAddress());
        assertThat(readAll(channel)).isEqualTo(FRAME);
        channel.finishAndReleaseAll();
    }

    @Test
    void aHeaderLongerThanTheLimitClosesTheConnectionAtItsFixedPart() {
        EmbeddedChannel channel = trustedConnection();
        byte[] oversized = header((byte) 0x21, "203.0.113.7", 1, ProxyProtocol.MAX_HEADER_BYTES);
        channel.writeInbound(Unpooled.wrappedBuffer(oversized, 0, 16));

        assertThat(channel.isOpen()).isFalse();
        assertThat(readAll(channel)).isEmpty();
        assertThat(ProxyProtocol.clientAddress(channel)).isEqualTo(channel.remoteAddress());
        channel.finishAndReleaseAll();
    }

    @Test
    void aMalformedHeaderClosesTheConnection() {
        EmbeddedChannel channel = trustedConnection();
        byte[] bad = header((byte) 0x21, "203.0.113.7", 1, 0);
        bad[13] = 0x71; // no such address family
        channel.writeInbound(Unpooled.wrappedBuffer(concat(bad, FRAME)));

        assertThat(channel.isOpen()).isFalse();
        assertThat(readAll(channel)).isEmpty();
        assertThat(ProxyProtocol.clientAddress(channel)).isEqualTo(channel.remoteAddress());
        channel.finishAndReleaseAll();
    }

    @Test
    void onlyPeersInTheTrustedRangesMaySendAHeader() {
        AddressRanges trusted = AddressRanges.parse(List.of("10.0.0.0/24", "127.0.0.1"));
        assertThat(ProxyProtocol.isTrusted(new InetSocketAddress("10.0.0.9", 40000), trusted)).isTrue();
        assertThat(ProxyProtocol.isTrusted(new InetSocketAddress("127.0.0.1", 40000), trusted)).isTrue();
        assertThat(ProxyProtocol.isTrusted(new InetSocketAddress("127.0.0.2", 40000), trusted)).isFalse();
        assertThat(ProxyProtocol.isTrusted(new InetSocketAddress("10.0.1.9", 40000), trusted)).isFalse();
    }

    @Test
    void withNoTrustedProxyThePipelineIsUnchanged() {
        ChannelInitializer<EmbeddedChannel> inner = new ChannelInitializer<>() {
            @Override
            protected void initChannel(EmbeddedChannel channel) {
            }
        };
        assertThat(ProxyProtocol.wrap(AddressRanges.none(), inner)).isSameAs(inner);
    }
}
