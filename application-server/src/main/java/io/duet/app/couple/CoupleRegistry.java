package io.duet.app.couple;

import io.duet.app.cluster.ShardOwnership;
import io.duet.app.internal.SerialExecutor;
import io.duet.protocol.cluster.ShardMapView;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The couples loaded on this server. An actor is created on first use for a couple whose shard this
 * server owns, and retired when the shard moves away, the couple stays idle, or a write fails. Each actor
 * gets its own {@link SerialExecutor} over the shared worker pool; all share the server's {@link
 * CatchUpReads}.
 */
public final class CoupleRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoupleRegistry.class);

    private final ConcurrentMap<Long, CoupleActor> actors = new ConcurrentHashMap<>();
    private final ShardOwnership ownership;
    private final CoupleServices services;
    private final Executor workers;
    private final ScheduledFuture<?> idleSweep;
    /** The warm-up couple's actor while its {@link WarmUpCalls} run ({@link #warmUp}), else null. */
    private volatile CoupleActor warmUpActor;
    private volatile boolean closed;

    /**
     * @param services what the couples share ({@link CoupleServices}); its archive moves are closed with this
     * @param workers where the couples run, each on a serial executor of its own
     */
    public CoupleRegistry(ShardOwnership ownership, CoupleServices services, Executor workers) {
        this.ownership = ownership;
        this.services = services;
        this.workers = workers;
        ownership.addListener(this::shardMapChanged);
        long sweepMillis = Math.max(1000, services.limits.idleTimeout.toMillis() / 4);
        this.idleSweep = services.timers.scheduleWithFixedDelay(
                () -> actors.values().forEach(CoupleActor::closeIfIdle), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The actor of {@code coupleId}, loading it if needed.
     *
     * @throws NotOwnerException if this server does not own the couple's shard (or cannot write now)
     */
    public CoupleActor actorFor(long coupleId) {
        if (closed) {
            throw NotOwnerException.beforeRunning("this server is shutting down");
        }
        CoupleActor warmUp = warmUpActor;
        if (warmUp != null && warmUp.coupleId() == coupleId) {
            return warmUp;
        }
        int shard = ownership.shardOf(coupleId);
        OptionalLong epoch = ownership.epochIfOwned(shard);
        if (epoch.isEmpty()) {
            throw NotOwnerException.beforeRunning("shard " + shard + " of couple " + coupleId + " is not owned here");
        }
        CoupleActor actor = actors.get(coupleId);
        if (actor != null && actor.epoch() == epoch.getAsLong()) {
            return actor;
        }
        if (actor != null) {
            actor.close("shard epoch changed");
            throw NotOwnerException.beforeRunning("couple " + coupleId + " is being reloaded; retry");
        }
        CoupleActor created = new CoupleActor(coupleId, shard, epoch.getAsLong(),
                new SerialExecutor(workers, "couple-" + coupleId, services.limits.maxQueuedTasks), services,
                () -> ownership.canServe(shard, epoch.getAsLong()), this::retired);
        CoupleActor existing = actors.putIfAbsent(coupleId, created);
        if (existing != null) {
            return existing;
        }
        created.start(ownership.whenMovedHere(epoch.getAsLong()));
        return created;
    }

    /** The bounds of the HTTP long polls parked on this server's couples ({@link CoupleActor#poll}). */
    public LongPolls longPolls() {
        return services.longPolls;
    }

    /** Whether this server owns the couple's shard now. */
    public boolean owns(long coupleId) {
        return !closed && ownership.epochIfOwned(ownership.shardOf(coupleId)).isPresent();
    }

    /**
     * The couple was closed in HBase: if it is loaded here, unload it and end its sessions with COUPLE_CLOSED
     * ({@link CoupleActor#coupleClosed}). A server that has it loaded and is not told learns it at its next
     * write of the couple, which is fenced.
     */
    public void closed(long coupleId) {
        CoupleActor actor = actors.get(coupleId);
        if (actor != null) {
            actor.coupleClosed();
        }
    }

    /**
     * Runs the couple code through on couples of this server's own (see {@link CoupleWarmUp}), so that the
     * first couples it serves are not served by cold code; then, unless {@code calls} is null, serves the
     * first of them ({@link #actorFor}) while {@code calls} call into it the way clients do. Before the
     * server joins the cluster.
     */
    public void warmUp(String instanceId, int sends, Duration timeout, WarmUpCalls calls) throws Exception {
        new CoupleWarmUp(services.bare(), workers).run(instanceId, sends, timeout.toMillis(), calls,
                actor -> warmUpActor = actor);
    }

    /** The epoch of the newest shard map this server has seen. */
    public long shardMapEpoch() {
        return ownership.mapEpoch();
    }

    /** The newest shard map this server has seen, if any. */
    public Optional<ShardMapView> shardMap() {
        return ownership.current();
    }

    /** See {@link ShardOwnership#whenMapReaches}. */
    public CompletableFuture<Boolean> whenShardMapReaches(long epoch, Duration timeout) {
        return ownership.whenMapReaches(epoch, timeout);
    }

    private void retired(CoupleActor actor) {
        actors.remove(actor.coupleId(), actor);
    }

    private void shardMapChanged(ShardMapView view) {
        int dropped = 0;
        for (CoupleActor actor : actors.values()) {
            if (!ownership.stillAssigned(actor.shard(), actor.epoch())) {
                actor.close("shard " + actor.shard() + " moved");
                dropped++;
            }
        }
        if (dropped > 0) {
            LOG.info("Shard map epoch {}: unloading {} couples of shards no longer owned here", view.epoch(), dropped);
        }
    }

    /**
     * How many couples are loaded now, by shard (shards with none left out): a weakly consistent count,
     * taken without locking anything couples use, for the server's status.
     */
    public Map<Integer, Integer> loadedByShard() {
        Map<Integer, Integer> loaded = new HashMap<>();
        for (CoupleActor actor : actors.values()) {
            loaded.merge(actor.shard(), 1, Integer::sum);
        }
        return loaded;
    }

    /** Bucket moves to the archive that moved something, since the start ({@link ArchiveMoves}). */
    public long archiveMoves() {
        return services.moves.moves();
    }

    /** How many couples are loaded now; weakly consistent, like {@link #loadedByShard()}. */
    public int loadedCount() {
        return actors.size();
    }

    /** Unloads every couple, telling their sessions to route elsewhere. Idempotent. */
    @Override
    public void close() {
        closed = true;
        idleSweep.cancel(false);
        services.moves.close();
        actors.values().forEach(actor -> actor.close("server shutting down"));
    }

    /** Waits until every couple has retired (no write in flight), or the deadline passes. */
    public boolean awaitRetired(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!actors.isEmpty()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
