package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

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
}
