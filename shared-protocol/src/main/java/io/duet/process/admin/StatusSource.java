package io.duet.process.admin;

import io.duet.protocol.cluster.ClusterStatus;
import java.util.Map;
import java.util.Optional;

/**
 * What a server's status page ({@code GET /status}, {@code GET /status.json}) shows besides its readiness
 * and drain: its own facts and the newest reading of its cluster. Called on the admin port's event loop
 * for every request: it must return at once, reading only what is kept in memory.
 */
public interface StatusSource {
    /** What a server that has not set its source yet (it is starting) shows. */
    StatusSource NONE = new StatusSource() {
        @Override
        public Map<String, String> self() {
            return Map.of();
        }

        @Override
        public Optional<ClusterStatus> cluster() {
            return Optional.empty();
        }
    };

    /** This server's facts, by label, in the order to show them ("server" = "presentation-1@lx2k", "sessions" = "12"). */
    Map<String, String> self();

    /** The newest reading of the cluster's records, if there has been one. */
    Optional<ClusterStatus> cluster();
}
