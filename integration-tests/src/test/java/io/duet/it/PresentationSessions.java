package io.duet.it;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which presentation server holds which client sessions, read from each server's
 * {@code duet_client_sessions} metric: how a test finds the server a client came to through the one
 * endpoint, to kill it.
 */
public final class PresentationSessions {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private PresentationSessions() {
    }

    /**
     * Every presentation server running and in rotation, with no session left from an earlier test: one
     * still closing would make a new session's count cancel out.
     */
    public static void bringBackEveryPresentationServer(LocalCluster cluster) throws Exception {
        for (Node server : cluster.presentationServers()) {
            server.start();
            cluster.awaitInRotation(server, true, WAIT);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sessionsByServer(cluster).values().stream().mapToLong(Long::longValue).sum() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sessions of an earlier test still open: " + sessionsByServer(cluster));
            }
            Thread.sleep(20);
        }
    }

    /** The one presentation server whose session count grew past {@code baseline}. */
    public static Node awaitNewSession(LocalCluster cluster, Map<String, Long> baseline) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Map<String, Long> now = sessionsByServer(cluster);
            List<Node> grew = cluster.presentationServers().stream()
                    .filter(node -> now.getOrDefault(node.name(), 0L) > baseline.getOrDefault(node.name(), 0L)).toList();
            if (grew.size() == 1) {
                return grew.get(0);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no single server got the new session: " + baseline + " -> " + now);
            }
            Thread.sleep(20);
        }
    }

    /** Each running presentation server's open client sessions, by name. */
    public static Map<String, Long> sessionsByServer(LocalCluster cluster) throws Exception {
        Map<String, Long> sessions = new LinkedHashMap<>();
        for (Node node : cluster.presentationServers()) {
            if (node.isRunning()) {
                sessions.put(node.name(), sessionsOn(node));
            }
        }
        return sessions;
    }

    public static long sessionsOn(Node node) {
        try {
            return (long) AdminPort.sample(AdminPort.scrape(node), "duet_client_sessions").orElse(0);
        } catch (Exception e) {
            throw new AssertionError("cannot read " + node + "'s sessions", e);
        }
    }
}
