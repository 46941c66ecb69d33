package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMap;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of the operators' requests ({@link OperatorRequests}): watches {@link
 * ClusterPaths#DRAINS} and {@link ClusterPaths#MOVES} so that the leader republishes as soon as one
 * changes, reads them fresh for each publication, and deletes the move requests once a publication has
 * dealt with them (applied, already done, or ignored as invalid, with a warning). Used on the leader's
 * thread only, apart from the watches.
 */
final class OperatorRequestStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorRequestStore.class);

    private final CuratorFramework curator;
    private final CuratorCache drains;
    private final CuratorCache moves;

    OperatorRequestStore(CuratorFramework curator) {
        this.curator = curator;
        this.drains = CuratorCache.build(curator, ClusterPaths.DRAINS);
        this.moves = CuratorCache.build(curator, ClusterPaths.MOVES);
    }

    /** Starts watching; {@code onChange} runs (on Curator's thread) whenever a drain or a move request changes. */
    void start(Runnable onChange) {
        drains.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> onChange.run()).build());
        moves.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldData, data) -> onChange.run()).build());
        drains.start();
        moves.start();
    }

    /** The requests in ZooKeeper now (read, not cached: the caller has just synced). Blocking. */
    Snapshot read() throws Exception {
        Set<String> drained = new TreeSet<>(children(ClusterPaths.DRAINS));
        Map<Integer, String> targets = new TreeMap<>();
        Map<String, Integer> versions = new TreeMap<>();
        for (String child : children(ClusterPaths.MOVES)) {
            Stat stat = new Stat();
            byte[] data;
            try {
                data = curator.getData().storingStatIn(stat).forPath(ClusterPaths.MOVES + '/' + child);
            } catch (KeeperException.NoNodeException e) {
                continue;
            }
            versions.put(child, stat.getVersion());
            try {
                targets.put(Integer.parseInt(child), new String(data, StandardCharsets.UTF_8));
            } catch (NumberFormatException e) {
                LOG.warn("Ignoring the move request {}: not a shard number", child);
            }
        }
        return new Snapshot(OperatorRequests.of(drained, targets), versions);
    }

    /**
     * Logs what became of each move request in {@code published} (the map now in force), and deletes the
     * requests, unless an operator rewrote one meanwhile. Blocking.
     */
    void done(Snapshot snapshot, ShardMap published, Map<String, AppServerInfo> live) throws Exception {
        OperatorRequests requests = snapshot.requests;
        requests.moves().forEach((shard, target) -> {
            Optional<String> invalid = requests.invalidMove(shard, target, published.getShardCount(), live);
            if (invalid.isPresent()) {
                LOG.warn("Ignoring the request to move shard {} to {}: {}", shard, target, invalid.get());
            } else {
                LOG.info("Shard {} is on {} at epoch {}, as an operator asked", shard, target,
                        published.getShards().get(shard).getEpoch());
            }
        });
        for (Map.Entry<String, Integer> request : snapshot.moveVersions.entrySet()) {
            try {
                curator.delete().withVersion(request.getValue()).forPath(ClusterPaths.MOVES + '/' + request.getKey());
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
                // Deleted already, or rewritten: the next publication deals with the new request.
            }
        }
    }

    private List<String> children(String path) throws Exception {
        try {
            return curator.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        drains.close();
        moves.close();
    }

    /** Requests as read for one publication, with the versions of the move nodes read. */
    static final class Snapshot {
        private final OperatorRequests requests;
        private final Map<String, Integer> moveVersions;

        Snapshot(OperatorRequests requests, Map<String, Integer> moveVersions) {
            this.requests = requests;
            this.moveVersions = moveVersions;
        }

        OperatorRequests requests() {
            return requests;
        }
    }
}
