package io.duet.deploy.local;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code bin/local-cluster} prints once the cluster is up ({@link #text()}): the one client endpoint
 * (or, without HAProxy, presentation-1's, said plainly), the direct endpoints for debugging, the admin
 * endpoints, the processes and their logs. A description of the cluster, made by {@link #of(LocalCluster)}.
 *
 * @param startup how long the start took
 * @param endpoint where clients connect; null without presentation servers
 * @param presentationServers each presentation server's direct client endpoints
 * @param nodes every node, in start order
 * @param zookeeperConnect ZooKeeper's connect string
 * @param dataDir the cluster's data folder
 * @param s3 where photos are stored: S3Proxy's endpoint and bucket; null when the cluster has no S3
 */
record ClusterSummary(Duration startup, ClientEndpoint endpoint, List<Direct> presentationServers, List<NodeInfo> nodes,
        String zookeeperConnect, Path dataDir, String s3) {
    /** What {@code bin/duet} connects to unless told otherwise: the endpoint at the default base port. */
    static final String CLI_DEFAULT_TCP = "127.0.0.1:7401";
    static final String CLI_DEFAULT_HTTP = "http://127.0.0.1:7402";

    /** A presentation server's own client endpoints. */
    record Direct(String name, InetSocketAddress tcp, URI http) {
    }

    /** A node's process: its admin endpoint (where it has one), pid and log. */
    record NodeInfo(String name, Optional<URI> admin, long pid, Path log) {
    }

    static ClusterSummary of(LocalCluster cluster) {
        List<Direct> direct = new ArrayList<>();
        for (int i = 0; i < cluster.presentationServers().size(); i++) {
            direct.add(new Direct(cluster.presentationServers().get(i).name(), cluster.clientTcpEndpoint(i),
                    cluster.clientHttpEndpoint(i)));
        }
        List<NodeInfo> nodes = cluster.nodes().stream()
                .map(node -> new NodeInfo(node.name(), node.adminEndpoint(), node.pid(), node.logFile())).toList();
        Map<String, String> s3 = cluster.s3Settings();
        return new ClusterSummary(cluster.lastStartupTime(), direct.isEmpty() ? null : cluster.clientEndpoint(), direct,
                nodes, cluster.zookeeperConnect(), cluster.dataDir(),
                s3.isEmpty() ? null : s3.get("s3.endpoint") + ", bucket " + s3.get("s3.bucket"));
    }

    String text() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.println();
        out.printf("Duet local cluster is up in %.1f s.%n", startup.toMillis() / 1000.0);
        out.println();
        if (endpoint != null) {
            out.println(endpoint.loadBalanced()
                    ? "Client endpoint (HAProxy, to every ready presentation server):"
                    : "Client endpoint (presentation-1 directly: no load balancer, no failover):");
            out.printf("  tcp  %s%n  http %s%n", endpoint.tcpHostPort(), endpoint.http());
            if (endpoint.tlsCa() != null) {
                out.printf("  TLS, signed by the cluster's CA: export DUET_TLS_CA=%s DUET_TCP=%s DUET_HTTP=%s%n",
                        endpoint.tlsCa(), endpoint.tcpHostPort(), endpoint.http());
            } else if (endpoint.tcpHostPort().equals(CLI_DEFAULT_TCP) && endpoint.http().toString().equals(CLI_DEFAULT_HTTP)) {
                out.println("  (bin/duet's default)");
            } else {
                out.printf("  for bin/duet: export DUET_TCP=%s DUET_HTTP=%s%n", endpoint.tcpHostPort(), endpoint.http());
            }
            out.println();
            out.println("Direct presentation endpoints (debugging):");
            for (Direct server : presentationServers) {
                out.printf("  %-16s tcp %s   http %s%n", server.name(),
                        server.tcp().getHostString() + ':' + server.tcp().getPort(), server.http());
            }
            out.println();
        }
        out.println("Admin endpoints (GET /live, /ready, /metrics):");
        for (NodeInfo node : nodes) {
            node.admin().ifPresent(admin -> out.printf("  %-16s %s%n", node.name(), admin));
        }
        out.println();
        out.println("Processes:");
        for (NodeInfo node : nodes) {
            out.printf("  %-16s pid %-8d log %s%n", node.name(), node.pid(), node.log());
        }
        out.println();
        out.println("ZooKeeper: " + zookeeperConnect + "   data: " + dataDir);
        if (s3 != null) {
            out.println("S3 (photos): " + s3);
        }
        out.println("Try it:   bin/duet --help");
        out.println("Press Ctrl-C to stop everything.");
        out.flush();
        return text.toString();
    }
}
