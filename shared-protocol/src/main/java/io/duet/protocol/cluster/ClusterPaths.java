package io.duet.protocol.cluster;

/**
 * Where a cluster's coordination records live in ZooKeeper, relative to the namespace
 * {@link #namespace(String)} (so that several clusters can share one ensemble).
 */
public final class ClusterPaths {
    /** {@code ClusterSettings}, created once by the first application server. */
    public static final String SETTINGS = "/settings";
    /** One ephemeral {@code AppServerInfo} node per live application server. */
    public static final String MEMBERS = "/members";
    /**
     * One ephemeral node per live application server, rewritten every heartbeat interval: its ZooKeeper
     * modification time is how the others tell that it is alive.
     */
    public static final String HEARTBEATS = "/heartbeats";
    /** The leader latch that elects the shard map's publisher. */
    public static final String LEADER = "/leader";
    /** The published {@code ShardMap}. */
    public static final String SHARD_MAP = "/shardmap";

    private ClusterPaths() {
    }

    /** The Curator namespace of cluster {@code clusterName}. */
    public static String namespace(String clusterName) {
        if (clusterName == null || !clusterName.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException(
                    "clusterName: " + clusterName + " (expected: lower-case letters, digits and '-')");
        }
        return "duet/" + clusterName;
    }

    public static String member(String serverId) {
        return MEMBERS + '/' + serverId;
    }

    public static String heartbeat(String serverId) {
        return HEARTBEATS + '/' + serverId;
    }
}
