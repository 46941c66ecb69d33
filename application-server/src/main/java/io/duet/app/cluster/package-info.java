/**
 * Cluster membership and shard ownership, coordinated in ZooKeeper through Curator.
 *
 * <p>Start at {@link io.duet.app.cluster.ClusterMember}: one server's part in the cluster from its first
 * heartbeat to leaving, which wires the parts below (heartbeat, membership record, failure detector,
 * shard-map publisher and its join grace) for the application server's lifecycle.
 *
 * <p>Every application server registers itself ({@link io.duet.app.cluster.Membership}); one of them,
 * elected by a leader latch, assigns the shards evenly across the live servers and publishes the map
 * with a strictly increasing epoch ({@link io.duet.app.cluster.ShardMapPublisher}, whose arithmetic is
 * {@link io.duet.app.cluster.ShardAssigner}) without the servers the {@link
 * io.duet.app.cluster.FailureDetector} suspects (heartbeat lag, cut short for a server presentation
 * servers report crashed; it follows the others' heartbeat times through {@code HeartbeatTimes}, so that a
 * renewal wakes no server but the others); {@code LeaderFence} is how a publication proves in ZooKeeper
 * that its publisher still leads. Each server follows the published map in {@link
 * io.duet.app.cluster.ShardOwnership}, which also stops writes while the ZooKeeper session is in doubt,
 * and after a reconnection or a lapsed lease serves again only once it has re-read the map's epoch ({@link
 * io.duet.app.cluster.Reconfirmation}, retried with a backoff; ZooKeeper's side is {@code ShardMapReader}).
 * Each server acknowledges the maps it applied, and a shard's new owner claims its couples only once no
 * other server can still be serving it ({@code MapAcks}), so that a handoff serves no stale read.
 *
 * <p>Assignment moves as few shards as balance allows ({@link io.duet.app.cluster.ShardAssigner#movement}
 * reports how many, against the minimum), spreads the shards across the servers' zones, and prefers for
 * each shard a server on the host of its HBase region: a {@link io.duet.app.cluster.Placement}, read by
 * {@link io.duet.app.cluster.RegionHosts}.
 *
 * <p>Servers of two versions run side by side during a rolling deploy, so a record rewritten here keeps
 * the fields this version does not know. The shard map is the only one: the leader reads it and the
 * members' records and writes the next map through {@link io.duet.app.cluster.ShardMapUpdate}, which says
 * whose unknown fields survive. A membership record is written by its own server only, and the cluster
 * settings once, by whichever server creates the cluster ({@link io.duet.app.cluster.ClusterSettingsStore}).
 *
 * <p>Operators steer it through ZooKeeper ({@code bin/duet-admin}): a drained server is assigned no
 * shards, and a shard can be moved to a given server, as a swap that keeps loads even ({@link
 * io.duet.app.cluster.OperatorRequests}; the leader watches and applies them through {@code
 * OperatorRequestStore}). In return each server's {@link io.duet.app.cluster.Heartbeat} carries its
 * status: how many couples it has loaded, by shard.
 */
package io.duet.app.cluster;
