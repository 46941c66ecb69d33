package io.duet.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The HAProxy configuration's agent check against a real HAProxy: a server's agent sets its weight and
 * drains it, and an agent that does not answer (not started yet, or gone) neither takes the server out
 * nor changes its weight: {@code GET /ready} alone decides whether it is up.
 */
class HaproxyAgentCheckTest {
    private static final String NAME = "presentation-1";
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Three agent polls ({@code agent-inter 1s}). */
    private static final long THREE_POLLS_MILLIS = 3_000;

    @Test
    void theAgentSetsTheWeightAndDrainsAndAnAgentThatDoesNotAnswerChangesNothing() throws Exception {
        Path haproxy = LoadBalancerProcess.find("haproxy");
        assertThat(haproxy).as("haproxy installed (apt-get install -y haproxy; .ci/run installs it)").isNotNull();
        Path dir = Files.createTempDirectory("duet-haproxy-agent-");
        HttpServer admin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        admin.createContext("/ready", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        admin.start();
        int agentPort = freePort();
        LoadBalancerProcess loadBalancer = null;
        try (ServerSocket clientPort = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int endpointTcp = freePort();
            int endpointHttp = freePort();
            Path config = dir.resolve("haproxy.cfg");
            Path socket = dir.resolve("s.sock");
            Files.writeString(config, HaproxyConfig.render(endpointTcp, endpointHttp, socket, List.of(
                    new HaproxyConfig.Server(NAME, clientPort.getLocalPort(), freePort(), admin.getAddress().getPort(),
                            agentPort)), null), StandardCharsets.UTF_8);
            loadBalancer = new LoadBalancerProcess(haproxy.toString(), config, socket, dir.resolve("haproxy.log"),
                    endpointTcp, endpointHttp);
            loadBalancer.start();

            // No agent listening yet: the health check alone brings the server up, at its configured weight.
            loadBalancer.awaitInRotation(NAME, true, WAIT);
            Thread.sleep(THREE_POLLS_MILLIS);
            assertThat(loadBalancer.serverStates()).containsEntry(NAME, "UP");
            assertThat(loadBalancer.serverWeights()).containsEntry(NAME, HaproxyConfig.WEIGHT);

            AtomicReference<String> reply = new AtomicReference<>("ready 40%\n");
            try (Agent agent = new Agent(agentPort, reply)) {
                await(loadBalancer, "UP", 40);
                reply.set("drain\n");
                await(loadBalancer, "DRAIN (agent)", 40);
                reply.set("ready 7%\n");
                await(loadBalancer, "UP", 7);
            }
            // The agent is gone: HAProxy keeps its last word, and the server stays up.
            Thread.sleep(THREE_POLLS_MILLIS);
            assertThat(loadBalancer.serverStates()).containsEntry(NAME, "UP");
            assertThat(loadBalancer.serverWeights()).containsEntry(NAME, 7);
        } finally {
            if (loadBalancer != null) {
                loadBalancer.stop();
            }
            admin.stop(0);
        }
    }

    /** Waits until HAProxy has the server in {@code state} at {@code weight}, as the agent said. */
    private static void await(LoadBalancerProcess loadBalancer, String state, int weight) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(state.equals(loadBalancer.serverStates().get(NAME)) && loadBalancer.serverWeights().get(NAME) == weight)) {
            assertThat(System.nanoTime()).as("waiting for %s at weight %d; HAProxy has %s, %s", state, weight,
                    loadBalancer.serverStates(), loadBalancer.serverWeights()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A stand-in agent: answers each connection with the reply of the moment, then closes it. */
    private static final class Agent implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread thread;

        Agent(int port, AtomicReference<String> reply) throws IOException {
            listener = new ServerSocket(port, 16, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket connection = listener.accept(); OutputStream out = connection.getOutputStream()) {
                        out.write(reply.get().getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException closed) {
                        // The listener was closed, or HAProxy hung up first: either way, next.
                    }
                }
            }, "test-agent");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws Exception {
            listener.close();
            thread.join(5_000);
        }
    }
}
