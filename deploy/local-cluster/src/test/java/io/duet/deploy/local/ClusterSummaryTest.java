package io.duet.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code bin/local-cluster} prints once the cluster is up, from a description of the cluster. */
class ClusterSummaryTest {
    private static final List<ClusterSummary.Direct> DIRECT = List.of(
            new ClusterSummary.Direct("presentation-1", address(7410), URI.create("http://127.0.0.1:7420")),
            new ClusterSummary.Direct("presentation-2", address(7411), URI.create("http://127.0.0.1:7421")));
    private static final List<ClusterSummary.NodeInfo> NODES = List.of(
            new ClusterSummary.NodeInfo("zookeeper", Optional.empty(), 4000, Path.of("/data/logs/zookeeper.log")),
            new ClusterSummary.NodeInfo("presentation-1", Optional.of(URI.create("http://127.0.0.1:7430")), 4203,
                    Path.of("/data/logs/presentation-1.log")),
            new ClusterSummary.NodeInfo("haproxy", Optional.empty(), 4300, Path.of("/data/logs/haproxy.log")));

    private static InetSocketAddress address(int port) {
        return InetSocketAddress.createUnresolved("127.0.0.1", port);
    }

    private static String summary(ClientEndpoint endpoint) {
        return new ClusterSummary(Duration.ofMillis(23_456), endpoint, DIRECT, NODES, "127.0.0.1:7400", Path.of("/data"),
                "http://127.0.0.1:7409, bucket duet")
                .text().replace(System.lineSeparator(), "\n");
    }

    @Test
    void withHaproxyOneClientEndpointThenTheDirectOnes() {
        assertThat(summary(new ClientEndpoint(address(7401), URI.create("http://127.0.0.1:7402"), true))).isEqualTo("""

                Duet local cluster is up in 23.5 s.

                Client endpoint (HAProxy, to every ready presentation server):
                  tcp  127.0.0.1:7401
                  http http://127.0.0.1:7402
                  (bin/duet's default)

                Direct presentation endpoints (debugging):
                  presentation-1   tcp 127.0.0.1:7410   http http://127.0.0.1:7420
                  presentation-2   tcp 127.0.0.1:7411   http http://127.0.0.1:7421

                Admin endpoints (GET /live, /ready, /metrics):
                  presentation-1   http://127.0.0.1:7430

                Processes:
                  zookeeper        pid 4000     log /data/logs/zookeeper.log
                  presentation-1   pid 4203     log /data/logs/presentation-1.log
                  haproxy          pid 4300     log /data/logs/haproxy.log

                ZooKeeper: 127.0.0.1:7400   data: /data
                S3 (photos): http://127.0.0.1:7409, bucket duet
                Try it:   bin/duet --help
                Press Ctrl-C to stop everything.
                """);
    }

    @Test
    void aLoadBalancerAtOtherPortsIsExportedForTheCli() {
        assertThat(summary(new ClientEndpoint(address(8401), URI.create("http://127.0.0.1:8402"), true)))
                .contains("Client endpoint (HAProxy, to every ready presentation server):\n  tcp  127.0.0.1:8401\n")
                .contains("  for bin/duet: export DUET_TCP=127.0.0.1:8401 DUET_HTTP=http://127.0.0.1:8402\n")
                .doesNotContain("bin/duet's default");
    }

    /** Without HAProxy: presentation-1's own endpoints, said plainly, and still every direct one. */
    @Test
    void withoutHaproxyPresentationOneDirectly() {
        String text = summary(new ClientEndpoint(address(7410), URI.create("http://127.0.0.1:7420"), false));
        assertThat(text).contains("""

                Client endpoint (presentation-1 directly: no load balancer, no failover):
                  tcp  127.0.0.1:7410
                  http http://127.0.0.1:7420
                  for bin/duet: export DUET_TCP=127.0.0.1:7410 DUET_HTTP=http://127.0.0.1:7420

                Direct presentation endpoints (debugging):
                  presentation-1   tcp 127.0.0.1:7410   http http://127.0.0.1:7420
                  presentation-2   tcp 127.0.0.1:7411   http http://127.0.0.1:7421
                """).doesNotContain("HAProxy");
    }

    @Test
    void withClientTlsTheCliIsToldToTrustTheClusterCa() {
        assertThat(summary(new ClientEndpoint(address(7401), URI.create("https://127.0.0.1:7402"), true,
                Path.of("/data/tls/ca.pem")))).contains("  TLS, signed by the cluster's CA: export"
                        + " DUET_TLS_CA=/data/tls/ca.pem DUET_TCP=127.0.0.1:7401 DUET_HTTP=https://127.0.0.1:7402\n");
    }

    @Test
    void withoutPresentationServersNoClientEndpoint() {
        String text = new ClusterSummary(Duration.ofSeconds(5), null, List.of(), NODES, "127.0.0.1:7400", Path.of("/data"),
                "http://127.0.0.1:7409, bucket duet")
                .text();
        assertThat(text).doesNotContain("Client endpoint", "Direct presentation endpoints").contains("Processes:");
    }

    /** A cluster built with {@code s3(false)} has no S3 to name. */
    @Test
    void withoutS3NoS3Line() {
        String text = new ClusterSummary(Duration.ofSeconds(5), null, List.of(), NODES, "127.0.0.1:7400", Path.of("/data"),
                null)
                .text().replace(System.lineSeparator(), "\n");
        assertThat(text).doesNotContain("S3").contains("ZooKeeper: 127.0.0.1:7400   data: /data\nTry it:");
    }
}
