package io.duet.app.cluster;

import io.duet.protocol.cluster.ClusterPaths;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handoffs that serve no stale read: a server given a shard claims its couples only once no other server
 * can still be serving it.
 *
 * <p>Each server acknowledges every shard map it applies ({@link #applied}) in its node under {@link
 * ClusterPaths#MAP_ACKS}, made when it starts ({@link #start}) and again before it registers anew after a
 * lost session ({@link #recreate}): once a server has set a map as its current one, a call it runs finds
 * the shards that map took away gone. The new owner of a shard moved at epoch {@code e} waits ({@link
 * #released}) until every other server has acknowledged {@code e} or newer, or cannot be serving: its
 * heartbeat lags the newest by more than the lease plus a heartbeat interval (its lease has run out, see
 * {@link Heartbeat}; the interval for this server's view of the others' heartbeats, a notification behind
 * its own), or it has had no heartbeat node for a lease, or it has no acknowledgement node (a release from
 * before acknowledgements, which the new owner does not wait for, as before them). Without the wait, the
 * old owner, seeing a planned move's map a little later than the new one (80-160 ms later on a busy box for
 * a JVM that just started), could serve a read of a couple the new owner had already written to. A crashed
 * or paused owner costs no wait: the map that takes its shards comes once its heartbeat lags past the lease.
 *
 * <p>Waits are kept per epoch, and checked on every change of the acknowledgements and every {@value
 * #CHECK_MILLIS} ms while any is pending (heartbeats lag without notice); a wait longer than {@link
 * #SLOW_WAIT} is logged once, with the servers it waits for. A claim waits at most the couple's load
 * timeout, then fails as a claim that does not answer.
 */
final class MapAcks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MapAcks.class);
    static final long CHECK_MILLIS = 10;
    static final Duration SLOW_WAIT = Duration.ofSeconds(1);
    static final long RETRY_MILLIS = 100;

    private final CuratorFramework curator;
    private final String instanceId;
    private final long leaseMillis;
    private final long lagPastLeaseMillis;
    private final CuratorCache acks;
    private final ScheduledThreadPoolExecutor checker;
    /** The newest epoch whose acknowledgement was written or is on its way. */
    private final AtomicLong published = new AtomicLong();
    /** Heartbeat lag by server id, in ms, -1 without a heartbeat; set once the failure detector runs. */
    private volatile ToLongFunction<String> lagMillis;
    /** Servers seen without a heartbeat node, and since when (System.nanoTime()). */
    private final Map<String, Long> missingSince = new ConcurrentHashMap<>();
    // Confined to the checker thread.
    private final Map<Long, Wait> waits = new TreeMap<>();
    private ScheduledFuture<?> polling;
    private volatile boolean closed;

    /** The claims' wait for epoch {@code epoch} to be acknowledged everywhere. */
    private static final class Wait {
        final long sinceNanos = System.nanoTime();
        final CompletableFuture<Void> released = new CompletableFuture<>();
        boolean slowLogged;
    }

    /**
     * @param lease the servers' heartbeat lease ({@link ClusterMember#lease})
     * @param heartbeatInterval how often they renew it
     */
    MapAcks(CuratorFramework curator, String instanceId, Duration lease, Duration heartbeatInterval) {
        this.curator = curator;
        this.instanceId = instanceId;
        this.leaseMillis = lease.toMillis();
        this.lagPastLeaseMillis = lease.plus(heartbeatInterval).toMillis();
        this.acks = CuratorCache.build(curator, ClusterPaths.MAP_ACKS);
        this.checker = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "duet-map-acks");
            thread.setDaemon(true);
            return thread;
        });
        checker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Makes this server's node (no map applied yet) and starts following the others'; blocking, at start-up. */
    void start() throws Exception {
        recreate();
        acks.listenable().addListener((type, before, after) -> onChecker(this::check));
        acks.start();
    }

    /**
     * Makes this server's node again, with the newest epoch it acknowledged, if its session lost it: before the
     * server registers anew, so that the maps giving it shards again find it. Blocking.
     */
    void recreate() throws Exception {
        byte[] data = encode(published.get());
        try {
            curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(ClusterPaths.mapAck(instanceId), data);
        } catch (KeeperException.NodeExistsException e) {
            // Still there: the acknowledgements written since stand.
        }
    }

    /** From now on, a server whose heartbeat lags past the lease is not waited for (set once it is known). */
    void judgeBy(FailureDetector detector) {
        lagMillis = detector::lagMillis;
    }

    /**
     * Acknowledges map {@code epoch}, applied: this server serves no shard it took away. Asynchronous; an
     * epoch not newer than the last acknowledged is ignored. Called on the shard map's listener thread.
     */
    void applied(long epoch) {
        if (published.getAndAccumulate(epoch, Math::max) < epoch) {
            write(epoch, false);
        }
    }

    /**
     * Writes the acknowledgement of {@code epoch}, making the node if it is missing, and tries again every
     * {@value #RETRY_MILLIS} ms while it fails and is still the newest: the others wait for it.
     */
    private void write(long epoch, boolean retried) {
        if (closed || published.get() != epoch) {
            return;
        }
        byte[] data = encode(epoch);
        String path = ClusterPaths.mapAck(instanceId);
        try {
            curator.setData().inBackground((client, event) -> {
                int code = event.getResultCode();
                if (code == KeeperException.Code.NONODE.intValue()) {
                    curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                            .inBackground((again, created) -> {
                                if (created.getResultCode() != KeeperException.Code.OK.intValue()) {
                                    retry(epoch, KeeperException.Code.get(created.getResultCode()), retried);
                                }
                            }).forPath(path, data);
                } else if (code != KeeperException.Code.OK.intValue()) {
                    retry(epoch, KeeperException.Code.get(code), retried);
                }
            }).forPath(path, data);
        } catch (Exception e) {
            retry(epoch, e, retried);
        }
    }

    private void retry(long epoch, Object why, boolean retried) {
        if (!retried) {
            LOG.warn("Shard map epoch {} not acknowledged ({}); retrying every {} ms: servers given shards it moved "
                    + "wait for it", epoch, why, RETRY_MILLIS);
        }
        try {
            checker.schedule(() -> write(epoch, true), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed.
        }
    }

    private static byte[] encode(long epoch) {
        return Long.toString(epoch).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Completes once no server but this one can be serving a shard that map {@code epoch} moved (see the class
     * comment); at once in a cluster that has applied it everywhere. Fails if this closes first.
     */
    CompletableFuture<Void> released(long epoch) {
        if (holders(epoch).isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> released = new CompletableFuture<>();
        if (!onChecker(() -> {
            if (closed) {
                released.completeExceptionally(new IllegalStateException("shutting down"));
                return;
            }
            waits.computeIfAbsent(epoch, e -> new Wait()).released.whenComplete((ok, failure) -> {
                if (failure != null) {
                    released.completeExceptionally(failure);
                } else {
                    released.complete(null);
                }
            });
            check();
        })) {
            released.completeExceptionally(new IllegalStateException("shutting down"));
        }
        return released;
    }

    /** The other servers that may still serve a shard map {@code epoch} moved, with the epoch they acknowledged. */
    Map<String, Long> holders(long epoch) {
        ToLongFunction<String> lags = lagMillis;
        Map<String, Long> holders = new TreeMap<>();
        String prefix = ClusterPaths.MAP_ACKS + "/";
        long now = System.nanoTime();
        for (ChildData node : acks.stream().toList()) {
            if (!node.getPath().startsWith(prefix) || node.getData() == null) {
                continue;
            }
            String server = node.getPath().substring(prefix.length());
            long acked = parse(node.getData());
            if (server.equals(instanceId) || acked >= epoch) {
                continue;
            }
            long lag = lags == null ? 0 : lags.applyAsLong(server);
            if (lag >= 0) {
                missingSince.remove(server);
            }
            boolean gone = lag < 0 ? now - missingSince.computeIfAbsent(server, missing -> now)
                    >= TimeUnit.MILLISECONDS.toNanos(leaseMillis) : lag > lagPastLeaseMillis;
            if (!gone) {
                holders.put(server, acked);
            }
        }
        return holders;
    }

    private static long parse(byte[] data) {
        try {
            return Long.parseLong(new String(data, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // not ours to judge: a newer release's format
        }
    }

    private void check() {
        for (Iterator<Map.Entry<Long, Wait>> it = waits.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Wait> entry = it.next();
            Wait wait = entry.getValue();
            Map<String, Long> holders = holders(entry.getKey());
            if (holders.isEmpty()) {
                it.remove();
                wait.released.complete(null);
            } else if (!wait.slowLogged && System.nanoTime() - wait.sinceNanos > SLOW_WAIT.toNanos()) {
                wait.slowLogged = true;
                LOG.warn("Waiting over {} ms for servers to acknowledge shard map epoch {} before claiming couples it "
                        + "moved here; they acknowledged: {}", SLOW_WAIT.toMillis(), entry.getKey(), holders);
            }
        }
        if (waits.isEmpty() && polling != null) {
            polling.cancel(false);
            polling = null;
        } else if (!waits.isEmpty() && polling == null) {
            polling = checker.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private boolean onChecker(Runnable task) {
        try {
            checker.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Fails the claims still waiting, stops following the acknowledgements and withdraws this server's. */
    @Override
    public void close() {
        closed = true;
        onChecker(() -> {
            waits.values().forEach(wait -> wait.released.completeExceptionally(new IllegalStateException("shutting down")));
            waits.clear();
        });
        checker.shutdown();
        acks.close();
        try {
            curator.delete().quietly().forPath(ClusterPaths.mapAck(instanceId));
        } catch (Exception e) {
            LOG.debug("Map acknowledgement not deleted: {}", e.toString());
        }
    }
}
