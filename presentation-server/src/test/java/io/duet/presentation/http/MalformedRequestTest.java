package io.duet.presentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.auth.Revocations;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.cluster.ShardMapWatcher;
import io.duet.protocol.token.TokenCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests that are odd at the HTTP level, sent as raw bytes through the pipeline that {@link
 * HttpApiInitializer} builds: each is answered, or refused with {@code Connection: close}, never dropped.
 * There is no shard map, so a request that passes every check is answered 503.
 */
class MalformedRequestTest {
    private static final CuratorFramework NEVER_STARTED =
            CuratorFrameworkFactory.newClient("127.0.0.1:1", new RetryOneTime(1));

    private static final Authenticator AUTHENTICATOR = new Authenticator(
            TokenCodec.create("a-test-secret-that-is-at-least-32-bytes-long", List.of(), Clock.systemUTC()),
            new Revocations(Clock.systemUTC()));

    private EmbeddedChannel channel = server();
    /** Decodes what the server wrote, as a client would. */
    private final EmbeddedChannel client =
            new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 16));

    @AfterAll
    static void closeCurator() {
        NEVER_STARTED.close();
    }

    /** A connection to the HTTP API, as the real pipeline initializer sets it up. */
    private static EmbeddedChannel server() {
        return new EmbeddedChannel(new HttpApiInitializer(AUTHENTICATOR,
                new RoutingTable(new ShardMapWatcher(NEVER_STARTED)), null, HttpSettings.defaults()));
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
        client.finishAndReleaseAll();
    }

    /** Sends the bytes in one read and returns the responses written, as "status connection-header". */
    private List<String> send(String request) {
        return send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private List<String> send(byte[] request) {
        channel.writeInbound(Unpooled.wrappedBuffer(request));
        for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            client.writeInbound(out);
        }
        List<String> responses = new ArrayList<>();
        for (FullHttpResponse response = client.readInbound(); response != null; response = client.readInbound()) {
            responses.add(response.status().code() + " " + response.headers().get(HttpHeaderNames.CONNECTION));
            response.release();
        }
        return responses;
    }

    @Test
    void aContentTypeOfParametersAloneIsRefusedAsUnknown() {
        // ";".split(";") is empty: this header once threw in the handler, which closed the connection unanswered.
        assertThat(send("POST /api/v1/chat HTTP/1.1\r\nContent-Type: ;\r\nContent-Length: 0\r\n\r\n"))
                .containsExactly("415 keep-alive");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aVersionOtherThanHttp1IsRefusedWith505AndTheConnectionCloses() {
        // Netty's codec takes any HTTP/digit.digit, and keeps an unknown version's connection alive.
        for (String version : List.of("HTTP/0.1", "HTTP/0.9", "HTTP/2.0")) {
            assertThat(sendOnANewConnection("POST /api/v1/chat " + version + "\r\n\r\n"))
                    .as(version).containsExactly("505 close");
        }
        // It refuses other protocol names and longer numbers itself.
        for (String version : List.of("FOO/1.1", "HTTP/1.10")) {
            assertThat(sendOnANewConnection("POST /api/v1/chat " + version + "\r\n\r\n"))
                    .as(version).containsExactly("400 close");
        }
    }

    /** Sends the request, then a valid one, on a new connection: the second is not read if the first closes it. */
    private List<String> sendOnANewConnection(String request) {
        channel.finishAndReleaseAll();
        channel = server();
        List<String> responses = send(request + "POST /api/v1/chat HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assertThat(channel.isOpen()).isFalse();
        return responses;
    }

    @Test
    void http10AndLaterMinorVersionsOfHttp1AreServed() {
        assertThat(send("GET /nowhere HTTP/1.2\r\n\r\n")).containsExactly("404 keep-alive");
        assertThat(send("GET /nowhere HTTP/1.0\r\n\r\n")).containsExactly("404 close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aFoldedHeaderLineIsJoinedToTheHeaderItContinues() {
        // Obsolete line folding: RFC 9112 (5.2) lets a server reject it or replace the fold with a space;
        // Netty's codec does the latter, so the content type below is recognised (and the empty body is not).
        assertThat(send("POST /api/v1/chat HTTP/1.1\r\nContent-Type: application/vnd.apache.thrift.binary\r\n"
                + " ;charset=x\r\nContent-Length: 0\r\n\r\n")).containsExactly("400 keep-alive");
        // Folded onto an empty value, the joined value starts with a space, which the codec refuses.
        assertThat(send("POST /api/v1/chat HTTP/1.1\r\nContent-Type:\r\n"
                + " application/vnd.apache.thrift.binary\r\nContent-Length: 0\r\n\r\n")).containsExactly("400 close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void theFuzzersFindingIsAnsweredUntilItsFirstHttp01RequestClosesTheConnection() throws IOException {
        byte[] input;
        try (InputStream in = getClass().getResourceAsStream(
                "/io/duet/presentation/fuzz/HttpApiFuzzTestInputs/httpRequests/crash-2562c4675d0921d6d48c2eb1b2df86ef78383393")) {
            input = in.readAllBytes();
        }
        // Byte 0 is the fuzz test's read size; the rest is what the client sent.
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        assertThat(send(stream)).containsExactly("505 close");
        assertThat(channel.isOpen()).isFalse();
    }
}
