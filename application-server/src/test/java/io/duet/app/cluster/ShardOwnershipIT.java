package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.thrift.ThriftCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a server knows of the shard map, and waiting for a newer one, against a real ZooKeeper. */
class ShardOwnershipIT {
    private TestingServer zookeeper;
    private CuratorFramework curator;
    private ShardOwnership ownership;

    @BeforeEach
    void start() throws Exception {
        zookeeper = TestZooKeeper.start();
        curator = TestZooKeeper.connect(zookeeper);
        publish(1, "app-a");
        ownership = new ShardOwnership(curator, "app-b");
        ownership.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ownership.mapEpoch() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @AfterEach
    void stop() throws Exception {
        ownership.close();
        curator.close();
        zookeeper.close();
    }

    private void publish(long epoch, String owner) throws Exception {
        publish(epoch, owner, 0);
    }

    private void publish(long epoch, String owner, long ownerStartedAt) throws Exception {
        ShardMap map = new ShardMap().setEpoch(epoch).setShardCount(2)
                .setShards(List.of(new ShardAssignment(owner, epoch), new ShardAssignment(owner, epoch)))
                .setServers(Map.of(owner, new AppServerInfo(owner, new Endpoint("127.0.0.1", 1), ownerStartedAt)))
                .setPublishedAtMillis(0).setLeaderId("app-a");
        byte[] data = ThriftCodec.INTERNAL.encode(map);
        if (curator.checkExists().forPath(ClusterPaths.SHARD_MAP) == null) {
            curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, data);
        } else {
            curator.setData().forPath(ClusterPaths.SHARD_MAP, data);
        }
    }

    @Test
    void aWaitForANewerMapEndsWhenItArrivesWithTheShardsItGives() throws Exception {
        assertThat(ownership.mapEpoch()).isEqualTo(1);
        assertThat(ownership.whenMapReaches(1, Duration.ofSeconds(5))).isCompletedWithValue(true);
        assertThat(ownership.epochIfOwned(0)).isEmpty();

        CompletableFuture<Boolean> waiting = ownership.whenMapReaches(2, Duration.ofSeconds(10));
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        publish(2, "app-b");
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
        // Its listeners have heard of the map by then: the server owns what the map gives it.
        assertThat(ownership.epochIfOwned(0)).hasValue(2);
    }

    @Test
    void aWaitForAMapThatDoesNotComeEndsAtItsTimeout() throws Exception {
        long started = System.nanoTime();
        assertThat(ownership.whenMapReaches(7, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
    }

    @Test
    void aServerThatRegisteredAgainServesOnlyByAMapThatListsItsNewIncarnation() throws Exception {
        ownership.registeringAs(100);
        publish(2, "app-b", 100);
        CompletableFuture<Boolean> second = ownership.whenMapReaches(2, Duration.ofSeconds(10));
        assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ownership.epochIfOwned(0)).hasValue(2);

        // Its session was lost and it registered again: the map still names the old incarnation.
        ownership.registeringAs(200);
        assertThat(ownership.epochIfOwned(0)).isEmpty();
        publish(3, "app-b", 200);
        assertThat(ownership.whenMapReaches(3, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ownership.epochIfOwned(0)).hasValue(3);
    }

    @Test
    void aServerThatCannotReReadTheMapAfterAReconnectionRetriesAndServesAgainOnceItCan() throws Exception {
        MeterRegistry metrics = new SimpleMeterRegistry();
        ShardMeters.bind(metrics, ownership, "app-b", Clock.systemUTC());
        publish(2, "app-b");
        await("app-b to serve at epoch 2", () -> ownership.epochIfOwned(0).equals(OptionalLong.of(2)));

        // While ZooKeeper restarts, the map becomes one this server cannot read (its watcher ignores it).
        curator.setData().forPath(ClusterPaths.SHARD_MAP, new byte[] {1, 2, 3});
        zookeeper.restart();
        await("app-b to fail re-reading the map after the reconnection", () -> ownership.reconfirmFailures() >= 2);
        assertThat(ownership.epochIfOwned(0)).isEmpty();
        assertThat(ownership.whyNotServing()).hasValueSatisfying(why -> assertThat(why)
                .startsWith("re-reading the shard map").contains("attempts failed, last: unreadable shard map"));
        assertThat(metrics.get(ShardMeters.RECONFIRM_FAILURES).gauge().value()).isGreaterThanOrEqualTo(2);

        // The leader publishes a readable map: the next retry reads it, and the server serves by it.
        publish(3, "app-b");
        await("app-b to serve at epoch 3", () -> ownership.epochIfOwned(0).equals(OptionalLong.of(3)));
        assertThat(ownership.whyNotServing()).isEmpty();
        assertThat(metrics.get(ShardMeters.RECONFIRM_FAILURES).gauge().value()).isZero();
    }
}
