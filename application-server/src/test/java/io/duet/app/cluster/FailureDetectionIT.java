package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Heartbeats, the lease they give, and the failure detector that reads them, against a real ZooKeeper. */
class FailureDetectionIT {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofMillis(600);

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
    void theLeaseRunsOutWithoutZooKeeperAndComesBackWithIt() throws Exception {
        AtomicInteger regained = new AtomicInteger();
        Heartbeat heartbeat = new Heartbeat(curator, "app-a", INTERVAL, TIMEOUT, regained::incrementAndGet);
        heartbeat.start();
        Thread.sleep(3 * INTERVAL.toMillis());
        assertThat(heartbeat.leaseValid()).isTrue();

        zookeeper.stop();
        long stopped = System.nanoTime();
        await("the lease to lapse", () -> !heartbeat.leaseValid());
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThanOrEqualTo(TIMEOUT.plusMillis(200));
        assertThat(regained).hasValue(0);

        zookeeper.restart();
        await("the lease to be regained", () -> heartbeat.leaseValid() && regained.get() == 1);
        heartbeat.close();
    }

    /** What the admin port's {@code /ready} reports of an application server while it runs. */
    @Test
    void shardOwnershipSaysWhyItMayNotServeTheSameWayItRefuses() throws Exception {
        AtomicBoolean lease = new AtomicBoolean(true);
        ShardOwnership ownership = new ShardOwnership(curator, "app-a");
        ownership.leaseFrom(lease::get);
        ownership.start();
        try {
            assertThat(ownership.whyNotServing()).hasValue("no shard map yet");
            ShardMap map = new ShardMap(1, 2, List.of(new ShardAssignment("app-a", 1), new ShardAssignment("app-b", 1)),
                    Map.of(), 0, "app-a");
            curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, ThriftCodec.INTERNAL.encode(map));
            await("the map to arrive", () -> ownership.whyNotServing().isEmpty());
            assertThat(ownership.epochIfOwned(0)).hasValue(1);

            lease.set(false);
            assertThat(ownership.whyNotServing()).hasValueSatisfying(why -> assertThat(why).contains("heartbeat lease"));
            assertThat(ownership.epochIfOwned(0)).isEmpty();
            lease.set(true);

            zookeeper.stop();
            await("SUSPENDED", () -> ownership.whyNotServing().equals(Optional.of("ZooKeeper connection SUSPENDED")));
            assertThat(ownership.epochIfOwned(0)).isEmpty();
            zookeeper.restart();
            await("serving again once the map is re-read", () -> ownership.whyNotServing().isEmpty());
            assertThat(ownership.epochIfOwned(0)).hasValue(1);
        } finally {
            ownership.close();
        }
    }

    @Test
    void aServerWhoseHeartbeatStallsIsSuspectedButNeverByItself() throws Exception {
        Heartbeat alive = new Heartbeat(curator, "app-a", INTERVAL, TIMEOUT, () -> { });
        alive.start();
        // app-b wrote one heartbeat and then froze.
        curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(ClusterPaths.heartbeat("app-b"), new byte[0]);
        // app-a's detector knows its own heartbeat's time from the renewals, as in a server; app-b's reads it.
        FailureDetector seenByA = new FailureDetector(curator, "app-a", TIMEOUT, TIMEOUT, alive);
        FailureDetector seenByB = new FailureDetector(curator, "app-b", TIMEOUT);
        seenByA.start();
        seenByB.start();
        assertThat(seenByA.suspects(List.of("app-a", "app-b"))).isEmpty();

        await("app-b to be suspected", () -> seenByA.suspects(List.of("app-a", "app-b")).contains("app-b"));
        // app-c has no heartbeat at all: a member that just joined looks like this for a moment.
        assertThat(seenByA.suspects(List.of("app-a", "app-b", "app-c"))).containsExactly("app-b");
        await("app-c to be suspected", () -> seenByA.suspects(List.of("app-a", "app-b", "app-c")).contains("app-c"));
        assertThat(seenByB.suspects(List.of("app-a", "app-b"))).as("app-b's own view").isEmpty();

        curator.setData().forPath(ClusterPaths.heartbeat("app-b"), new byte[0]);
        await("app-b to be trusted again", () -> seenByA.suspects(List.of("app-a", "app-b")).isEmpty());
        seenByA.close();
        seenByB.close();
        alive.close();
    }
}
