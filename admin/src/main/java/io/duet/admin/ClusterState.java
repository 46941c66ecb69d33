package io.duet.admin;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.cluster.ShardMapView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One reading of a cluster's coordination records: the published shard map, the members, their
 * heartbeats (modification time and {@link ServerStatus}), the drained servers and the pending moves.
 * Immutable; everything the tool prints is derived from it.
 *
 * <p>A server is suspected, as the servers' failure detector would, when it has no heartbeat or its
 * heartbeat's modification time lags the newest one by more than the failure timeout: both times are
 * ZooKeeper's, so the tool's own clock does not matter.
 */
public final class ClusterState {
    private final String cluster;
    private final ShardMapView map;
    private final String leader;
    private final Map<String, AppServerInfo> members;
    private final Map<String, Long> heartbeatMillis;
    private final Map<String, ServerStatus> statuses;
    private final Set<String> drained;
    private final Map<Integer, String> pendingMoves;
    private final long failureTimeoutMillis;
    private final long newestHeartbeatMillis;

    private ClusterState(Builder builder) {
        this.cluster = builder.cluster;
        this.map = builder.map;
        this.leader = builder.leader;
        this.members = Collections.unmodifiableMap(new TreeMap<>(builder.members));
        this.heartbeatMillis = Map.copyOf(builder.heartbeatMillis);
        this.statuses = Map.copyOf(builder.statuses);
        this.drained = Collections.unmodifiableSet(new TreeSet<>(builder.drained));
        this.pendingMoves = Collections.unmodifiableMap(new TreeMap<>(builder.pendingMoves));
        this.failureTimeoutMillis = builder.failureTimeout.toMillis();
        this.newestHeartbeatMillis = heartbeatMillis.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    static Builder builder(String cluster) {
        return new Builder(cluster);
    }

    String cluster() {
        return cluster;
    }

    public Optional<ShardMapView> map() {
        return Optional.ofNullable(map);
    }

    /** The server elected to publish the shard map now, if any. */
    Optional<String> leader() {
        return Optional.ofNullable(leader);
    }

    /** The registered application servers, by instance id. */
    public Map<String, AppServerInfo> members() {
        return members;
    }

    /** Every server the records mention: members, and the servers and owners of the map. Sorted. */
    Set<String> serverIds() {
        Set<String> ids = new TreeSet<>(members.keySet());
        if (map != null) {
            ids.addAll(map.servers().keySet());
            for (int shard = 0; shard < map.shardCount(); shard++) {
                map.ownerIdOf(shard).ifPresent(ids::add);
            }
        }
        return ids;
    }

    /** A server's registration: its membership record, else its entry in the map. */
    Optional<AppServerInfo> info(String id) {
        AppServerInfo info = members.get(id);
        return info != null ? Optional.of(info) : map().map(view -> view.servers().get(id));
    }

    /** How far {@code id}'s heartbeat lags the newest one, in ms; -1 when it has none. */
    long lagMillis(String id) {
        Long mtime = heartbeatMillis.get(id);
        return mtime == null ? -1 : newestHeartbeatMillis - mtime;
    }

    public boolean suspected(String id) {
        long lag = lagMillis(id);
        return lag < 0 || lag > failureTimeoutMillis;
    }

    /** Whether the server with instance id {@code id} is drained (drains name servers by {@code server.id}). */
    boolean drained(String id) {
        return drained.contains(ClusterPaths.serverName(id));
    }

    /** The {@code server.id}s of drained servers. */
    Set<String> drainedNames() {
        return drained;
    }

    Map<Integer, String> pendingMoves() {
        return pendingMoves;
    }

    Optional<ServerStatus> status(String id) {
        return Optional.ofNullable(statuses.get(id));
    }

    /** The shards {@code id} owns in the map, ascending. */
    List<Integer> shardsOf(String id) {
        return map == null ? List.of() : shardsOf(map, id);
    }

    /** The shards {@code id} owns in {@code map}, ascending. */
    public static List<Integer> shardsOf(ShardMapView map, String id) {
        List<Integer> shards = new ArrayList<>();
        for (int shard = 0; shard < map.shardCount(); shard++) {
            if (map.ownerIdOf(shard).filter(id::equals).isPresent()) {
                shards.add(shard);
            }
        }
        return shards;
    }

    /** The couples {@code shard}'s owner has loaded of it; empty when unknown (no owner or no such detail). */
    OptionalInt couplesLoaded(int shard) {
        ServerStatus status = map().flatMap(view -> view.ownerIdOf(shard)).map(statuses::get).orElse(null);
        if (status == null || !status.isSetCouplesLoadedByShard()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(status.getCouplesLoadedByShard().getOrDefault(shard, 0));
    }

    /**
     * The instance id {@code server} names: an instance id of a member, or the {@code server.id} of exactly
     * one member.
     *
     * @throws AdminException {@link AdminException#REFUSED} when no member, or more than one, answers to it
     */
    String resolve(String server) throws AdminException {
        if (members.containsKey(server)) {
            return server;
        }
        List<String> named = members.keySet().stream().filter(id -> ClusterPaths.serverName(id).equals(server))
                .collect(Collectors.toList());
        if (named.size() == 1) {
            return named.get(0);
        }
        if (named.isEmpty()) {
            throw AdminException.refused("unknown server '" + server + "' in cluster '" + cluster + "' (members: "
                    + (members.isEmpty() ? "none" : String.join(", ", members.keySet())) + ")");
        }
        throw AdminException.refused("'" + server + "' names several members (" + String.join(", ", named)
                + "): give an instance id");
    }

    /** Builds a {@link ClusterState}; the tool's reader and tests fill it. */
    static final class Builder {
        private final String cluster;
        private ShardMapView map;
        private String leader;
        private final Map<String, AppServerInfo> members = new TreeMap<>();
        private final Map<String, Long> heartbeatMillis = new TreeMap<>();
        private final Map<String, ServerStatus> statuses = new TreeMap<>();
        private final Set<String> drained = new TreeSet<>();
        private final Map<Integer, String> pendingMoves = new TreeMap<>();
        private Duration failureTimeout = AdminOptions.DEFAULT_FAILURE_TIMEOUT;

        private Builder(String cluster) {
            this.cluster = cluster;
        }

        Builder map(ShardMapView map) {
            this.map = map;
            return this;
        }

        Builder leader(String leader) {
            this.leader = leader;
            return this;
        }

        /** A member registered as {@code id} (its instance id). */
        Builder member(String id, AppServerInfo info) {
            members.put(id, info);
            return this;
        }

        /** A heartbeat node modified at {@code mtimeMillis}; {@code status} null when unreadable. */
        Builder heartbeat(String id, long mtimeMillis, ServerStatus status) {
            heartbeatMillis.put(id, mtimeMillis);
            if (status != null) {
                statuses.put(id, status);
            }
            return this;
        }

        Builder drained(String serverName) {
            drained.add(serverName);
            return this;
        }

        Builder pendingMove(int shard, String target) {
            pendingMoves.put(shard, target);
            return this;
        }

        Builder failureTimeout(Duration failureTimeout) {
            this.failureTimeout = failureTimeout;
            return this;
        }

        ClusterState build() {
            return new ClusterState(this);
        }
    }
}
