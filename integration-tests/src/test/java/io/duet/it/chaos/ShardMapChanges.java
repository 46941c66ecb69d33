package io.duet.it.chaos;

import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.cluster.ShardMapWatcher;
import io.duet.protocol.cluster.ZooKeeperClients;
import io.duet.settings.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;

/**
 * When each new shard map was published while this watched the cluster, on the {@link System#nanoTime()}
 * clock (taken from the leader's publication time: every process of the local cluster shares this
 * machine's clock): the moments a handoff began, to find the requests it touched. It watches, where
 * the launcher's {@code ShardMaps} reads once: polling would miss a map replaced between two looks.
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
        CuratorFramework curator = ZooKeeperClients.connect(Settings.of(Map.of(
                "zookeeper.connect", cluster.zookeeperConnect(), "cluster.name", cluster.clusterName())),
                Duration.ofSeconds(30));
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
