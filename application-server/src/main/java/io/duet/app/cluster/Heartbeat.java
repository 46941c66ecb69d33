package io.duet.app.cluster;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's liveness in ZooKeeper, and its lease.
 *
 * <p>Every {@code interval} it rewrites its ephemeral node under {@link ClusterPaths#HEARTBEATS}; the
 * {@link FailureDetector} of every other server declares it dead when that node's modification time
 * falls {@code failureTimeout} behind the newest heartbeat of the cluster. Measured in ZooKeeper's own
 * clock, that is immune to pauses of the observer.
 *
 * <p>The lease is the other side of the same rule: a renewal sent at local time {@code t} and
 * acknowledged was written at or after {@code t}, so no detector can declare this server dead for a
 * lagging heartbeat before {@code t + lease}, where the lease is the shorter of the detector's two
 * timeouts: the crash-suspect timeout, which suffices when a presentation server reports this server's
 * relay endpoint refusing connections (see {@link FailureDetector}). Such a report may be wrong, and it
 * may be made while this server is paused, when it cannot learn of it; so the lease never counts on
 * there being none. Past the lease, with no newer acknowledgement, this server may have been replaced
 * and must not serve (a SIGSTOP, a long GC pause, a ZooKeeper partition, a heartbeat thread starved of
 * CPU). When a renewal is acknowledged again after a lapse, {@code onRegained} runs so that the owner
 * re-reads the shard map before serving: a lapse costs the time it lasted plus one read of the map.
 * Safety never rests on the lease: HBase fences every write. It keeps reads from being served stale.
 *
 * <p>A renewal also proves that this server keeps up with the shard map ({@link #mapVersionFrom}): it is
 * one ZooKeeper transaction that writes only while the map node is still at the version this server last
 * applied. A server that has not applied a newer map within half a lease (its map listener stuck, or its
 * ZooKeeper client's threads starved) is then no longer renewed, stops serving, and is in time taken for
 * dead, instead of heartbeating on while it serves shards the map took away and the new owners wait for its
 * acknowledgement ({@link MapAcks}). A map on its way costs nothing: for half a lease after a check first
 * failed at a version (the grace: a saturated box was seen taking 250-450 ms to apply a map), a renewal that
 * fails it is made again without the check, and once the map is applied ({@link #mapApplied}) the next renewal
 * goes at once; a server that applied a map while the next was already out gets a new grace. Past the grace,
 * renewals are held back, and counted ({@link #heldBack()}): a stuck server stops heartbeating about an
 * interval and half a lease after the map was published. A server that has applied no map yet (just started,
 * or the map node was deleted) first asks whether there is one: if so it is behind it, as above but with a grace
 * of {@link #FIRST_MAP_GRACE} (a listener stuck on its very first map), and if not it renews without the check.
 *
 * <p>The node's data is the server's {@link ServerStatus} (see {@link #statusFrom}), for operators: it
 * is taken afresh for every renewal, on the heartbeat thread.
 */
public final class Heartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
    /**
     * The grace of a server that has applied no map while one exists, instead of half a lease: a server applies
     * the map it finds at its start within milliseconds, but a cold JVM on a saturated box is slower, and it owns
     * nothing yet (a member gets shards after its warm-up and {@code cluster.join-grace}), so a longer grace costs
     * little. What it bounds: a server stuck on its first map, whose acknowledgement {@link MapAcks} waits for,
     * holds others' claims this long plus a lease, instead of up to their load timeout (30 s).
     */
    static final Duration FIRST_MAP_GRACE = Duration.ofSeconds(5);

    private final CuratorFramework curator;
    private final String path;
    private final Duration interval;
    private final long leaseNanos;
    private final Runnable onRegained;
    private final LongAdder lapses = new LongAdder();
    private final LongAdder heldBack = new LongAdder();
    private volatile Supplier<ServerStatus> status = ServerStatus::new;
    /** The version of the newest map this server applied; null: renewals check no map ({@link #mapVersionFrom}). */
    private volatile IntSupplier appliedMapVersion;
    /** How long renewals go on unchecked once a check failed: half the lease (see the class comment). */
    private final long mapGraceNanos;
    /**
     * Whether a checked renewal found a map this server had not applied, and no checked renewal has succeeded
     * since; set by renewals' answers (ZooKeeper's event thread), read by {@link #mapApplied} too.
     */
    private volatile boolean behind;
    /** The version this server had applied when it was found behind, and since when (System.nanoTime()). */
    private volatile int behindVersion;
    private volatile long behindSinceNanos;
    private volatile boolean heldLogged;
    private final ScheduledExecutorService executor;
    /** System.nanoTime() at which the newest acknowledged renewal was sent; 0 before the first one. */
    private volatile long lastAckedSendNanos;
    /** The node's modification time (ZooKeeper's clock) as of that renewal; 0 before the first. */
    private volatile long lastAckedMtime;
    private volatile boolean closed;
    private long renewals;

    /**
     * @param lease how long an acknowledged renewal lets this server serve: the shortest lag past which a
     *     failure detector may declare it dead (see the class comment)
     */
    public Heartbeat(CuratorFramework curator, String instanceId, Duration interval, Duration lease,
            Runnable onRegained) {
        if (interval.isNegative() || interval.isZero() || interval.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("heartbeat interval: " + interval + " (expected: > 0 and < the lease, "
                    + lease + ")");
        }
        this.curator = curator;
        this.path = ClusterPaths.heartbeat(instanceId);
        this.interval = interval;
        this.leaseNanos = lease.toNanos();
        this.mapGraceNanos = leaseNanos / 2;
        this.onRegained = onRegained;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "duet-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * What each renewal writes, its renewal count aside; called on the heartbeat thread, so it must be
     * quick and must not block. Set it before {@link #start()}.
     */
    public void statusFrom(Supplier<ServerStatus> status) {
        this.status = Objects.requireNonNull(status, "status");
    }

    /**
     * What each renewal checks the shard map node's version against: the version of the newest map this
     * server has applied, -1 for none (the renewal then first asks whether one exists: not in the same
     * transaction, so one unchecked renewal may pass as a map is published). Unset, renewals check no
     * map (a heartbeat of a test that follows no map). Called on the heartbeat thread and
     * on renewals' answers; set it before {@link #start()}.
     */
    public void mapVersionFrom(IntSupplier appliedMapVersion) {
        this.appliedMapVersion = Objects.requireNonNull(appliedMapVersion, "appliedMapVersion");
    }

    /**
     * Tells that this server applied a newer map: once a renewal found it behind, the next one goes at once
     * rather than at the next interval.
     */
    public void mapApplied() {
        if (behind) {
            renewNow(true);
        }
    }

    private void renewNow(boolean checked) {
        onHeartbeatThread(() -> renew(checked));
    }

    /** Runs {@code task} on the heartbeat thread, unless the heartbeat is closed. */
    private void onHeartbeatThread(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // Closed.
        }
    }

    /** Creates the node (blocking, at start-up) and starts renewing it. */
    public void start() throws Exception {
        long sent = System.nanoTime();
        Stat written = new Stat();
        try {
            curator.create().storingStatIn(written).creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(path, payload());
        } catch (KeeperException.NodeExistsException e) {
            written = curator.setData().forPath(path, payload());
        }
        lastAckedMtime = written.getMtime();
        lastAckedSendNanos = sent;
        executor.scheduleAtFixedRate(() -> renew(true), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * ZooKeeper's time when it wrote the newest acknowledged renewal: the node's modification time, which the
     * {@link FailureDetector} of this server takes instead of reading the node back; 0 before the first.
     */
    public long zookeeperMillis() {
        return lastAckedMtime;
    }

    /** True while no one can have declared this server dead (see the class comment). */
    public boolean leaseValid() {
        long acked = lastAckedSendNanos;
        return acked != 0 && System.nanoTime() - acked < leaseNanos;
    }

    /** How many times the lease lapsed and was regained since this heartbeat started. */
    public long lapses() {
        return lapses.sum();
    }

    /** How many renewals were held back: found behind the same shard map for longer than the grace. */
    public long heldBack() {
        return heldBack.sum();
    }

    private byte[] payload() {
        ServerStatus now;
        try {
            now = status.get();
        } catch (RuntimeException e) {
            // The status is for operators; liveness must not depend on it.
            LOG.warn("Heartbeat without a status: {}", e.toString());
            now = new ServerStatus();
        }
        return ThriftCodec.INTERNAL.encode(now.setRenewals(++renewals));
    }

    /**
     * @param checked whether the renewal checks the map's version (asks whether one exists, if this server has
     *     applied none); an unchecked one is not sent past the grace (see the class comment)
     */
    private void renew(boolean checked) {
        if (closed || !checked && System.nanoTime() - behindSinceNanos >= graceNanos(behindVersion)) {
            return;
        }
        long sent = System.nanoTime();
        IntSupplier versions = appliedMapVersion;
        try {
            if (!checked || versions == null) {
                renewUnchecked(sent);
                return;
            }
            int mapVersion = versions.getAsInt();
            if (mapVersion < 0) {
                // Nothing applied to check a version against: is there a map to apply? (An extra read, made only
                // until this server has applied one.)
                curator.checkExists().inBackground((client, event) -> renewedIfNoMap(event, sent))
                        .forPath(ClusterPaths.SHARD_MAP);
                return;
            }
            curator.transaction().inBackground((client, event) -> renewedIfMapApplied(event, sent, mapVersion))
                    .forOperations(
                            curator.transactionOp().check().withVersion(mapVersion).forPath(ClusterPaths.SHARD_MAP),
                            curator.transactionOp().setData().forPath(path, payload()));
        } catch (Exception e) {
            LOG.debug("Heartbeat not sent: {}", e.toString());
        }
    }

    /** A renewal without the map check; on the heartbeat thread, which takes the status ({@link #statusFrom}). */
    private void renewUnchecked(long sent) {
        try {
            curator.setData().inBackground((client, event) -> renewed(event, sent)).forPath(path, payload());
        } catch (Exception e) {
            LOG.debug("Heartbeat not sent: {}", e.toString());
        }
    }

    /**
     * The answer to whether a map exists, asked by a renewal of a server that has applied none (on ZooKeeper's
     * event thread): if one does, this server is behind it; if none does, the renewal is made, from the
     * heartbeat thread.
     */
    private void renewedIfNoMap(CuratorEvent event, long sent) {
        KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
        if (code == KeeperException.Code.OK) {
            behindMap(-1);
        } else if (code == KeeperException.Code.NONODE) {
            caughtUp();
            onHeartbeatThread(() -> renewUnchecked(sent));
        }
        // Otherwise ZooKeeper did not answer (connection lost): the next interval tries again.
    }

    /** A renewal's answer when it checked the map's version first: behind a newer map, or as a plain one. */
    private void renewedIfMapApplied(CuratorEvent event, long sent, int mapVersion) throws Exception {
        if (mapChanged(event)) {
            behindMap(mapVersion);
            return;
        }
        if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
            caughtUp();
        }
        List<CuratorTransactionResult> results = event.getOpResults();
        Stat written = results == null || results.size() < 2 ? null : results.get(1).getResultStat();
        renewed(KeeperException.Code.get(event.getResultCode()), written, sent);
    }

    /**
     * A renewal found a map this server has not applied ({@code mapVersion} is the version it has, -1 for none):
     * within the grace ({@link #graceNanos}) the renewal is made again without the check, past it the renewal is
     * held back.
     */
    private void behindMap(int mapVersion) {
        long now = System.nanoTime();
        if (!behind || mapVersion != behindVersion) {
            // Behind anew: found so first, or again after applying a map while the next was out. A stuck
            // listener never changes the version applied, so it never gets a second grace.
            behindVersion = mapVersion;
            behindSinceNanos = now;
            behind = true;
        }
        if (appliedMapVersion.getAsInt() != mapVersion) {
            renewNow(true); // the map came meanwhile (read after behind was set: mapApplied may have missed it)
            return;
        }
        long behindNanos = now - behindSinceNanos;
        if (behindNanos < graceNanos(mapVersion)) {
            renewNow(false); // most likely a map on its way (mapApplied renews once it is applied)
            return;
        }
        heldBack.increment();
        if (!heldLogged) {
            heldLogged = true;
            LOG.warn("Heartbeat held back: the shard map changed at least {} ms ago and this server has not "
                    + "applied it ({}); it serves nothing once its lease runs out, and renews once it applies the "
                    + "map", TimeUnit.NANOSECONDS.toMillis(behindNanos),
                    mapVersion < 0 ? "it has applied none" : "its last: version " + mapVersion);
        }
    }

    /** How long a server behind the map at {@code appliedVersion} renews unchecked (see {@link #FIRST_MAP_GRACE}). */
    private long graceNanos(int appliedVersion) {
        return appliedVersion < 0 ? Math.max(mapGraceNanos, FIRST_MAP_GRACE.toNanos()) : mapGraceNanos;
    }

    /** A renewal found this server up to date with the map (or found no map): it is no longer behind. */
    private void caughtUp() {
        if (heldLogged) {
            LOG.info("Heartbeat renewed again after {} ms behind the shard map: this server applied it, or it was "
                    + "deleted", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - behindSinceNanos));
        }
        behind = false;
        heldLogged = false;
    }

    /**
     * Whether a renewal's transaction failed at its check of the map's version (BADVERSION; NONODE while the
     * map node is deleted, until this server has seen the delete) rather than at the heartbeat's write.
     */
    private static boolean mapChanged(CuratorEvent event) {
        List<CuratorTransactionResult> results = event.getOpResults();
        if (event.getResultCode() == KeeperException.Code.OK.intValue() || results == null || results.isEmpty()) {
            return false;
        }
        int checked = results.get(0).getError();
        return checked == KeeperException.Code.BADVERSION.intValue() || checked == KeeperException.Code.NONODE.intValue();
    }

    private void renewed(CuratorEvent event, long sent) throws Exception {
        renewed(KeeperException.Code.get(event.getResultCode()), event.getStat(), sent);
    }

    private void renewed(KeeperException.Code code, Stat written, long sent) throws Exception {
        if (code == KeeperException.Code.NONODE && !closed) {
            // The session was lost and a new one began: the node must be made again.
            curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .inBackground((client, created) -> {
                        if (created.getResultCode() == KeeperException.Code.OK.intValue()) {
                            acknowledged(sent, created.getStat());
                        }
                    }).forPath(path, payload());
            return;
        }
        if (code == KeeperException.Code.OK) {
            acknowledged(sent, written);
        }
    }

    /** @param written the node's stat as of the acknowledged write; null if ZooKeeper's answer had none */
    private void acknowledged(long sent, Stat written) {
        long previous = lastAckedSendNanos;
        if (sent <= previous) {
            return;
        }
        if (written != null) {
            lastAckedMtime = written.getMtime();
        }
        // Regained when this acknowledgement makes a lapsed lease valid again. Renewals sent while
        // ZooKeeper was out of reach are queued and acknowledged together later; those sent too long ago
        // do not revive the lease, and only the first that does counts. onRegained runs before the lease is
        // valid again: a request that finds it valid then finds the re-read of the map required too.
        long now = System.nanoTime();
        if (now - previous >= leaseNanos && now - sent < leaseNanos) {
            lapses.increment();
            LOG.warn("Heartbeat lease regained after {} ms without a valid one", TimeUnit.NANOSECONDS.toMillis(now - previous));
            onRegained.run();
        }
        lastAckedSendNanos = sent;
    }

    /** Stops renewing and deletes the node, so that the others see this server leave at once. */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            curator.delete().quietly().forPath(path);
        } catch (Exception e) {
            LOG.debug("Heartbeat node not deleted: {}", e.toString());
        }
    }
}
