package io.duet.app.cluster;

import java.util.Map;
import java.util.Objects;

/**
 * Where shards would rather be served, as an input to {@link ShardAssigner}: for each shard, the host
 * of the HBase region server holding its rows ({@link RegionHosts} reads it). Zones are not here: they
 * are labels of the servers themselves, in their membership records. Immutable.
 */
public final class Placement {
    private static final Placement NONE = new Placement(Map.of());

    private final Map<Integer, String> regionHosts;

    private Placement(Map<Integer, String> regionHosts) {
        this.regionHosts = regionHosts;
    }

    /** No preference for any shard. */
    public static Placement none() {
        return NONE;
    }

    /**
     * @param regionHosts shard to the host name of the region server holding its rows; shards left out
     *     have no preference
     */
    public static Placement ofRegionHosts(Map<Integer, String> regionHosts) {
        Objects.requireNonNull(regionHosts, "regionHosts");
        regionHosts.forEach((shard, host) -> {
            if (shard < 0 || host.isEmpty()) {
                throw new IllegalArgumentException("regionHosts: " + shard + " -> '" + host
                        + "' (expected: a shard >= 0 and a host name)");
            }
        });
        return new Placement(Map.copyOf(regionHosts));
    }

    /** Shard to the host of the region holding its rows, for the shards whose host is known. */
    public Map<Integer, String> regionHosts() {
        return regionHosts;
    }
}
