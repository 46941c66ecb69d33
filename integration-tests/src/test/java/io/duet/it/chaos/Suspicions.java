package io.duet.it.chaos;

import io.duet.deploy.local.LocalCluster;
import java.io.IOException;

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
        return ServerLogs.countLines(cluster, line -> line.contains(SUSPECTING));
    }

    /** Suspicions logged so far that refused relay connects backed: crashes caught by the fast path. */
    static long withRefusedConnects(LocalCluster cluster) throws IOException {
        return ServerLogs.countLines(cluster, line -> line.contains(SUSPECTING) && line.contains(REFUSED));
    }
}
