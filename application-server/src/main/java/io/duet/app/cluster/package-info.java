/**
 * Cluster membership and shard ownership, coordinated in ZooKeeper through Curator.
 *
 * <p>Every application server registers itself ({@link io.duet.app.cluster.Membership}); one of them,
 * elected by a leader latch, assigns the shards evenly across the live servers and publishes the map
 * with a strictly increasing epoch ({@link io.duet.app.cluster.ShardMapPublisher}, whose arithmetic is
 * {@link io.duet.app.cluster.ShardAssigner}). Each server follows the published map in {@link
 * io.duet.app.cluster.ShardOwnership}, which also stops writes while the ZooKeeper session is in doubt.
 */
package io.duet.app.cluster;
