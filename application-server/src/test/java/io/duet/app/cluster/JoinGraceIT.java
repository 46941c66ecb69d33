package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.ShardMapView;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cluster.join-grace} against a real ZooKeeper: a server joining a cluster that serves gets shards only
 * once the grace has passed (its JVM is still starting), while servers starting together get theirs at once,
 * since none of them is warmer than the others.
 */
class JoinGraceIT {
    private static final Duration GRACE = Duration.ofSeconds(3);

    private TestingServer zookeeper;

    @BeforeEach
    void startZooKeeper() throws Exception {
        zookeeper = TestZooKeeper.start();
    }

    @AfterEach
    void stopZooKeeper() throws Exception {
        zookeeper.close();
    }

    @Test
    void aServerJoiningAServingClusterGetsShardsOnlyAfterTheGrace() throws Exception {
        try (TestServer first = TestServer.start("app-a", zookeeper, GRACE)) {
            await("the first server to own every shard", () -> owned(first, "app-a") == TestServer.SHARDS);
            // Past the first server's own grace, so that it counts as settled when the second joins.
            Thread.sleep(GRACE.toMillis());
            long joined = System.nanoTime();
            try (TestServer second = TestServer.start("app-b", zookeeper, GRACE)) {
                await("the second server to own shards", () -> owned(first, "app-b") > 0);
                Duration waited = Duration.ofNanos(System.nanoTime() - joined);
                assertThat(waited).as("time until the joining server got shards").isGreaterThanOrEqualTo(
                        GRACE.minusMillis(500));
                assertThat(owned(first, "app-a") + owned(first, "app-b")).isEqualTo(TestServer.SHARDS);
            }
        }
    }

    @Test
    void serversStartingTogetherGetTheirShardsWithoutWaitingForTheGrace() throws Exception {
        Duration grace = Duration.ofSeconds(15);
        try (TestServer first = TestServer.start("app-a", zookeeper, grace);
                TestServer second = TestServer.start("app-b", zookeeper, grace)) {
            long started = System.nanoTime();
            await("both servers to own shards", () -> owned(first, "app-a") > 0 && owned(first, "app-b") > 0);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time until both servers had shards")
                    .isLessThan(grace.dividedBy(3));
        }
    }

    /**
     * A staggered start: the second server joins while the first is still in its grace, so both get shards at
     * once; when a third joins after the first one's grace but within the second's, the second keeps its
     * shards instead of losing them until its own grace ends (they would move twice).
     */
    @Test
    void aServerGivenShardsDuringItsGraceKeepsThemWhenAnEarlierServerSettles() throws Exception {
        long firstStarted = System.nanoTime();
        try (TestServer first = TestServer.start("app-a", zookeeper, GRACE)) {
            Thread.sleep(GRACE.toMillis() / 3);
            try (TestServer second = TestServer.start("app-b", zookeeper, GRACE)) {
                await("both servers to own shards", () -> owned(first, "app-a") > 0 && owned(first, "app-b") > 0);
                // Past the first server's grace, inside the second's: a publication that settles the first only.
                Thread.sleep(Math.max(0, GRACE.toMillis() + 300 - (System.nanoTime() - firstStarted) / 1_000_000));
                try (TestServer third = TestServer.start("app-c", zookeeper, GRACE)) {
                    long until = System.nanoTime() + GRACE.toNanos();
                    while (System.nanoTime() < until) {
                        assertThat(owned(first, "app-b")).as("shards of the second server after the third joined")
                                .isPositive();
                        Thread.sleep(20);
                    }
                }
            }
        }
    }

    /** How many shards the map {@code observer} has seen gives {@code serverId}. */
    private static int owned(TestServer observer, String serverId) {
        ShardMapView view = observer.ownership.current().orElse(null);
        if (view == null) {
            return 0;
        }
        int owned = 0;
        for (int shard = 0; shard < view.shardCount(); shard++) {
            if (view.ownerIdOf(shard).filter(serverId::equals).isPresent()) {
                owned++;
            }
        }
        return owned;
    }
}
