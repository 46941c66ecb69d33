package io.duet.admin;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.cluster.ShardMapView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/** The tool's human-readable output, from a {@link ClusterState}. Pure functions of their arguments. */
final class Reports {
    private Reports() {
    }

    /** {@code shards}: the map's header, a line per shard, and a summary per server. */
    static String shards(ClusterState state, ShardMapView map) {
        StringBuilder out = new StringBuilder(mapHeader(state, map));
        if (!state.pendingMoves().isEmpty()) {
            List<String> moves = new ArrayList<>();
            state.pendingMoves().forEach((shard, target) -> moves.add("shard " + shard + " -> " + target));
            out.append("Pending moves: ").append(String.join(", ", moves)).append('\n');
        }
        out.append('\n');
        TextTable shards = new TextTable("SHARD", "OWNER", "EPOCH", "COUPLES");
        for (int shard = 0; shard < map.shardCount(); shard++) {
            OptionalInt couples = state.couplesLoaded(shard);
            shards.row(shard, map.ownerIdOf(shard).orElse("-"), map.epochOf(shard),
                    map.ownerIdOf(shard).isEmpty() ? "-" : couples.isPresent() ? couples.getAsInt() : "?");
        }
        out.append(shards).append('\n');
        TextTable servers = new TextTable("SERVER", "SHARDS", "COUPLES", "DRAINING", "HEARTBEAT LAG", "SUSPECTED");
        for (String id : state.serverIds()) {
            servers.row(id, state.shardsOf(id).size(), couples(state, id), yesNo(state.drained(id)), lag(state, id),
                    yesNo(state.suspected(id)));
        }
        return out.append(servers).toString();
    }

    /** {@code servers}: every member, and any server the map still names, with its status. */
    static String servers(ClusterState state) {
        StringBuilder out = new StringBuilder();
        state.map().ifPresentOrElse(map -> out.append(mapHeader(state, map)),
                () -> out.append("Cluster '").append(state.cluster()).append("': no shard map published yet; leader now: ")
                        .append(state.leader().orElse("none")).append('\n'));
        if (!state.drainedNames().isEmpty()) {
            out.append("Drained: ").append(String.join(", ", state.drainedNames())).append('\n');
        }
        out.append('\n');
        TextTable table = new TextTable("SERVER", "RELAY", "ZONE", "HOST", "STARTED", "SHARDS", "COUPLES",
                "MAP EPOCH", "HEARTBEAT LAG", "STATE");
        for (String id : state.serverIds()) {
            AppServerInfo info = state.info(id).orElse(null);
            table.row(id, info == null ? "-" : endpoint(info.getRelayEndpoint()),
                    info == null || !info.isSetZone() ? "-" : info.getZone(),
                    info == null || !info.isSetHost() ? "-" : info.getHost(),
                    info == null ? "-" : Instant.ofEpochMilli(info.getStartedAtMillis()).toString(),
                    state.shardsOf(id).size(), couples(state, id),
                    state.status(id).map(ServerStatus::getShardMapEpoch).map(String::valueOf).orElse("-"),
                    lag(state, id), stateOf(state, id));
        }
        return out.append(table).toString();
    }

    /**
     * {@code owner}: one line for what ({@code couple 42}, {@code user 7}) and its shard: the owner, the
     * epoch it got the shard at, and where presentation servers reach it.
     */
    static String owner(String what, ShardMapView map, long id) {
        int shard = map.shardOf(id);
        String owner = map.ownerIdOf(shard).orElse(null);
        if (owner == null) {
            return what + ": shard " + shard + ", unassigned";
        }
        AppServerInfo info = map.servers().get(owner);
        return what + ": shard " + shard + ", owner " + owner + " (epoch " + map.epochOf(shard) + "), relay "
                + (info == null ? "unknown" : endpoint(info.getRelayEndpoint()));
    }

    /** Shards per server in {@code map}, every server of the map listed: {@code app-1@x 32, app-2@y 32}. */
    static String loads(ShardMapView map) {
        Map<String, Integer> loads = new TreeMap<>();
        map.servers().keySet().forEach(id -> loads.put(id, 0));
        for (int shard = 0; shard < map.shardCount(); shard++) {
            map.ownerIdOf(shard).ifPresent(owner -> loads.merge(owner, 1, Integer::sum));
        }
        List<String> parts = new ArrayList<>();
        loads.forEach((id, count) -> parts.add(id + " " + count));
        return String.join(", ", parts);
    }

    private static String mapHeader(ClusterState state, ShardMapView map) {
        return "Cluster '" + state.cluster() + "': shard map epoch " + map.epoch() + ", " + map.shardCount()
                + " shards, published " + Instant.ofEpochMilli(map.toRecord().getPublishedAtMillis()) + " by "
                + (map.leaderId().isEmpty() ? "-" : map.leaderId()) + "; leader now: "
                + state.leader().orElse("none") + "\n";
    }

    private static String stateOf(ClusterState state, String id) {
        List<String> words = new ArrayList<>();
        words.add(state.lagMillis(id) < 0 ? "no heartbeat" : state.suspected(id) ? "suspected" : "live");
        if (!state.members().containsKey(id)) {
            words.add("not a member");
        }
        if (state.map().isPresent() && !state.map().get().servers().containsKey(id)) {
            words.add("not in the map");
        }
        if (state.drained(id)) {
            words.add("draining");
        }
        if (state.leader().filter(id::equals).isPresent()) {
            words.add("leader");
        }
        return String.join(", ", words);
    }

    private static String couples(ClusterState state, String id) {
        return state.status(id).map(status -> Integer.toString(status.getCouplesLoaded())).orElse("?");
    }

    private static String lag(ClusterState state, String id) {
        long lag = state.lagMillis(id);
        return lag < 0 ? "none" : lag + " ms";
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    static String endpoint(Endpoint endpoint) {
        return endpoint == null ? "-" : endpoint.getHost() + ':' + endpoint.getPort();
    }
}
