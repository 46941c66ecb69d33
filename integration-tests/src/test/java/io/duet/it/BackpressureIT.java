package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.frame.FrameType;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backpressure end to end: a client that pipelines heavy calls and never reads neither grows the
 * servers' heaps nor slows other couples down; HTTP refuses pipelining and calls to another service.
 */
class BackpressureIT {
    private static final int HISTORY = 500;
    private static LocalCluster cluster;
    private static TestCouple flooders;
    private static TestCouple chatters;

    @BeforeAll
    static void setUp() throws Exception {
        cluster = SharedCluster.get();
        flooders = TestCouple.pair(cluster);
        chatters = TestCouple.pair(cluster);
        try (DuetClient ann = flooders.connect(flooders.ann, 0, new RecordingListener(), 0)) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 0; i < HISTORY; i++) {
                sends.add(ann.send("a message long enough to make a history page heavy, number " + i));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
    }

    private static byte[] fetchHistoryCall(int seqid) {
        byte[] call = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT, "chat:fetchHistory", seqid,
                new ChatService.fetchHistory_args(new FetchHistoryRequest().setAfterSeq(0).setLimit(HISTORY)), false);
        return RawSession.frame(FrameType.CALL.code(), 0, call);
    }

    @Test
    void aClientPipeliningHeavyCallsWithoutReadingIsHeldBackAndOthersAreServedAsUsual() throws Exception {
        List<Node> servers = new ArrayList<>(cluster.presentationServers());
        servers.addAll(cluster.applicationServers());
        long[] heapBefore = servers.stream().mapToLong(BackpressureIT::heapUsed).toArray();
        long heapMax = servers.stream().mapToLong(BackpressureIT::heapMax).max().orElseThrow();

        int calls = 20_000;
        AtomicLong written = new AtomicLong();
        AtomicBoolean cut = new AtomicBoolean();
        try (RawSession flood = new RawSession(cluster.clientTcpEndpoint(0))) {
            flood.send(RawSession.auth(flooders.ann.getToken()));
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 1; i <= calls; i++) {
                        flood.send(fetchHistoryCall(i));
                        written.incrementAndGet();
                    }
                } catch (IOException e) {
                    cut.set(true); // the server closed the session
                }
            }, "flood-writer");
            writer.setDaemon(true);
            writer.start();

            long peakHeap = 0;
            long slowest = 0;
            try (DuetClient ann = chatters.connect(chatters.ann, 0, new RecordingListener(), 0)) {
                for (int i = 0; i < 30; i++) {
                    long start = System.nanoTime();
                    ann.send("meanwhile " + i).get(10, TimeUnit.SECONDS);
                    slowest = Math.max(slowest, System.nanoTime() - start);
                    for (Node server : servers) {
                        peakHeap = Math.max(peakHeap, heapUsed(server));
                    }
                    Thread.sleep(300);
                }
            }
            writer.join(TimeUnit.SECONDS.toMillis(5));
            // Read what the server sent: at most the calls in flight and queued were answered before it cut
            // the session off (or it still holds the rest back).
            int replies = 0;
            boolean closed = false;
            try {
                while (true) {
                    Object[] frame = flood.readFrame();
                    if ((int) frame[0] == FrameType.REPLY.code()) {
                        replies++;
                    }
                }
            } catch (IOException e) {
                closed = !(e instanceof java.net.SocketTimeoutException);
            }
            System.out.printf("BackpressureIT: %d replies read, then %s%n", replies, closed ? "closed" : "silence");
            assertThat(replies).as("replies to a client that pipelined %d calls", calls).isLessThan(calls / 10);
            System.out.printf("BackpressureIT: %d of %d calls written, session cut: %s; heap before %s, peak %d MiB"
                    + " of %d MiB; slowest send of another couple %d ms%n", written.get(), calls, cut.get(),
                    java.util.Arrays.toString(java.util.Arrays.stream(heapBefore).map(b -> b >> 20).toArray()),
                    peakHeap >> 20, heapMax >> 20, TimeUnit.NANOSECONDS.toMillis(slowest));
            assertThat(peakHeap).as("heap used on every server").isLessThan(heapMax * 3 / 4);
            assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("slowest send of another couple, ms").isLessThan(2000);
        }
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

    private static long heapUsed(Node server) {
        return metric(server, "jvm_memory_used_bytes");
    }

    private static long heapMax(Node server) {
        return metric(server, "jvm_memory_max_bytes");
    }

    /** The sum of a JVM memory metric over the heap's pools. */
    private static long metric(Node server, String name) {
        try {
            String text = AdminPort.get(AdminPort.of(server), "/metrics").body();
            Matcher line = Pattern.compile("(?m)^" + name + "\\{[^}]*area=\"heap\"[^}]*\\} (\\S+)$").matcher(text);
            long sum = 0;
            while (line.find()) {
                double value = Double.parseDouble(line.group(1));
                sum += value > 0 ? (long) value : 0;
            }
            return sum;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("no metrics from " + server, e);
        }
    }
}
