package io.duet.app.cluster;

import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** A real ZooKeeper on 127.0.0.1 for the cluster package's tests, and a connected client of it. */
final class TestZooKeeper {
    private TestZooKeeper() {
    }

    static TestingServer start() throws Exception {
        return new TestingServer(new InstanceSpec(Files.createTempDirectory("duet-zk-").toFile(), -1, -1, -1, true,
                -1, -1, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1"), true);
    }

    static CuratorFramework connect(TestingServer zookeeper) throws InterruptedException {
        CuratorFramework curator = CuratorFrameworkFactory.builder().connectString(zookeeper.getConnectString())
                .sessionTimeoutMs(10_000).connectionTimeoutMs(2_000).retryPolicy(new RetryOneTime(100)).build();
        curator.start();
        curator.blockUntilConnected();
        return curator;
    }

    /**
     * Expires {@code curator}'s session in ZooKeeper itself, as a session timeout would: a second client
     * attaches to the session and closes it, so its ephemeral nodes go and the first client hears
     * {@code Expired} (Curator: LOST) when it next talks to the server.
     */
    static void expireSession(CuratorFramework curator, TestingServer zookeeper) throws Exception {
        ZooKeeper victim = curator.getZookeeperClient().getZooKeeper();
        CountDownLatch attached = new CountDownLatch(1);
        ZooKeeper killer = new ZooKeeper(zookeeper.getConnectString(), 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                attached.countDown();
            }
        }, victim.getSessionId(), victim.getSessionPasswd());
        try {
            if (!attached.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("could not attach to the session to expire it");
            }
        } finally {
            killer.close();
        }
    }
}
