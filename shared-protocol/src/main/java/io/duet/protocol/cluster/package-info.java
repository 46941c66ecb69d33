/**
 * How the cluster is coordinated, as both tiers see it: which shard a couple belongs to
 * ({@link io.duet.protocol.cluster.Shards}), where the records live in ZooKeeper
 * ({@link io.duet.protocol.cluster.ClusterPaths}) and a read-only view of the published shard map
 * ({@link io.duet.protocol.cluster.ShardMapView}), which presentation servers route by. The records
 * themselves are the generated {@code ShardMap}, {@code AppServerInfo} and {@code ClusterSettings}.
 */
package io.duet.protocol.cluster;
