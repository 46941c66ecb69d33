package io.duet.presentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.auth.Revocations;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.relay.RelayCallMeters;
import io.duet.presentation.relay.RelayHealth;
import io.duet.presentation.relay.RelayStandIn;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.RefusalReports;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapWatcher;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import io.duet.security.RelayTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP call that reaches a server which turns it away as NOT_OWNER before running it (a shard move)
 * follows its couple to the new owner, and the client gets that owner's reply: over a real connection to
 * the pipeline {@link HttpApiInitializer} builds, a shard map in a real ZooKeeper, and two stand-in
 * application servers' relay ports.
 */
class HttpCallFollowsItsCoupleTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Below RelayLink's deadline for a retired link (3 s): it closes with its last call, not at the deadline. */
    private static final Duration RETIRED_LINK_CLOSES_WITHIN = Duration.ofSeconds(1);
    private static final TokenCodec TOKENS = TokenCodec.create("a-test-secret-that-is-at-least-32-bytes-long", List.of(),
            Clock.systemUTC());
    private static final Authenticator AUTHENTICATOR = new Authenticator(TOKENS, new Revocations(Clock.systemUTC()));
    private static final byte[] CALL = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.BINARY,
            "getReadState", 1, new Endpoint("x", 1), false);
    private static final byte[] REPLY = "the new owner's reply".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** What each stand-in was sent: its streams' OPEN frames and the calls on them. */
    private final Queue<OpenStream> openedAtOld = new ConcurrentLinkedQueue<>();
    private final Queue<OpenStream> openedAtNew = new ConcurrentLinkedQueue<>();
    private final Queue<byte[]> callsAtNew = new ConcurrentLinkedQueue<>();
    /** How the old owner turns a call away. */
    private volatile CloseStream refusal;
    /** Whether the old owner drops its relay connection when a call comes, instead. */
    private volatile boolean dropOnCall;
    /** Whether the old owner leaves the cluster (as the links are told) before it turns a call away. */
    private volatile boolean leaveBeforeRefusing;
    /** Whether the old owner, having left, never answers (a paused process). */
    private volatile boolean neverAnswers;
    /** The old owner's end of the relay link its last call came on. */
    private volatile Channel oldOwnersConnection;
    private TestingServer zookeeper;
    private CuratorFramework curator;
    private ShardMapWatcher shardMap;
    /** Where the links report relay ports that refuse connections. */
    private RefusalReports refusals;
    private AppLinks links;
    /** A server that has stopped: nothing listens on its relay port. */
    private AppServerInfo stopped;
    private AppServerInfo oldOwner;
    private AppServerInfo newOwner;
    private String token;

    @BeforeEach
    void start() throws Exception {
        zookeeper = new TestingServer(new InstanceSpec(Files.createTempDirectory("duet-zk-").toFile(), -1, -1, -1,
                true, -1, -1, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1"), true);
        curator = CuratorFrameworkFactory.builder().connectString(zookeeper.getConnectString())
                .sessionTimeoutMs(10_000).connectionTimeoutMs(2_000).retryPolicy(new RetryOneTime(100)).build();
        curator.start();
        curator.blockUntilConnected();
        oldOwner = standIn("app-1", (connection, frame) -> {
            if (frame.isSetOpen()) {
                openedAtOld.add(frame.getOpen());
            } else if (frame.isSetData() && dropOnCall) {
                connection.close();
            } else if (frame.isSetData()) {
                oldOwnersConnection = connection;
                if (leaveBeforeRefusing) {
                    // Queued on the one event loop the links share with the stand-ins (the group has one thread):
                    // the link is retired before it reads the answer below.
                    links.serversChanged(Map.of(newOwner.getServerId(), newOwner));
                }
                if (neverAnswers) {
                    return;
                }
                connection.writeAndFlush(RelayFrame.close(refusal.deepCopy().setStreamId(frame.getData().getStreamId())));
            }
        });
        newOwner = standIn("app-2", (connection, frame) -> {
            if (frame.isSetOpen()) {
                openedAtNew.add(frame.getOpen());
            } else if (frame.isSetData()) {
                callsAtNew.add(frame.getData().getPayload());
                connection.writeAndFlush(RelayFrameCodec.dataFrame(frame.getData().getStreamId(), PayloadKind.REPLY,
                        REPLY, RelayFrameCodec.NO_RETRY_AFTER));
            }
        });
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            stopped = new AppServerInfo("app-0", new Endpoint("127.0.0.1", closed.getLocalPort()), 0);
        }
        curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, ThriftCodec.INTERNAL.encode(map(1, "app-1")));
        shardMap = new ShardMapWatcher(curator);
        shardMap.start();
        awaitEpoch(1);
        refusals = new RefusalReports(curator, "presentation-test");
        links = new AppLinks(group, "presentation-test", RelayStandIn.NO_USER_EVENTS, RelayTls.disabled(),
                RelayCallMeters.NONE, new RelayHealth(), refusals);
        long now = System.currentTimeMillis();
        token = TOKENS.issue(new TokenClaims(7, 42, "phone", now, now + 600_000));
    }

    @AfterEach
    void stop() throws Exception {
        links.close();
        refusals.close();
        channels.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        shardMap.close();
        curator.close();
        zookeeper.close();
    }

    @Test
    void aCallTurnedAwayGoesToTheOwnerTheRefusingServerNames() throws Exception {
        refusal = new CloseStream(0, CloseReason.NOT_OWNER).setShardMapEpoch(2).setMovedTo(newOwner);

        HttpResponse<byte[]> response = post();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(REPLY);
        assertThat(callsAtNew).singleElement().isEqualTo(CALL);
        // The new owner is told which map named it, so that it waits for that map rather than refuse.
        assertThat(openedAtNew).singleElement().satisfies(open -> {
            assertThat(open.getShardMapEpoch()).isEqualTo(2);
            assertThat(open.getPrincipal().getCoupleId()).isEqualTo(42);
        });
    }

    @Test
    void aCallTurnedAwayWithoutAnOwnerWaitsForTheMapThatMovesTheCouple() throws Exception {
        refusal = new CloseStream(0, CloseReason.NOT_OWNER).setShardMapEpoch(2);
        Thread publisher = publishOnce(() -> !openedAtOld.isEmpty(), map(2, "app-2"));

        HttpResponse<byte[]> response = post();
        publisher.join();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(REPLY);
        assertThat(openedAtOld).hasSize(1);
        assertThat(callsAtNew).singleElement().isEqualTo(CALL);
    }

    @Test
    void aCallRoutedToAStoppedServerIsNeverSentAndWaitsForTheMapThatMovesTheCouple() throws Exception {
        // This server's map still names an owner that has stopped: nothing listens on its relay port.
        curator.setData().forPath(ClusterPaths.SHARD_MAP, ThriftCodec.INTERNAL.encode(map(2, "app-0")));
        awaitEpoch(2);
        // Once the call was routed there and its link refused, the map that moves the couple comes.
        Thread publisher = publishOnce(() -> refusals.reporting("app-0"), map(3, "app-2"));

        HttpResponse<byte[]> response = post();
        publisher.join();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(REPLY);
        assertThat(callsAtNew).singleElement().isEqualTo(CALL);
    }

    @Test
    void aCallWhoseLinkIsLostAfterItWasSentIsNotSentAgain() throws Exception {
        // The old owner may have run the call before its link dropped: sending it again could run it twice.
        dropOnCall = true;

        HttpResponse<byte[]> response = post();

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("went away");
        assertThat(openedAtOld).hasSize(1);
        assertThat(openedAtNew).isEmpty();
    }

    @Test
    void aCallInFlightWhenItsServerLeavesTheClusterGetsTheAnswerItWasSentAndItsLinkThenCloses() throws Exception {
        // The owner stops: it leaves the cluster while a call is on its way, and turns the call away to the
        // couple's new owner. Its link is retired, not closed, so that the answer still comes back on it.
        leaveBeforeRefusing = true;
        refusal = new CloseStream(0, CloseReason.NOT_OWNER).setShardMapEpoch(2).setMovedTo(newOwner);

        HttpResponse<byte[]> response = post();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(REPLY);
        assertThat(callsAtNew).singleElement().isEqualTo(CALL);
        // With its last call answered, the retired link closes (well before its deadline).
        assertThat(oldOwnersConnection.closeFuture().await(RETIRED_LINK_CLOSES_WITHIN.toMillis()))
                .as("the retired link closed within %s of its last answer", RETIRED_LINK_CLOSES_WITHIN).isTrue();
    }

    @Test
    void aCallInFlightWhenItsServerLeavesAndNeverAnswersGets503AtTheRetiredLinksDeadline() throws Exception {
        // It may have run: it is not sent again, and the retired link does not wait for it for good.
        leaveBeforeRefusing = true;
        neverAnswers = true;
        long start = System.nanoTime();

        HttpResponse<byte[]> response = post();

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("answered at the retired link's deadline (3 s)")
                .isGreaterThanOrEqualTo(Duration.ofMillis(2_900));
        assertThat(callsAtNew).isEmpty();
        assertThat(oldOwnersConnection.closeFuture().await(RETIRED_LINK_CLOSES_WITHIN.toMillis()))
                .as("the retired link closed at its deadline").isTrue();
    }

    @Test
    void aCallStillTurnedAwayAfterItsMovesGets503WithRetryAfter() throws Exception {
        // A couple that keeps moving: each refusal names another owner, which refuses in turn.
        refusal = new CloseStream(0, CloseReason.NOT_OWNER).setShardMapEpoch(1).setMovedTo(oldOwner);

        HttpResponse<byte[]> response = post();

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("moving");
        // The first try and then one per move.
        assertThat(openedAtOld).hasSize(HttpApiHandler.MAX_MOVES + 1);
        assertThat(callsAtNew).isEmpty();
    }

    /** Publishes {@code map} 100 ms after {@code happened} holds, from a thread of its own (started). */
    private Thread publishOnce(BooleanSupplier happened, ShardMap map) {
        Thread publisher = new Thread(() -> {
            try {
                while (!happened.getAsBoolean()) {
                    Thread.sleep(5);
                }
                Thread.sleep(100);
                curator.setData().forPath(ClusterPaths.SHARD_MAP, ThriftCodec.INTERNAL.encode(map));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        publisher.start();
        return publisher;
    }

    private void awaitEpoch(long epoch) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (shardMap.current().map(view -> view.epoch() < epoch).orElse(true)) {
            assertThat(System.nanoTime()).as("the shard map of epoch %d within %s", epoch, WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private HttpResponse<byte[]> post() throws Exception {
        Channel api = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new HttpApiInitializer(AUTHENTICATOR, new RoutingTable(shardMap), links,
                        HttpSettings.defaults()))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        channels.add(api);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + ((InetSocketAddress) api.localAddress()).getPort() + "/api/v1/chat"))
                .header("Content-Type", "application/vnd.apache.thrift.binary")
                .header("Authorization", "Bearer " + token)
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(CALL)).build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private AppServerInfo standIn(String id, BiConsumer<Channel, RelayFrame> frames) throws Exception {
        Channel relay = RelayStandIn.listen(group, channels, 0, true, frames);
        channels.add(relay);
        return new AppServerInfo(id, new Endpoint("127.0.0.1", RelayStandIn.port(relay)), 0);
    }

    private ShardMap map(long epoch, String owner) {
        return new ShardMap().setEpoch(epoch).setShardCount(1)
                .setShards(List.of(new ShardAssignment(owner, epoch)))
                .setServers(Map.of("app-0", stopped, "app-1", oldOwner, "app-2", newOwner))
                .setPublishedAtMillis(0).setLeaderId("app-1");
    }
}
