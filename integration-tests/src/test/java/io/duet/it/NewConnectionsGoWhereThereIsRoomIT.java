package io.duet.it;

import static io.duet.it.PresentationSessions.bringBackEveryPresentationServer;
import static io.duet.it.PresentationSessions.sessionsOn;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * New connections go where there is room: each presentation server publishes a weight from its sessions
 * and CPU through HAProxy's agent check, and HAProxy sends most new connections to the emptier one even
 * though it cannot see the other's load itself. One server is filled to 90% of its capacity
 * ({@value #CAPACITY} sessions here) with idle sessions opened straight to it, past the load balancer, so
 * that HAProxy's own connection counts are even (0 and 0: {@code leastconn} alone would split the new
 * connections half and half); then {@value #NEW_CONNECTIONS} clients connect through the one endpoint.
 */
class NewConnectionsGoWhereThereIsRoomIT {
    private static final int CAPACITY = 200;
    private static final int LOADED = 180;
    private static final int NEW_CONNECTIONS = 40;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1)
            .withPresentationSetting("weight.capacity", Integer.toString(CAPACITY));

    @Test
    void mostNewConnectionsThroughTheEndpointLandOnTheEmptierServer() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        bringBackEveryPresentationServer(cluster);
        assertThat(cluster.clientEndpoint().loadBalanced()).as("HAProxy runs (apt-get install -y haproxy)").isTrue();
        Node full = cluster.presentationServers().get(0);
        Node empty = cluster.presentationServers().get(1);
        TestCouple couple = TestCouple.pair(cluster);
        List<RawSession> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < LOADED; i++) {
                sessions.add(authenticated(new RawSession(cluster.clientTcpEndpoint(0)), couple, i));
            }
            RecordingListener.await(WAIT, LOADED + " sessions on " + full, () -> sessionsOn(full) == LOADED);
            RecordingListener.await(WAIT, "HAProxy to hear the weights from the agents", () -> {
                Map<String, Integer> weights = weights(cluster);
                return weights.get(full.name()) <= 20 && weights.get(empty.name()) >= 80;
            });
            String before = describe(cluster, full, empty);

            for (int i = 0; i < NEW_CONNECTIONS; i++) {
                sessions.add(authenticated(new RawSession(cluster.clientEndpoint().tcp()), couple, i));
            }
            RecordingListener.await(WAIT, "every new session to be counted",
                    () -> sessionsOn(full) + sessionsOn(empty) == LOADED + NEW_CONNECTIONS);
            long toFull = sessionsOn(full) - LOADED;
            long toEmpty = sessionsOn(empty);
            System.out.printf("Weights before: %s%n%d new connections through the endpoint: %s got %d, %s got %d "
                    + "(%.0f%% to the emptier); after: %s%n", before, NEW_CONNECTIONS, full.name(), toFull,
                    empty.name(), toEmpty, 100.0 * toEmpty / NEW_CONNECTIONS, describe(cluster, full, empty));
            assertThat(toEmpty).as("new connections on the emptier server, of " + NEW_CONNECTIONS)
                    .isGreaterThanOrEqualTo(NEW_CONNECTIONS * 3 / 4);
            assertThat(toFull).as("the fuller server keeps its floor weight: a few new connections still go to it")
                    .isPositive();
        } finally {
            for (RawSession session : sessions) {
                session.close();
            }
        }
    }

    private static RawSession authenticated(RawSession session, TestCouple couple, int i) throws Exception {
        session.send(RawSession.auth((i % 2 == 0 ? couple.ann : couple.bob).getToken()));
        return session;
    }

    private static Map<String, Integer> weights(LocalCluster cluster) {
        try {
            return cluster.loadBalancerWeights();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each server's sessions, the weight it publishes, and the weight HAProxy has for it. */
    private static String describe(LocalCluster cluster, Node... servers) throws Exception {
        Map<String, Integer> inHaproxy = cluster.loadBalancerWeights();
        StringBuilder out = new StringBuilder();
        for (Node server : servers) {
            String metrics = AdminPort.scrape(server);
            out.append(String.format("%s: %d sessions, publishes %.0f%%, HAProxy weight %d; ", server.name(),
                    (long) AdminPort.sample(metrics, "duet_client_sessions").orElse(-1),
                    AdminPort.sample(metrics, "duet_weight_percent").orElse(-1), inHaproxy.get(server.name())));
        }
        return out.toString();
    }
}
