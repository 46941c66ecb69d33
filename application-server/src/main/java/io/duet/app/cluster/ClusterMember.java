package io.duet.app.cluster;

import io.duet.app.internal.BoundedStep;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's part in the cluster, from its first heartbeat to leaving: the {@link Heartbeat} (the lease
 * its {@link ShardOwnership} serves under, and the status it carries), the {@link MapAcks} that hand shards
 * over without a stale read, the {@link Membership} record (join,
 * a new incarnation after a lost session, leave), the {@link FailureDetector} and the {@link
 * ShardMapPublisher} that assigns shards while this server leads, joining servers after {@code
 * cluster.join-grace}. The application server calls {@link #startHeartbeat} before its ownership starts,
 * {@link #join} once it is warm, {@link #leave} as the first phase of its shutdown and {@link #close} with its
 * other ZooKeeper parts, before the ZooKeeper client. Starting and joining run on the server's starting thread;
 * leaving and closing on its shutdown's bounded steps, one after the other; a rejoin after a lost session runs
 * on Curator's thread ({@link ShardOwnership#onRejoin}).
 *
 * <p>Settings, each with its default here: {@code cluster.failure-timeout}, {@code cluster.heartbeat-interval},
 * {@code cluster.crash-suspect-timeout}, {@code cluster.detector-tick}, {@code cluster.join-grace}, and where
 * this server runs, {@code placement.zone} and {@code placement.host} (the local host's name by default).
 */
public final class ClusterMember implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
    /** A server whose heartbeat lags the cluster's newest by more than this is taken for dead. */
    static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofMillis(1000);
    /**
     * How often a server renews its heartbeat. The lease leaves the crash-suspect timeout less this for a
     * renewal to be acknowledged: at 200 ms, FailoverIT's saturated box saw the lease lapse 9-12 times a minute
     * (21-39 in CI's shorter runs); at 100 ms, 2.
     */
    static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(100);
    /**
     * A server that a presentation server reports as refusing relay connections (crashed) is taken for dead
     * once its heartbeat lags by more than this: five heartbeat intervals. It is also every server's
     * heartbeat lease (see {@link Heartbeat}): a server with no acknowledged heartbeat for this long stops
     * serving until it has re-read the shard map.
     */
    static final Duration DEFAULT_CRASH_SUSPECT_TIMEOUT = Duration.ofMillis(500);
    static final Duration DEFAULT_DETECTOR_TICK = Duration.ofMillis(50);
    /**
     * How long a joining server waits before it is given shards ({@code cluster.join-grace}), when others can
     * serve them. Its JVM is still starting meanwhile: HandoffIT's rolling restarts (2-core box) measured its
     * young GC pauses at 90-180 ms until about 18 s of uptime (6-18 ms after), C2 compilations of up to
     * 1.8 s, and presentation servers' relay links (TLS) coming up after its first shards; with 1 s, the sends
     * of the first couples handed to a restarted server stalled 1.1-5.4 s, the rolling restart's worst.
     */
    static final Duration DEFAULT_JOIN_GRACE = Duration.ofSeconds(5);
    /** How long joining waits for ZooKeeper to have this server's membership record. */
    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(30);
    /** How long joining waits for the leader to give this server its shards. */
    private static final Duration IN_SHARD_MAP_TIMEOUT = Duration.ofSeconds(60);

    private final AtomicBoolean closed = new AtomicBoolean();
    private final CuratorFramework curator;
    private final String instanceId;
    private final ShardOwnership ownership;
    private final Clock clock;
    private final Duration failureTimeout;
    private final Duration heartbeatInterval;
    private final Duration crashSuspectTimeout;
    private final Duration detectorTick;
    private final Duration joinGrace;
    private final String zone;
    private final String host;

    private Heartbeat heartbeat;
    private MapAcks mapAcks;
    private Membership membership;
    private FailureDetector detector;
    private ShardMapPublisher publisher;

    public ClusterMember(Settings settings, CuratorFramework curator, String instanceId, ShardOwnership ownership,
            Clock clock) {
        this.curator = curator;
        this.instanceId = instanceId;
        this.ownership = ownership;
        this.clock = clock;
        this.failureTimeout = settings.duration("cluster.failure-timeout", DEFAULT_FAILURE_TIMEOUT);
        this.heartbeatInterval = settings.duration("cluster.heartbeat-interval", DEFAULT_HEARTBEAT_INTERVAL);
        this.crashSuspectTimeout = settings.duration("cluster.crash-suspect-timeout", DEFAULT_CRASH_SUSPECT_TIMEOUT);
        this.detectorTick = settings.duration("cluster.detector-tick", DEFAULT_DETECTOR_TICK);
        this.joinGrace = settings.duration("cluster.join-grace", DEFAULT_JOIN_GRACE);
        checkTimeouts(heartbeatInterval, crashSuspectTimeout, failureTimeout);
        this.zone = settings.string("placement.zone", null);
        this.host = settings.has("placement.host") ? settings.string("placement.host") : Placement.localHostName();
    }

    /**
     * Starts renewing this server's heartbeat, which carries {@code status} and is the lease {@code ownership}
     * serves its shards under; call it before the ownership starts.
     */
    public void startHeartbeat(Supplier<ServerStatus> status) throws Exception {
        Duration lease = lease(failureTimeout, crashSuspectTimeout);
        heartbeat = new Heartbeat(curator, instanceId, heartbeatInterval, lease, ownership::reconfirmShardMap);
        ownership.leaseFrom(heartbeat::leaseValid);
        mapAcks = new MapAcks(curator, instanceId, lease, heartbeatInterval);
        mapAcks.start();
        ownership.handoffsThrough(mapAcks);
        heartbeat.statusFrom(status);
        heartbeat.mapVersionFrom(ownership::appliedMapVersion);
        ownership.afterMapApplied(heartbeat::mapApplied);
        heartbeat.start();
    }

    /**
     * A server's heartbeat lease: the shorter of the detector's two timeouts, since a report of refused
     * connects, even a wrong one or one made while the server is paused, makes the crash-suspect timeout
     * enough to take it for dead (see {@link Heartbeat}).
     */
    static Duration lease(Duration failureTimeout, Duration crashSuspectTimeout) {
        return crashSuspectTimeout.compareTo(failureTimeout) < 0 ? crashSuspectTimeout : failureTimeout;
    }

    /** Refuses timeouts that cannot work together, naming their settings. */
    static void checkTimeouts(Duration heartbeatInterval, Duration crashSuspectTimeout, Duration failureTimeout) {
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new SettingsException("cluster.heartbeat-interval: " + heartbeatInterval + " (expected: > 0)");
        }
        if (crashSuspectTimeout.compareTo(failureTimeout) > 0) {
            throw new SettingsException("cluster.crash-suspect-timeout (" + crashSuspectTimeout
                    + ") must not exceed cluster.failure-timeout (" + failureTimeout + ")");
        }
        if (crashSuspectTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new SettingsException("cluster.crash-suspect-timeout (" + crashSuspectTimeout
                    + ") must exceed cluster.heartbeat-interval (" + heartbeatInterval + "): it is each server's "
                    + "heartbeat lease, renewed every interval (5 intervals by default)");
        }
    }

    /** How many times this server's heartbeat lease lapsed and was regained; 0 before its heartbeat starts. */
    public long leaseLapses() {
        Heartbeat started = heartbeat;
        return started == null ? 0 : started.lapses();
    }

    /** Heartbeat renewals held back because this server had not applied the shard map for half a lease. */
    public long renewalsHeldBack() {
        Heartbeat started = heartbeat;
        return started == null ? 0 : started.heldBack();
    }

    /**
     * Registers this server, serving the relay at {@code relay}, starts its failure detector and its part in
     * electing the shard map's publisher, and waits until the published map names it.
     *
     * @param shardCount the cluster's shards
     * @param placements where each shard's HBase region is now (see {@link ShardMapPublisher})
     */
    public void join(Endpoint relay, int shardCount, Supplier<CompletableFuture<Placement>> placements)
            throws Exception {
        membership = new Membership(curator, instanceId,
                new AppServerInfo(instanceId, relay, ownership.registeringAs(clock.millis())).setZone(zone).setHost(host));
        ownership.onRejoin(() -> {
            try {
                mapAcks.recreate();
            } catch (Exception e) {
                LOG.warn("Map acknowledgements not made again after the lost session: {}", e.toString());
            }
            long startedAt = clock.millis();
            if (membership.reincarnate(startedAt)) {
                ownership.registeringAs(startedAt);
            }
        });
        membership.start(REGISTRATION_TIMEOUT.toMillis());
        detector = new FailureDetector(curator, instanceId, failureTimeout, crashSuspectTimeout, heartbeat);
        detector.start();
        mapAcks.judgeBy(detector);
        publisher = new ShardMapPublisher(curator, instanceId, shardCount, clock, detector, detectorTick, joinGrace,
                placements);
        ownership.addListener(publisher::shardMapChanged);
        publisher.start();
        awaitInShardMap(IN_SHARD_MAP_TIMEOUT);
    }

    /**
     * Leaves the cluster, so that the leader hands this server's shards over, and waits until the published map
     * gives it none (or names no other server to give them to), within {@code bound}. True if that ended within
     * the bound, or this server never joined; false if it goes on without ZooKeeper's answer.
     */
    public boolean leave(Duration bound) throws InterruptedException {
        if (membership == null) {
            return true;
        }
        return BoundedStep.run("handoff", bound, () -> {
            membership.close();
            awaitNoShards(bound.toMillis());
        });
    }

    /** Stops the publisher, the failure detector and the heartbeat, and leaves if it has not; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly("shard map publisher", publisher);
        closeQuietly("shard map acknowledgements", mapAcks);
        closeQuietly("failure detector", detector);
        closeQuietly("heartbeat", heartbeat);
        closeQuietly("membership", membership);
    }

    /** Serving is pointless until the leader has given this server its shards. */
    private void awaitInShardMap(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ownership.current().map(view -> view.servers().containsKey(instanceId)).orElse(false)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("not in the shard map within " + timeout.toSeconds() + " s");
    }

    /** Waits until the published map gives this server no shard (another server to hand them to). */
    private void awaitNoShards(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            boolean ownsNone = ownership.current().map(view -> !view.servers().containsKey(instanceId)
                    || view.servers().size() == 1).orElse(true);
            if (ownsNone) {
                return;
            }
            Thread.sleep(10);
        }
        LOG.warn("The shard map still gave this server shards after {} ms; unloading them anyway", timeoutMillis);
    }

    private static void closeQuietly(String what, AutoCloseable part) {
        if (part == null) {
            return;
        }
        try {
            part.close();
        } catch (Exception e) {
            LOG.warn("Closing {} failed: {}", what, e.toString());
        }
    }
}
