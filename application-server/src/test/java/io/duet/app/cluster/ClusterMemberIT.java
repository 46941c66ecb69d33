package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.settings.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterMember} against a real ZooKeeper, as the application server drives it: joining returns once
 * the published map names the server (with the placement it registered), leaving hands its shards to the
 * other server within the bound, and closing twice is harmless.
 */
class ClusterMemberIT {
    private static final int SHARDS = 8;

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
    void aServerJoinsTheShardMapAndLeavingHandsItsShardsToTheOther() throws Exception {
        try (Server a = Server.join("app-a", zookeeper); Server b = Server.join("app-b", zookeeper)) {
            assertThat(a.ownership.current().orElseThrow().servers()).containsKey("app-a");
            assertThat(b.ownership.current().orElseThrow().servers().get("app-b").getHost()).isEqualTo("host-app-b");
            await("both servers to own shards", () -> b.ownership.current().orElseThrow().servers().keySet()
                    .containsAll(List.of("app-a", "app-b")));

            long leaving = System.nanoTime();
            assertThat(a.member.leave(Duration.ofSeconds(10))).as("left within the bound").isTrue();

            // Leaving returned as soon as the map gave the server no shard, not at the bound.
            assertThat(Duration.ofNanos(System.nanoTime() - leaving)).isLessThan(Duration.ofSeconds(5));
            assertThat(a.ownership.current().orElseThrow().servers()).containsOnlyKeys("app-b");
            await("the other server to own every shard", () -> IntStream.range(0, SHARDS)
                    .allMatch(shard -> b.ownership.current().orElseThrow().ownerIdOf(shard).equals(
                            Optional.of("app-b"))));
        }
    }

    @Test
    void leavingBeforeJoiningHasNothingToHandOver() throws Exception {
        CuratorFramework curator = TestZooKeeper.connect(zookeeper);
        ShardOwnership ownership = new ShardOwnership(curator, "app-a");
        try (ClusterMember member = new ClusterMember(settings("app-a"), curator, "app-a", ownership, Clock.systemUTC())) {
            assertThat(member.leave(Duration.ofMillis(1))).isTrue();
        } finally {
            ownership.close();
            curator.close();
        }
    }

    private static Settings settings(String id) {
        return Settings.of(Map.of("cluster.join-grace", "0s", "placement.host", "host-" + id));
    }

    /** One server's ZooKeeper parts, started in the application server's order. */
    private static final class Server implements AutoCloseable {
        final CuratorFramework curator;
        final ShardOwnership ownership;
        final ClusterMember member;

        private Server(String id, TestingServer zookeeper) throws InterruptedException {
            curator = TestZooKeeper.connect(zookeeper);
            ownership = new ShardOwnership(curator, id);
            member = new ClusterMember(settings(id), curator, id, ownership, Clock.systemUTC());
        }

        static Server join(String id, TestingServer zookeeper) throws Exception {
            Server server = new Server(id, zookeeper);
            server.member.startHeartbeat(ServerStatus::new);
            server.ownership.start();
            server.member.join(new Endpoint("127.0.0.1", 1), SHARDS,
                    () -> CompletableFuture.completedFuture(Placement.none()));
            return server;
        }

        @Override
        public void close() throws Exception {
            member.close();
            member.close();
            ownership.close();
            curator.close();
        }
    }
}
