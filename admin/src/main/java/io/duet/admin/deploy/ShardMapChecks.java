package io.duet.admin.deploy;

import io.duet.admin.ClusterState;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMapView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a rolling deploy asks of the cluster's state in ZooKeeper, answered from one reading of it: whether
 * the shard map is settled, which instance of a server is live, how the shards are spread. Pure functions:
 * the waits and the reports that use them read ZooKeeper themselves.
 */
final class ShardMapChecks {
    private ShardMapChecks() {
    }

    /** Every shard owned by a live instance, and every one of {@code applicationServers} owning some. */
    static Seen settled(ClusterState state, List<DeployNode> applicationServers) {
        Seen owned = everyShardOwned(state);
        if (!owned.done()) {
            return owned;
        }
        ShardMapView map = state.map().orElseThrow();
        for (DeployNode node : applicationServers) {
            Optional<String> id = liveInstance(state, node.name());
            if (id.isEmpty() || ClusterState.shardsOf(map, id.get()).isEmpty()) {
                return Seen.notYet("epoch " + map.epoch() + ": " + node.name() + " owns no shards (" + loads(map) + ")");
            }
        }
        return Seen.done("epoch " + map.epoch() + ", every shard owned: " + loads(map));
    }

    /** Whether every shard has an owner that is a live member: whether every couple can be served. */
    static Seen everyShardOwned(ClusterState state) {
        Optional<ShardMapView> published = state.map();
        if (published.isEmpty()) {
            return Seen.notYet("no shard map published");
        }
        ShardMapView map = published.get();
        for (int shard = 0; shard < map.shardCount(); shard++) {
            Optional<String> owner = map.ownerIdOf(shard);
            if (owner.isEmpty()) {
                return Seen.notYet("epoch " + map.epoch() + ": shard " + shard + " has no owner");
            }
            if (!state.members().containsKey(owner.get()) || state.suspected(owner.get())) {
                return Seen.notYet("epoch " + map.epoch() + ": shard " + shard + " is on " + owner.get()
                        + ", which is not live");
            }
        }
        return Seen.done("epoch " + map.epoch() + ", every shard owned: " + loads(map));
    }

    /** The live (heartbeating) instance of server {@code name}: the one in the shard map if there are two. */
    static Optional<String> liveInstance(ClusterState state, String name) {
        List<String> live = state.members().keySet().stream()
                .filter(id -> ClusterPaths.serverName(id).equals(name) && !state.suspected(id)).toList();
        return live.stream().filter(id -> state.map().map(map -> map.servers().containsKey(id)).orElse(false))
                .findFirst().or(() -> live.stream().reduce((first, second) -> second));
    }

    /** How many shards each instance owns: "app-1-… 4 shards, app-2-… 4 shards". */
    static String loads(ShardMapView map) {
        Map<String, Integer> loads = new TreeMap<>();
        for (int shard = 0; shard < map.shardCount(); shard++) {
            map.ownerIdOf(shard).ifPresent(owner -> loads.merge(owner, 1, Integer::sum));
        }
        return loads.entrySet().stream().map(entry -> entry.getKey() + " " + entry.getValue() + " shards")
                .collect(Collectors.joining(", "));
    }
}
