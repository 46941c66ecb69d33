/**
 * {@code bin/duet-admin}, the operators' view of a cluster: the shard map with each shard's owner,
 * epoch and loaded couples; the application servers with their endpoints, labels and heartbeats; which
 * server owns a couple or a user; and the two operator requests, draining a server and moving a shard,
 * which the shard map's leader honours ({@code io.duet.app.cluster.OperatorRequests}).
 *
 * <p>Start reading at {@link io.duet.admin.DuetAdmin} (arguments, exit codes, dispatch). What the tool
 * reads from ZooKeeper is one immutable {@code ClusterState}, printed by {@code Reports}; it writes
 * only the request nodes under {@code /drains} and {@code /moves}, and reads a user's couple from HBase.
 * Every wait is bounded, so the tool never hangs on an unreachable ZooKeeper or HBase.
 *
 * <p>{@code deploy/bin/rolling-deploy}, which reads the same records, is in {@link io.duet.admin.deploy}.
 */
package io.duet.admin;
