package io.duet.presentation.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.RefusalReports;
import io.duet.security.RelayTls;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * Crash evidence from relay links, written to a real ZooKeeper: a refused connect to an application
 * server's relay endpoint reports it, a link that comes up withdraws the report, a dropped link is
 * reconnected at once (and its refusal reported), and a server that leaves is no longer reported.
 */
class RefusalReportsTest {
    private static final String APP = "app-1@x";
    private static final String REPORTER = "presentation-1@t";
    private static final String NODE = ClusterPaths.refusal(APP, REPORTER);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** The stand-in relay port's listening channel, once {@link #standIn} has bound it. */
    private Channel listener;
    private TestingServer zookeeper;
    private CuratorFramework curator;
    private RefusalReports reports;
    private AppLinks links;

    @BeforeEach
    void start() throws Exception {
        zookeeper = new TestingServer(new InstanceSpec(Files.createTempDirectory("duet-zk-").toFile(), -1, -1, -1,
                true, -1, -1, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1"), true);
        curator = CuratorFrameworkFactory.builder().connectString(zookeeper.getConnectString())
                .sessionTimeoutMs(10_000).connectionTimeoutMs(2_000).retryPolicy(new RetryOneTime(100)).build();
        curator.start();
        curator.blockUntilConnected();
        reports = new RefusalReports(curator, REPORTER);
        links = new AppLinks(group, "presentation-test", RelayStandIn.NO_USER_EVENTS, RelayTls.disabled(),
                RelayCallMeters.NONE, new RelayHealth(), reports);
    }

    @AfterEach
    void stop() throws Exception {
        links.close();
        reports.close();
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        curator.close();
        zookeeper.close();
    }

    @Test
    void aRefusedConnectIsReportedAndALinkUpWithdrawsIt() throws Exception {
        int port = freePort();
        AppServerInfo app = new AppServerInfo().setServerId(APP).setRelayEndpoint(new Endpoint("127.0.0.1", port));

        links.serversChanged(Map.of(APP, app));
        await("the refusal to be reported", () -> exists(NODE));

        listener = RelayStandIn.listen(group, accepted, port, true, frame -> { });
        links.serversChanged(Map.of(APP, app)); // reopens the closed links, as the directory does every 2 s
        await("the report to be withdrawn once a link is up", () -> !exists(NODE));

        // The process dies: its links drop, are reconnected at once without anyone asking, and are refused.
        long killed = System.nanoTime();
        // The listener first, as a dying process's: a link reconnecting meanwhile must find nothing listening.
        listener.close().syncUninterruptibly();
        accepted.close().awaitUninterruptibly();
        await("the refusal after the links dropped to be reported", () -> exists(NODE));
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("well before the directory's retry")
                .isLessThan(AppServerDirectory.RETRY_INTERVAL);

        links.serversChanged(Map.of());
        await("the report to be withdrawn once the server left", () -> !exists(NODE));
    }

    @Test
    void onlyARefusedConnectCounts() {
        assertThat(RelayLink.refused(new ConnectException("Connection refused"))).isTrue();
        assertThat(RelayLink.refused(new ConnectTimeoutException("connection timed out: /10.0.0.1:7600"))).isFalse();
        assertThat(RelayLink.refused(new ConnectException("No route to host"))).isFalse();
        assertThat(RelayLink.refused(new java.io.IOException("Connection reset by peer"))).isFalse();
    }

    private boolean exists(String path) {
        try {
            return curator.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
