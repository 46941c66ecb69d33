package io.duet.process.admin;

import io.duet.protocol.cluster.ClusterStatus;
import java.util.Map;
import java.util.Optional;

/**
 * What one status request shows: this server's facts (readiness and drain first), the newest reading of
 * the cluster, and the time of the request, by this server's clock.
 */
record StatusReport(Map<String, String> self, Optional<ClusterStatus> cluster, long nowMillis) {
    /** How long ago {@code millis} was, for people: "0.4 s", "12 s", "3 min", "2 h"; "-" when unknown (negative). */
    static String age(long millis) {
        if (millis < 0) {
            return "-";
        }
        if (millis < 10_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        if (millis < 120_000) {
            return millis / 1000 + " s";
        }
        if (millis < 2 * 3_600_000) {
            return millis / 60_000 + " min";
        }
        return millis / 3_600_000 + " h";
    }
}
