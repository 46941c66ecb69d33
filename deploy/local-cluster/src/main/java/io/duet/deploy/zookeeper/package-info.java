/**
 * ZooKeeper for the local cluster: {@link io.duet.deploy.zookeeper.StandaloneZooKeeper} is the main
 * class of the ZooKeeper process that {@code LocalCluster} starts.
 */
package io.duet.deploy.zookeeper;
