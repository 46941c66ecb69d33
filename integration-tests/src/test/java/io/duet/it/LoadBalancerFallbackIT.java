package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.ClientEndpoint;
import io.duet.deploy.local.LocalCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Where HAProxy is not installed, the local cluster says so in one line and still starts and serves. */
class LoadBalancerFallbackIT {
    @Test
    void withoutHaproxyTheClusterStartsAndClientsUseTheFirstPresentationServer() throws Exception {
        // On the shared storage: an HBase of its own would cost its start.
        try (LocalCluster cluster = SharedStorage.clusterBuilder("it_loadbalancerfallback")
                .applicationServers(1).presentationServers(1).preSplitTables(false).s3(false)
                .haproxy("/nonexistent/haproxy").build()) {
            assertThat(cluster.loadBalancerMissing()).hasValueSatisfying(line -> assertThat(line)
                    .contains("/nonexistent/haproxy", "apt-get install -y haproxy").doesNotContain("\n"));
            assertThat(cluster.loadBalancer()).isEmpty();
            ClientEndpoint endpoint = cluster.clientEndpoint();
            assertThat(endpoint.loadBalanced()).isFalse();
            assertThat(endpoint.tcp()).isEqualTo(cluster.clientTcpEndpoint(0));
            assertThat(endpoint.http()).isEqualTo(cluster.clientHttpEndpoint(0));

            cluster.start();
            TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
            RecordingListener annHears = new RecordingListener();
            try (DuetClient ann = couple.connectThroughEndpoint(couple.ann, annHears, 0);
                    DuetClient bob = couple.connectThroughEndpoint(couple.bob, new RecordingListener(), 0)) {
                bob.send("hello without a load balancer").get(30, TimeUnit.SECONDS);
                annHears.awaitMessages(1, Duration.ofSeconds(30));
                assertThat(annHears.messages.get(0).getText()).isEqualTo("hello without a load balancer");
            }
        }
    }
}
