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
     * modification time is how the others tell that it is alive, its data the server's {@code
     * ServerStatus}.
     */
    public static final String HEARTBEATS = "/heartbeats";
    /** The leader latch that elects the shard map's publisher. */
    public static final String LEADER = "/leader";
    /** The published {@code ShardMap}. */
    public static final String SHARD_MAP = "/shardmap";
    /**
     * Operator requests: one persistent, empty node per drained server, named by its {@code server.id}
     * (so that a drain outlives restarts). The leader assigns a drained server no shards.
     */
    public static final String DRAINS = "/drains";
    /**
     * Operator requests: one persistent node per shard to move, named by the shard number, holding the
     * target's instance id (UTF-8). The leader applies it in its next publication, then deletes it.
     */
    public static final String MOVES = "/moves";
    /**
     * One ephemeral {@code PresenterStatus} node per live presentation server, named by its instance id
     * and rewritten only when its status changes: what status pages show of the presentation tier.
     */
    public static final String PRESENTERS = "/presenters";
    /**
     * Crash evidence from presentation servers: {@code /refusals/<instance>/<reporter>}, an empty
     * ephemeral node while presentation server {@code reporter} finds the relay endpoint of application
     * server {@code instance} refusing connections (its process is gone). The parents are container
     * nodes, so ZooKeeper removes them once empty. See {@link RefusalReports}.
     */
    public static final String REFUSALS = "/refusals";
    /**
     * One ephemeral node per running application server of this release or newer, named by its instance id,
     * made at its start (0) and holding (as decimal text) the newest shard map epoch it has applied: it
     * serves no shard that map took from it. A server given a shard claims the shard's couples once every
     * other server's node holds that epoch or newer, or that server cannot be serving (its heartbeat lags
     * past the lease, or is gone).
     */
    public static final String MAP_ACKS = "/map-acks";

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

    public static String mapAck(String serverId) {
        return MAP_ACKS + '/' + serverId;
    }

    public static String member(String serverId) {
        return MEMBERS + '/' + serverId;
    }

    public static String heartbeat(String serverId) {
        return HEARTBEATS + '/' + serverId;
    }

    /** The drain request of the server named {@code serverName} (its {@code server.id}). */
    public static String drain(String serverName) {
        return DRAINS + '/' + serverName;
    }

    public static String presenter(String instanceId) {
        return PRESENTERS + '/' + instanceId;
    }

    /** Where the reports against application server {@code instanceId} live, one child per reporter. */
    public static String refusals(String instanceId) {
        return REFUSALS + '/' + instanceId;
    }

    public static String refusal(String instanceId, String reporterId) {
        return refusals(instanceId) + '/' + reporterId;
    }

    public static String move(int shard) {
        return MOVES + '/' + shard;
    }

    /**
     * The {@code server.id} an application server is configured with, from the instance id it registers
     * under: {@code <server.id>@<start time>}, a new one for every start.
     */
    public static String serverName(String instanceId) {
        int at = instanceId.lastIndexOf('@');
        return at < 0 ? instanceId : instanceId.substring(0, at);
    }
}
