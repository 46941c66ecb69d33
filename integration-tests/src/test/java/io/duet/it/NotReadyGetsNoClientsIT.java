package io.duet.it;

import static io.duet.it.PresentationSessions.sessionsOn;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.FaultLink;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The load balancer routes by readiness alone. A presentation server cut off from ZooKeeper is not ready
 * while its agent check still says {@code ready N%} and it still accepts connections: HAProxy's HTTP check
 * of {@code /ready} alone marks it {@code DOWN} (not {@code DRAIN}, which only the agent could say), and new
 * clients of the one endpoint all go to the other server. Then a server that turned not ready by a drain
 * with {@code drain.delay} (as behind a load balancer that does not retry refused connections), still
 * accepting connections, is taken out of rotation the same way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotReadyGetsNoClientsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1)
            .withZookeeperFaultLinks()
            .withPresentationSetting("drain.delay", "20s")
            .withPresentationSetting("drain.deadline", "30s");

    @Test
    @Order(1)
    void theHealthCheckAloneTakesOutAServerWhoseAgentStillSaysReady() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        assertThat(cluster.clientEndpoint().loadBalanced()).as("HAProxy runs (apt-get install -y haproxy)").isTrue();
        Node cutOff = cluster.presentationServers().get(0);
        Node ready = cluster.presentationServers().get(1);
        long before = sessionsOn(cutOff);
        long readyBefore = sessionsOn(ready);
        URI admin = AdminPort.of(cutOff);
        FaultLink link = cluster.zookeeperLink(cutOff);
        link.pause();
        try {
            RecordingListener.await(WAIT, cutOff + " not ready", () -> readyStatus(admin) == 503);
            assertThat(AdminPort.get(admin, "/ready").body()).contains("ZooKeeper");
            awaitState(cluster, cutOff, "DOWN");
            assertThat(agentSays(cutOff)).as("%s's agent check", cutOff).startsWith("ready ");
            assertThat(cluster.loadBalancerStates()).as("HAProxy's view").containsEntry(cutOff.name(), "DOWN");
            assertAccepts(cluster, 0);
            List<DuetClient> clients = connectEightClients(cluster);
            try {
                RecordingListener.await(WAIT, "8 new sessions counted on the ready server",
                        () -> sessionsOn(ready) >= readyBefore + 8);
                System.out.printf("NOT READY (cut off from ZooKeeper, agent says ready): %s has %d sessions (%d before);"
                        + " %s has %d%n", cutOff, sessionsOn(cutOff), before, ready, sessionsOn(ready));
                assertThat(sessionsOn(cutOff)).as("new sessions on the server that is not ready").isEqualTo(before);
            } finally {
                clients.forEach(DuetClient::close);
            }
        } finally {
            link.resume();
        }
        cluster.awaitInRotation(cutOff, true, WAIT);
    }

    @Test
    @Order(2)
    void newClientsGoOnlyToReadyServersWhileTheDrainingOneStillListens() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        assertThat(cluster.clientEndpoint().loadBalanced()).as("HAProxy runs (apt-get install -y haproxy)").isTrue();
        Node notReady = cluster.presentationServers().get(0);
        Node ready = cluster.presentationServers().get(1);
        long before = sessionsOn(notReady);

        URI admin = AdminPort.of(notReady);
        assertThat(AdminPort.send(admin, "/drain", "POST").status()).isEqualTo(202);
        assertThat(AdminPort.get(admin, "/ready").status()).isEqualTo(503);
        cluster.awaitInRotation(notReady, false, WAIT);
        assertAccepts(cluster, 0);
        long readyBefore = sessionsOn(ready);

        List<DuetClient> clients = connectEightClients(cluster);
        try {
            RecordingListener.await(WAIT, "8 new sessions counted on the ready server",
                    () -> sessionsOn(ready) >= readyBefore + 8);
            System.out.printf("NOT READY: %s (not ready, still listening) has %d sessions (%d before); %s has %d%n",
                    notReady, sessionsOn(notReady), before, ready, sessionsOn(ready));
            assertThat(sessionsOn(notReady)).as("new sessions on the server that is not ready").isEqualTo(before);
        } finally {
            clients.forEach(DuetClient::close);
        }
    }

    /** Four new couples through the one endpoint, both partners connected. */
    private static List<DuetClient> connectEightClients(LocalCluster cluster) throws Exception {
        List<DuetClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
                clients.add(couple.connectThroughEndpoint(couple.ann, new RecordingListener(), 0));
                clients.add(couple.connectThroughEndpoint(couple.bob, new RecordingListener(), 0));
            }
            return clients;
        } catch (Exception | AssertionError e) {
            clients.forEach(DuetClient::close);
            throw e;
        }
    }

    /** Presentation server {@code index} still accepts connections on its own client port. */
    private static void assertAccepts(LocalCluster cluster, int index) throws IOException {
        try (Socket probe = new Socket()) {
            InetSocketAddress direct = cluster.clientTcpEndpoint(index);
            probe.connect(direct, 2000);
            assertThat(probe.isConnected()).as("%s still accepts on %s", cluster.presentationServers().get(index), direct)
                    .isTrue();
        }
    }

    /** Waits until HAProxy's state of {@code server} is exactly {@code state}. */
    private static void awaitState(LocalCluster cluster, Node server, String state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, String> states = cluster.loadBalancerStates();
        while (!state.equals(states.get(server.name()))) {
            assertThat(System.nanoTime()).as("HAProxy says %s of %s within %s; states: %s", state, server, WAIT, states)
                    .isLessThan(deadline);
            Thread.sleep(50);
            states = cluster.loadBalancerStates();
        }
    }

    private static int readyStatus(URI admin) {
        try {
            return AdminPort.get(admin, "/ready").status();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** What {@code server}'s agent-check port answers, as HAProxy reads it. */
    private static String agentSays(Node server) throws IOException {
        Map<String, String> info = server.readyInfo();
        try (Socket socket = new Socket(info.get("agent.host"), Integer.parseInt(info.get("agent.port")))) {
            socket.setSoTimeout(5000);
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        }
    }
}
