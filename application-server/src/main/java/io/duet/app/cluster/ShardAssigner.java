package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Computes the next shard map: every shard assigned to a live server, loads differing by at most one,
 * and as few moves as possible (a shard stays with its live owner unless that owner has more than its
 * share). A shard that changes owner gets the new map's epoch; the others keep theirs. Pure logic.
 */
public final class ShardAssigner {
    private ShardAssigner() {
    }

    /**
     * @param previous the current map, or null for the first one
     * @param live the live servers by instance id
     * @return the next map, or null when {@code previous} already fits {@code live}
     */
    public static ShardMap next(ShardMap previous, int shardCount, Map<String, AppServerInfo> live,
            String leaderId, long nowMillis) {
        long epoch = previous == null ? 1 : previous.getEpoch() + 1;
        List<ShardAssignment> shards = new ArrayList<>(shardCount);
        for (int shard = 0; shard < shardCount; shard++) {
            ShardAssignment old = previous == null ? null : previous.getShards().get(shard);
            shards.add(old == null ? new ShardAssignment("", 0) : old.deepCopy());
        }
        boolean changed = previous == null || !Objects.equals(previous.getServers(), live);
        if (previous != null && previous.getServers() != null) {
            // An owner that registered again (a new incarnation, after its session was lost) may have
            // missed a handoff: it keeps its shards, but at the new epoch.
            for (ShardAssignment assignment : shards) {
                AppServerInfo before = previous.getServers().get(assignment.getOwner());
                AppServerInfo now = live.get(assignment.getOwner());
                if (before != null && now != null && !before.equals(now)) {
                    assignment.setEpoch(epoch);
                }
            }
        }
        if (!live.isEmpty()) {
            changed |= rebalance(shards, live, epoch);
        }
        if (!changed) {
            return null;
        }
        return new ShardMap()
                .setEpoch(epoch)
                .setShardCount(shardCount)
                .setShards(shards)
                .setServers(new TreeMap<>(live))
                .setPublishedAtMillis(nowMillis)
                .setLeaderId(leaderId);
    }

    private static boolean rebalance(List<ShardAssignment> shards, Map<String, AppServerInfo> live, long epoch) {
        Map<String, List<Integer>> owned = new HashMap<>();
        live.keySet().forEach(id -> owned.put(id, new ArrayList<>()));
        List<Integer> orphans = new ArrayList<>();
        for (int shard = 0; shard < shards.size(); shard++) {
            List<Integer> mine = owned.get(shards.get(shard).getOwner());
            if (mine == null) {
                orphans.add(shard);
            } else {
                mine.add(shard);
            }
        }
        // The servers holding most keep the larger quotas, so fewer shards move.
        List<String> byLoad = new ArrayList<>(live.keySet());
        byLoad.sort(Comparator.comparing((String id) -> -owned.get(id).size()).thenComparing(id -> id));
        int base = shards.size() / byLoad.size();
        int extra = shards.size() % byLoad.size();
        Map<String, Integer> quota = new HashMap<>();
        for (int i = 0; i < byLoad.size(); i++) {
            quota.put(byLoad.get(i), base + (i < extra ? 1 : 0));
        }
        for (String id : byLoad) {
            List<Integer> mine = owned.get(id);
            while (mine.size() > quota.get(id)) {
                orphans.add(mine.remove(mine.size() - 1));
            }
        }
        orphans.sort(null);
        boolean changed = false;
        for (int shard : orphans) {
            String taker = byLoad.stream().filter(id -> owned.get(id).size() < quota.get(id)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("quotas do not cover every shard"));
            owned.get(taker).add(shard);
            shards.set(shard, new ShardAssignment(taker, epoch));
            changed = true;
        }
        return changed;
    }
}
