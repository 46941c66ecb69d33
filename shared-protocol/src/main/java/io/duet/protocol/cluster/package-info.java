/**
 * How the cluster is coordinated, as both tiers see it: which shard a couple belongs to
 * ({@link io.duet.protocol.cluster.Shards}), where the records live in ZooKeeper
 * ({@link io.duet.protocol.cluster.ClusterPaths}), a read-only view of the published shard map
 * ({@link io.duet.protocol.cluster.ShardMapView}) kept current by {@link io.duet.protocol.cluster.ShardMapWatcher},
 * the servers' ZooKeeper client ({@link io.duet.protocol.cluster.ZooKeeperClients}), and what status pages
 * show of it all ({@link io.duet.protocol.cluster.ClusterStatus}, read by {@link
 * io.duet.protocol.cluster.ClusterStatusReader}). The records themselves are the generated {@code ShardMap},
 * {@code AppServerInfo}, {@code ServerStatus} (a server's heartbeat), {@code PresenterStatus} (a presentation
 * server's record) and {@code ClusterSettings}; the operators' drain and move requests are plain nodes
 * ({@link io.duet.protocol.cluster.ClusterPaths#DRAINS}, {@link io.duet.protocol.cluster.ClusterPaths#MOVES}).
 * Presentation servers report application servers whose relay endpoint refuses connections through
 * {@link io.duet.protocol.cluster.RefusalReports}: crash evidence the leader's failure detector weighs.
 */
package io.duet.protocol.cluster;
