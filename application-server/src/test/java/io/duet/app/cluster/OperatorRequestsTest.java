package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Drains and moves, as {@link ShardAssigner} applies them. */
class OperatorRequestsTest {
    private static AppServerInfo server(String id, String zone, String host) {
        return new AppServerInfo(id, new Endpoint("127.0.0.1", 9000), 0).setZone(zone).setHost(host);
    }

    private static Map<String, AppServerInfo> live(String... ids) {
        Map<String, AppServerInfo> live = new TreeMap<>();
        for (String id : ids) {
            live.put(id, server(id, null, null));
        }
        return live;
    }

    private static OperatorRequests drain(String... serverNames) {
        return OperatorRequests.of(Set.of(serverNames), Map.of());
    }

    private static OperatorRequests move(int shard, String target) {
        return OperatorRequests.of(Set.of(), Map.of(shard, target));
    }

    private static ShardMap next(ShardMap previous, Map<String, AppServerInfo> live, OperatorRequests requests) {
        return ShardAssigner.next(previous, previous.getShardCount(), live, Placement.none(), requests, "a", 0);
    }

    private static List<Integer> shardsOf(ShardMap map, String owner) {
        return IntStream.range(0, map.getShardCount())
                .filter(shard -> map.getShards().get(shard).getOwner().equals(owner))
                .boxed().collect(Collectors.toList());
    }

    private static Map<String, Long> load(ShardMap map) {
        return map.getShards().stream().collect(Collectors.groupingBy(ShardAssignment::getOwner, Collectors.counting()));
    }

    /** Every shard that changed owner has the new map's epoch; every other one is as it was. */
    private static void assertEpochs(ShardMap before, ShardMap after) {
        assertEpochs(before, after, "");
    }

    private static void assertEpochs(ShardMap before, ShardMap after, String context) {
        for (int shard = 0; shard < after.getShardCount(); shard++) {
            ShardAssignment was = before.getShards().get(shard);
            ShardAssignment now = after.getShards().get(shard);
            if (was.getOwner().equals(now.getOwner())) {
                assertThat(now).as("%s: unmoved shard %d", context, shard).isEqualTo(was);
            } else {
                assertThat(now.getEpoch()).as("%s: moved shard %d", context, shard).isEqualTo(after.getEpoch());
            }
        }
    }

    @Test
    void aDrainedServerStaysAMemberButOwnsNothing() {
        ShardMap three = ShardAssigner.next(null, 64, live("a", "b", "c"), "a", 0);
        ShardMap drained = next(three, live("a", "b", "c"), drain("b"));
        assertThat(drained.getServers()).containsOnlyKeys("a", "b", "c");
        assertThat(shardsOf(drained, "b")).isEmpty();
        assertThat(load(drained)).containsEntry("a", 32L).containsEntry("c", 32L);
        assertThat(ShardAssigner.movement(three, drained).moved()).as("only b's shards move")
                .isEqualTo(shardsOf(three, "b").size());
        assertEpochs(three, drained);
        assertThat(next(drained, live("a", "b", "c"), drain("b"))).as("nothing more to do").isNull();
    }

    @Test
    void liftingADrainGivesTheServerItsShareBackAtTheNextPublication() {
        ShardMap three = ShardAssigner.next(null, 64, live("a", "b", "c"), "a", 0);
        ShardMap drained = next(three, live("a", "b", "c"), drain("b"));
        ShardMap undrained = next(drained, live("a", "b", "c"), OperatorRequests.none());
        assertThat(undrained).isNotNull();
        assertThat(load(undrained).values()).allSatisfy(count -> assertThat(count).isBetween(21L, 22L));
        assertThat(ShardAssigner.movement(drained, undrained).moved()).as("only b's new shards move")
                .isEqualTo(shardsOf(undrained, "b").size());
        assertEpochs(drained, undrained);
    }

    @Test
    void drainsNameServersByServerIdSoTheyOutliveRestarts() {
        ShardMap map = ShardAssigner.next(null, 16, live("app-1@k1", "app-2@k1"), "app-1@k1", 0);
        ShardMap drained = next(map, live("app-1@k2", "app-2@k1"), drain("app-1"));
        assertThat(shardsOf(drained, "app-1@k2")).isEmpty();
        assertThat(shardsOf(drained, "app-2@k1")).hasSize(16);
    }

    @Test
    void drainingEveryServerIsIgnored() {
        ShardMap map = ShardAssigner.next(null, 16, live("a", "b"), "a", 0);
        assertThat(next(map, live("a", "b"), drain("a", "b"))).isNull();
    }

    @Test
    void aMoveIsASwapThatKeepsEveryLoad() {
        ShardMap map = ShardAssigner.next(null, 64, live("a", "b", "c"), "a", 0);
        int shard = shardsOf(map, "a").get(0);
        ShardMap moved = next(map, live("a", "b", "c"), move(shard, "c"));
        assertThat(moved.getShards().get(shard)).isEqualTo(new ShardAssignment("c", moved.getEpoch()));
        assertThat(load(moved)).isEqualTo(load(map));
        assertThat(ShardAssigner.movement(map, moved).moved()).isEqualTo(2);
        int given = shardsOf(map, "c").stream().filter(s -> shardsOf(moved, "a").contains(s)).findFirst().orElseThrow();
        assertThat(given).as("the highest-numbered of c's shards, when none has affinity")
                .isEqualTo(shardsOf(map, "c").get(shardsOf(map, "c").size() - 1));
        assertEpochs(map, moved);
        assertThat(next(moved, live("a", "b", "c"), move(shard, "c"))).as("done already").isNull();
    }

    @Test
    void theSwapGivesBackTheShardTheTargetHasLeastAffinityWith() {
        Map<String, AppServerInfo> live = new TreeMap<>();
        live.put("a", server("a", "Z1", "host-a"));
        live.put("b", server("b", "Z2", "host-b"));
        live.put("b2", server("b2", "Z2", "host-b2"));
        ShardMap map = ShardAssigner.next(null, 12, live, "a", 0);
        List<Integer> ofB = shardsOf(map, "b");
        // b's highest-numbered shard lives on b's host, the next one in b's zone; the lowest has no affinity.
        Map<Integer, String> regionHosts = new HashMap<>();
        regionHosts.put(ofB.get(ofB.size() - 1), "host-b");
        regionHosts.put(ofB.get(ofB.size() - 2), "host-b2");
        ShardMap moved = ShardAssigner.next(map, 12, live, Placement.ofRegionHosts(regionHosts),
                move(shardsOf(map, "a").get(0), "b"), "a", 0);
        List<Integer> ofBAfter = shardsOf(moved, "b");
        List<Integer> givenUp = ofB.stream().filter(shard -> !ofBAfter.contains(shard)).collect(Collectors.toList());
        assertThat(givenUp).containsExactly(ofB.get(ofB.size() - 3));
    }

    @Test
    void twoMovesToOneServerDoNotUndoEachOther() {
        ShardMap map = ShardAssigner.next(null, 12, live("a", "b"), "a", 0);
        List<Integer> ofA = shardsOf(map, "a");
        ShardMap moved = next(map, live("a", "b"),
                OperatorRequests.of(Set.of(), Map.of(ofA.get(0), "b", ofA.get(1), "b")));
        assertThat(shardsOf(moved, "b")).contains(ofA.get(0), ofA.get(1));
        assertThat(load(moved)).isEqualTo(load(map));
        assertEpochs(map, moved);
    }

    @Test
    void aMoveToAServerWithNoShardIsAPlainMove() {
        ShardMap map = ShardAssigner.next(null, 2, live("a", "b", "c"), "a", 0);
        String idle = List.of("a", "b", "c").stream().filter(id -> shardsOf(map, id).isEmpty()).findFirst().orElseThrow();
        ShardMap moved = next(map, live("a", "b", "c"), move(0, idle));
        assertThat(moved.getShards().get(0)).isEqualTo(new ShardAssignment(idle, moved.getEpoch()));
        assertThat(ShardAssigner.movement(map, moved).moved()).isEqualTo(1);
        assertEpochs(map, moved);
    }

    @Test
    void invalidMovesAreIgnored() {
        ShardMap map = ShardAssigner.next(null, 16, live("a", "b"), "a", 0);
        assertThat(next(map, live("a", "b"), move(16, "b"))).as("unknown shard").isNull();
        assertThat(next(map, live("a", "b"), move(-1, "b"))).as("negative shard").isNull();
        assertThat(next(map, live("a", "b"), move(0, "gone"))).as("dead server").isNull();
        OperatorRequests toDrained = OperatorRequests.of(Set.of("b"), Map.of(0, "b"));
        ShardMap drained = next(map, live("a", "b"), toDrained);
        assertThat(shardsOf(drained, "b")).as("a drained server takes no moved shard").isEmpty();
    }

    @Test
    void invalidMovesSayWhy() {
        OperatorRequests requests = OperatorRequests.of(Set.of("b"), Map.of());
        Map<String, AppServerInfo> live = live("a", "b");
        assertThat(requests.invalidMove(16, "a", 16, live)).hasValue("shard 16 does not exist (expected: 0..15)");
        assertThat(requests.invalidMove(3, "c", 16, live)).hasValue("c is not a live server");
        assertThat(requests.invalidMove(3, "b", 16, live)).hasValue("b is drained");
        assertThat(requests.invalidMove(3, "a", 16, live)).isEmpty();
    }

    @Test
    void drainsAndMovesKeepEveryRuleOverRandomClusters() {
        Random random = new Random(42);
        for (int scenario = 0; scenario < 200; scenario++) {
            int shardCount = 1 + random.nextInt(100);
            int servers = 2 + random.nextInt(4);
            String[] ids = IntStream.range(0, servers).mapToObj(i -> "s" + i).toArray(String[]::new);
            ShardMap map = ShardAssigner.next(null, shardCount, live(ids), "s0", 0);
            for (int step = 0; step < 4; step++) {
                Set<String> drained = random.nextBoolean() ? Set.of(ids[random.nextInt(servers)]) : Set.of();
                Map<Integer, String> moves = new HashMap<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    moves.put(random.nextInt(shardCount + 1), ids[random.nextInt(servers)]);
                }
                ShardMap next = next(map, live(ids), OperatorRequests.of(drained, moves));
                if (next == null) {
                    continue;
                }
                String context = "scenario " + scenario + " step " + step + " drained " + drained + " moves " + moves;
                Map<String, Long> load = new HashMap<>(load(next));
                drained.forEach(id -> assertThat(load).as(context).doesNotContainKey(id));
                for (String id : ids) {
                    if (!drained.contains(id)) {
                        load.putIfAbsent(id, 0L);
                    }
                }
                assertThat(load.values().stream().mapToLong(Long::longValue).max().orElseThrow()
                        - load.values().stream().mapToLong(Long::longValue).min().orElseThrow())
                        .as(context).isLessThanOrEqualTo(1);
                assertEpochs(map, next, context);
                map = next;
            }
        }
    }
}
