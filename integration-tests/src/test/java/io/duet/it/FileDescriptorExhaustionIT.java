package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
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
 * A presentation server that runs out of file descriptors stays up: it logs that it cannot accept,
 * pauses accepting, keeps its parent watch (which once took the failure to read {@code /proc} for its
 * parent's death and exited), and serves a new client once the idle connections are gone. The servers
 * run with a limit of {@value #FILE_LIMIT} open files so that the test needs few, and with a connection
 * cap above it: with the default cap they would never run out (see ConnectionLimitIT).
 */
class FileDescriptorExhaustionIT {
    private static final int FILE_LIMIT = 1024;

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1).withPresentationServers(1)
            .withPresentationServerFileLimit(FILE_LIMIT)
            .withServerSetting("limits.connections.max", "100000");

    @Test
    void aServerOutOfFileDescriptorsStaysUpAndServesAgainOnceTheyAreFree() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node presentation = cluster.presentationServers().get(0);
        long pid = presentation.pid();
        TestCouple couple = TestCouple.pair(cluster);
        InetSocketAddress endpoint = cluster.clientTcpEndpoint(0);

        List<Socket> idle = new ArrayList<>();
        try {
            // The kernel completes each handshake (the listen backlog is 4096) whether or not the server accepts.
            for (int i = 0; i < FILE_LIMIT + 200; i++) {
                Socket socket = new Socket();
                idle.add(socket);
                socket.connect(endpoint, 5000);
            }
            awaitLogLine(presentation, "cannot accept connections");
            Thread.sleep(5000); // the parent watch looks every second
            assertThat(presentation.isRunning()).as("still running out of file descriptors").isTrue();
            assertThat(presentation.pid()).isEqualTo(pid);
            assertThat(log(presentation)).doesNotContain("Parent process");
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }

        RecordingListener listener = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, listener, 0)) {
            ann.send("after the storm").get(30, TimeUnit.SECONDS);
        }
        assertThat(presentation.pid()).isEqualTo(pid);
    }

    private static void awaitLogLine(Node node, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!log(node).contains(text)) {
            assertThat(System.nanoTime()).as("waiting for '%s' in %s", text, node.logFile()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static String log(Node node) throws IOException {
        return Files.readString(node.logFile(), StandardCharsets.UTF_8);
    }
}
