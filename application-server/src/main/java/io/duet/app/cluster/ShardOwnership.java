package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.cluster.ShardMapWatcher;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which shards this server owns, with which epochs, as the published shard map says; and whether it may
 * serve them at all right now. It may not when:
 * <ul>
 *   <li>the ZooKeeper connection is SUSPENDED: someone else may be taking over, so writes and reads
 *       stop until it is back;
 *   <li>the session was LOST: every shard is dropped (listeners hear the last map again), and on
 *       RECONNECTED the server registers again as a new incarnation, so that the leader hands it shards
 *       at new epochs; it serves again only by a map that lists that incarnation;
 *   <li>its heartbeat lease ran out ({@link Heartbeat}): it may have been declared dead. Once the lease
 *       is back, serving resumes only after this server has seen the shard map as of then.
 * </ul>
 * After a reconnection or a lapsed lease it re-reads the map's epoch from ZooKeeper, retrying with a
 * backoff until it can ({@link Reconfirmation}; {@code duet_shards_reconfirm_failures} counts the failures).
 * HBase fencing catches whatever slips through; these rules keep a deposed owner from serving reads.
 */
public final class ShardOwnership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardOwnership.class);
    /** Past this many callers waiting for a newer map, more are told at once that it has not come. */
    static final int MAX_EPOCH_WAITS = 10_000;

    private final String instanceId;
    private final CuratorFramework curator;
    private final ShardMapWatcher shardMap;
    private final List<Consumer<ShardMapView>> listeners = new CopyOnWriteArrayList<>();
    private final ConnectionStateListener connectionListener = this::connectionChanged;
    private final Set<EpochWait> epochWaits = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private volatile BooleanSupplier lease = () -> true;
    private volatile MapAcks acks;
    private volatile Runnable onRejoin = () -> { };
    private volatile boolean connected = true;
    private volatile boolean sessionLost;
    /** Re-reads the map after a lapsed lease or a reconnection; says which epoch serving must wait for. */
    private final Reconfirmation reconfirmation;
    private final ScheduledThreadPoolExecutor retries;
    /** The {@code startedAtMillis} this server registered with last; 0 until it registers. */
    private volatile long incarnation;

    public ShardOwnership(CuratorFramework curator, String instanceId) {
        this.curator = curator;
        this.instanceId = instanceId;
        this.shardMap = new ShardMapWatcher(curator);
        this.retries = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "duet-shard-map-reconfirm");
            thread.setDaemon(true);
            return thread;
        });
        retries.setRemoveOnCancelPolicy(true);
        this.reconfirmation = new Reconfirmation(new ShardMapReader(curator), (task, delay) -> {
            ScheduledFuture<?> retry = retries.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            return () -> retry.cancel(false);
        }, Reconfirmation.Backoff.DEFAULT);
    }

    /** Called with every new map, and with the last map again when the session is lost. */
    public void addListener(Consumer<ShardMapView> listener) {
        listeners.add(listener);
    }

    /**
     * What acknowledges each map this server applied, and tells when a shard moved here at an epoch may be
     * claimed (see {@link MapAcks}); before it is set, maps go unacknowledged and nothing waits.
     */
    void handoffsThrough(MapAcks acks) {
        this.acks = acks;
    }

    /**
     * Completes once no other server can still be serving a shard the map of {@code epoch} moved here (see
     * {@link MapAcks}): the couples of a shard that epoch gave this server are claimed then.
     */
    public CompletableFuture<Void> whenMovedHere(long epoch) {
        MapAcks handoffs = acks;
        return handoffs == null ? CompletableFuture.completedFuture(null) : handoffs.released(epoch);
    }

    /** Whether this server's heartbeat lease is valid; see {@link Heartbeat#leaseValid()}. */
    public void leaseFrom(BooleanSupplier lease) {
        this.lease = lease;
    }

    /**
     * Notes the {@code startedAtMillis} this server is about to register with (first, or again after a
     * lost session): it serves only by maps that list it so, since only those give it its shards at
     * epochs that fence whatever it did before. Returns {@code startedAtMillis}.
     */
    public long registeringAs(long startedAtMillis) {
        incarnation = startedAtMillis;
        return startedAtMillis;
    }

    /** Runs when the server should register again after its session was lost. */
    public void onRejoin(Runnable onRejoin) {
        this.onRejoin = onRejoin;
    }

    public void start() {
        shardMap.addListener(view -> {
            LOG.info("Shard map epoch {}: this server ({}) owns {} of {} shards", view.epoch(), instanceId,
                    ownedCount(view), view.shardCount());
            try {
                listeners.forEach(listener -> listener.accept(view));
            } finally {
                // Applied: the map is the current one, so a call run from now on finds the shards it took
                // away gone (their couples are unloading).
                MapAcks handoffs = acks;
                if (handoffs != null) {
                    handoffs.applied(view.epoch());
                }
            }
            epochWaits.forEach(wait -> {
                if (wait.epoch <= view.epoch()) {
                    wait.reached.complete(true);
                }
            });
        });
        curator.getConnectionStateListenable().addListener(connectionListener);
        shardMap.start();
    }

    private void connectionChanged(CuratorFramework client, ConnectionState state) {
        switch (state) {
            case SUSPENDED:
                LOG.warn("ZooKeeper connection suspended: serving stops until it is back");
                connected = false;
                break;
            case LOST:
                LOG.warn("ZooKeeper session lost: dropping every shard");
                connected = false;
                sessionLost = true;
                shardMap.current().ifPresent(last -> listeners.forEach(listener -> listener.accept(last)));
                break;
            case RECONNECTED:
            case CONNECTED:
                LOG.info("ZooKeeper connection {}", state);
                if (sessionLost) {
                    sessionLost = false;
                    onRejoin.run();
                }
                // Whatever happened while disconnected, serve only by a map at least as new as now.
                reconfirmShardMap();
                connected = true;
                break;
            default:
                break;
        }
    }

    /**
     * Stops serving until this server has seen the shard map as it is now in ZooKeeper: after a lapsed
     * lease or a reconnection, the map may have moved its shards while it could not hear about it. The
     * re-read is retried with a backoff until it succeeds ({@link Reconfirmation}); a newer call supersedes
     * one under way. Does nothing once closed.
     */
    public void reconfirmShardMap() {
        reconfirmation.start();
    }

    /** How many re-reads of the shard map in a row have failed (see {@link #reconfirmShardMap}); 0 normally. */
    public int reconfirmFailures() {
        return reconfirmation.failedAttempts();
    }

    private long ownedCount(ShardMapView view) {
        long owned = 0;
        for (int shard = 0; shard < view.shardCount(); shard++) {
            if (view.ownerIdOf(shard).filter(instanceId::equals).isPresent()) {
                owned++;
            }
        }
        return owned;
    }

    public Optional<ShardMapView> current() {
        return shardMap.current();
    }

    /**
     * The shard map node's version (ZooKeeper's) as of the newest write this server has dealt with: a map
     * applied (its listeners run and its acknowledgement sent), or one ignored as older or unreadable; -1 before
     * the first and after the node is deleted. Each heartbeat renewal checks it against the node's ({@link Heartbeat#mapVersionFrom}).
     */
    public int appliedMapVersion() {
        return shardMap.processedVersion();
    }

    /** Runs {@code task} each time {@link #appliedMapVersion()} has changed, on the shard map's listener thread. */
    public void afterMapApplied(Runnable task) {
        shardMap.afterEachWrite(task);
    }

    /** The epoch of the newest shard map this server has seen; 0 before the first. */
    public long mapEpoch() {
        return shardMap.current().map(ShardMapView::epoch).orElse(0L);
    }

    /**
     * Completes with true once this server has seen a shard map of at least {@code epoch}, or with false
     * after {@code timeout} (at once if closed). Completes on the calling, a ZooKeeper or a timer thread.
     */
    public CompletableFuture<Boolean> whenMapReaches(long epoch, Duration timeout) {
        if (mapEpoch() >= epoch) {
            return CompletableFuture.completedFuture(true);
        }
        if (closed || epochWaits.size() >= MAX_EPOCH_WAITS) {
            return CompletableFuture.completedFuture(false);
        }
        EpochWait wait = new EpochWait(epoch);
        epochWaits.add(wait);
        wait.reached.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((reached, failure) -> epochWaits.remove(wait));
        if (mapEpoch() >= epoch) {
            // The map came between the first check and the registration.
            wait.reached.complete(true);
        }
        return wait.reached;
    }

    private static final class EpochWait {
        final long epoch;
        final CompletableFuture<Boolean> reached = new CompletableFuture<>();

        EpochWait(long epoch) {
            this.epoch = epoch;
        }
    }

    /**
     * Why this server may serve no shard at all now, whatever the map gives it, in one line; empty when it
     * may serve its shards. The same rules as {@link #epochIfOwned}; non-blocking, for readiness checks.
     */
    public Optional<String> whyNotServing() {
        return Optional.ofNullable(notServingReason(shardMap.current().orElse(null)));
    }

    /** Null when this server may serve the shards {@code view} gives it; else why not. */
    private String notServingReason(ShardMapView view) {
        // The lease first: it is made valid again only after a lapse has required a re-read of the map
        // (Heartbeat), so a valid lease read here comes with that requirement seen below.
        boolean leaseValid = lease.getAsBoolean();
        if (!connected) {
            return sessionLost ? "ZooKeeper session LOST" : "ZooKeeper connection SUSPENDED";
        }
        if (view == null) {
            return "no shard map yet";
        }
        if (view.epoch() < reconfirmation.requiredEpoch()) {
            String failure = reconfirmation.lastFailure();
            return "re-reading the shard map after a lapsed lease or a reconnection" + (failure == null ? ""
                    : " (" + reconfirmation.failedAttempts() + " attempts failed, last: " + failure + "; retrying)");
        }
        if (!leaseValid) {
            return "heartbeat lease expired (no acknowledged heartbeat within cluster.crash-suspect-timeout)";
        }
        if (!listsThisIncarnation(view)) {
            return "waiting for a shard map that lists this server as registered now";
        }
        return null;
    }

    /** The epoch with which this server owns {@code shard}, if it does and may serve it now. */
    public OptionalLong epochIfOwned(int shard) {
        ShardMapView view = shardMap.current().orElse(null);
        if (notServingReason(view) != null || !view.ownerIdOf(shard).filter(instanceId::equals).isPresent()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(view.epochOf(shard));
    }

    private boolean listsThisIncarnation(ShardMapView view) {
        long registered = incarnation;
        if (registered == 0) {
            return true;
        }
        AppServerInfo listed = view.servers().get(instanceId);
        return listed != null && listed.getStartedAtMillis() == registered;
    }

    /** True while this server owns {@code shard} at exactly {@code epoch} and may serve it now. */
    public boolean canServe(int shard, long epoch) {
        OptionalLong owned = epochIfOwned(shard);
        return owned.isPresent() && owned.getAsLong() == epoch;
    }

    /**
     * True unless the published map gives {@code shard} to another server or another epoch: a lapsed
     * lease or a suspended connection alone does not unload a couple, it only pauses it.
     */
    public boolean stillAssigned(int shard, long epoch) {
        ShardMapView view = shardMap.current().orElse(null);
        return view != null && !sessionLost && view.ownerIdOf(shard).filter(instanceId::equals).isPresent()
                && view.epochOf(shard) == epoch;
    }

    public int shardOf(long id) {
        return shardMap.current().orElseThrow(() -> new IllegalStateException("no shard map yet")).shardOf(id);
    }

    @Override
    public void close() {
        closed = true;
        curator.getConnectionStateListenable().removeListener(connectionListener);
        reconfirmation.close();
        retries.shutdownNow();
        epochWaits.forEach(wait -> wait.reached.complete(false));
        shardMap.close();
    }
}
