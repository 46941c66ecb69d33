package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.thrift.MalformedPayloadException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on every application server: elects the shard map's publisher, and on the elected leader
 * republishes the map whenever the set of live servers changes.
 *
 * <p><b>Live</b> means a member (an ephemeral node under {@link ClusterPaths#MEMBERS}) that the {@link
 * FailureDetector} does not suspect (by heartbeat lag; a shorter one for a server that presentation
 * servers report crashed). Every server checks for suspects every {@code tick}: the leader republishes
 * without them at once, and any server deletes a suspect's leader-latch node, so that a dead leader is
 * replaced as fast as any other server rather than when its ZooKeeper session expires.
 *
 * <p><b>Leader fencing.</b> Before each publication, after a sync, the leader reads the election's
 * nodes and goes on only if its own latch node is the lowest (sequence numbers only grow, so while that
 * node exists it stays the lowest). The map is then published in one ZooKeeper transaction that checks
 * that exact node still exists, so a leader deposed while paused (its node deleted by a peer, or its
 * session expired) cannot publish; it finds out, and joins the election again. Membership is read fresh
 * from ZooKeeper for every publication, never from a cache that a pause may have left stale, and the
 * transaction checks the version of every member node the map lists: a map built from membership that
 * changed before it was committed (a server left, or registered again) is rejected and recomputed. The
 * map's version is compared too, so a map is always derived from the latest one and epochs only grow. A
 * map published by someone else (a new leader, an operator) makes the leader recompute.
 *
 * <p><b>Operator requests.</b> Drains and shard moves ({@link OperatorRequests}, written by {@code
 * bin/duet-admin}) are watched too: a change makes the leader republish at once, reading them fresh like
 * the members; move requests are deleted once a publication has dealt with them.
 *
 * <p>All ZooKeeper calls here happen on one named thread, {@code duet-shard-leader}.
 */
public final class ShardMapPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMapPublisher.class);
    /** Joins within this window are folded into one publication (start-up, rolling restarts). */
    private static final long JOIN_DEBOUNCE_MILLIS = 200;
    private static final long SYNC_TIMEOUT_MILLIS = 2000;
    private static final long PLACEMENT_REFRESH_SECONDS = 30;

    private final CuratorFramework curator;
    private final String instanceId;
    private final int shardCount;
    private final Clock clock;
    private final FailureDetector detector;
    private final Duration tick;
    private final Supplier<CompletableFuture<Placement>> placements;
    private final Duration joinGrace;
    private final CuratorCache members;
    private final OperatorRequestStore operatorRequests;
    private final ScheduledExecutorService executor;
    // @GuardedBy("this")
    private ScheduledFuture<?> scheduledPublish;
    // @GuardedBy("this")
    private long scheduledPublishDue;
    // Confined to the executor.
    private LeaderLatch latch;
    private Set<String> suspects = Set.of();
    private long lastLatchCheckMillis;
    private volatile Placement placement = Placement.none();
    private volatile boolean closed;
    private final AtomicLong rejectedAsDeposed = new AtomicLong();
    private final AtomicLong rejectedAsStale = new AtomicLong();
    private volatile Consumer<ShardMap> beforeCommit = next -> { };

    /**
     * @param tick how often to look for suspected servers
     * @param joinGrace how long a newly joined server waits before it is given shards (when others can serve)
     * @param placements where each shard's HBase region is now, asked before each publication so that
     *     shards that must move prefer a server on their region's host
     */
    public ShardMapPublisher(CuratorFramework curator, String instanceId, int shardCount, Clock clock,
            FailureDetector detector, Duration tick, Duration joinGrace,
            Supplier<CompletableFuture<Placement>> placements) {
        this.curator = curator;
        this.instanceId = instanceId;
        this.shardCount = shardCount;
        this.clock = clock;
        this.detector = detector;
        this.tick = tick;
        this.placements = placements;
        this.joinGrace = joinGrace;
        this.members = CuratorCache.build(curator, ClusterPaths.MEMBERS);
        this.operatorRequests = new OperatorRequestStore(curator);
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "duet-shard-leader");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() throws Exception {
        // A server leaving on purpose is handed over at once; joins wait briefly to be folded together.
        members.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> schedulePublish(
                        type == CuratorCacheListener.Type.NODE_DELETED ? 0 : JOIN_DEBOUNCE_MILLIS))
                .forInitialized(() -> schedulePublish(JOIN_DEBOUNCE_MILLIS))
                .build());
        members.start();
        operatorRequests.start(() -> schedulePublish(0));
        executor.submit(this::joinElection).get();
        executor.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::refreshPlacement, 0, PLACEMENT_REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    /** Called with every new shard map: one this leader did not publish makes it recompute. */
    public void shardMapChanged(ShardMapView view) {
        if (!instanceId.equals(view.leaderId())) {
            schedulePublish(0);
        }
    }

    private void joinElection() {
        LeaderLatch next = new LeaderLatch(curator, ClusterPaths.LEADER, instanceId);
        next.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                LOG.info("{} leads shard assignment", instanceId);
                schedulePublish(0);
            }

            @Override
            public void notLeader() {
                LOG.info("{} no longer leads shard assignment", instanceId);
            }
        }, executor);
        try {
            next.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot join the leader election", e);
        }
        latch = next;
    }

    /** Leaves the election and joins it again: after this server's latch node was deleted by a peer. */
    private void rejoinElection() {
        LOG.warn("{} was deposed as a leader candidate (its latch node is gone); joining the election again",
                instanceId);
        try {
            latch.close(LeaderLatch.CloseMode.SILENT);
        } catch (Exception e) {
            LOG.debug("Closing the old latch failed: {}", e.toString());
        }
        joinElection();
    }

    /** Publishes (if leading) after {@code delayMillis}, or sooner if a publication is already due sooner. */
    private synchronized void schedulePublish(long delayMillis) {
        if (closed) {
            return;
        }
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        if (scheduledPublish != null && !scheduledPublish.isDone()) {
            if (scheduledPublishDue <= due) {
                return;
            }
            scheduledPublish.cancel(false);
        }
        scheduledPublishDue = due;
        scheduledPublish = executor.schedule(this::runScheduledPublish, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void runScheduledPublish() {
        synchronized (this) {
            // From here on a new request schedules a new run, even one asked for by this very run.
            scheduledPublish = null;
        }
        publishIfLeader();
    }

    /** Every tick: find newly suspected servers, depose them from the election, republish without them. */
    private void tick() {
        try {
            Set<String> memberIds = memberIdsFromCache();
            Set<String> now = detector.suspects(memberIds);
            if (!now.equals(suspects)) {
                Set<String> added = new TreeSet<>(now);
                added.removeAll(suspects);
                for (String id : added) {
                    Set<String> reporters = detector.reporters(id);
                    LOG.warn("Suspecting {}: its heartbeat lags {} ms{}", id, detector.lagMillis(id),
                            reporters.isEmpty() ? "" : " and its relay endpoint refuses connections (reported by "
                                    + reporters + ")");
                }
                Set<String> cleared = new TreeSet<>(suspects);
                cleared.removeAll(now);
                if (!cleared.isEmpty()) {
                    LOG.info("No longer suspecting {}", cleared);
                }
                suspects = now;
                if (!added.isEmpty()) {
                    deposeFromElection(added);
                }
                schedulePublish(0);
            }
            long nowMillis = clock.millis();
            if (nowMillis - lastLatchCheckMillis > 1000) {
                lastLatchCheckMillis = nowMillis;
                if (!suspects.isEmpty()) {
                    deposeFromElection(suspects);
                }
                if (latch.getOurPath() != null && curator.checkExists().forPath(latch.getOurPath()) == null) {
                    rejoinElection();
                }
            }
        } catch (Exception e) {
            LOG.debug("Failure-detector tick failed: {}", e.toString());
        }
    }

    /** Deletes the latch nodes of suspected servers, so that a dead leader is replaced now. */
    private void deposeFromElection(Set<String> suspected) throws Exception {
        List<String> children;
        try {
            children = curator.getChildren().forPath(ClusterPaths.LEADER);
        } catch (KeeperException.NoNodeException e) {
            return;
        }
        for (String child : children) {
            String path = ClusterPaths.LEADER + "/" + child;
            try {
                String id = new String(curator.getData().forPath(path), StandardCharsets.UTF_8);
                if (suspected.contains(id) && !id.equals(instanceId)) {
                    curator.delete().forPath(path);
                    LOG.warn("Removed suspected {} from the leader election", id);
                }
            } catch (KeeperException.NoNodeException e) {
                // Gone already.
            }
        }
    }

    private Set<String> memberIdsFromCache() {
        Set<String> ids = new TreeSet<>();
        members.stream().filter(node -> !node.getPath().equals(ClusterPaths.MEMBERS))
                .forEach(node -> ids.add(node.getPath().substring(ClusterPaths.MEMBERS.length() + 1)));
        return ids;
    }

    private void publishIfLeader() {
        if (closed || latch == null || !latch.hasLeadership()) {
            return;
        }
        String ourNode = latch.getOurPath();
        try {
            syncWithLeader();
            if (ourNode == null || !LeaderFence.leads(curator, ourNode)) {
                // The latch was reset (a new node) or has not yet seen that it lost: it is not the leader.
                return;
            }
            Stat stat = new Stat();
            ShardMapUpdate update = new ShardMapUpdate();
            ShardMap previous = null;
            try {
                byte[] data = curator.getData().storingStatIn(stat).forPath(ClusterPaths.SHARD_MAP);
                previous = update.readPublished(data);
            } catch (KeeperException.NoNodeException e) {
                stat = null;
            }
            Map<String, Integer> memberVersions = new TreeMap<>();
            Map<String, AppServerInfo> live = liveServers(update, previous, memberVersions);
            OperatorRequestStore.Snapshot requests = operatorRequests.read();
            ShardMap next = ShardAssigner.next(previous, shardCount, live, placement, requests.requests(),
                    instanceId, clock.millis());
            if (next == null) {
                operatorRequests.done(requests, previous, live);
                return;
            }
            byte[] encoded = update.write(previous, next);
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(curator.transactionOp().check().forPath(ourNode));
            for (Map.Entry<String, Integer> member : memberVersions.entrySet()) {
                ops.add(curator.transactionOp().check().withVersion(member.getValue())
                        .forPath(ClusterPaths.member(member.getKey())));
            }
            ops.add(stat == null
                    ? curator.transactionOp().create().forPath(ClusterPaths.SHARD_MAP, encoded)
                    : curator.transactionOp().setData().withVersion(stat.getVersion()).forPath(ClusterPaths.SHARD_MAP, encoded));
            beforeCommit.accept(next);
            LeaderFence.commit(curator, ops);
            ShardAssigner.Movement movement = ShardAssigner.movement(previous, next);
            LOG.info("Published shard map epoch {} over {}{}: {}", next.getEpoch(), live.keySet(),
                    suspects.isEmpty() ? "" : " (suspected: " + suspects + ")", movement);
            operatorRequests.done(requests, next, live);
        } catch (LeaderFence.Deposed e) {
            rejectedAsDeposed.incrementAndGet();
            rejoinElection();
        } catch (LeaderFence.StaleMembers e) {
            rejectedAsStale.incrementAndGet();
            LOG.info("Membership changed while the shard map was computed; recomputing");
            schedulePublish(0);
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
            LOG.info("Shard map changed under us; recomputing");
            schedulePublish(0);
        } catch (MalformedPayloadException e) {
            LOG.error("The published shard map is unreadable; not overwriting it", e);
        } catch (Exception e) {
            LOG.warn("Cannot publish the shard map; retrying: {}", e.toString());
            schedulePublish(1000);
        }
    }

    /** Publications rejected because this server no longer led when it committed. */
    long rejectedAsDeposed() {
        return rejectedAsDeposed.get();
    }

    /** Publications rejected because a member left or registered again before the commit. */
    long rejectedAsStale() {
        return rejectedAsStale.get();
    }

    /**
     * For tests: runs on the publishing thread with each map just before its transaction, so that a test
     * can hold a leader there, as a long GC or a SIGSTOP at the worst moment would.
     */
    void beforeCommit(Consumer<ShardMap> hook) {
        this.beforeCommit = hook;
    }

    /**
     * Asks HBase where the shards' regions are, in the background; publications use the latest answer
     * without waiting (a stale one only costs locality). Every server does it, so that one taking over
     * the lead has a fresh answer and a warm path.
     */
    private void refreshPlacement() {
        placements.get().whenComplete((fresh, failure) -> {
            if (failure != null) {
                LOG.debug("Region hosts not refreshed: {}", failure.toString());
            } else {
                placement = fresh;
            }
        });
    }

    /** Makes the reads that follow see everything the ZooKeeper leader has committed. */
    private void syncWithLeader() throws Exception {
        CountDownLatch synced = new CountDownLatch(1);
        curator.sync().inBackground((client, event) -> synced.countDown()).forPath(ClusterPaths.MEMBERS);
        if (!synced.await(SYNC_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("ZooKeeper sync took over " + SYNC_TIMEOUT_MILLIS + " ms");
        }
    }

    /**
     * Members read from ZooKeeper now, less the suspected ones and, while other servers can serve, those
     * that joined less than the join grace ago: a just-started server gets its shards once presentation
     * servers have connected to it and its JVM has warmed, so that the sessions it is handed do not wait
     * for either; while every server is in its grace (a cluster starting), all of them count. A publication is
     * scheduled for when the grace ends. Once some server is past its grace, one still in its grace that owns
     * shards in the {@code previous} map (it was given them while all were, as in a staggered start) keeps
     * counting: taking them away until its grace ends would move them twice. Fills {@code versions}
     * with the node version of each server returned, for the publication's transaction to check.
     */
    private Map<String, AppServerInfo> liveServers(ShardMapUpdate update, ShardMap previous,
            Map<String, Integer> versions) throws Exception {
        Map<String, AppServerInfo> live = new TreeMap<>();
        Map<String, Long> joinedAt = new TreeMap<>();
        List<String> ids;
        try {
            ids = curator.getChildren().forPath(ClusterPaths.MEMBERS);
        } catch (KeeperException.NoNodeException e) {
            return live;
        }
        Set<String> suspected = detector.suspects(ids);
        for (String id : ids) {
            if (suspected.contains(id)) {
                continue;
            }
            try {
                Stat stat = new Stat();
                live.put(id, update.readMember(curator.getData().storingStatIn(stat).forPath(ClusterPaths.member(id))));
                joinedAt.put(id, stat.getCtime());
                versions.put(id, stat.getVersion());
            } catch (KeeperException.NoNodeException e) {
                // Left meanwhile.
            } catch (MalformedPayloadException e) {
                LOG.warn("Ignoring unreadable member {}", id, e);
            }
        }
        long now = detector.zookeeperNowMillis();
        Set<String> owners = previous == null || previous.getShards() == null ? Set.of()
                : previous.getShards().stream().map(ShardAssignment::getOwner).filter(java.util.Objects::nonNull)
                        .collect(java.util.stream.Collectors.toSet());
        Map<String, AppServerInfo> settled = new TreeMap<>(live);
        long nextGraceEnd = Long.MAX_VALUE;
        for (Map.Entry<String, Long> joined : joinedAt.entrySet()) {
            long graceLeft = joined.getValue() + joinGrace.toMillis() - now;
            if (graceLeft > 0) {
                settled.remove(joined.getKey());
                nextGraceEnd = Math.min(nextGraceEnd, graceLeft);
            }
        }
        if (!suspected.isEmpty()) {
            LOG.info("Members {}: not assigning to suspected {}", ids, suspected);
        }
        if (settled.isEmpty() || settled.size() == live.size()) {
            return live;
        }
        for (Map.Entry<String, AppServerInfo> member : live.entrySet()) {
            if (owners.contains(member.getKey())) {
                settled.put(member.getKey(), member.getValue());
            }
        }
        if (settled.size() == live.size()) {
            return live;
        }
        versions.keySet().retainAll(settled.keySet());
        LOG.info("Members {}: {} joined less than {} ms ago (ZooKeeper time {}, joined {})", ids,
                live.keySet().stream().filter(id -> !settled.containsKey(id)).collect(java.util.stream.Collectors.toList()),
                joinGrace.toMillis(), now, joinedAt);
        schedulePublish(nextGraceEnd + 10);
        return settled;
    }

    /** Gives up leadership (another server takes over) and stops. */
    @Override
    public void close() {
        closed = true;
        try {
            executor.submit(() -> {
                if (latch != null) {
                    try {
                        latch.close();
                    } catch (Exception e) {
                        LOG.debug("Closing the latch failed: {}", e.toString());
                    }
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Leaving the leader election failed: {}", e.toString());
        } finally {
            executor.shutdownNow();
            members.close();
            operatorRequests.close();
        }
    }
}
