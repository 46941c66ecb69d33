package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;

/**
 * The coordination part of one application server, wired by hand much as {@link ClusterMember} wires it, each
 * on its own ZooKeeper session: membership, shard ownership (re-registering after a lost session), a failure
 * detector that suspects no one within a test, and the shard-map publisher. Unlike a server it has no heartbeat
 * lease (so no reconfirming of the map when one is regained), and the tests reach its publisher directly.
 */
final class TestServer implements AutoCloseable {
    static final int SHARDS = 8;

    final String id;
    final CuratorFramework curator;
    final ShardOwnership ownership;
    final Membership membership;
    final FailureDetector detector;
    final ShardMapPublisher publisher;
    /** Null unless the server has a join grace: the publisher reads ZooKeeper's time off the heartbeats. */
    private final Heartbeat heartbeat;

    private TestServer(String id, CuratorFramework curator, Duration joinGrace) {
        this.id = id;
        this.curator = curator;
        this.ownership = new ShardOwnership(curator, id);
        this.membership = new Membership(curator, id,
                new AppServerInfo(id, new Endpoint("127.0.0.1", 1), ownership.registeringAs(System.currentTimeMillis())));
        this.heartbeat = joinGrace.isZero() ? null
                : new Heartbeat(curator, id, Duration.ofMillis(100), Duration.ofSeconds(60), () -> { });
        this.detector = new FailureDetector(curator, id, Duration.ofSeconds(60), Duration.ofSeconds(60), heartbeat);
        this.publisher = new ShardMapPublisher(curator, id, SHARDS, Clock.systemUTC(), detector, Duration.ofMillis(100),
                joinGrace, () -> CompletableFuture.completedFuture(Placement.none()));
    }

    /** Starts a server: it registers, and joins the leader election (in the background). */
    static TestServer start(String id, TestingServer zookeeper) throws Exception {
        return start(id, zookeeper, Duration.ZERO);
    }

    /** Starts a server that, joining while others serve, is given shards only after {@code joinGrace}. */
    static TestServer start(String id, TestingServer zookeeper, Duration joinGrace) throws Exception {
        TestServer server = new TestServer(id, TestZooKeeper.connect(zookeeper), joinGrace);
        server.ownership.onRejoin(() -> {
            long startedAt = System.currentTimeMillis();
            if (server.membership.reincarnate(startedAt)) {
                server.ownership.registeringAs(startedAt);
            }
        });
        server.ownership.addListener(server.publisher::shardMapChanged);
        server.ownership.start();
        if (server.heartbeat != null) {
            server.heartbeat.start();
        }
        server.membership.start(10_000);
        server.detector.start();
        server.publisher.start();
        return server;
    }

    @Override
    public void close() throws Exception {
        publisher.close();
        if (heartbeat != null) {
            heartbeat.close();
        }
        detector.close();
        membership.close();
        ownership.close();
        curator.close();
    }
}
