package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection limits under a flood of idle connections, more than the presentation server's file limit
 * ({@value #FILE_LIMIT}), from several source addresses (127.0.0.2 and up; the local cluster exempts
 * 127.0.0.1, its load balancer, from the per-address cap). The server never runs out of descriptors:
 * connections beyond the caps are closed at once, sessions already open keep working, and a new client
 * connects and sends within a second.
 */
class ConnectionLimitIT {
    private static final int FILE_LIMIT = 1024;
    /** The default global cap for that file limit: 80 % of it, less 128. */
    private static final int GLOBAL_CAP = FILE_LIMIT * 80 / 100 - 128;
    private static final int PER_ADDRESS_CAP = 100;

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1).withPresentationServers(1)
            .withPresentationServerFileLimit(FILE_LIMIT);

    @Test
    void aFloodOfIdleConnectionsIsCappedAndClientsAreStillServed() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node presentation = cluster.presentationServers().get(0);
        long pid = presentation.pid();
        TestCouple couple = TestCouple.pair(cluster);
        InetSocketAddress endpoint = cluster.clientTcpEndpoint(0);

        List<Socket> flood = new ArrayList<>();
        try (DuetClient before = couple.connect(couple.ann, 0, new RecordingListener(), 0)) {
            // 1. Four addresses, 300 connections each: more than the file limit, each address capped.
            for (int host = 2; host <= 5; host++) {
                open(flood, "127.0.0." + host, endpoint, 300);
            }
            assertThat(flood).hasSizeGreaterThan(FILE_LIMIT);
            awaitMetric(presentation, "duet_client_connections_refused_total", 4 * (300 - PER_ADDRESS_CAP));
            before.send("during the per-address flood").get(10, TimeUnit.SECONDS);
            sendWithinOneSecond(couple, "a new client during the per-address flood");

            // 2. Eight more addresses take the server to its global cap.
            for (int host = 6; host <= 13; host++) {
                open(flood, "127.0.0." + host, endpoint, PER_ADDRESS_CAP);
            }
            double connections = awaitMetric(presentation, "duet_client_connections", GLOBAL_CAP);
            assertThat(connections).isEqualTo(GLOBAL_CAP);
            before.send("at the global cap").get(10, TimeUnit.SECONDS);
            System.out.printf("ConnectionLimitIT: %d connections tried from 12 addresses; the server holds %d,"
                    + " refused %.0f%n", flood.size(), (int) connections,
                    AdminPort.sample(AdminPort.scrape(presentation), "duet_client_connections_refused_total")
                            .orElse(0));
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
        awaitMetricBelow(presentation, "duet_client_connections", PER_ADDRESS_CAP);
        sendWithinOneSecond(couple, "after the flood");
        assertThat(presentation.pid()).isEqualTo(pid);
        assertThat(Files.readString(presentation.logFile(), StandardCharsets.UTF_8))
                .contains("Refusing new client connections")
                .doesNotContain("cannot accept connections");
    }

    private static void open(List<Socket> sockets, String from, InetSocketAddress endpoint, int count)
            throws IOException {
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            sockets.add(socket);
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            // The kernel completes the handshake whether the server keeps the connection or not.
            socket.connect(endpoint, 5000);
        }
    }

    private static void sendWithinOneSecond(TestCouple couple, String text) throws Exception {
        long start = System.nanoTime();
        try (DuetClient client = couple.connect(couple.bob, 0, new RecordingListener(), 0)) {
            client.send(text).get(1, TimeUnit.SECONDS);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("ConnectionLimitIT: '%s' connected and sent in %d ms%n", text, millis);
        assertThat(millis).as("connect and send").isLessThan(1000);
    }

    private static double awaitMetric(Node node, String name, double atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            double value = AdminPort.sample(AdminPort.scrape(node), name).orElse(0);
            if (value >= atLeast) {
                return value;
            }
            assertThat(System.nanoTime()).as("%s reaching %s (now %s)", name, atLeast, value).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void awaitMetricBelow(Node node, String name, double below) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (AdminPort.sample(AdminPort.scrape(node), name).orElse(0) >= below) {
            assertThat(System.nanoTime()).as("%s falling below %s", name, below).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
