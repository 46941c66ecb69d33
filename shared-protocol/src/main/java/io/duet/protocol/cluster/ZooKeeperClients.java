package io.duet.protocol.cluster;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** The servers' ZooKeeper client, in the namespace of the cluster their settings name. */
public final class ZooKeeperClients {
    private ZooKeeperClients() {
    }

    /**
     * Connects, waiting up to 30 s. Settings: {@code zookeeper.connect}, {@code cluster.name} (default
     * {@code duet}) and {@code zookeeper.session-timeout}.
     */
    public static CuratorFramework connect(Settings settings, Duration defaultSessionTimeout) throws InterruptedException {
        Duration sessionTimeout = settings.duration("zookeeper.session-timeout", defaultSessionTimeout);
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(settings.string("zookeeper.connect"))
                .namespace(ClusterPaths.namespace(settings.string("cluster.name", "duet")))
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) Math.min(sessionTimeout.toMillis(), 5_000))
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                .build();
        curator.start();
        if (!curator.blockUntilConnected(30, TimeUnit.SECONDS)) {
            curator.close();
            throw new IllegalStateException("cannot reach ZooKeeper at " + settings.string("zookeeper.connect"));
        }
        return curator;
    }
}
