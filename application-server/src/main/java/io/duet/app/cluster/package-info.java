/**
 * Cluster membership and shard ownership, coordinated in ZooKeeper through Curator.
 *
 * <p>Every application server registers itself ({@link io.duet.app.cluster.Membership}); one of them,
 * elected by a leader latch, assigns the shards evenly across the live servers and publishes the map
 * with a strictly increasing epoch ({@link io.duet.app.cluster.ShardMapPublisher}, whose arithmetic is
 * {@link io.duet.app.cluster.ShardAssigner}). Each server follows the published map in {@link
 * io.duet.app.cluster.ShardOwnership}, which also stops writes while the ZooKeeper session is in doubt.
 *
 * <p>Assignment moves as few shards as balance allows ({@link io.duet.app.cluster.ShardAssigner#movement}
 * reports how many, against the minimum), spreads the shards across the servers' zones, and prefers for
 * each shard a server on the host of its HBase region: a {@link io.duet.app.cluster.Placement}, read by
 * {@link io.duet.app.cluster.RegionHosts}.
 *
 * <p>Operators steer it through ZooKeeper ({@code bin/duet-admin}): a drained server is assigned no
 * shards, and a shard can be moved to a given server, as a swap that keeps loads even ({@link
 * io.duet.app.cluster.OperatorRequests}; the leader watches and applies them through {@code
 * OperatorRequestStore}). In return each server's {@link io.duet.app.cluster.Heartbeat} carries its
 * status: how many couples it has loaded, by shard.
 */
package io.duet.app.cluster;
