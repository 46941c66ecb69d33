package io.duet.admin;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ShardMapView;
import java.time.Duration;
import java.util.Map;

/** Builds {@link ClusterState}s for tests of other packages (the builder is this package's). */
public final class TestClusterStates {
    private TestClusterStates() {
    }

    /** {@code members}, each with a heartbeat at {@code heartbeatMillis} (none suspected), and {@code map} if not null. */
    public static ClusterState of(String cluster, ShardMapView map, Map<String, AppServerInfo> members,
            long heartbeatMillis, Duration failureTimeout) {
        ClusterState.Builder state = ClusterState.builder(cluster).failureTimeout(failureTimeout);
        if (map != null) {
            state.map(map);
        }
        members.forEach((id, info) -> state.member(id, info).heartbeat(id, heartbeatMillis, null));
        return state.build();
    }

    /**
     * As {@link #of(String, ShardMapView, Map, long, Duration)}, plus heartbeats of servers that are not
     * members (an instance that left the members and still heartbeats while it hands its shards over).
     */
    public static ClusterState of(String cluster, ShardMapView map, Map<String, AppServerInfo> members,
            long heartbeatMillis, Map<String, Long> otherHeartbeats, Duration failureTimeout) {
        ClusterState.Builder state = ClusterState.builder(cluster).failureTimeout(failureTimeout);
        if (map != null) {
            state.map(map);
        }
        members.forEach((id, info) -> state.member(id, info).heartbeat(id, heartbeatMillis, null));
        otherHeartbeats.forEach((id, millis) -> state.heartbeat(id, millis, null));
        return state.build();
    }
}
