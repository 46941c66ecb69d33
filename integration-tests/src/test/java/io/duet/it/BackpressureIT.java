package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP refuses pipelining and calls to another service. (A client that pipelines heavy calls and never
 * reads is {@link HistoryFlood}, run by {@code RateLimitIT}, whose cluster lets its history calls through.)
 */
class BackpressureIT {
    private static final int HISTORY = 500;
    private static LocalCluster cluster;
    private static TestCouple chatters;

    @BeforeAll
    static void setUp() throws Exception {
        cluster = SharedCluster.get();
        chatters = TestCouple.pair(cluster);
    }

    @Test
    void pipelinedHttpRequestsGetTheFirstAnsweredAndTheNextRefused() throws Exception {
        URI base = cluster.clientHttpEndpoint(0);
        String health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        byte[] body = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.BINARY, "fetchHistory", 1,
                new ChatService.fetchHistory_args(new FetchHistoryRequest().setAfterSeq(0).setLimit(HISTORY)), false);
        String post = "POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-thrift\r\nAuthorization: Bearer "
                + chatters.ann.getToken() + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.write(post.getBytes(StandardCharsets.ISO_8859_1));
            both.write(body);
            both.write(health.getBytes(StandardCharsets.ISO_8859_1));
            out.write(both.toByteArray());
            out.flush();
            String answer = readAll(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200 OK");
            int second = answer.indexOf("HTTP/1.1 ", 10);
            assertThat(second).as("a second response").isPositive();
            assertThat(answer.substring(second)).startsWith("HTTP/1.1 400").contains("pipelined request refused")
                    .containsIgnoringCase("connection: close");
        }
    }

    @Test
    void aMethodOfAnotherServiceThanTheUrlsIsRefused() throws Exception {
        URI base = cluster.clientHttpEndpoint(0);
        byte[] body = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.BINARY, "chat:sendMessage", 1,
                new ChatService.sendMessage_args(new SendMessageRequest()), false);
        String post = "POST /api/v1/account HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-thrift\r\n"
                + "Authorization: Bearer " + chatters.ann.getToken() + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(post.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(body);
            String answer = readAll(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 400").contains("'chat:sendMessage' is not a method of service 'account'");
        }
    }

    /** Everything until the server closes the connection. */
    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
