package io.duet.app.cluster;

import io.duet.app.storage.HBaseSchema;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.RegionInfo;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Reads, without blocking, which host serves each shard's rows, for {@link ShardAssigner}'s locality
 * preference. The couples table is pre-split at shard boundaries ({@link HBaseSchema}: one region per shard,
 * or one per several whole shards); a shard's region is the one holding the shard's first row, which stays
 * well defined when HBase later splits or merges regions.
 */
public final class RegionHosts {
    private final AsyncConnection hbase;
    private final HBaseSchema schema;

    public RegionHosts(AsyncConnection hbase, HBaseSchema schema) {
        this.hbase = Objects.requireNonNull(hbase, "hbase");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** The couples table's region hosts as hbase:meta has them now; completes on an HBase thread. */
    public CompletableFuture<Placement> fetch() {
        return hbase.getRegionLocator(schema.couples()).getAllRegionLocations()
                .thenApply(locations -> placementOf(locations, schema.shardCount()));
    }

    /**
     * The host of the region holding each shard's first row. Only primary replicas that are online count;
     * a shard whose region is unassigned (or missing, in the middle of a split or merge) has no host.
     */
    static Placement placementOf(List<HRegionLocation> locations, int shardCount) {
        List<HRegionLocation> regions = locations.stream()
                .filter(location -> location.getRegion().getReplicaId() == RegionInfo.DEFAULT_REPLICA_ID
                        && !location.getRegion().isOffline())
                .sorted(Comparator.comparing(location -> location.getRegion().getStartKey(), Bytes.BYTES_COMPARATOR))
                .collect(Collectors.toList());
        Map<Integer, String> hosts = new HashMap<>();
        int region = -1;
        for (int shard = 0; shard < shardCount; shard++) {
            byte[] firstRow = HBaseSchema.coupleRow(shard, 0);
            while (region + 1 < regions.size()
                    && Bytes.compareTo(regions.get(region + 1).getRegion().getStartKey(), firstRow) <= 0) {
                region++;
            }
            if (region >= 0 && regions.get(region).getServerName() != null
                    && regions.get(region).getRegion().containsRow(firstRow)) {
                hosts.put(shard, regions.get(region).getServerName().getHostname());
            }
        }
        return Placement.ofRegionHosts(hosts);
    }
}
