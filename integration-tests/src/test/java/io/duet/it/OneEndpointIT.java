package io.duet.it;

import static io.duet.it.PresentationSessions.awaitNewSession;
import static io.duet.it.PresentationSessions.bringBackEveryPresentationServer;
import static io.duet.it.PresentationSessions.sessionsByServer;
import static io.duet.it.PresentationSessions.sessionsOn;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.bench.HandshakeBenchmark;
import io.duet.client.ConnectionState;
import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.client.TlsHandshakes;
import io.duet.deploy.local.ClientEndpoint;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.api.SendMessageResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients know one endpoint, HAProxy's, and it takes them to a ready presentation server: after a kill -9
 * of the server a partner was connected through they come back through the same endpoint to the other
 * one and resume, and a server HAProxy's health checks take out of rotation gets no new connections.
 *
 * <p>The client ports speak TLS (the presentation servers terminate it; HAProxy passes the TCP port
 * through and re-encrypts HTTPS), so this is also the SDK over TLS end to end: the reconnect to the other
 * server resumes the TLS session with a ticket the killed one issued (their ticket keys are shared).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the test that kills a presentation server last
class OneEndpointIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1).withClientTls();

    @Test
    @Order(3)
    void aPartnerWhosePresentationServerIsKilledReconnectsThroughTheSameEndpointAndLosesNothing() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        bringBackEveryPresentationServer(cluster);
        ClientEndpoint endpoint = cluster.clientEndpoint();
        assertThat(endpoint.loadBalanced()).as("HAProxy runs (apt-get install -y haproxy)").isTrue();
        assertThat(endpoint.http().getScheme()).isEqualTo("https");
        Map<String, Long> baseline = sessionsByServer(cluster);

        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
        RecordingListener annHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try (DuetClient ann = couple.connectThroughEndpoint(couple.ann, annHears, 0)) {
            Node annServer = awaitNewSession(cluster, baseline);
            baseline = sessionsByServer(cluster);
            try (DuetClient bob = couple.connectThroughEndpoint(couple.bob, bobHears, 0)) {
                Node bobServer = awaitNewSession(cluster, baseline);
                assertThat(bobServer).as("the fewest connections: Bob goes to the other server").isNotEqualTo(annServer);

                for (int i = 0; i < 20; i++) {
                    send(ann, "ann " + i, acknowledged);
                    send(bob, "bob " + i, acknowledged);
                }
                annHears.awaitMessages(40, WAIT);
                bobHears.awaitMessages(40, WAIT);

                int statesBefore = annHears.stateLog.size();
                TlsHandshakes handshakesBefore = ann.tlsHandshakes();
                annServer.kill();
                RecordingListener.await(WAIT, "Ann's client to notice " + annServer + "'s death",
                        () -> annHears.states.subList(statesBefore, annHears.states.size())
                                .contains(ConnectionState.DISCONNECTED));
                // Sent while Ann's client has no connection: they wait, then go out through the same endpoint.
                List<CompletableFuture<SendMessageResult>> pending = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    pending.add(ann.send("ann during the outage " + i));
                }
                for (int i = 0; i < 10; i++) {
                    send(bob, "bob during the outage " + i, acknowledged);
                }
                for (int i = 0; i < pending.size(); i++) {
                    acknowledged.put("ann during the outage " + i, pending.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS).getSeq());
                }
                RecordingListener.await(WAIT, "Ann's client to reconnect", () -> ann.state() == ConnectionState.CONNECTED);
                List<String> outage = annHears.stateLog.subList(statesBefore, annHears.stateLog.size());
                System.out.println("Ann's client after kill -9 of " + annServer + ":\n  " + String.join("\n  ", outage));
                long reconnectMillis = reconnectMillis(outage);
                System.out.println("Ann's client reconnected in " + reconnectMillis + " ms");
                assertThat(reconnectMillis).as("a short reconnect: " + outage).isLessThan(5_000);
                assertThat(ann.tlsHandshakes()).as("the other server resumed the TLS session the killed one began")
                        .isEqualTo(new TlsHandshakes(handshakesBefore.full(), handshakesBefore.resumed() + 1));
                assertThat(sessionsByServer(cluster).get(bobServer.name()))
                        .as("Ann's new session is on " + bobServer).isEqualTo(baseline.get(bobServer.name()) + 1 + 1);

                annHears.awaitMessages(acknowledged.size(), WAIT);
                bobHears.awaitMessages(acknowledged.size(), WAIT);
                Thread.sleep(300);
                assertThat(acknowledged).hasSize(60);
                assertThat(DeliveryChecker.violations(annHears.snapshot(), 1, acknowledged)).isEmpty();
                assertThat(DeliveryChecker.violations(bobHears.snapshot(), 1, acknowledged)).isEmpty();
                assertThat(annHears.messages).hasSize(60);
                assertThat(bobHears.messages).hasSize(60);
                assertThat(bobHears.stateLog).as("Bob's server lived: his session never dropped")
                        .noneMatch(line -> line.startsWith("DISCONNECTED"));
            }
        }
    }

    @Test
    @Order(2)
    void aServerOutOfRotationGetsNoNewConnectionsAndOneBackInRotationDoes() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        bringBackEveryPresentationServer(cluster);
        Node leaving = cluster.presentationServers().get(0);
        Node staying = cluster.presentationServers().get(1);
        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);

        long stopped = System.nanoTime();
        leaving.stop(); // SIGTERM: /ready turns 503 at once, then the server exits
        cluster.awaitInRotation(leaving, false, Duration.ofSeconds(5));
        System.out.println("HAProxy took " + leaving + " out of rotation " + (System.nanoTime() - stopped) / 1_000_000
                + " ms after SIGTERM: " + cluster.loadBalancerStates());

        long stayingBefore = sessionsOn(staying);
        List<DuetClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                clients.add(couple.connectThroughEndpoint(i % 2 == 0 ? couple.ann : couple.bob, new RecordingListener(), 0));
            }
            RecordingListener.await(WAIT, "6 sessions on " + staying, () -> sessionsOn(staying) == stayingBefore + 6);
            DuetHttp http = TestCouple.httpThroughEndpoint(cluster, "ann-laptop");
            for (int i = 0; i < 5; i++) {
                assertThat(http.refreshSession(couple.ann.getToken()).getCoupleId()).isEqualTo(couple.ann.getCoupleId());
            }

            leaving.start();
            cluster.awaitInRotation(leaving, true, Duration.ofSeconds(10));
            // A JVM that just started is busy compiling, and its agent check says so (its weight counts its
            // CPU load): until its weight is back up, leastconn rightly sends a 2nd connection to the other
            // server, which has 6 for a weight of up to 100. One CI run saw that.
            RecordingListener.await(WAIT, leaving + "'s weight in the load balancer at least half of " + staying
                    + "'s", () -> weightAtLeastHalfOf(cluster, leaving, staying));
            System.out.println("Load balancer weights with " + leaving + " back: " + cluster.loadBalancerWeights());
            for (int i = 0; i < 2; i++) {
                clients.add(couple.connectThroughEndpoint(couple.ann, new RecordingListener(), 0));
            }
            RecordingListener.await(WAIT, "the 2 newest sessions on " + leaving + ", back in rotation with the fewest",
                    () -> sessionsOn(leaving) == 2);
            assertThat(sessionsOn(staying)).isEqualTo(stayingBefore + 6);
        } finally {
            clients.forEach(DuetClient::close);
        }
    }

    /**
     * Handshakes of the smoke's resumed mode (some 150-300 in all) that may fall back to a full one on a
     * busy box, where the servers' JVMs are still compiling: CI saw 4 and 12.
     */
    private static final int SMOKE_NOT_RESUMED_ALLOWED = 40;

    /** The handshake benchmark (BENCHMARKS.md) with tiny numbers, against presentation-1, so that it keeps working. */
    @Test
    @Order(1)
    void theHandshakeBenchmarkMeasuresFullAndResumedHandshakesBesideTcpConnects() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        bringBackEveryPresentationServer(cluster);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = HandshakeBenchmark.run(new String[] {"--local", cluster.dataDir().toString(), "--runs", "3",
                "--concurrency", "2", "--warm-up", "0.2", "--duration", "0.5"},
                new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        // On a busy 2-core box a few of the smoke's resumptions fall back to a full handshake (CI saw 4 and
        // 12 of ~150-300); the figures must come out, and most handshakes of the resumed mode must have resumed.
        java.util.regex.Matcher notResumed = java.util.regex.Pattern.compile("failed or not resumed: (\\d+)").matcher(output);
        int failures = notResumed.find() ? Integer.parseInt(notResumed.group(1)) : 0;
        assertThat(status == 0 || failures <= SMOKE_NOT_RESUMED_ALLOWED)
                .as("exit status %d, %d failed or not resumed; output:%n%s", status, failures, output).isTrue();
        assertThat(output).doesNotContain("resumed handshakes per second min        0 ");
        assertThat(output).contains("run 3:", "TCP connects per second", "full handshakes per second",
                "resumed handshakes per second", "server µs CPU per full handshakes");
    }

    private static boolean weightAtLeastHalfOf(LocalCluster cluster, Node server, Node other) {
        try {
            Map<String, Integer> weights = cluster.loadBalancerWeights();
            Integer weight = weights.get(server.name());
            Integer otherWeight = weights.get(other.name());
            assertThat(weight).as("%s's weight in %s", server, weights).isNotNull();
            assertThat(otherWeight).as("%s's weight in %s", other, weights).isNotNull();
            return 2 * weight >= otherWeight;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(DuetClient client, String text, Map<String, Long> acknowledged) throws Exception {
        acknowledged.put(text, client.send(text).get(WAIT.toSeconds(), TimeUnit.SECONDS).getSeq());
    }

    /** From the first DISCONNECTED to the CONNECTED after it, in a RecordingListener's state log. */
    private static long reconnectMillis(List<String> stateLog) {
        Long lost = null;
        for (String line : stateLog) {
            long at = Long.parseLong(line.substring(line.indexOf(" at ") + 4, line.indexOf(':')));
            if (lost == null && line.startsWith("DISCONNECTED")) {
                lost = at;
            } else if (lost != null && line.startsWith("CONNECTED")) {
                return (at - lost) / 1_000_000;
            }
        }
        throw new AssertionError("no reconnect in " + stateLog);
    }
}
