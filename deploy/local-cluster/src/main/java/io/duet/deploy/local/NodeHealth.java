package io.duet.deploy.local;

import java.util.Optional;

/**
 * What the supervisor of a local cluster knows of one node ({@link LocalCluster#health(Node)}).
 *
 * @param state where the node is
 * @param restarts how many times the supervisor has restarted it since the cluster started
 * @param lastDeath the last death it noticed, as logged ("app-1 (pid 4242) died: killed by signal 9
 *     (SIGKILL) after 12 s up"), or empty
 */
public record NodeHealth(State state, int restarts, Optional<String> lastDeath) {
    /** Where a supervised node is. */
    public enum State {
        /** Running. */
        UP,
        /** Not running because it was asked to stop (or never started). */
        STOPPED,
        /** Died; waiting out its backoff, or starting again. */
        RESTARTING,
        /** Died too often within the crash-loop window: reported, and not restarted. */
        CRASH_LOOP
    }
}
