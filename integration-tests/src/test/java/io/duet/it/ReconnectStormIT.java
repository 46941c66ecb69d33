package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.couple.CatchUpLimits;
import io.duet.client.ConnectionState;
import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.api.Session;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reconnect storm must not take HBase down: {@code couples} couples each hold {@code messages}
 * messages, written through the API, then all their partners' clients connect at once, resuming from
 * sequence 0, and every one of them must get every message exactly once and in order, without being cut
 * off, while HBase (the local cluster's standalone one, its heap sized by deploy/local-hbase's hbase-site.xml) stays up. The test prints
 * how long the storm took and the peak heap HBase used, sampled every 200 ms with {@code jstat}.
 *
 * <p>CI runs 40 couples of 400 messages (80 clients), with catch-up pages of 100 messages so that every
 * client still reads its history in several pages (with 1,000 messages, writing them took 70-75 s of CI's
 * time), and 4 reads in flight per server, so that the server's bound is seen holding reads back ({@code
 * duet_catchup_reads_waited_total}). The run of the incident, 200 couples of 5,000 messages (400 clients),
 * has production's pages of 500 and 16 reads ({@link #PAGE_MESSAGES}, {@link #MAX_READS}) and needs a bigger
 * test heap for the messages the clients record:
 *
 * <pre>
 * flock /tmp/duet-heavy.lock mvn -B -o verify -pl integration-tests -am -Dit.test=ReconnectStormIT \
 *     -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dduet.storm.couples=200 -Dduet.storm.messages=5000 \
 *     -Dtest.jvm.options="-Xmx4g --add-opens java.base/java.nio=ALL-UNNAMED"
 * </pre>
 *
 * <p>Add {@code -Dduet.hbase.heap=1g} to run it against the incident's 1 GiB HBase instead of the local
 * cluster's 1.5 GiB.
 */
class ReconnectStormIT {
    private static final int COUPLES = Integer.getInteger("duet.storm.couples", 40);
    private static final int MESSAGES = Integer.getInteger("duet.storm.messages", 400);
    /** Messages per catch-up page: a quarter of a couple's history, at most production's default. */
    private static final int PAGE_MESSAGES = Math.min(CatchUpLimits.DEFAULT_PAGE_MESSAGES, Math.max(1, MESSAGES / 4));
    /**
     * Catch-up reads in flight per server: a tenth of the couples, at most production's default, so that the
     * server's bound holds reads back in CI's small storm too (20 couples a server, each page read fast).
     */
    private static final int MAX_READS = Math.min(CatchUpLimits.DEFAULT_MAX_READS, Math.max(1, COUPLES / 10));
    /** Long enough for the big run on 2 cores; CI's storm takes a few seconds. */
    private static final Duration STORM_TIMEOUT = Duration.ofMinutes(10);
    private static final String PADDING = " ".repeat(60);

    /**
     * Pre-split, as in production: on one region its writes took 146 s in CI, against 68 s pre-split. Into 8
     * shards, not production's 64: creating 64 regions a table took half a minute of the test's start.
     */
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withOwnStorage().withPreSplitTables().withShards(8)
            .withProductionJit().withServerSetting("couples.catch-up.page-messages", Integer.toString(PAGE_MESSAGES))
            .withServerSetting("couples.catch-up.max-reads", Integer.toString(MAX_READS));
    private static final EventLoopGroup CLIENT_LOOPS = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    @AfterAll
    static void stopClientLoops() {
        CLIENT_LOOPS.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void everyClientResumingFromZeroGetsEveryMessageOnceInOrderAndHBaseStaysUp() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        List<TestCouple> couples = pairAll(cluster);
        List<RecordingListener> listeners = new ArrayList<>();
        List<DuetClient> clients = new ArrayList<>();
        List<CompletableFuture<Void>> connected = new ArrayList<>();
        List<Map<String, Long>> acknowledged;
        String writing;
        long written;
        long started;
        long finished;
        try (HeapSampler heap = HeapSampler.start(cluster.hbase().pid())) {
            long writingSince = System.nanoTime();
            acknowledged = writeHistory(couples);
            written = System.nanoTime() - writingSince;
            writing = heap.endPhase();
            started = System.nanoTime();
            for (TestCouple couple : couples) {
                for (Session partner : List.of(couple.ann, couple.bob)) {
                    RecordingListener listener = new RecordingListener();
                    DuetClient client = client(cluster, partner == couple.ann ? 0 : 1, partner, listener);
                    listeners.add(listener);
                    clients.add(client);
                    connected.add(client.connect());
                }
            }
            CompletableFuture.allOf(connected.toArray(new CompletableFuture<?>[0]))
                    .get(STORM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            RecordingListener.await(STORM_TIMEOUT, "every client to catch up", () -> listeners.stream()
                    .allMatch(listener -> listener.messages.size() >= MESSAGES));
            finished = System.nanoTime();
            Thread.sleep(300);
            assertThat(heap.samples()).as("heap samples of HBase during the storm").isPositive();
            String storm = heap.endPhase();
            System.out.printf("Reconnect storm: %d couples x %d messages (written in %d ms; HBase heap peak %s), "
                    + "then %d clients resuming from 0 at once: every message delivered in %d ms; HBase heap peak %s "
                    + "(jstat every 200 ms); pages of %d, reads that waited for one of the %d a server: %.0f%n", COUPLES,
                    MESSAGES, TimeUnit.NANOSECONDS.toMillis(written), writing, clients.size(),
                    TimeUnit.NANOSECONDS.toMillis(finished - started), storm, PAGE_MESSAGES, MAX_READS,
                    catchUpReadsWaited(cluster));
        } finally {
            clients.forEach(DuetClient::close);
        }

        assertThat(cluster.hbase().isRunning()).as("HBase is still up").isTrue();
        assertThat(catchUpReadsWaited(cluster)).as("catch-up reads held back by a server's bound of %d", MAX_READS)
                .isPositive();
        for (int i = 0; i < listeners.size(); i++) {
            RecordingListener listener = listeners.get(i);
            String who = "client " + i + " (couple " + i / 2 + ")";
            assertThat(DeliveryChecker.violations(listener.snapshot(), 1, acknowledged.get(i / 2))).as(who).isEmpty();
            assertThat(listener.messages).as(who).hasSize(MESSAGES);
            assertThat(listener.states).as(who + " was never cut off").doesNotContain(ConnectionState.DISCONNECTED);
            assertThat(listener.rejections).as(who).isEmpty();
        }
    }

    private static List<TestCouple> pairAll(LocalCluster cluster) throws Exception {
        ExecutorService pairing = Executors.newFixedThreadPool(4);
        try {
            List<Future<TestCouple>> pairs = new ArrayList<>();
            for (int c = 0; c < COUPLES; c++) {
                pairs.add(pairing.submit(() -> TestCouple.pair(cluster)));
            }
            List<TestCouple> couples = new ArrayList<>();
            for (Future<TestCouple> pair : pairs) {
                couples.add(pair.get(5, TimeUnit.MINUTES));
            }
            return couples;
        } finally {
            pairing.shutdownNow();
        }
    }

    /** Every couple's history, sent by one partner, all couples at once; per couple, text to sequence. */
    private static List<Map<String, Long>> writeHistory(List<TestCouple> couples) throws Exception {
        List<Map<String, Long>> acknowledged = new ArrayList<>();
        List<DuetClient> writers = new ArrayList<>();
        List<CompletableFuture<?>> sends = new ArrayList<>();
        try {
            for (int c = 0; c < couples.size(); c++) {
                TestCouple couple = couples.get(c);
                DuetClient writer = client(couple.cluster, c % 2, couple.ann, new RecordingListener());
                writers.add(writer);
                writer.connect().get(60, TimeUnit.SECONDS);
                Map<String, Long> sequences = new ConcurrentHashMap<>();
                acknowledged.add(sequences);
                for (int m = 0; m < MESSAGES; m++) {
                    String text = "couple " + c + " message " + m + PADDING;
                    sends.add(writer.send(text).thenAccept(result -> sequences.put(text, result.getSeq())));
                }
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.MINUTES);
        } finally {
            writers.forEach(DuetClient::close);
        }
        for (Map<String, Long> sequences : acknowledged) {
            assertThat(sequences.values()).doesNotHaveDuplicates().hasSize(MESSAGES);
        }
        return acknowledged;
    }

    /** Catch-up reads that waited for their turn, all application servers together. */
    private static double catchUpReadsWaited(LocalCluster cluster) throws Exception {
        double waited = 0;
        for (Node server : cluster.applicationServers()) {
            waited += AdminPort.sample(AdminPort.scrape(server), "duet_catchup_reads_waited_total").orElse(0);
        }
        return waited;
    }

    private static DuetClient client(LocalCluster cluster, int presentationServer, Session session,
            RecordingListener listener) {
        return DuetClient.builder()
                .server(cluster.clientTcpEndpoint(presentationServer))
                .token(session.getToken())
                .resumeAfter(0)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .eventLoopGroup(CLIENT_LOOPS)
                .listener(listener)
                .build();
    }

    /**
     * Samples a JVM's heap every 200 ms with one long-running {@code jstat -gc}, keeping, per phase of the
     * test, the peak of the heap in use (survivor, eden and old generation) and of the old generation.
     */
    private static final class HeapSampler implements AutoCloseable {
        private final Process jstat;
        private final Thread reader;
        private final AtomicLong samples = new AtomicLong();
        private final AtomicLong peakUsedKib = new AtomicLong();
        private final AtomicLong peakOldKib = new AtomicLong();
        private volatile long capacityKib;

        private HeapSampler(Process jstat) {
            this.jstat = jstat;
            this.reader = new Thread(this::read, "hbase-heap-sampler");
            reader.setDaemon(true);
            reader.start();
        }

        static HeapSampler start(long pid) throws IOException {
            Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
            return new HeapSampler(new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid), "200")
                    .redirectErrorStream(true).start());
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
                List<String> columns = null;
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 0 && fields[0].equals("S0C")) {
                        columns = Arrays.asList(fields);
                    } else if (columns != null && fields.length == columns.size()) {
                        sample(columns, fields);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // The sampler stopped (or jstat printed something else); the samples so far stand.
            }
        }

        private void sample(List<String> columns, String[] fields) {
            double used = 0;
            double capacity = 0;
            for (String column : List.of("S0U", "S1U", "EU", "OU")) {
                used += Double.parseDouble(fields[columns.indexOf(column)]);
            }
            for (String column : List.of("S0C", "S1C", "EC", "OC")) {
                capacity += Double.parseDouble(fields[columns.indexOf(column)]);
            }
            peakUsedKib.accumulateAndGet((long) used, Math::max);
            peakOldKib.accumulateAndGet((long) Double.parseDouble(fields[columns.indexOf("OU")]), Math::max);
            capacityKib = (long) capacity;
            samples.incrementAndGet();
        }

        long samples() {
            return samples.get();
        }

        /** The peaks since the phase began, and the next phase begins. */
        String endPhase() {
            return String.format("%d MiB in use, old generation %d MiB, of %d MiB committed; %d samples",
                    peakUsedKib.getAndSet(0) / 1024, peakOldKib.getAndSet(0) / 1024, capacityKib / 1024,
                    samples.getAndSet(0));
        }

        @Override
        public void close() throws InterruptedException {
            jstat.destroy();
            if (!jstat.waitFor(5, TimeUnit.SECONDS)) {
                jstat.destroyForcibly();
            }
            reader.join(5000);
        }
    }
}
