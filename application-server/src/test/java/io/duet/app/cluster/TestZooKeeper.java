package io.duet.app.cluster;

import java.nio.file.Files;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

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
}
