package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.ClusterPaths;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HeartbeatTimes} against a real ZooKeeper: it must keep following every other server's heartbeat
 * node through what happens to nodes and sessions, since a node it stops following looks dead to the
 * failure detector after {@code cluster.failure-timeout}: renewals, a node made after it started, a node
 * deleted and made again (a server's new session), and its own session expiring (watches are lost with it).
 */
class HeartbeatTimesIT {
    private TestingServer zookeeper;
    /** The follower's connection, and the servers' whose nodes it follows. */
    private CuratorFramework follower;
    private CuratorFramework servers;
    private HeartbeatTimes times;

    @BeforeEach
    void start() throws Exception {
        zookeeper = TestZooKeeper.start();
        follower = TestZooKeeper.connect(zookeeper);
        servers = TestZooKeeper.connect(zookeeper);
        servers.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(ClusterPaths.heartbeat("b"));
        servers.create().withMode(CreateMode.EPHEMERAL).forPath(ClusterPaths.heartbeat("self"));
        times = new HeartbeatTimes(follower, "self");
        times.start();
    }

    @AfterEach
    void stop() throws Exception {
        times.close();
        servers.close();
        follower.close();
        zookeeper.close();
    }

    @Test
    void followsRenewalsOfNodesThereAtTheStartButNotItsOwn() throws Exception {
        assertThat(times.mtime("self")).as("its own node is not followed").isEmpty();
        for (int i = 0; i < 3; i++) {
            awaitFollowed("b", renew("b"));
        }
        renew("self");
        assertThat(times.mtime("self")).isEmpty();
    }

    @Test
    void followsANodeMadeAfterItStarted() throws Exception {
        servers.create().withMode(CreateMode.EPHEMERAL).forPath(ClusterPaths.heartbeat("c"));
        Eventually.await("the new node followed", () -> times.mtime("c").isPresent());
        awaitFollowed("c", renew("c"));
        awaitFollowed("c", renew("c"));
    }

    @Test
    void followsANodeDeletedAndMadeAgain() throws Exception {
        awaitFollowed("b", renew("b"));
        servers.delete().forPath(ClusterPaths.heartbeat("b"));
        Eventually.await("the deleted node forgotten", () -> times.mtime("b").isEmpty());
        servers.create().withMode(CreateMode.EPHEMERAL).forPath(ClusterPaths.heartbeat("b"));
        Eventually.await("the node made again followed", () -> times.mtime("b").isPresent());
        awaitFollowed("b", renew("b"));
        awaitFollowed("b", renew("b"));
    }

    @Test
    void followsEveryNodeAgainAfterItsOwnSessionExpired() throws Exception {
        awaitFollowed("b", renew("b"));
        TestZooKeeper.expireSession(follower, zookeeper);
        // Curator makes a new session; the old one's watches are gone with it.
        Eventually.await("reconnected", () -> follower.getZookeeperClient().isConnected());
        for (int i = 0; i < 3; i++) {
            awaitFollowed("b", renew("b"));
        }
        servers.create().withMode(CreateMode.EPHEMERAL).forPath(ClusterPaths.heartbeat("c"));
        awaitFollowed("c", renew("c"));
    }

    /** Renews {@code id}'s node as a heartbeat does (after a pause, so that its time moves); its new stat. */
    private Stat renew(String id) throws Exception {
        Thread.sleep(5);
        return servers.setData().forPath(ClusterPaths.heartbeat(id), "renewed".getBytes(StandardCharsets.UTF_8));
    }

    private void awaitFollowed(String id, Stat written) throws InterruptedException {
        Eventually.await(id + "'s renewal at " + written.getMtime() + " followed",
                () -> times.mtime(id).orElse(0) >= written.getMtime());
    }
}
