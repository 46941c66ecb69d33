package io.duet.it.chaos;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * How many times the leader's failure detector suspected an application server, counted in the
 * application servers' logs (appended to across restarts), where each suspicion leaves one line: {@code
 * Suspecting <id>: its heartbeat lags N ms}, followed, when presentation servers reported that the
 * suspect's relay endpoint refused their connects (the crash fast path), by {@code  and its relay endpoint
 * refuses connections (reported by [...])}.
 */
final class Suspicions {
    private static final String SUSPECTING = "Suspecting ";
    private static final String REFUSED = " and its relay endpoint refuses connections (reported by ";

    private Suspicions() {
    }

    /** Suspicions logged so far by every application server of {@code cluster}. */
    static long all(LocalCluster cluster) throws IOException {
        return count(cluster, line -> line.contains(SUSPECTING));
    }

    /** Suspicions logged so far that refused relay connects backed: crashes caught by the fast path. */
    static long withRefusedConnects(LocalCluster cluster) throws IOException {
        return count(cluster, line -> line.contains(SUSPECTING) && line.contains(REFUSED));
    }

    private static long count(LocalCluster cluster, Predicate<String> suspicion) throws IOException {
        long count = 0;
        for (Node server : cluster.applicationServers()) {
            if (!Files.exists(server.logFile())) {
                continue;
            }
            try (Stream<String> lines = Files.lines(server.logFile(), StandardCharsets.UTF_8)) {
                count += lines.filter(suspicion).count();
            }
        }
        return count;
    }
}
