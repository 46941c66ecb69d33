package io.duet.deploy.local;

import io.duet.process.ReadyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a local cluster's clients connect: the load balancer's one endpoint, or each presentation server's
 * own ports (from its ready file, so a restarted server is found where it came back), plain or TLS.
 */
final class ClientEndpoints {
    private final Path confDir;
    private final List<NodeProcess> presentationServers;
    /** The load balancer's ports; null without one. */
    private final PortPlan loadBalanced;
    /** Null: plain client ports. */
    private final LocalClientTls tls;

    ClientEndpoints(Path confDir, List<NodeProcess> presentationServers, PortPlan loadBalanced, LocalClientTls tls) {
        this.confDir = confDir;
        this.presentationServers = presentationServers;
        this.loadBalanced = loadBalanced;
        this.tls = tls;
    }

    /** The load balancer's endpoint, or without one, the first presentation server's. */
    ClientEndpoint clientEndpoint() {
        Path ca = tls == null ? null : tls.ca();
        if (loadBalanced != null) {
            return new ClientEndpoint(new InetSocketAddress("127.0.0.1", loadBalanced.endpointTcp),
                    URI.create(scheme() + "://127.0.0.1:" + loadBalanced.endpointHttp), true, ca);
        }
        if (presentationServers.isEmpty()) {
            throw new IllegalStateException("this cluster has no presentation servers");
        }
        return new ClientEndpoint(tcp(0), http(0), false, ca);
    }

    /** The client TCP endpoint of presentation server {@code index} (0-based). */
    InetSocketAddress tcp(int index) {
        return new InetSocketAddress("127.0.0.1", port(presentationServers.get(index), "client.tcp.port"));
    }

    /** The base URL of the HTTP API of presentation server {@code index} (0-based). */
    URI http(int index) {
        return URI.create(scheme() + "://127.0.0.1:" + port(presentationServers.get(index), "client.http.port"));
    }

    private String scheme() {
        return tls == null ? "http" : "https";
    }

    private int port(NodeProcess node, String key) {
        try {
            return Integer.parseInt(ReadyFile.read(confDir.resolve(node.name() + ".properties")).get(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
