package io.duet.protocol.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One reading of what operators want to see of a cluster: the published shard map, shard by shard (its
 * owner, the epoch the owner got it at, the couples the owner has loaded of it), every application server
 * the records name (with its shards, couples and heartbeat age) and every live presentation server (with
 * its sessions and drain state). Immutable; {@link ClusterStatusReader} makes them.
 */
public final class ClusterStatus {
    /** An application server as the records show it. Numbers unknown are -1. */
    public record AppServer(String instanceId, String zone, String host, String relayEndpoint, boolean member,
            boolean inShardMap, boolean drained, int shardsOwned, int couplesLoaded, long shardMapEpoch,
            long heartbeatAgeMillis) {
    }

    /** A live presentation server, as its own record says; {@code updatedAgeMillis} is how old that record is. */
    public record Presenter(String instanceId, int sessions, boolean ready, String notReadyReason,
            String drainPhase, String adminEndpoint, long updatedAgeMillis) {
    }

    /**
     * A shard of the map: {@code owner} empty when unassigned; {@code couplesLoaded} -1 when unknown (no
     * owner, or its heartbeat does not break its couples down by shard).
     */
    public record Shard(int shard, String owner, long epoch, int couplesLoaded) {
    }

    private final long readAtMillis;
    private final ShardMapView map;
    private final List<Shard> shards;
    private final List<AppServer> appServers;
    private final List<Presenter> presenters;
    private final String error;

    private ClusterStatus(long readAtMillis, ShardMapView map, List<Shard> shards, List<AppServer> appServers,
            List<Presenter> presenters, String error) {
        this.readAtMillis = readAtMillis;
        this.map = map;
        this.shards = List.copyOf(shards);
        this.appServers = List.copyOf(appServers);
        this.presenters = List.copyOf(presenters);
        this.error = error;
    }

    /** A reading that failed at {@code readAtMillis}: it shows only why. */
    public static ClusterStatus failed(long readAtMillis, String error) {
        return new ClusterStatus(readAtMillis, null, List.of(), List.of(), List.of(), error);
    }

    public static Builder builder(long readAtMillis) {
        return new Builder(readAtMillis);
    }

    /** When the records were read, by this server's clock. */
    public long readAtMillis() {
        return readAtMillis;
    }

    public Optional<ShardMapView> map() {
        return Optional.ofNullable(map);
    }

    /** Every shard of the map, by number; empty without a map. */
    public List<Shard> shards() {
        return shards;
    }

    /** Sorted by instance id. */
    public List<AppServer> appServers() {
        return appServers;
    }

    /** Sorted by instance id. */
    public List<Presenter> presenters() {
        return presenters;
    }

    /** Why the reading failed, if it did. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** The shards no live server owns in the map; 0 without a map. */
    public int unassignedShards() {
        if (map == null) {
            return 0;
        }
        int unassigned = 0;
        for (int shard = 0; shard < map.shardCount(); shard++) {
            if (map.ownerIdOf(shard).isEmpty()) {
                unassigned++;
            }
        }
        return unassigned;
    }

    /** Collects the raw records of one reading; {@link #build()} derives the rows. */
    public static final class Builder {
        private final long readAtMillis;
        private ShardMapView map;
        private final Map<String, AppServerInfo> members = new TreeMap<>();
        private final Map<String, Long> heartbeatMillis = new TreeMap<>();
        private final Map<String, ServerStatus> statuses = new TreeMap<>();
        private final Set<String> drained = new TreeSet<>();
        private final Map<String, PresenterStatus> presenters = new TreeMap<>();

        private Builder(long readAtMillis) {
            this.readAtMillis = readAtMillis;
        }

        public Builder map(ShardMapView map) {
            this.map = map;
            return this;
        }

        public Builder member(String instanceId, AppServerInfo info) {
            members.put(instanceId, info);
            return this;
        }

        /** A heartbeat node last written at {@code mtimeMillis} (ZooKeeper's clock); {@code status} null if unreadable. */
        public Builder heartbeat(String instanceId, long mtimeMillis, ServerStatus status) {
            heartbeatMillis.put(instanceId, mtimeMillis);
            if (status != null) {
                statuses.put(instanceId, status);
            }
            return this;
        }

        /** A drain request for the servers configured as {@code serverName}. */
        public Builder drained(String serverName) {
            drained.add(serverName);
            return this;
        }

        public Builder presenter(String instanceId, PresenterStatus status) {
            presenters.put(instanceId, status);
            return this;
        }

        public ClusterStatus build() {
            Map<String, Integer> owned = new TreeMap<>();
            Set<String> ids = new TreeSet<>(members.keySet());
            List<Shard> shards = new ArrayList<>();
            if (map != null) {
                ids.addAll(map.servers().keySet());
                for (int shard = 0; shard < map.shardCount(); shard++) {
                    String owner = map.ownerIdOf(shard).orElse("");
                    if (!owner.isEmpty()) {
                        owned.merge(owner, 1, Integer::sum);
                    }
                    shards.add(new Shard(shard, owner, map.epochOf(shard), couplesLoaded(owner, shard)));
                }
                ids.addAll(owned.keySet());
            }
            ids.addAll(heartbeatMillis.keySet());
            List<AppServer> apps = new ArrayList<>();
            for (String id : ids) {
                AppServerInfo info = members.get(id);
                if (info == null && map != null) {
                    info = map.servers().get(id);
                }
                ServerStatus status = statuses.get(id);
                Long beat = heartbeatMillis.get(id);
                apps.add(new AppServer(id,
                        info == null || info.getZone() == null ? "" : info.getZone(),
                        info == null || info.getHost() == null ? "" : info.getHost(),
                        info == null || info.getRelayEndpoint() == null ? ""
                                : info.getRelayEndpoint().getHost() + ':' + info.getRelayEndpoint().getPort(),
                        members.containsKey(id),
                        map != null && map.servers().containsKey(id),
                        drained.contains(ClusterPaths.serverName(id)),
                        owned.getOrDefault(id, 0),
                        status == null ? -1 : status.getCouplesLoaded(),
                        status == null ? -1 : status.getShardMapEpoch(),
                        beat == null ? -1 : Math.max(0, readAtMillis - beat)));
            }
            List<Presenter> rows = new ArrayList<>();
            presenters.forEach((id, status) -> rows.add(new Presenter(id, status.getSessions(), status.isReady(),
                    status.getNotReadyReason() == null ? "" : status.getNotReadyReason(),
                    status.getDrainPhase() == null ? "" : status.getDrainPhase(),
                    status.getAdminEndpoint() == null ? ""
                            : status.getAdminEndpoint().getHost() + ':' + status.getAdminEndpoint().getPort(),
                    Math.max(0, readAtMillis - status.getUpdatedAtMillis()))));
            return new ClusterStatus(readAtMillis, map, shards, apps, rows, null);
        }

        /** The couples {@code owner}'s heartbeat says it has loaded of {@code shard}; -1 when it does not say. */
        private int couplesLoaded(String owner, int shard) {
            ServerStatus status = statuses.get(owner);
            if (owner.isEmpty() || status == null || !status.isSetCouplesLoadedByShard()) {
                return -1;
            }
            return status.getCouplesLoadedByShard().getOrDefault(shard, 0);
        }
    }
}
