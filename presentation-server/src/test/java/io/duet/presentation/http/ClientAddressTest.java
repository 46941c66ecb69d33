package io.duet.presentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.net.AddressRanges;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    private static final AddressRanges ALB = AddressRanges.parse(List.of("10.0.0.0/24", "10.0.1.5"));
    private static final SocketAddress FROM_ALB = new InetSocketAddress("10.0.0.9", 40000);

    private static String resolve(SocketAddress peer, String... forwardedFor) {
        SocketAddress client = ClientAddress.resolve(peer, List.of(forwardedFor), ALB);
        return ((InetSocketAddress) client).getAddress().getHostAddress();
    }

    @Test
    void aTrustedPeerIsBelievedForTheRightMostUntrustedHop() {
        assertThat(resolve(FROM_ALB, "203.0.113.7")).isEqualTo("203.0.113.7");
        // A client-written first hop is passed on by the ALB, which appends what it saw.
        assertThat(resolve(FROM_ALB, "198.51.100.1, 203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(resolve(FROM_ALB, "198.51.100.1, 203.0.113.7,10.0.1.5 , 10.0.0.3")).isEqualTo("203.0.113.7");
        assertThat(resolve(FROM_ALB, "198.51.100.1", "203.0.113.7, 10.0.0.3")).as("several headers")
                .isEqualTo("203.0.113.7");
        assertThat(resolve(FROM_ALB, "2001:db8::1")).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void anUntrustedPeerIsItselfTheClientWhateverItSends() {
        SocketAddress stranger = new InetSocketAddress("203.0.113.99", 40000);
        assertThat(resolve(stranger, "198.51.100.1")).isEqualTo("203.0.113.99");
        assertThat(ClientAddress.resolve(FROM_ALB, List.of("198.51.100.1"), AddressRanges.none()))
                .as("no trusted proxies configured").isSameAs(FROM_ALB);
    }

    @Test
    void withoutAUsableHopTheLastTrustedOneIsTheClient() {
        assertThat(resolve(FROM_ALB)).isEqualTo("10.0.0.9");
        assertThat(resolve(FROM_ALB, "not-an-address")).isEqualTo("10.0.0.9");
        assertThat(resolve(FROM_ALB, "junk, 10.0.0.3")).isEqualTo("10.0.0.3");
        assertThat(resolve(FROM_ALB, "10.0.0.4, 10.0.0.3")).as("all trusted: the left-most").isEqualTo("10.0.0.4");
        assertThat(resolve(FROM_ALB, "example.com, 10.0.0.3")).as("never looked up").isEqualTo("10.0.0.3");
    }

    /** An accepted connection from {@code peer}. */
    private static final class Accepted extends EmbeddedChannel {
        private final SocketAddress peer;

        Accepted(SocketAddress peer) {
            this.peer = peer;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return peer;
        }
    }

    private static FullHttpRequest request(String... forwardedFor) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/pairing");
        for (String hops : forwardedFor) {
            request.headers().add(ClientAddress.FORWARDED_FOR, hops);
        }
        return request;
    }

    @Test
    void theHandlerGivesEachRequestItsOwnClientAddress() {
        List<SocketAddress> seen = new ArrayList<>();
        Accepted channel = new Accepted(FROM_ALB);
        channel.pipeline().addLast(new ClientAddress(ALB), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add(ClientAddress.of(ctx));
                ReferenceCountUtil.release(msg);
            }
        });
        channel.writeInbound(request("203.0.113.7"));
        channel.writeInbound(request("198.51.100.1, 203.0.113.8"));
        channel.writeInbound(request());
        assertThat(seen).extracting(a -> ((InetSocketAddress) a).getAddress().getHostAddress())
                .containsExactly("203.0.113.7", "203.0.113.8", "10.0.0.9");
        assertThat(seen.get(0).toString()).as("as the application server's SourceAddress reads it")
                .isEqualTo("/203.0.113.7:0");
        channel.finishAndReleaseAll();
    }
}
