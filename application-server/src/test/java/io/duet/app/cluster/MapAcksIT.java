package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
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
