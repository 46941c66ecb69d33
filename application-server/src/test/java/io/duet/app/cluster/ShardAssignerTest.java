package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShardAssignerTest {
    private static Map<String, AppServerInfo> servers(String... ids) {
        Map<String, AppServerInfo> live = new TreeMap<>();
        for (int i = 0; i < ids.length; i++) {
            live.put(ids[i], new AppServerInfo(ids[i], new Endpoint("127.0.0.1", 9000 + ids[i].hashCode() % 1000), 0));
        }
        return live;
    }

    private static Map<String, Long> load(ShardMap map) {
        return map.getShards().stream().collect(Collectors.groupingBy(ShardAssignment::getOwner, Collectors.counting()));
    }

    @Test
    void firstMapAssignsEveryShardEvenlyAtEpochOne() {
        ShardMap map = ShardAssigner.next(null, 64, servers("a", "b", "c"), "a", 0);
        assertThat(map.getEpoch()).isEqualTo(1);
        assertThat(load(map)).containsOnlyKeys("a", "b", "c").allSatisfy((id, count) -> assertThat(count).isBetween(21L, 22L));
        assertThat(map.getShards()).allSatisfy(shard -> assertThat(shard.getEpoch()).isEqualTo(1));
    }

    @Test
    void aJoiningServerTakesOnlyItsShareWithTheNewEpoch() {
        ShardMap one = ShardAssigner.next(null, 64, servers("a"), "a", 0);
        ShardMap two = ShardAssigner.next(one, 64, servers("a", "b"), "a", 0);
        assertThat(two.getEpoch()).isEqualTo(2);
        assertThat(load(two)).containsEntry("a", 32L).containsEntry("b", 32L);
        for (int shard = 0; shard < 64; shard++) {
            ShardAssignment before = one.getShards().get(shard);
            ShardAssignment after = two.getShards().get(shard);
            if (after.getOwner().equals(before.getOwner())) {
                assertThat(after.getEpoch()).as("unmoved shards keep their epoch").isEqualTo(1);
            } else {
                assertThat(after.getEpoch()).as("moved shards get the new epoch").isEqualTo(2);
            }
        }
    }

    @Test
    void aDepartedServersShardsAreSpreadAndNothingElseMoves() {
        ShardMap three = ShardAssigner.next(null, 64, servers("a", "b", "c"), "a", 0);
        ShardMap two = ShardAssigner.next(three, 64, servers("a", "c"), "a", 0);
        assertThat(load(two)).containsEntry("a", 32L).containsEntry("c", 32L);
        for (int shard = 0; shard < 64; shard++) {
            if (!three.getShards().get(shard).getOwner().equals("b")) {
                assertThat(two.getShards().get(shard)).isEqualTo(three.getShards().get(shard));
            } else {
                assertThat(two.getShards().get(shard).getEpoch()).isEqualTo(two.getEpoch());
            }
        }
    }

    @Test
    void unchangedMembershipPublishesNothing() {
        ShardMap map = ShardAssigner.next(null, 16, servers("a", "b"), "a", 0);
        assertThat(ShardAssigner.next(map, 16, servers("a", "b"), "b", 5)).isNull();
    }

    @Test
    void aServerThatRegisteredAgainKeepsItsShardsAtTheNewEpoch() {
        ShardMap map = ShardAssigner.next(null, 16, servers("a", "b"), "a", 0);
        Map<String, AppServerInfo> again = servers("a", "b");
        again.get("b").setStartedAtMillis(99);
        ShardMap next = ShardAssigner.next(map, 16, again, "a", 0);
        assertThat(next).isNotNull();
        for (int shard = 0; shard < 16; shard++) {
            ShardAssignment before = map.getShards().get(shard);
            ShardAssignment after = next.getShards().get(shard);
            assertThat(after.getOwner()).isEqualTo(before.getOwner());
            assertThat(after.getEpoch()).isEqualTo(before.getOwner().equals("b") ? next.getEpoch() : before.getEpoch());
        }
    }

    // Placement labels.

    /** A server in {@code zone} (null: none) on {@code host} (null: none). */
    private static AppServerInfo labelled(String id, String zone, String host) {
        return new AppServerInfo(id, new Endpoint("127.0.0.1", 9000), 0).setZone(zone).setHost(host);
    }

    private static Map<String, AppServerInfo> live(AppServerInfo... servers) {
        Map<String, AppServerInfo> live = new TreeMap<>();
        for (AppServerInfo server : servers) {
            live.put(server.getServerId(), server);
        }
        return live;
    }

    private static List<Integer> shardsOf(ShardMap map, String owner) {
        return IntStream.range(0, map.getShardCount())
                .filter(shard -> map.getShards().get(shard).getOwner().equals(owner))
                .boxed().collect(Collectors.toList());
    }

    /** Every shard on a live server, loads within one of each other, and each zone within one shard of its share. */
    private static void assertBalancedAndSpread(ShardMap map) {
        Map<String, AppServerInfo> servers = map.getServers();
        Map<String, Long> load = new HashMap<>(load(map));
        assertThat(servers.keySet()).containsAll(load.keySet());
        servers.keySet().forEach(id -> load.putIfAbsent(id, 0L));
        assertThat(Collections.max(load.values()) - Collections.min(load.values())).as("max - min load")
                .isLessThanOrEqualTo(1);
        Map<String, Long> zoneServers = servers.values().stream()
                .collect(Collectors.groupingBy(ShardAssignerTest::zone, Collectors.counting()));
        Map<String, Long> zoneShards = servers.values().stream()
                .collect(Collectors.groupingBy(ShardAssignerTest::zone,
                        Collectors.summingLong(server -> load.get(server.getServerId()))));
        zoneServers.forEach((zone, count) -> {
            double share = (double) map.getShardCount() * count / servers.size();
            assertThat((double) zoneShards.get(zone)).as("zone '%s' of %d servers, %s", zone, count, zoneShards)
                    .isBetween(Math.floor(share), Math.ceil(share));
        });
    }

    private static String zone(AppServerInfo server) {
        return server.isSetZone() ? server.getZone() : "";
    }

    @ParameterizedTest(name = "{0} -> {1} servers, {2} shards")
    @CsvSource({"3, 4, 256, 64", "3, 4, 64, 16", "3, 4, 1024, 256", "3, 4, 100, 25", "4, 3, 256, 64", "4, 3, 64, 16",
            "1, 2, 256, 128", "2, 1, 256, 128"})
    void serversComingAndGoingMoveTheIdealNumberOfShards(int from, int to, int shardCount, int expectedIdeal) {
        String[] ids = {"s1", "s2", "s3", "s4"};
        ShardMap before = ShardAssigner.next(null, shardCount, servers(Arrays.copyOf(ids, from)), "s1", 0);
        ShardMap after = ShardAssigner.next(before, shardCount, servers(Arrays.copyOf(ids, to)), "s1", 0);
        ShardAssigner.Movement movement = ShardAssigner.movement(before, after);
        System.out.printf("%d -> %d servers, %d shards: %s%n", from, to, shardCount, movement);
        assertThat(movement.ideal()).isEqualTo(expectedIdeal);
        assertThat(movement.moved()).isEqualTo(movement.ideal());
        assertBalancedAndSpread(after);
    }

    @ParameterizedTest(name = "{0} -> {1} servers, {2} shards, with labels")
    @CsvSource({"3, 4, 256", "3, 4, 64", "3, 4, 1024", "3, 4, 100", "4, 3, 256", "1, 2, 256"})
    void labelsDoNotCostMovesWhenServersComeAndGo(int from, int to, int shardCount) {
        AppServerInfo[] all = {labelled("s1", "z1", "h1"), labelled("s2", "z2", "h2"), labelled("s3", "z3", "h3"),
                labelled("s4", "z1", "h4")};
        Random random = new Random(shardCount);
        Map<Integer, String> regionHosts = new HashMap<>();
        for (int shard = 0; shard < shardCount; shard++) {
            regionHosts.put(shard, "h" + (1 + random.nextInt(4)));
        }
        Placement placement = Placement.ofRegionHosts(regionHosts);
        ShardMap before = ShardAssigner.next(null, shardCount, live(Arrays.copyOf(all, from)), placement, "s1", 0);
        ShardMap after = ShardAssigner.next(before, shardCount, live(Arrays.copyOf(all, to)), placement, "s1", 0);
        ShardAssigner.Movement movement = ShardAssigner.movement(before, after);
        System.out.printf("%d -> %d servers, %d shards, zones and region hosts: %s%n", from, to, shardCount, movement);
        assertThat(movement.moved()).isEqualTo(movement.ideal());
        assertBalancedAndSpread(after);
    }

    @Test
    void theFirstMapMovesEveryShard() {
        ShardMap first = ShardAssigner.next(null, 64, servers("a", "b"), "a", 0);
        ShardAssigner.Movement movement = ShardAssigner.movement(null, first);
        assertThat(movement.moved()).isEqualTo(64);
        assertThat(movement.ideal()).isEqualTo(64);
    }

    @Test
    void twoZonesOfTwoServersEachHoldHalfEvenWithFewShards() {
        Map<String, AppServerInfo> live = live(labelled("a1", "A", null), labelled("a2", "A", null),
                labelled("b1", "B", null), labelled("b2", "B", null));
        for (int shardCount : new int[] {2, 6, 64}) {
            ShardMap map = ShardAssigner.next(null, shardCount, live, "a1", 0);
            assertBalancedAndSpread(map);
            assertThat(shardsOf(map, "a1").size() + shardsOf(map, "a2").size()).isEqualTo(shardCount / 2);
        }
    }

    @Test
    void threeZonesOfUnevenSizesHoldSharesInProportion() {
        Map<String, AppServerInfo> live = live(labelled("a1", "A", null), labelled("a2", "A", null),
                labelled("a3", "A", null), labelled("b1", "B", null), labelled("b2", "B", null),
                labelled("c1", "C", null));
        ShardMap map = ShardAssigner.next(null, 64, live, "a1", 0);
        assertBalancedAndSpread(map);
        Map<String, Long> load = load(map);
        assertThat(load.get("a1") + load.get("a2") + load.get("a3")).isEqualTo(32); // 64 * 3/6
        assertThat(load.get("b1") + load.get("b2")).isBetween(21L, 22L); // 64 * 2/6 = 21.3
        assertThat(load.get("c1")).isBetween(10L, 11L); // 64 * 1/6 = 10.7

        live.remove("a3");
        ShardMap next = ShardAssigner.next(map, 64, live, "a1", 0);
        assertBalancedAndSpread(next);
        assertThat(ShardAssigner.movement(map, next).moved()).isEqualTo(ShardAssigner.movement(map, next).ideal());
    }

    @Test
    void zoneSpreadCostsFewerExtraMovesThanTheRemainder() {
        // a1 and a2 hold 3 each; b1 and b2 join in another zone: 6 = 4 * 1 + 2, so two servers hold 2.
        // Balance alone would leave both in zone A (2 moves); zone spread gives one to zone B (3 moves).
        Map<String, AppServerInfo> zoneA = live(labelled("a1", "A", null), labelled("a2", "A", null));
        ShardMap before = ShardAssigner.next(null, 6, zoneA, "a1", 0);
        Map<String, AppServerInfo> both = new TreeMap<>(zoneA);
        both.putAll(live(labelled("b1", "B", null), labelled("b2", "B", null)));
        ShardMap after = ShardAssigner.next(before, 6, both, "a1", 0);
        ShardAssigner.Movement movement = ShardAssigner.movement(before, after);
        System.out.printf("2 -> 4 servers in 2 zones, 6 shards: %s%n", movement);
        assertBalancedAndSpread(after);
        assertThat(movement.ideal()).isEqualTo(2);
        assertThat(movement.moved()).isEqualTo(3);
    }

    @Test
    void shardsGoToTheServerOnTheirRegionHost() {
        Map<String, AppServerInfo> live = live(labelled("a", null, "host-a"), labelled("b", null, "HOST-B"));
        Map<Integer, String> regionHosts = new HashMap<>();
        for (int shard = 0; shard < 16; shard++) {
            regionHosts.put(shard, shard % 2 == 0 ? "host-a" : "host-b");
        }
        ShardMap map = ShardAssigner.next(null, 16, live, Placement.ofRegionHosts(regionHosts), "a", 0);
        assertThat(shardsOf(map, "a")).containsExactly(0, 2, 4, 6, 8, 10, 12, 14);
        assertThat(shardsOf(map, "b")).as("host names compare without case").containsExactly(1, 3, 5, 7, 9, 11, 13, 15);
    }

    @Test
    void whenTheRegionHostIsFullAServerInItsZoneComesNext() {
        Map<String, AppServerInfo> live = live(labelled("a", "Z1", "host-a"), labelled("a2", "Z1", "host-a2"),
                labelled("b", "Z2", "host-b"), labelled("b2", "Z2", "host-b2"));
        Map<Integer, String> regionHosts = new HashMap<>();
        for (int shard = 0; shard < 8; shard++) {
            regionHosts.put(shard, shard < 6 ? "host-a" : "elsewhere");
        }
        ShardMap map = ShardAssigner.next(null, 8, live, Placement.ofRegionHosts(regionHosts), "a", 0);
        assertThat(shardsOf(map, "a")).containsExactly(0, 1);
        assertThat(shardsOf(map, "a2")).containsExactly(2, 3);
        assertThat(shardsOf(map, "b")).hasSize(2);
        assertThat(shardsOf(map, "b2")).hasSize(2);
        assertBalancedAndSpread(map);
    }

    @Test
    void aJoiningServerTakesTheShardsOfItsRegionHost() {
        ShardMap three = ShardAssigner.next(null, 12, servers("a", "b", "c"), "a", 0);
        Map<Integer, String> regionHosts = new HashMap<>();
        for (String owner : List.of("a", "b", "c")) {
            regionHosts.put(shardsOf(three, owner).get(0), "host-d");
        }
        Map<String, AppServerInfo> four = new TreeMap<>(three.getServers());
        four.put("d", labelled("d", null, "host-d"));
        ShardMap next = ShardAssigner.next(three, 12, four, Placement.ofRegionHosts(regionHosts), "a", 0);
        assertThat(shardsOf(next, "d")).containsExactlyInAnyOrderElementsOf(regionHosts.keySet());
        assertThat(ShardAssigner.movement(three, next).moved()).isEqualTo(3);
    }

    @Test
    void aServerOverItsQuotaKeepsTheShardsOfItsHost() {
        ShardMap one = ShardAssigner.next(null, 8, live(labelled("a", null, "host-a")), "a", 0);
        Map<Integer, String> regionHosts = Map.of(5, "host-a", 6, "host-a", 7, "host-a");
        ShardMap two = ShardAssigner.next(one, 8, live(labelled("a", null, "host-a"), labelled("b", null, "host-b")),
                Placement.ofRegionHosts(regionHosts), "a", 0);
        assertThat(shardsOf(two, "a")).contains(5, 6, 7).hasSize(4);
    }

    @Test
    void localityAloneMovesNothing() {
        Map<String, AppServerInfo> live = live(labelled("a", null, "host-a"), labelled("b", null, "host-b"));
        ShardMap map = ShardAssigner.next(null, 16, live, "a", 0);
        Map<Integer, String> allOnA = new HashMap<>();
        IntStream.range(0, 16).forEach(shard -> allOnA.put(shard, "host-a"));
        assertThat(ShardAssigner.next(map, 16, live, Placement.ofRegionHosts(allOnA), "a", 0)).isNull();
    }

    @Test
    void theResultDependsOnlyOnTheArguments() {
        List<AppServerInfo> servers = List.of(labelled("a", "Z1", "h1"), labelled("b", "Z2", "h2"),
                labelled("c", "Z1", "h3"), labelled("d", null, null), labelled("e", "Z3", "h1"));
        Map<Integer, String> hosts = new HashMap<>();
        Random random = new Random(7);
        IntStream.range(0, 100).forEach(shard -> hosts.put(shard, "h" + random.nextInt(5)));
        Map<String, AppServerInfo> forward = new LinkedHashMap<>();
        servers.forEach(server -> forward.put(server.getServerId(), server));
        Map<String, AppServerInfo> backward = new LinkedHashMap<>();
        for (int i = servers.size() - 1; i >= 0; i--) {
            backward.put(servers.get(i).getServerId(), servers.get(i));
        }
        Map<Integer, String> reversedHosts = new LinkedHashMap<>();
        for (int shard = 99; shard >= 0; shard--) {
            reversedHosts.put(shard, hosts.get(shard));
        }
        ShardMap one = ShardAssigner.next(null, 100, forward, Placement.ofRegionHosts(hosts), "a", 0);
        ShardMap two = ShardAssigner.next(null, 100, backward, Placement.ofRegionHosts(reversedHosts), "a", 0);
        assertThat(two).isEqualTo(one);
        forward.remove("b");
        backward.remove("b");
        assertThat(ShardAssigner.next(two, 100, backward, Placement.ofRegionHosts(hosts), "a", 0))
                .isEqualTo(ShardAssigner.next(one, 100, forward, Placement.ofRegionHosts(reversedHosts), "a", 0));
    }

    /**
     * Random clusters that change a few times: servers join and leave, with or without zones, sharing
     * hosts or not, with some shards' region hosts known.
     */
    @Test
    void randomScenariosStayBalancedSpreadAndMinimal() {
        Random random = new Random(20240611);
        for (int scenario = 0; scenario < 300; scenario++) {
            int shardCount = 1 + random.nextInt(random.nextBoolean() ? 16 : 300);
            int zones = random.nextInt(4);
            Map<Integer, String> regionHosts = new HashMap<>();
            for (int shard = 0; shard < shardCount; shard++) {
                if (random.nextInt(4) > 0) {
                    regionHosts.put(shard, "h" + random.nextInt(8));
                }
            }
            Placement placement = Placement.ofRegionHosts(regionHosts);
            Map<String, AppServerInfo> live = new TreeMap<>();
            ShardMap map = null;
            int nextId = 0;
            for (int step = 0; step < 6; step++) {
                int joining = live.isEmpty() ? 1 + random.nextInt(5) : random.nextInt(3);
                for (int i = 0; i < joining; i++) {
                    String id = "s" + nextId++;
                    live.put(id, labelled(id, zones == 0 ? null : "z" + random.nextInt(zones),
                            random.nextInt(5) == 0 ? null : "h" + random.nextInt(8)));
                }
                int leaving = Math.min(live.size() - 1, random.nextInt(3));
                for (int i = 0; i < leaving; i++) {
                    live.remove(new ArrayList<>(live.keySet()).get(random.nextInt(live.size())));
                }
                String context = "scenario " + scenario + " step " + step;
                ShardMap next = ShardAssigner.next(map, shardCount, live, placement, "s0", step);
                ShardMap withoutPlacement = ShardAssigner.next(map, shardCount, live, "s0", step);
                if (next == null) {
                    assertThat(withoutPlacement).as(context).isNull();
                    continue;
                }
                assertBalancedAndSpread(next);
                assertThat(ShardAssigner.next(next, shardCount, live, placement, "s0", step)).as(context).isNull();
                ShardAssigner.Movement movement = ShardAssigner.movement(map, next);
                int remainder = shardCount % live.size();
                Set<String> zonesInUse = live.values().stream().map(ShardAssignerTest::zone)
                        .collect(Collectors.toSet());
                assertThat(movement.moved()).as(context).isBetween(movement.ideal(),
                        movement.ideal() + (zonesInUse.size() == 1 ? 0 : Math.max(0, remainder - 1)));
                assertThat(ShardAssigner.movement(map, withoutPlacement).moved())
                        .as(context + ": locality costs no move")
                        .isEqualTo(movement.moved());
                for (int shard = 0; shard < shardCount; shard++) {
                    ShardAssignment after = next.getShards().get(shard);
                    boolean moved = map == null || !map.getShards().get(shard).getOwner().equals(after.getOwner());
                    assertThat(after.getEpoch()).as(context)
                            .isEqualTo(moved ? next.getEpoch() : map.getShards().get(shard).getEpoch());
                }
                map = next;
            }
        }
    }
}
