package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.thrift.protocol.TMessageType;

/**
 * Backpressure end to end: a client that pipelines heavy calls ({@code fetchHistory} of {@value #HISTORY}
 * messages) and never reads is held back (it gets far fewer replies than it wrote calls), grows no
 * server's heap past bounds, and slows no other couple down. The cluster must let the calls through:
 * with the default {@code limits.history.per-device} most would be small RATE_LIMITED replies, and the
 * relay's backpressure would not be exercised; the run fails if a reply read is refused by any limit but
 * the couple's bound on reads in flight (BUSY), or is a page of no more than {@value #HEAVY_REPLY_BYTES}
 * bytes.
 */
final class HistoryFlood {
    static final int HISTORY = 500;
    /** A page of {@link #HISTORY} messages is larger than this; a refusal much smaller. */
    static final int HEAVY_REPLY_BYTES = 4096;

    private HistoryFlood() {
    }

    private static byte[] fetchHistoryCall(int seqid) {
        byte[] call = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT, "chat:fetchHistory", seqid,
                new ChatService.fetchHistory_args(new FetchHistoryRequest().setAfterSeq(0).setLimit(HISTORY)), false);
        return RawSession.frame(FrameType.CALL.code(), 0, call);
    }

    /** Floods {@code cluster} and asserts it holds; see the class comment. */
    static void run(LocalCluster cluster) throws Exception {
        TestCouple flooders = TestCouple.pair(cluster);
        TestCouple chatters = TestCouple.pair(cluster);
        try (DuetClient ann = flooders.connect(flooders.ann, 0, new RecordingListener(), 0)) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 0; i < HISTORY; i++) {
                sends.add(ann.send("a message long enough to make a history page heavy, number " + i));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
        List<Node> servers = new ArrayList<>(cluster.presentationServers());
        servers.addAll(cluster.applicationServers());
        long[] heapBefore = servers.stream().mapToLong(HistoryFlood::heapUsed).toArray();
        double pagesBefore = historyCalls(cluster, "ok");
        double rateLimitedBefore = historyCalls(cluster, "rate_limited");
        long heapMax = servers.stream().mapToLong(HistoryFlood::heapMax).max().orElseThrow();

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
            // the session off (or it still holds the rest back). CI mostly reads none: the cut resets the
            // connection, and the client's unread bytes go with it.
            Replies replies = new Replies();
            boolean closed = false;
            try {
                while (true) {
                    replies.add(flood.readDecodedFrame());
                }
            } catch (IOException e) {
                closed = !(e instanceof java.net.SocketTimeoutException);
            }
            System.out.printf("HistoryFlood: %d replies read (%d pages, %d of them heavy; refusals: %s), then %s%n",
                    replies.count, replies.pages, replies.heavyPages, replies.refusals, closed ? "closed" : "silence");
            // The history rate limit is out of the way, so no call may be refused by a limit of the caller's:
            // only BUSY, the bound on a couple's reads of older messages in flight (HistoryReads), which
            // refuses the calls beyond it at once, while the pages in flight are read (one CI run read 72
            // such refusals before any page).
            assertThat(replies.refusals.keySet()).as("why calls were refused").isSubsetOf(ErrorCode.BUSY);
            assertThat(replies.heavyPages).as("pages of %d messages over %d bytes", HISTORY, HEAVY_REPLY_BYTES)
                    .isEqualTo(replies.pages);
            assertThat((long) replies.count).as("replies, against %d calls written", written.get())
                    .isLessThan(Math.min(calls / 10, written.get()));
            // What the servers did, whatever the client read before the cut: pages served, none rate limited.
            double pagesServed = historyCalls(cluster, "ok") - pagesBefore;
            System.out.printf("HistoryFlood: %.0f pages served by the application servers%n", pagesServed);
            assertThat(pagesServed).as("history pages served to the flood").isGreaterThan(0);
            assertThat(historyCalls(cluster, "rate_limited") - rateLimitedBefore).as("history calls rate limited")
                    .isZero();
            System.out.printf("HistoryFlood: %d of %d calls written, session cut: %s; heap before %s, peak %d MiB"
                    + " of %d MiB; slowest send of another couple %d ms%n", written.get(), calls, cut.get(),
                    java.util.Arrays.toString(java.util.Arrays.stream(heapBefore).map(b -> b >> 20).toArray()),
                    peakHeap >> 20, heapMax >> 20, TimeUnit.NANOSECONDS.toMillis(slowest));
            assertThat(peakHeap).as("heap used on every server").isLessThan(heapMax * 3 / 4);
            assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("slowest send of another couple, ms").isLessThan(2000);
        }
    }

    /** The replies a flood read: pages of history, and refusals by their error code. */
    private static final class Replies {
        final Map<ErrorCode, Integer> refusals = new EnumMap<>(ErrorCode.class);
        int count;
        int pages;
        int heavyPages;

        void add(Frame frame) throws MalformedPayloadException {
            if (frame.type() != FrameType.REPLY) {
                return;
            }
            count++;
            ThriftMessages.Incoming reply = ThriftMessages.read(ThriftCodec.INTERNAL, frame.payload(),
                    WireProtocol.COMPACT);
            assertThat(reply.header().type).as("a reply, not a Thrift exception").isEqualTo(TMessageType.REPLY);
            ChatService.fetchHistory_result result = reply.readBody(new ChatService.fetchHistory_result());
            if (result.isSetError()) {
                refusals.merge(result.getError().getCode(), 1, Integer::sum);
            } else {
                pages++;
                heavyPages += frame.payload().length > HEAVY_REPLY_BYTES ? 1 : 0;
            }
        }
    }

    /** The fetchHistory calls the application servers answered with {@code outcome} so far. */
    private static double historyCalls(LocalCluster cluster, String outcome) {
        double sum = 0;
        for (Node server : cluster.applicationServers()) {
            try {
                sum += AdminPort.sample(AdminPort.scrape(server), "duet_rpc_server_seconds_count",
                        "method=\"fetchHistory\"", "outcome=\"" + outcome + "\"").orElse(0);
            } catch (IOException | InterruptedException e) {
                throw new AssertionError("no metrics from " + server, e);
            }
        }
        return sum;
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
