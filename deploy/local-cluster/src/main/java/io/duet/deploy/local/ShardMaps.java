package io.duet.deploy.local;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.thrift.MalformedPayloadException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/** Reading a cluster's shard map from outside it, as tests and the launcher do. */
final class ShardMaps {
    private ShardMaps() {
    }

    /** The shard map of cluster {@code clusterName} as published now, if any. */
    static Optional<ShardMapView> read(String zookeeperConnect, String clusterName)
            throws IOException, InterruptedException {
        String path = "/" + ClusterPaths.namespace(clusterName) + ClusterPaths.SHARD_MAP;
        try (ZooKeeper zk = new ZooKeeper(zookeeperConnect, 30_000, event -> { })) {
            return Optional.of(ShardMapView.parse(zk.getData(path, false, null)));
        } catch (KeeperException.NoNodeException | KeeperException.ConnectionLossException e) {
            return Optional.empty();
        } catch (KeeperException | MalformedPayloadException e) {
            throw new IOException("cannot read the shard map", e);
        }
    }

    /** Waits until the shard map {@link #isSettled is settled} on {@code running}; fails after {@code timeout}. */
    static void awaitSettled(String zookeeperConnect, String clusterName, Set<String> running, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ShardMapView last = null;
        while (System.nanoTime() < deadline) {
            last = read(zookeeperConnect, clusterName).orElse(null);
            if (last != null && isSettled(last, running)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("shard map did not settle on " + running + " within " + timeout.toSeconds()
                + " s; last: " + last);
    }

    /** Whether {@code map} lists exactly the {@code running} servers and gives each of them shards, and no shard to anyone else. */
    static boolean isSettled(ShardMapView map, Set<String> running) {
        if (!map.servers().keySet().equals(running)) {
            return false;
        }
        Map<String, Integer> load = new TreeMap<>();
        for (int shard = 0; shard < map.shardCount(); shard++) {
            String owner = map.ownerIdOf(shard).orElse(null);
            if (owner == null || !running.contains(owner)) {
                return false;
            }
            load.merge(owner, 1, Integer::sum);
        }
        return load.keySet().equals(running);
    }
}
