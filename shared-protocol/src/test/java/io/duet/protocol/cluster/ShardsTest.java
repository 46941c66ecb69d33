package io.duet.protocol.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.thrift.MalformedPayloadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardsTest {
    @Test
    void sequentialIdsSpreadEvenlyAcrossShards() {
        int[] counts = new int[64];
        for (long id = 1; id <= 64_000; id++) {
            counts[Shards.shardOf(id, 64)]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(850, 1150);
        }
    }

    @Test
    void shardIsStableAndInRangeForNegativeIds() {
        assertThat(Shards.shardOf(-5, 64)).isEqualTo(Shards.shardOf(-5, 64)).isBetween(0, 63);
        assertThat(Shards.shardOf(Long.MIN_VALUE, 7)).isBetween(0, 6);
    }

    @Test
    void rejectsImpossibleShardCounts() {
        assertThatThrownBy(() -> Shards.shardOf(1, 0)).hasMessage("shardCount: 0 (expected: 1..65536)");
    }

    @Test
    void shardMapViewRejectsInconsistentMaps() {
        ShardMap map = new ShardMap().setEpoch(1).setShardCount(2)
                .setShards(new ArrayList<>(List.of(new ShardAssignment("a", 1))))
                .setServers(Map.of());
        assertThatThrownBy(() -> ShardMapView.of(map)).isInstanceOf(MalformedPayloadException.class)
                .hasMessage("shard map lists 1 shards, expected 2");
    }

    @Test
    void shardMapViewResolvesOwners() throws Exception {
        AppServerInfo a = new AppServerInfo("a", new Endpoint("127.0.0.1", 1), 0);
        ShardMap map = new ShardMap().setEpoch(3).setShardCount(2)
                .setShards(List.of(new ShardAssignment("a", 3), new ShardAssignment("", 0)))
                .setServers(Map.of("a", a));
        ShardMapView view = ShardMapView.parse(io.duet.protocol.thrift.ThriftCodec.INTERNAL.encode(map));
        assertThat(view.ownerOf(0)).contains(a);
        assertThat(view.epochOf(0)).isEqualTo(3);
        assertThat(view.ownerOf(1)).isEmpty();
    }
}
