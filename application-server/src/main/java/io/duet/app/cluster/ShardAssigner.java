package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Computes the next shard map from the previous one and the live servers. Pure logic. The rules, the
 * first ones winning over the later ones, with S shards and n live servers:
 *
 * <ol>
 *   <li><b>Balance.</b> Every shard is assigned to a live server, and loads differ by at most one: each
 *       server holds &lfloor;S/n&rfloor; or &lceil;S/n&rceil; shards.
 *   <li><b>Zone spread.</b> Servers may carry a zone label ({@code AppServerInfo.zone}; those without one
 *       form one unnamed zone). A zone with k of the n servers holds &lfloor;S&middot;k/n&rfloor; or
 *       &lceil;S&middot;k/n&rceil; shards: its share in proportion to its servers, to within one shard, so
 *       losing a zone never loses more than that share. Balance alone lets a zone's share stray by up to k
 *       shards; this rule decides which zones hold the S mod n larger loads.
 *   <li><b>Minimal movement.</b> Within those rules as few shards as possible change owner: a shard stays
 *       with its live owner unless that owner holds more than its quota, and the larger quotas go to the
 *       servers holding most. Zone spread costs moves beyond the balance-only minimum ({@link #movement})
 *       only when some of the S mod n larger loads must change zone: fewer than S mod n, so fewer than n,
 *       and none when all servers share a zone or n divides S.
 *   <li><b>Locality.</b> A shard's affinity with a server is highest when the server runs on the host of
 *       the HBase region holding the shard's rows ({@link Placement}), lower when the server is in that
 *       host's zone (the zone of the live servers on that host, the smallest instance id's if they differ),
 *       none otherwise. A server over its quota gives up first the shards it has least affinity with, then
 *       those a server with room has most affinity with, then the highest-numbered; each shard that must
 *       move goes to a server with room it has most affinity with, then the least loaded, then the
 *       smallest instance id. Locality never moves a shard by itself: a move costs a reload from HBase and
 *       every session of the couple a resubscription, while locality only saves a network hop per write.
 *       Shards drift to their region hosts as servers come and go, at no extra moves.
 * </ol>
 *
 * <p>Operators may drain servers and move shards ({@link OperatorRequests}): a drained server counts as
 * absent for the rules above, and a move is applied after them as a swap that keeps every load.
 *
 * <p>A shard that changes owner gets the new map's epoch; the others keep theirs. The result depends only
 * on the arguments.
 */
public final class ShardAssigner {
    private static final String NO_ZONE = "";
    private static final int HOST_AFFINITY = 2;
    private static final int ZONE_AFFINITY = 1;
    private static final int NO_AFFINITY = 0;

    private ShardAssigner() {
    }

    /** {@link #next(ShardMap, int, Map, Placement, String, long)} with no placement preferences. */
    public static ShardMap next(ShardMap previous, int shardCount, Map<String, AppServerInfo> live,
            String leaderId, long nowMillis) {
        return next(previous, shardCount, live, Placement.none(), leaderId, nowMillis);
    }

    /** {@link #next(ShardMap, int, Map, Placement, OperatorRequests, String, long)} with no operator requests. */
    public static ShardMap next(ShardMap previous, int shardCount, Map<String, AppServerInfo> live,
            Placement placement, String leaderId, long nowMillis) {
        return next(previous, shardCount, live, placement, OperatorRequests.none(), leaderId, nowMillis);
    }

    /**
     * @param previous the current map, or null for the first one
     * @param live the live servers by instance id
     * @param placement the shards' region hosts; it only decides which shards move and where to, never
     *     whether one moves, so a new placement alone publishes nothing
     * @param requests drains and moves asked for by operators; drained servers stay in the map's servers
     *     but own nothing, and moves that are invalid or already done are skipped
     * @return the next map, or null when {@code previous} already fits {@code live} and {@code requests}
     */
    public static ShardMap next(ShardMap previous, int shardCount, Map<String, AppServerInfo> live,
            Placement placement, OperatorRequests requests, String leaderId, long nowMillis) {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(requests, "requests");
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
            List<ShardAssignment> unbalanced = new ArrayList<>(shards);
            changed |= rebalance(shards, requests.assignable(live), placement, epoch);
            changed |= applyMoves(shards, unbalanced, live, placement, requests, epoch);
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

    /**
     * Applies the valid moves of {@code requests}, in shard order, each as a swap (see {@link
     * OperatorRequests}). A shard moved here is not given back by a later swap of the same batch, and one
     * that ends up with the owner it had before this publication ({@code unbalanced}) or before the moves
     * keeps its epoch.
     *
     * @return whether any shard changed owner
     */
    private static boolean applyMoves(List<ShardAssignment> shards, List<ShardAssignment> unbalanced,
            Map<String, AppServerInfo> live, Placement placement, OperatorRequests requests, long epoch) {
        Affinity affinity = new Affinity(requests.assignable(live), placement);
        List<ShardAssignment> before = new ArrayList<>(shards);
        Set<Integer> placed = new HashSet<>();
        for (Map.Entry<Integer, String> move : requests.moves().entrySet()) {
            int shard = move.getKey();
            String target = move.getValue();
            if (requests.invalidMove(shard, target, shards.size(), live).isPresent()) {
                continue;
            }
            String from = shards.get(shard).getOwner();
            placed.add(shard);
            if (from.equals(target)) {
                continue;
            }
            Integer given = null;
            for (int candidate = shards.size() - 1; candidate >= 0; candidate--) {
                if (shards.get(candidate).getOwner().equals(target) && !placed.contains(candidate)
                        && (given == null || affinity.of(target, candidate) < affinity.of(target, given))) {
                    given = candidate;
                }
            }
            shards.set(shard, new ShardAssignment(target, epoch));
            if (given != null) {
                shards.set(given, new ShardAssignment(from, epoch));
            }
        }
        boolean changed = false;
        for (int shard = 0; shard < shards.size(); shard++) {
            String owner = shards.get(shard).getOwner();
            if (owner.equals(unbalanced.get(shard).getOwner())) {
                shards.set(shard, unbalanced.get(shard));
            } else if (owner.equals(before.get(shard).getOwner())) {
                shards.set(shard, before.get(shard));
            }
            changed |= !shards.get(shard).equals(before.get(shard));
        }
        return changed;
    }

    /**
     * How many shards changed owner from {@code previous} (null: the first map, where every shard is
     * unassigned) to {@code next}, against the fewest that had to for balance over {@code next}'s servers:
     * the shards of departed servers, plus what the remaining ones hold beyond their quotas when the
     * larger quotas go to those holding most.
     */
    public static Movement movement(ShardMap previous, ShardMap next) {
        Objects.requireNonNull(next, "next");
        int shardCount = next.getShardCount();
        if (previous != null && previous.getShardCount() != shardCount) {
            throw new IllegalArgumentException("previous: " + previous.getShardCount()
                    + " shards (expected: " + shardCount + ", as in next)");
        }
        Set<String> live = next.getServers().keySet();
        Map<String, Integer> held = new HashMap<>();
        int moved = 0;
        for (int shard = 0; shard < shardCount; shard++) {
            String before = previous == null ? "" : previous.getShards().get(shard).getOwner();
            if (!before.equals(next.getShards().get(shard).getOwner())) {
                moved++;
            }
            if (live.contains(before)) {
                held.merge(before, 1, Integer::sum);
            }
        }
        if (live.isEmpty()) {
            return new Movement(shardCount, moved, 0);
        }
        int base = shardCount / live.size();
        int kept = 0;
        int aboveBase = 0;
        for (int count : held.values()) {
            kept += Math.min(count, base);
            aboveBase += count > base ? 1 : 0;
        }
        kept += Math.min(shardCount % live.size(), aboveBase);
        return new Movement(shardCount, moved, shardCount - kept);
    }

    private static boolean rebalance(List<ShardAssignment> shards, Map<String, AppServerInfo> live,
            Placement placement, long epoch) {
        Map<String, List<Integer>> owned = new TreeMap<>();
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
        Map<String, Integer> quota = quotas(owned, live, shards.size());
        Affinity affinity = new Affinity(live, placement);
        orphans.addAll(surplus(owned, quota, affinity));
        orphans.sort(null);
        boolean changed = !orphans.isEmpty();
        // First to a server on the shard's region host, then in that host's zone, then anywhere; within a
        // pass to the least loaded server with room, then the smallest id (owned is sorted by id).
        for (int least = HOST_AFFINITY; least >= NO_AFFINITY; least--) {
            List<Integer> left = new ArrayList<>();
            for (int shard : orphans) {
                String taker = null;
                for (String id : owned.keySet()) {
                    if (owned.get(id).size() < quota.get(id) && affinity.of(id, shard) >= least
                            && (taker == null || owned.get(id).size() < owned.get(taker).size())) {
                        taker = id;
                    }
                }
                if (taker == null) {
                    left.add(shard);
                } else {
                    owned.get(taker).add(shard);
                    shards.set(shard, new ShardAssignment(taker, epoch));
                }
            }
            orphans = left;
        }
        if (!orphans.isEmpty()) {
            throw new IllegalStateException("quotas do not cover every shard");
        }
        return changed;
    }

    /**
     * Takes from every server over its quota the shards it gives up: those it has least affinity with,
     * then those with most affinity for a server that has room, then the highest-numbered.
     */
    private static List<Integer> surplus(Map<String, List<Integer>> owned, Map<String, Integer> quota,
            Affinity affinity) {
        List<String> withRoom = new ArrayList<>();
        owned.forEach((id, mine) -> {
            if (mine.size() < quota.get(id)) {
                withRoom.add(id);
            }
        });
        List<Integer> surplus = new ArrayList<>();
        owned.forEach((id, mine) -> {
            int excess = mine.size() - quota.get(id);
            if (excess > 0) {
                Map<Integer, Integer> here = new HashMap<>();
                Map<Integer, Integer> elsewhere = new HashMap<>();
                for (int shard : mine) {
                    here.put(shard, affinity.of(id, shard));
                    elsewhere.put(shard, withRoom.stream().mapToInt(other -> affinity.of(other, shard)).max()
                            .orElse(NO_AFFINITY));
                }
                mine.sort(Comparator.comparing((Integer shard) -> here.get(shard))
                        .thenComparing(shard -> -elsewhere.get(shard)).thenComparing(shard -> -shard));
                List<Integer> given = mine.subList(0, excess);
                surplus.addAll(given);
                given.clear();
            }
        });
        return surplus;
    }

    /**
     * Quotas that satisfy balance and zone spread with the fewest moves: each zone gets its proportional
     * part of the S mod n larger quotas rounded down, the parts left over go to zones where one keeps a
     * shard in place (then to the largest remainders, then by zone name), and within a zone the larger
     * quotas go to the servers holding most.
     */
    private static Map<String, Integer> quotas(Map<String, List<Integer>> owned, Map<String, AppServerInfo> live,
            int shardCount) {
        int servers = live.size();
        int base = shardCount / servers;
        int extra = shardCount % servers;
        Map<String, List<String>> zones = new TreeMap<>();
        live.forEach((id, info) -> zones.computeIfAbsent(zoneOf(info), zone -> new ArrayList<>()).add(id));
        Map<String, Integer> larger = new HashMap<>();
        Map<String, Long> remainder = new HashMap<>();
        int leftOver = extra;
        for (Map.Entry<String, List<String>> zone : zones.entrySet()) {
            List<String> members = zone.getValue();
            members.sort(Comparator.comparing((String id) -> -owned.get(id).size()).thenComparing(id -> id));
            long exact = (long) extra * members.size();
            larger.put(zone.getKey(), (int) (exact / servers));
            leftOver -= (int) (exact / servers);
            if (exact % servers != 0) {
                remainder.put(zone.getKey(), exact % servers);
            }
        }
        List<String> roundUp = new ArrayList<>(remainder.keySet());
        roundUp.sort(Comparator.comparing((String zone) -> {
            String next = zones.get(zone).get(larger.get(zone));
            return owned.get(next).size() > base ? 0 : 1;
        }).thenComparing(zone -> -remainder.get(zone)).thenComparing(zone -> zone));
        roundUp.subList(0, leftOver).forEach(zone -> larger.merge(zone, 1, Integer::sum));
        Map<String, Integer> quota = new HashMap<>();
        zones.forEach((zone, members) -> {
            for (int i = 0; i < members.size(); i++) {
                quota.put(members.get(i), base + (i < larger.get(zone) ? 1 : 0));
            }
        });
        return quota;
    }

    private static String zoneOf(AppServerInfo info) {
        return info.isSetZone() ? info.getZone() : NO_ZONE;
    }

    /** Host names compare without case, as DNS names do. */
    private static String hostKey(String host) {
        return host == null || host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
    }

    /** How much a shard would rather be on a server: host, zone or no affinity. */
    private static final class Affinity {
        private final Map<String, String> serverHosts = new HashMap<>();
        private final Map<String, String> serverZones = new HashMap<>();
        private final Map<String, String> hostZones = new HashMap<>();
        private final Map<Integer, String> regionHosts = new HashMap<>();

        Affinity(Map<String, AppServerInfo> live, Placement placement) {
            new TreeMap<>(live).forEach((id, info) -> {
                String host = hostKey(info.getHost());
                String zone = zoneOf(info);
                serverHosts.put(id, host);
                serverZones.put(id, zone);
                if (host != null && !zone.equals(NO_ZONE)) {
                    hostZones.putIfAbsent(host, zone);
                }
            });
            placement.regionHosts().forEach((shard, host) -> regionHosts.put(shard, hostKey(host)));
        }

        int of(String id, int shard) {
            String regionHost = regionHosts.get(shard);
            if (regionHost == null) {
                return NO_AFFINITY;
            }
            if (regionHost.equals(serverHosts.get(id))) {
                return HOST_AFFINITY;
            }
            return serverZones.get(id).equals(hostZones.get(regionHost)) ? ZONE_AFFINITY : NO_AFFINITY;
        }
    }

    /** The shards a new map moved, against the fewest that balance required. Immutable. */
    public static final class Movement {
        private final int shardCount;
        private final int moved;
        private final int ideal;

        Movement(int shardCount, int moved, int ideal) {
            this.shardCount = shardCount;
            this.moved = moved;
            this.ideal = ideal;
        }

        public int shardCount() {
            return shardCount;
        }

        /** Shards whose owner changed (an unassigned shard getting one counts). */
        public int moved() {
            return moved;
        }

        /** The fewest shards that had to change owner for every shard to be on a live server, balanced. */
        public int ideal() {
            return ideal;
        }

        @Override
        public String toString() {
            return "moved " + moved + " of " + shardCount + " shards (ideal " + ideal + ")";
        }
    }
}
