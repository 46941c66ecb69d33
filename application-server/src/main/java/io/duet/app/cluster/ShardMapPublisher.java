package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.thrift.MalformedPayloadException;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on every application server; on the elected leader it republishes the shard map whenever the
 * set of live servers changes. The map's version in ZooKeeper is compared-and-set, so even two servers
 * that both believe they lead (one of them about to learn otherwise) cannot publish a map that is not
 * derived from the latest one, and epochs only grow.
 *
 * <p>All ZooKeeper calls happen on one named thread, {@code duet-shard-leader}.
 */
public final class ShardMapPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMapPublisher.class);
    /** Membership changes within this window are folded into one publication (start-up, rolling restarts). */
    private static final long DEBOUNCE_MILLIS = 200;

    private final CuratorFramework curator;
    private final String instanceId;
    private final int shardCount;
    private final Clock clock;
    private final LeaderLatch latch;
    private final CuratorCache members;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean publishScheduled = new AtomicBoolean();

    public ShardMapPublisher(CuratorFramework curator, String instanceId, int shardCount, Clock clock) {
        this.curator = curator;
        this.instanceId = instanceId;
        this.shardCount = shardCount;
        this.clock = clock;
        this.latch = new LeaderLatch(curator, ClusterPaths.LEADER, instanceId);
        this.members = CuratorCache.build(curator, ClusterPaths.MEMBERS);
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "duet-shard-leader");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() throws Exception {
        members.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> schedulePublish())
                .forInitialized(this::schedulePublish)
                .build());
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                LOG.info("{} leads shard assignment", instanceId);
                schedulePublish();
            }

            @Override
            public void notLeader() {
                LOG.info("{} no longer leads shard assignment", instanceId);
            }
        });
        members.start();
        latch.start();
    }

    private void schedulePublish() {
        if (publishScheduled.compareAndSet(false, true)) {
            executor.schedule(() -> {
                publishScheduled.set(false);
                publishIfLeader();
            }, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void publishIfLeader() {
        if (!latch.hasLeadership()) {
            return;
        }
        try {
            Stat stat = new Stat();
            ShardMapUpdate update = new ShardMapUpdate();
            ShardMap previous = null;
            try {
                byte[] data = curator.getData().storingStatIn(stat).forPath(ClusterPaths.SHARD_MAP);
                previous = update.readPublished(data);
            } catch (KeeperException.NoNodeException e) {
                stat = null;
            }
            ShardMap next = ShardAssigner.next(previous, shardCount, liveServers(update), instanceId, clock.millis());
            if (next == null) {
                return;
            }
            byte[] encoded = update.write(previous, next);
            if (stat == null) {
                curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, encoded);
            } else {
                curator.setData().withVersion(stat.getVersion()).forPath(ClusterPaths.SHARD_MAP, encoded);
            }
            LOG.info("Published shard map epoch {} over {}", next.getEpoch(), next.getServers().keySet());
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
            LOG.info("Shard map changed under us; recomputing");
            schedulePublish();
        } catch (MalformedPayloadException e) {
            LOG.error("The published shard map is unreadable; not overwriting it", e);
        } catch (Exception e) {
            LOG.warn("Cannot publish the shard map; retrying", e);
            executor.schedule(this::schedulePublish, 1, TimeUnit.SECONDS);
        }
    }

    private Map<String, AppServerInfo> liveServers(ShardMapUpdate update) {
        Map<String, AppServerInfo> live = new TreeMap<>();
        for (ChildData child : members.stream().toArray(ChildData[]::new)) {
            if (child.getPath().equals(ClusterPaths.MEMBERS) || child.getData() == null) {
                continue;
            }
            try {
                live.put(ZKPaths.getNodeFromPath(child.getPath()), update.readMember(child.getData()));
            } catch (MalformedPayloadException e) {
                LOG.warn("Ignoring unreadable member {}", child.getPath(), e);
            }
        }
        return live;
    }

    /** Gives up leadership (another server takes over) and stops. */
    @Override
    public void close() throws IOException {
        executor.shutdownNow();
        try {
            latch.close();
        } finally {
            members.close();
        }
    }
}
