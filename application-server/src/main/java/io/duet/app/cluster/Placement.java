package io.duet.app.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where shards would rather be served, as an input to {@link ShardAssigner}: for each shard, the host
 * of the HBase region server holding its rows ({@link RegionHosts} reads it). Zones are not here: they
 * are labels of the servers themselves, in their membership records. Immutable.
 */
public final class Placement {
    private static final Logger LOG = LoggerFactory.getLogger(Placement.class);
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

    /**
     * This machine's name as DNS gives it: the name an HBase region server on it registers with, unless
     * {@code hbase.regionserver.hostname} says otherwise (then set {@code placement.host} to match).
     */
    public static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            LOG.warn("No host name for this machine ({}): set placement.host for shards to follow HBase regions",
                    e.getMessage());
            return null;
        }
    }
}
