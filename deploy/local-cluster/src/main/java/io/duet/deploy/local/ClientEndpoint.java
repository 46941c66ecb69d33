package io.duet.deploy.local;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where clients of a local cluster connect: the load balancer's one endpoint (TCP for the client
 * protocol, HTTP for the API), or, where the load balancer could not run, the direct endpoints of the
 * first presentation server.
 *
 * @param tcp the client protocol's address
 * @param http the base URL of the HTTP API
 * @param loadBalanced whether both go through the load balancer, to every ready presentation server
 * @param tlsCa with client TLS on ({@link LocalClusterBuilder#clientTls}), the CA certificate (PEM) clients
 *     trust, and {@code http} is https; null when the endpoint is plain
 */
public record ClientEndpoint(InetSocketAddress tcp, URI http, boolean loadBalanced, Path tlsCa) {
    public ClientEndpoint {
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(http, "http");
    }

    /** A plain endpoint. */
    public ClientEndpoint(InetSocketAddress tcp, URI http, boolean loadBalanced) {
        this(tcp, http, loadBalanced, null);
    }

    /** {@code host:port} of {@link #tcp()}, as the CLI's {@code --tcp} takes it. */
    public String tcpHostPort() {
        return tcp.getHostString() + ':' + tcp.getPort();
    }
}
