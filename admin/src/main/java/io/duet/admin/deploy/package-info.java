/**
 * {@code deploy/bin/rolling-deploy}: restarts every server of a cluster one at a time, each step waiting
 * for the server to leave cleanly (an application server's shards handed over, a presentation server's
 * clients drained through the load balancer) and to come back ready, and stopping with a clear message
 * at the first failure.
 *
 * <p>Start reading at {@link io.duet.admin.deploy.RollingDeployMain} (options, exit statuses), then
 * {@code RollingDeploy} (the steps), {@code StepWatch} (the waits, and the watch on the other servers
 * meanwhile) and {@code ClusterReport} (what is printed of the cluster before the first step and after a
 * failure). {@code ServerProbe} asks one server's process and admin port, {@code ShardMapChecks} asks one
 * reading of ZooKeeper whether the shard map is settled. {@code Inventory} says which servers there are (a
 * local cluster's data folder, or a list), {@code DeployNode} how to find each one's process,
 * {@code ClusterRecords} where it reads ZooKeeper, and {@code RestartCommand} runs the operator's restart
 * command. The steps' faults are unit-tested against a fake process layer ({@code FakeCluster}, in the tests).
 */
package io.duet.admin.deploy;
