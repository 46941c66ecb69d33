package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Handoffs against a real ZooKeeper ({@link MapAcks}): the new owner of a moved shard claims it only once
 * every other server has acknowledged the map that moved it, or cannot be serving any more.
 */
class MapAcksIT {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration LEASE = Duration.ofMillis(400);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private TestingServer zookeeper;
    private CuratorFramework curator;

    @BeforeEach
    void startZooKeeper() throws Exception {
        zookeeper = TestZooKeeper.start();
        curator = TestZooKeeper.connect(zookeeper);
    }

    @AfterEach
    void stopZooKeeper() throws Exception {
        curator.close();
        zookeeper.close();
    }

    @Test
    void aMovedShardWaitsForEveryOtherServerToAcknowledgeTheMapThatMovedIt() throws Exception {
        Heartbeat heartbeatA = beating("app-a");
        Heartbeat heartbeatB = beating("app-b");
        Heartbeat heartbeatC = beating("app-c");
        FailureDetector detector = new FailureDetector(curator, "app-a", TIMEOUT, LEASE, heartbeatA);
        detector.start();
        MapAcks a = new MapAcks(curator, "app-a", LEASE, INTERVAL);
        MapAcks b = new MapAcks(curator, "app-b", LEASE, INTERVAL);
        MapAcks c = new MapAcks(curator, "app-c", LEASE, INTERVAL);
        try {
            for (MapAcks acks : new MapAcks[] {a, b, c}) {
                acks.start();
            }
            a.judgeBy(detector);
            await("app-a to see the others' nodes, made at their start", () -> a.holders(1).size() == 2);
            assertThat(a.released(1)).as("no map applied anywhere yet").isNotDone();
            for (MapAcks acks : new MapAcks[] {a, b, c}) {
                acks.applied(3);
            }
            await("app-a to see epoch 3 acknowledged by the others", () -> a.holders(3).isEmpty()
                    && a.holders(4).size() == 2);
            assertThat(a.released(3)).as("applied everywhere: no wait").isCompleted();

            CompletableFuture<Void> moved = a.released(5);
            Thread.sleep(300);
            assertThat(moved).as("app-b and app-c still at epoch 3").isNotDone();
            assertThat(a.holders(5)).containsEntry("app-b", 3L).containsEntry("app-c", 3L);
            b.applied(5);
            c.applied(4); // a map in between: not enough
            Thread.sleep(300);
            assertThat(moved).as("app-c at epoch 4").isNotDone();
            assertThat(a.holders(5)).containsOnlyKeys("app-c");
            c.applied(6);
            moved.get(5, TimeUnit.SECONDS);
            assertThat(acknowledged("app-c")).isEqualTo(6);

            CompletableFuture<Void> pending = a.released(7);
            a.close();
            assertThat(pending).as("a claim still waiting when the server closes").failsWithin(Duration.ofSeconds(5));
        } finally {
            a.close();
            b.close();
            c.close();
            detector.close();
            heartbeatA.close();
            heartbeatB.close();
            heartbeatC.close();
        }
        assertThat(curator.checkExists().forPath(ClusterPaths.mapAck("app-b"))).as("withdrawn on close").isNull();
    }

    /**
     * A server that stops heartbeating (crashed, paused, cut off from ZooKeeper) is waited for only until its
     * lease must have run out: then it serves nothing. One with no acknowledgement at all (gone, or of a release
     * before them) is not waited for.
     */
    @Test
    void aServerWhoseLeaseMustHaveRunOutOrThatNeverAcknowledgesIsNotWaitedFor() throws Exception {
        Heartbeat heartbeatA = beating("app-a");
        Heartbeat heartbeatB = new Heartbeat(curator, "app-b", INTERVAL, LEASE, () -> { });
        Heartbeat heartbeatOld = beating("app-old");
        CountDownLatch resume = new CountDownLatch(1);
        AtomicReference<CountDownLatch> stall = new AtomicReference<>(new CountDownLatch(0));
        heartbeatB.statusFrom(() -> {
            try {
                stall.get().await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ServerStatus();
        });
        heartbeatB.start();
        FailureDetector detector = new FailureDetector(curator, "app-a", TIMEOUT, LEASE, heartbeatA);
        detector.start();
        MapAcks a = new MapAcks(curator, "app-a", LEASE, INTERVAL);
        MapAcks b = new MapAcks(curator, "app-b", LEASE, INTERVAL);
        try {
            a.start();
            b.start();
            a.judgeBy(detector);
            b.applied(7);
            await("app-b's acknowledgement", () -> a.holders(8).containsKey("app-b"));
            assertThat(a.holders(8)).as("app-old heartbeats but never acknowledges").doesNotContainKey("app-old");

            CompletableFuture<Void> moved = a.released(8);
            Thread.sleep(LEASE.toMillis());
            assertThat(moved).as("app-b heartbeats: it may be serving").isNotDone();

            stall.set(resume);
            long stalledAt = System.nanoTime();
            moved.get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).as("released once app-b's lease ran out")
                    .isGreaterThanOrEqualTo(LEASE.minus(INTERVAL));
        } finally {
            resume.countDown();
            a.close();
            b.close();
            detector.close();
            heartbeatA.close();
            heartbeatB.close();
            heartbeatOld.close();
        }
    }

    /** A server's ownership acknowledges each map it applies, and its claims of moved shards wait for the others. */
    @Test
    void shardOwnershipAcknowledgesItsMapsAndHoldsClaimsOfMovedShards() throws Exception {
        Heartbeat heartbeatA = beating("app-a");
        Heartbeat heartbeatB = beating("app-b");
        FailureDetector detector = new FailureDetector(curator, "app-a", TIMEOUT, LEASE, heartbeatA);
        detector.start();
        MapAcks a = new MapAcks(curator, "app-a", LEASE, INTERVAL);
        MapAcks b = new MapAcks(curator, "app-b", LEASE, INTERVAL);
        ShardOwnership ownership = new ShardOwnership(curator, "app-a");
        try {
            a.start();
            b.start();
            a.judgeBy(detector);
            ownership.handoffsThrough(a);
            ownership.start();
            ShardMap map = new ShardMap(4, 2, List.of(new ShardAssignment("app-a", 4), new ShardAssignment("app-b", 1)),
                    Map.of(), 0, "app-a");
            curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, ThriftCodec.INTERNAL.encode(map));
            await("app-a to acknowledge the map it applied", () -> acknowledged("app-a") == 4);
            await("app-a to see app-b's node", () -> a.holders(4).containsKey("app-b"));
            CompletableFuture<Void> claim = ownership.whenMovedHere(4);
            Thread.sleep(200);
            assertThat(claim).as("app-b has not applied the map that moved shard 0 here").isNotDone();
            b.applied(4);
            claim.get(5, TimeUnit.SECONDS);
            assertThat(ownership.whenMovedHere(1)).as("a shard that moved long ago").isCompleted();
        } finally {
            ownership.close();
            a.close();
            b.close();
            detector.close();
            heartbeatA.close();
            heartbeatB.close();
        }
    }

    /**
     * A server that keeps heartbeating while it no longer applies maps (its map listener stuck) is no better
     * than a paused one: its renewals check the map's version, so its heartbeat stops once a new map is
     * published, it serves nothing once its lease runs out, and a claim of a shard that map moved from it waits
     * only until then. Once it applies the map, it is renewed again.
     */
    @Test
    void aServerThatStopsApplyingMapsStopsHeartbeatingAndIsNotWaitedForPastItsLease() throws Exception {
        Heartbeat heartbeatA = beating("app-a");
        FailureDetector detector = new FailureDetector(curator, "app-a", TIMEOUT, LEASE, heartbeatA);
        detector.start();
        MapAcks a = new MapAcks(curator, "app-a", LEASE, INTERVAL);
        CountDownLatch unstuck = new CountDownLatch(1);
        // app-b is another process: a ZooKeeper client of its own, whose map listener blocks from epoch 5 on.
        try (MapFollower b = MapFollower.start(zookeeper, "app-b", view -> {
            if (view.epoch() >= 5) {
                try {
                    unstuck.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        })) {
            a.start();
            a.judgeBy(detector);
            curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, map(4, "app-b"));
            await("app-b to apply and acknowledge epoch 4", () -> acknowledged("app-b") == 4
                    && b.ownership.appliedMapVersion() == 0 && a.holders(4).isEmpty());
            long applied = heartbeatMtime("app-b");
            await("app-b renewed, checking the map's version", () -> heartbeatMtime("app-b") > applied);

            curator.setData().forPath(ClusterPaths.SHARD_MAP, map(5, "app-a"));
            a.released(5).get(5, TimeUnit.SECONDS);
            long lagAtRelease = heartbeatMtime("app-a") - heartbeatMtime("app-b");
            assertThat(acknowledged("app-b")).as("app-b never applied epoch 5").isEqualTo(4);
            assertThat(lagAtRelease).as("released once app-b's heartbeat lagged past its lease, ms")
                    .isGreaterThan(LEASE.toMillis());
            assertThat(b.ownership.whyNotServing()).as("app-b, its lease run out").isPresent();
            long mtime = heartbeatMtime("app-b");
            Thread.sleep(3 * INTERVAL.toMillis());
            assertThat(heartbeatMtime("app-b")).as("app-b's heartbeat, held back by the map it did not apply")
                    .isEqualTo(mtime);

            unstuck.countDown();
            await("app-b to acknowledge epoch 5 once it applied it", () -> acknowledged("app-b") == 5);
            await("app-b's lease back", b.heartbeat::leaseValid);
            assertThat(heartbeatMtime("app-b")).as("renewed again").isGreaterThan(mtime);
            assertThat(b.heartbeat.heldBack()).as("renewals held back").isGreaterThan(0);
        } finally {
            unstuck.countDown();
            a.close();
            detector.close();
            heartbeatA.close();
        }
    }

    /**
     * The same from a server's start: one whose listener is stuck on the very first map it is given (it has
     * applied none, so there is no version to check against) finds that a map exists, and its renewals are held
     * back past the first map's grace (5 s) instead of going on unchecked for good. Once it applies the map, it
     * is renewed again.
     */
    @Test
    void aServerStuckOnItsFirstMapStopsHeartbeating() throws Exception {
        curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, map(4, "app-b"));
        CountDownLatch unstuck = new CountDownLatch(1);
        long started = System.nanoTime();
        try (MapFollower b = MapFollower.start(zookeeper, "app-b", view -> {
            try {
                unstuck.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            await("app-b's renewals held back, its first map not applied", () -> b.heartbeat.heldBack() > 0);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("held back after the first map's grace")
                    .isGreaterThanOrEqualTo(Heartbeat.FIRST_MAP_GRACE);
            assertThat(b.ownership.appliedMapVersion()).as("the map version app-b applied").isEqualTo(-1);
            await("app-b's lease to run out", () -> !b.heartbeat.leaseValid());
            long mtime = heartbeatMtime("app-b");
            Thread.sleep(3 * INTERVAL.toMillis());
            assertThat(heartbeatMtime("app-b")).as("app-b's heartbeat, held back").isEqualTo(mtime);

            unstuck.countDown();
            await("app-b's lease back once it applied its first map", b.heartbeat::leaseValid);
            assertThat(heartbeatMtime("app-b")).as("renewed again").isGreaterThan(mtime);
        } finally {
            unstuck.countDown();
        }
    }

    /**
     * A server slow to apply maps, but applying them, keeps its lease: a renewal that finds it behind a map is
     * made again without the check for half a lease, and a server that applied a map while the next was out is
     * given that grace anew. Here each map takes 80 ms to apply, and four come 40 ms apart, so the server is
     * behind for longer than the grace, but never behind one map for that long.
     */
    @Test
    void aServerSlowToApplyMapsButApplyingThemKeepsHeartbeating() throws Exception {
        curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, map(4, "app-b"));
        try (MapFollower b = MapFollower.start(zookeeper, "app-b", view -> {
            if (view.epoch() > 4) {
                try {
                    Thread.sleep(80);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        })) {
            await("app-b to apply the first map", () -> b.ownership.appliedMapVersion() == 0);
            await("app-b's lease", b.heartbeat::leaseValid);
            for (int epoch = 5; epoch <= 8; epoch++) {
                curator.setData().forPath(ClusterPaths.SHARD_MAP, map(epoch, epoch % 2 == 0 ? "app-b" : "app-a"));
                Thread.sleep(40);
            }
            await("app-b to acknowledge the last map", () -> acknowledged("app-b") == 8);
            Thread.sleep(2 * INTERVAL.toMillis());
            assertThat(b.heartbeat.heldBack()).as("renewals held back").isZero();
            assertThat(b.heartbeat.leaseValid()).as("app-b's lease").isTrue();
        }
    }

    /**
     * The renewals' check does not keep a server from making its heartbeat node again after its session expired,
     * whether or not a map was published meanwhile.
     */
    @Test
    void aServerCheckingTheMapsVersionMakesItsHeartbeatAgainAfterItsSessionExpired() throws Exception {
        curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, map(4, "app-b"));
        try (MapFollower b = MapFollower.start(zookeeper, "app-b", view -> { })) {
            await("app-b to apply the map", () -> b.ownership.appliedMapVersion() == 0);
            for (int map = 5; map <= 6; map++) {
                long before = heartbeatMtime("app-b");
                TestZooKeeper.expireSession(b.curator, zookeeper);
                if (map == 6) {
                    curator.setData().forPath(ClusterPaths.SHARD_MAP, map(map, "app-b")); // published during the loss
                }
                await("app-b's heartbeat made again after its session expired (" + (map == 6 ? "a" : "no")
                        + " map published meanwhile)", () -> heartbeatOwner("app-b") == b.sessionId()
                        && heartbeatMtime("app-b") > before);
            }
            await("app-b's lease", b.heartbeat::leaseValid);
            assertThat(b.ownership.appliedMapVersion()).isEqualTo(1);
        }
    }

    /**
     * A server's shard map follower and heartbeat, wired as {@link ClusterMember} wires them (the renewals
     * check the map's version), on a ZooKeeper client of its own; {@code listener} hears each map it applies.
     */
    private record MapFollower(CuratorFramework curator, ShardOwnership ownership, MapAcks acks, Heartbeat heartbeat)
            implements AutoCloseable {
        static MapFollower start(TestingServer zookeeper, String server, Consumer<ShardMapView> listener)
                throws Exception {
            CuratorFramework curator = TestZooKeeper.connect(zookeeper);
            ShardOwnership ownership = new ShardOwnership(curator, server);
            MapAcks acks = new MapAcks(curator, server, LEASE, INTERVAL);
            Heartbeat heartbeat = new Heartbeat(curator, server, INTERVAL, LEASE, ownership::reconfirmShardMap);
            acks.start();
            ownership.handoffsThrough(acks);
            ownership.leaseFrom(heartbeat::leaseValid);
            ownership.addListener(listener);
            heartbeat.mapVersionFrom(ownership::appliedMapVersion);
            ownership.afterMapApplied(heartbeat::mapApplied);
            heartbeat.start();
            ownership.start();
            return new MapFollower(curator, ownership, acks, heartbeat);
        }

        long sessionId() {
            try {
                return curator.getZookeeperClient().getZooKeeper().getSessionId();
            } catch (Exception e) {
                return -1;
            }
        }

        @Override
        public void close() {
            heartbeat.close();
            ownership.close();
            acks.close();
            curator.close();
        }
    }

    /** A map of epoch {@code epoch} giving both of its two shards to {@code owner}, published by app-a. */
    private static byte[] map(long epoch, String owner) {
        return ThriftCodec.INTERNAL.encode(new ShardMap(epoch, 2, List.of(new ShardAssignment(owner, epoch),
                new ShardAssignment(owner, epoch)), Map.of(), 0, "app-a"));
    }

    /** The modification time (ZooKeeper's clock) of {@code server}'s heartbeat node; 0 while it has none. */
    private long heartbeatMtime(String server) {
        Stat stat = heartbeatStat(server);
        return stat == null ? 0 : stat.getMtime();
    }

    /** The session that owns {@code server}'s heartbeat node; 0 while it has none. */
    private long heartbeatOwner(String server) {
        Stat stat = heartbeatStat(server);
        return stat == null ? 0 : stat.getEphemeralOwner();
    }

    private Stat heartbeatStat(String server) {
        try {
            return curator.checkExists().forPath(ClusterPaths.heartbeat(server));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A heartbeat of {@code server}'s, started. */
    private Heartbeat beating(String server) throws Exception {
        Heartbeat heartbeat = new Heartbeat(curator, server, INTERVAL, LEASE, () -> { });
        heartbeat.start();
        return heartbeat;
    }

    /** The epoch {@code server} acknowledged, as ZooKeeper has it; -1 if none. */
    private long acknowledged(String server) {
        try {
            byte[] data = curator.getData().forPath(ClusterPaths.mapAck(server));
            return Long.parseLong(new String(data, StandardCharsets.US_ASCII));
        } catch (Exception e) {
            return -1;
        }
    }
}
