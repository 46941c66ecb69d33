package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.storage.HBaseSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.ServerName;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.RegionInfoBuilder;
import org.junit.jupiter.api.Test;

class RegionHostsTest {
    private static final TableName COUPLES = new HBaseSchema("duet", 4).couples();

    private static byte[] shardStart(int shard) {
        return new byte[] {(byte) (shard >>> 8), (byte) shard};
    }

    /** A region from {@code start} to {@code end} (null: the table's edge) on {@code host} (null: unassigned). */
    private static HRegionLocation region(byte[] start, byte[] end, String host) {
        return location(RegionInfoBuilder.newBuilder(COUPLES), start, end, host);
    }

    private static HRegionLocation location(RegionInfoBuilder builder, byte[] start, byte[] end, String host) {
        builder.setStartKey(start == null ? new byte[0] : start).setEndKey(end == null ? new byte[0] : end);
        return new HRegionLocation(builder.build(), host == null ? null : ServerName.valueOf(host, 16020, 1L));
    }

    @Test
    void eachShardMapsToTheHostOfItsPreSplitRegionInAnyOrder() {
        List<HRegionLocation> regions = new ArrayList<>(List.of(
                region(null, shardStart(1), "rs-0"),
                region(shardStart(1), shardStart(2), "rs-1"),
                region(shardStart(2), shardStart(3), "rs-0"),
                region(shardStart(3), null, "rs-3")));
        Collections.reverse(regions);
        assertThat(RegionHosts.placementOf(regions, 4).regionHosts())
                .isEqualTo(Map.of(0, "rs-0", 1, "rs-1", 2, "rs-0", 3, "rs-3"));
    }

    @Test
    void mergedAndSplitRegionsMapByTheRegionHoldingTheShardsFirstRow() {
        byte[] middleOfShard1 = HBaseSchema.coupleRow(1, 1L << 40);
        assertThat(RegionHosts.placementOf(List.of(
                region(null, middleOfShard1, "rs-a"),
                region(middleOfShard1, shardStart(2), "rs-b"),
                region(shardStart(2), null, "rs-c")), 4).regionHosts())
                .isEqualTo(Map.of(0, "rs-a", 1, "rs-a", 2, "rs-c", 3, "rs-c"));
    }

    @Test
    void unassignedMissingOfflineAndReplicaRegionsGiveNoHost() {
        assertThat(RegionHosts.placementOf(List.of(
                region(null, shardStart(1), null),
                // shard 1's region is missing from hbase:meta (mid-split)
                location(RegionInfoBuilder.newBuilder(COUPLES).setOffline(true), shardStart(2), shardStart(3),
                        "rs-offline"),
                region(shardStart(3), null, "rs-3"),
                location(RegionInfoBuilder.newBuilder(COUPLES).setReplicaId(1), shardStart(3), null, "rs-replica")), 4)
                .regionHosts())
                .isEqualTo(Map.of(3, "rs-3"));
    }

    @Test
    void shardPrefixesAreTwoBytesBeyond256Shards() {
        List<HRegionLocation> regions = new ArrayList<>();
        for (int shard = 0; shard < 300; shard++) {
            regions.add(region(shard == 0 ? null : shardStart(shard), shard == 299 ? null : shardStart(shard + 1),
                    "rs-" + shard % 7));
        }
        Map<Integer, String> hosts = RegionHosts.placementOf(regions, 300).regionHosts();
        assertThat(hosts).hasSize(300);
        assertThat(hosts.get(257)).isEqualTo("rs-" + 257 % 7);
    }
}
