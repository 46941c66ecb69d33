package io.duet.deploy.local;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * The HAProxy configuration of a local cluster's load balancer, the stand-in for the production ones
 * (an NLB for the client protocol, an ALB for the HTTP API; see {@code deploy/LOAD-BALANCER.md}).
 *
 * <ul>
 *   <li>With client TLS ({@link LocalClientTls}), the client TCP port's TLS passes through to the
 *       presentation servers, and HTTPS is terminated here and spoken again to them.
 *   <li>Client TCP in TCP mode, to the presentation server with the fewest connections for its weight
 *       (sessions are long-lived); HTTP in HTTP mode, round robin per request.
 *   <li>Each presentation server's weight is {@value #WEIGHT} as configured, scaled every second by its
 *       agent check ({@code agent.port}): {@code ready N%} from its sessions and CPU load, {@code drain}
 *       while it drains. {@code leastconn} divides the connections HAProxy holds to a server by its
 *       weight, so the two together steer by what HAProxy sees between two polls (connections it made
 *       itself, at once) and by what only the server knows (connections that came another way, through
 *       another load balancer node or before a restart, and its CPU). {@code roundrobin} would ignore
 *       the first, and {@code static-rr} ignores weight changes altogether. An agent that does not
 *       answer changes nothing: HAProxy keeps the last weight, and {@code /ready} alone decides whether
 *       the server is up.
 *   <li>A server is in rotation while {@code GET /ready} on its admin port answers 200: checked every
 *       500 ms, out after 2 failures, back after 2 successes. The HTTP backend tracks the TCP backend's
 *       checks rather than probing twice. A server taken out keeps its sessions (a draining server lets
 *       them leave); a dead one loses them at once, and its clients reconnect through the same endpoint.
 *   <li>A connection refused before the checks caught up is retried on another server ({@code retries},
 *       {@code option redispatch 1}), so a client reconnecting right after a kill -9 is not refused.
 *   <li>{@code global maxconn} set, not computed by HAProxy: half the file descriptor limit it inherits
 *       (the launcher's) less {@value #RESERVED_DESCRIPTORS}, since each proxied connection holds two
 *       descriptors ({@link #maxconnFor}); 9900 at a limit of 20000. Past it HAProxy queues new
 *       connections instead of failing for want of descriptors.
 *   <li>Each server is told whose connection or request it gets, for its per-address limits and logs: a
 *       PROXY protocol v2 header before each client TCP connection's bytes ({@code send-proxy-v2}; the
 *       health and agent checks go to other ports, without one), and the client's address appended to
 *       {@code X-Forwarded-For} on HTTP ({@code option forwardfor}). The presentation servers believe both
 *       from 127.0.0.1 only ({@code http.trusted-proxies}, {@link NodeFactory#LOCAL_TRUSTED_PROXIES}).
 *   <li>Idle timeouts longer than the servers' own (a client session closes after 90 s of silence, an HTTP
 *       call is answered 504 after its own deadline), so that the servers, not HAProxy, decide.
 * </ul>
 */
final class HaproxyConfig {
    /** One presentation server as HAProxy sees it. */
    record Server(String name, int tcpPort, int httpPort, int adminPort, int agentPort) {
    }

    /** The configured weight the agent's percentages scale: 100, so that {@code ready 7%} is 7, not 0 of 1. */
    static final int WEIGHT = 100;

    /** Descriptors left for HAProxy's listeners, checks, logs and stats socket. */
    static final int RESERVED_DESCRIPTORS = 200;

    static final String TCP_BACKEND = "presentation-tcp";
    static final String HTTP_BACKEND = "presentation-http";

    private HaproxyConfig() {
    }

    /**
     * @param tls null: plain client ports; else HTTPS at the endpoint and to the servers, TCP passed through.
     *     With {@code maxconn} from this process's file descriptor limit, which HAProxy inherits.
     */
    static String render(int endpointTcp, int endpointHttp, Path statsSocket, List<Server> servers, LocalClientTls tls) {
        return render(endpointTcp, endpointHttp, statsSocket, servers, tls, maxconnFor(fileDescriptorLimit()));
    }

    /** The most connections HAProxy holds under {@code fileDescriptorLimit}: two descriptors each, less a reserve. */
    static int maxconnFor(long fileDescriptorLimit) {
        return (int) Math.max(100, Math.min(1_000_000, (fileDescriptorLimit - RESERVED_DESCRIPTORS) / 2));
    }

    /** This process's file descriptor limit, or 1024 where the JDK cannot tell. */
    private static long fileDescriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return 1024;
    }

    static String render(int endpointTcp, int endpointHttp, Path statsSocket, List<Server> servers, LocalClientTls tls,
            int maxconn) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by LocalCluster at every start: the local stand-in for the production load balancers\n")
                .append("# (deploy/LOAD-BALANCER.md). Health: GET /ready on each presentation server's admin port.\n")
                .append("global\n")
                .append("    maxconn ").append(maxconn).append("\n")
                .append("    log stderr format raw local0 info\n")
                .append("    stats socket ").append(statsSocket).append(" mode 600 level admin\n")
                .append("\n")
                .append("defaults\n")
                .append("    log global\n")
                .append("    option dontlognull\n")
                .append("    timeout connect 2s\n")
                .append("    timeout client 120s\n")
                .append("    timeout server 120s\n")
                .append("    timeout check 1s\n")
                .append("    retries 3\n")
                .append("    option redispatch 1\n")
                .append("    default-server inter 500ms fastinter 500ms downinter 500ms fall 2 rise 2\n")
                .append("\n")
                .append("frontend client-tcp\n")
                .append("    mode tcp\n")
                .append("    option tcplog\n")
                .append("    bind 127.0.0.1:").append(endpointTcp).append('\n')
                .append("    default_backend ").append(TCP_BACKEND).append('\n')
                .append("\n")
                .append("backend ").append(TCP_BACKEND).append('\n')
                .append("    mode tcp\n")
                .append("    balance leastconn\n")
                .append("    option httpchk GET /ready\n");
        for (Server server : servers) {
            out.append("    server ").append(server.name()).append(" 127.0.0.1:").append(server.tcpPort())
                    .append(" check port ").append(server.adminPort())
                    .append(" weight ").append(WEIGHT)
                    .append(" agent-check agent-port ").append(server.agentPort()).append(" agent-inter 1s")
                    .append(" send-proxy-v2")
                    .append('\n');
        }
        out.append("\n")
                .append("frontend client-http\n")
                .append("    mode http\n")
                .append("    option httplog\n")
                .append("    timeout http-request 30s\n")
                .append("    bind 127.0.0.1:").append(endpointHttp)
                .append(tls == null ? "" : " ssl crt " + tls.haproxyCertificate()).append('\n')
                .append("    default_backend ").append(HTTP_BACKEND).append('\n')
                .append("\n")
                .append("backend ").append(HTTP_BACKEND).append('\n')
                .append("    mode http\n")
                .append("    balance roundrobin\n")
                .append("    option forwardfor\n")
                .append("    timeout server 35s\n");
        for (Server server : servers) {
            out.append("    server ").append(server.name()).append(" 127.0.0.1:").append(server.httpPort())
                    .append(" track ").append(TCP_BACKEND).append('/').append(server.name())
                    .append(tls == null ? "" : " ssl verify required ca-file " + tls.ca()).append('\n');
        }
        return out.toString();
    }
}
