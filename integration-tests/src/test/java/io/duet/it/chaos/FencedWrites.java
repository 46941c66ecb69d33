package io.duet.it.chaos;

import io.duet.app.storage.FencedException;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
import java.util.List;

/**
 * How many commits HBase rejected as fenced: late writes of a deposed owner (or a reloaded couple's
 * older load) that the fence stopped. Rejected writes leave nothing in HBase, so the {@link ChaosChecker}
 * cannot see them; this counts the line each one leaves in its application server's log ({@code Commit
 * of N messages of couple C failed: ...FencedException ...}). The logs are appended to across restarts,
 * so a killed server's count survives it, unlike its {@code duet_hbase_calls_seconds{op="commit",
 * outcome="fenced"}} counter.
 */
final class FencedWrites {
    static final String MARK = "failed: " + FencedException.class.getName();

    private FencedWrites() {
    }

    /** Fenced commits logged so far by every application server of {@code cluster}. */
    static long count(LocalCluster cluster) throws IOException {
        return ServerLogs.countLines(cluster, FencedWrites::isFencedCommit);
    }

    /** Fenced commits logged so far by {@code server} (every incarnation of it). */
    static long count(Node server) throws IOException {
        return ServerLogs.lines(List.of(server), FencedWrites::isFencedCommit).size();
    }

    private static boolean isFencedCommit(String line) {
        return line.contains("Commit of ") && line.contains(MARK);
    }
}
