package io.duet.it.chaos;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The servers' logs of a local cluster, read for what a run left in them. Each server's log is
 * appended to across its restarts, so what a killed server logged is still counted.
 */
final class ServerLogs {
    private ServerLogs() {
    }

    /** How many lines matching {@code line} every application server of {@code cluster} has logged so far. */
    static long countLines(LocalCluster cluster, Predicate<String> line) throws IOException {
        return lines(cluster.applicationServers(), line).size();
    }

    /** The lines matching {@code line} that {@code servers} have logged so far, each after its server's name. */
    static List<String> lines(List<Node> servers, Predicate<String> line) throws IOException {
        List<String> matching = new ArrayList<>();
        for (Node server : servers) {
            if (!Files.exists(server.logFile())) {
                continue;
            }
            try (Stream<String> lines = Files.lines(server.logFile(), StandardCharsets.UTF_8)) {
                lines.filter(line).forEach(found -> matching.add(server.name() + ": " + found));
            }
        }
        return matching;
    }
}
