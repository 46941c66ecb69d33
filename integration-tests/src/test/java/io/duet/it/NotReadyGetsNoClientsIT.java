package io.duet.it;

import static io.duet.it.PresentationSessions.sessionsOn;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The load balancer routes by readiness alone: a presentation server that turned not ready (a drain with
 * {@code drain.delay}, as behind a load balancer that does not retry refused connections) but still
 * accepts connections is taken out of rotation, and new clients of the one endpoint all go to the other.
 */
class NotReadyGetsNoClientsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster()
            .withPresentationSetting("drain.delay", "20s")
            .withPresentationSetting("drain.deadline", "30s");

    @Test
    void newClientsGoOnlyToReadyServersWhileTheNotReadyOneStillListens() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        assertThat(cluster.clientEndpoint().loadBalanced()).as("HAProxy runs (apt-get install -y haproxy)").isTrue();
        Node notReady = cluster.presentationServers().get(0);
        Node ready = cluster.presentationServers().get(1);
        long before = sessionsOn(notReady);

        URI admin = AdminPort.of(notReady);
        assertThat(AdminPort.send(admin, "/drain", "POST").status()).isEqualTo(202);
        assertThat(AdminPort.get(admin, "/ready").status()).isEqualTo(503);
        cluster.awaitInRotation(notReady, false, WAIT);
        try (Socket probe = new Socket()) {
            InetSocketAddress direct = cluster.clientTcpEndpoint(0);
            probe.connect(direct, 2000);
            assertThat(probe.isConnected()).as("%s still accepts on %s", notReady, direct).isTrue();
        }

        List<DuetClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
                clients.add(couple.connectThroughEndpoint(couple.ann, new RecordingListener(), 0));
                clients.add(couple.connectThroughEndpoint(couple.bob, new RecordingListener(), 0));
            }
            RecordingListener.await(WAIT, "8 new sessions counted on the ready server", () -> sessionsOn(ready) >= 8);
            System.out.printf("NOT READY: %s (not ready, still listening) has %d sessions (%d before); %s has %d%n",
                    notReady, sessionsOn(notReady), before, ready, sessionsOn(ready));
            assertThat(sessionsOn(notReady)).as("new sessions on the server that is not ready").isEqualTo(before);
        } finally {
            clients.forEach(DuetClient::close);
        }
    }
}
