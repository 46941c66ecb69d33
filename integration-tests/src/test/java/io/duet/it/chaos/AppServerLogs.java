package io.duet.it.chaos;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The application servers' logs of a local cluster, read for what a run left in them. Each server's log is
 * appended to across its restarts, so what a killed server logged is still counted.
 */
final class AppServerLogs {
    private AppServerLogs() {
    }

    /** How many lines matching {@code line} every application server of {@code cluster} has logged so far. */
    static long countLines(LocalCluster cluster, Predicate<String> line) throws IOException {
        long count = 0;
        for (Node server : cluster.applicationServers()) {
            if (!Files.exists(server.logFile())) {
                continue;
            }
            try (Stream<String> lines = Files.lines(server.logFile(), StandardCharsets.UTF_8)) {
                count += lines.filter(line).count();
            }
        }
        return count;
    }
}
