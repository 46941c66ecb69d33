package io.duet.it.chaos;

import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMapWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * When each new shard map was published while this watched the cluster, on the {@link System#nanoTime()}
 * clock (taken from the leader's publication time: every process of the local cluster shares this
 * machine's clock): the moments a handoff began, to find the requests it touched.
 */
final class ShardMapChanges implements AutoCloseable {
    private final CuratorFramework curator;
    private final ShardMapWatcher watcher;
    private final List<Long> publishedNanos = new CopyOnWriteArrayList<>();

    private ShardMapChanges(CuratorFramework curator) {
        this.curator = curator;
        this.watcher = new ShardMapWatcher(curator);
    }

    /** Starts watching {@code cluster}'s shard map; maps published from now on are recorded. */
    static ShardMapChanges watch(LocalCluster cluster) throws InterruptedException {
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(cluster.zookeeperConnect())
                .namespace(ClusterPaths.namespace(cluster.clusterName()))
                .retryPolicy(new ExponentialBackoffRetry(100, 5))
                .build();
        curator.start();
        if (!curator.blockUntilConnected(30, TimeUnit.SECONDS)) {
            curator.close();
            throw new IllegalStateException("cannot reach ZooKeeper at " + cluster.zookeeperConnect());
        }
        ShardMapChanges changes = new ShardMapChanges(curator);
        long watchedFromMillis = System.currentTimeMillis();
        changes.watcher.addListener(view -> {
            if (view.publishedAtMillis() >= watchedFromMillis) {
                long agoMillis = System.currentTimeMillis() - view.publishedAtMillis();
                changes.publishedNanos.add(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(Math.max(0, agoMillis)));
            }
        });
        changes.watcher.start();
        return changes;
    }

    /** The publication times seen so far, in order. */
    List<Long> publishedNanos() {
        List<Long> times = new ArrayList<>(publishedNanos);
        times.sort(null);
        return times;
    }

    @Override
    public void close() {
        watcher.close();
        curator.close();
    }
}
