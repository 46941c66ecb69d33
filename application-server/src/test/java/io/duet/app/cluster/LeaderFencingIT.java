package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leader fencing of the shard map, against a real ZooKeeper: a leader held between computing a map and
 * committing it (as a long GC or a SIGSTOP would hold it) cannot commit once it has been deposed, nor
 * commit a map computed from membership that changed meanwhile; and a map someone else wrote makes the
 * leader recompute.
 */
class LeaderFencingIT {
    private TestingServer zookeeper;
    private CuratorFramework curator;
    private final List<AutoCloseable> servers = new ArrayList<>();

    @BeforeEach
    void startZooKeeper() throws Exception {
        zookeeper = TestZooKeeper.start();
        curator = TestZooKeeper.connect(zookeeper);
    }

    @AfterEach
    void stopAll() throws Exception {
        Collections.reverse(servers);
        for (AutoCloseable server : servers) {
            server.close();
        }
        curator.close();
        zookeeper.close();
    }

    private TestServer server(String id) throws Exception {
        TestServer server = TestServer.start(id, zookeeper);
        servers.add(server);
        return server;
    }

    /** Starts the first server, and waits until it leads: a latch joins the election in the background. */
    private TestServer leader(String id) throws Exception {
        TestServer leader = server(id);
        await(id + " to lead", () -> publishedMatches(view -> view.leaderId().equals(id)));
        return leader;
    }

    /** A member that publishes nothing and owns nothing it could serve: enough to change membership. */
    private Membership member(String id) throws Exception {
        Membership member = new Membership(curator, id, new AppServerInfo(id, new Endpoint("127.0.0.1", 1), 1));
        member.start(10_000);
        servers.add(member);
        return member;
    }

    private ShardMapView published(Stat stat) throws Exception {
        return ShardMapView.parse(curator.getData().storingStatIn(stat).forPath(ClusterPaths.SHARD_MAP));
    }

    private ShardMapView published() throws Exception {
        return published(new Stat());
    }

    private boolean publishedMatches(Predicate<ShardMapView> test) {
        try {
            return curator.checkExists().forPath(ClusterPaths.SHARD_MAP) != null && test.test(published());
        } catch (Exception e) {
            return false;
        }
    }

    private static Set<String> owners(ShardMapView view) {
        Set<String> owners = new TreeSet<>();
        for (int shard = 0; shard < view.shardCount(); shard++) {
            view.ownerIdOf(shard).ifPresent(owners::add);
        }
        return owners;
    }

    /** Holds the first map {@code publisher} is about to commit from now on until {@link Hold#release}. */
    private static final class Hold implements Consumer<ShardMap> {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        volatile ShardMap map;

        @Override
        public void accept(ShardMap next) {
            if (held.getCount() == 0) {
                return;
            }
            map = next;
            held.countDown();
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.await(20, TimeUnit.SECONDS)).as("the leader reached its commit").isTrue();
        }

        void release() {
            released.countDown();
        }
    }

    /** The leader's latch node is deleted while it is held, as a peer's failure detector does to a suspect. */
    @Test
    void aLeaderDeposedWhileHeldCannotCommitItsMap() throws Exception {
        TestServer a = leader("app-a");
        TestServer b = server("app-b");
        await("a map by app-a over both", () -> publishedMatches(
                view -> view.leaderId().equals("app-a") && view.servers().keySet().equals(Set.of("app-a", "app-b"))));

        Hold hold = new Hold();
        a.publisher.beforeCommit(hold);
        member("app-c");
        hold.awaitHeld();
        assertThat(hold.map.getServers()).containsKey("app-c");
        for (String child : curator.getChildren().forPath(ClusterPaths.LEADER)) {
            String path = ClusterPaths.LEADER + "/" + child;
            if (new String(curator.getData().forPath(path), StandardCharsets.UTF_8).equals("app-a")) {
                curator.delete().forPath(path);
            }
        }
        await("app-b to publish as the new leader", () -> publishedMatches(
                view -> view.leaderId().equals("app-b") && view.servers().containsKey("app-c")));
        Stat before = new Stat();
        ShardMapView byB = published(before);

        hold.release();
        await("app-a's commit to be rejected", () -> a.publisher.rejectedAsDeposed() == 1);
        Stat after = new Stat();
        ShardMapView now = published(after);
        assertThat(after.getVersion()).as("map versions").isEqualTo(before.getVersion());
        assertThat(now.epoch()).isEqualTo(byB.epoch());
        assertThat(now.leaderId()).isEqualTo("app-b");
        assertThat(b.publisher.rejectedAsDeposed()).isZero();
    }

    /** The leader's ZooKeeper session expires while it is held: its reconnected client cannot commit. */
    @Test
    void aLeaderWhoseSessionExpiredWhileHeldCannotCommitItsMap() throws Exception {
        TestServer a = leader("app-a");
        server("app-b");
        await("a map by app-a over both", () -> publishedMatches(
                view -> view.leaderId().equals("app-a") && view.servers().keySet().equals(Set.of("app-a", "app-b"))));

        Hold hold = new Hold();
        a.publisher.beforeCommit(hold);
        member("app-c");
        hold.awaitHeld();
        long oldSession = a.curator.getZookeeperClient().getZooKeeper().getSessionId();
        TestZooKeeper.expireSession(a.curator, zookeeper);
        await("app-b to publish as the new leader", () -> publishedMatches(view -> view.leaderId().equals("app-b")));
        await("app-a to be on a new session", () -> {
            try {
                return a.curator.getZookeeperClient().isConnected()
                        && a.curator.getZookeeperClient().getZooKeeper().getSessionId() != oldSession;
            } catch (Exception e) {
                return false;
            }
        });
        await("app-a back in the map", () -> publishedMatches(view -> view.servers().containsKey("app-a")));
        Stat before = new Stat();
        published(before);

        hold.release();
        await("app-a's commit to be rejected", () -> a.publisher.rejectedAsDeposed() == 1);
        Stat after = new Stat();
        assertThat(published(after).leaderId()).isEqualTo("app-b");
        assertThat(after.getVersion()).as("map versions").isEqualTo(before.getVersion());
    }

    /** A member leaves while the leader is held with a map that gives it shards. */
    @Test
    void aLeaderHeldWhileAMemberLeftRecomputesInsteadOfPublishingTheStaleMap() throws Exception {
        TestServer a = leader("app-a");
        server("app-b");
        Membership c = member("app-c");
        await("a map by app-a over three", () -> publishedMatches(
                view -> view.servers().keySet().equals(Set.of("app-a", "app-b", "app-c"))));
        Stat before = new Stat();
        published(before);

        Hold hold = new Hold();
        a.publisher.beforeCommit(hold);
        member("app-d");
        hold.awaitHeld();
        assertThat(hold.map.getShards()).extracting(ShardAssignment::getOwner).contains("app-c");
        c.close();

        hold.release();
        await("a map without app-c", () -> publishedMatches(view -> !view.servers().containsKey("app-c")));
        Stat after = new Stat();
        ShardMapView now = published(after);
        assertThat(a.publisher.rejectedAsStale()).isEqualTo(1);
        assertThat(now.servers().keySet()).containsExactlyInAnyOrder("app-a", "app-b", "app-d");
        assertThat(owners(now)).doesNotContain("app-c");
        assertThat(after.getVersion()).as("one map published: the stale one never was")
                .isEqualTo(before.getVersion() + 1);
        assertThat(now.leaderId()).isEqualTo("app-a");
    }

    @Test
    void aMapWrittenBySomeoneElseMakesTheLeaderRecomputeFromCurrentMembership() throws Exception {
        leader("app-a");
        server("app-b");
        await("a map by app-a over both", () -> publishedMatches(
                view -> view.leaderId().equals("app-a") && view.servers().keySet().equals(Set.of("app-a", "app-b"))));

        List<ShardAssignment> toGhost = new ArrayList<>();
        for (int shard = 0; shard < TestServer.SHARDS; shard++) {
            toGhost.add(new ShardAssignment("app-ghost", 50));
        }
        ShardMap foreign = new ShardMap(50, TestServer.SHARDS, toGhost,
                Map.of("app-ghost", new AppServerInfo("app-ghost", new Endpoint("127.0.0.1", 1), 1)), 0, "operator");
        curator.setData().forPath(ClusterPaths.SHARD_MAP, ThriftCodec.INTERNAL.encode(foreign));

        await("app-a to publish over the foreign map", () -> publishedMatches(view -> view.leaderId().equals("app-a")
                && view.epoch() > 50));
        ShardMapView now = published();
        assertThat(now.servers().keySet()).containsExactlyInAnyOrder("app-a", "app-b");
        assertThat(owners(now)).containsExactlyInAnyOrder("app-a", "app-b");
        for (int shard = 0; shard < now.shardCount(); shard++) {
            assertThat(now.epochOf(shard)).as("shard %d's epoch", shard).isGreaterThan(50);
        }
    }
}
