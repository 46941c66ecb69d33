package io.duet.presentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.net.AddressRanges;
import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.auth.Revocations;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.relay.RelayStandIn;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapWatcher;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftLimits;
import io.duet.protocol.thrift.ThriftMessages;
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
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The address the HTTP API relays as a request's client: over a real connection to the pipeline {@link
 * HttpApiInitializer} builds, with a shard map in a real ZooKeeper and a stand-in application server's
 * relay port that records each {@link OpenStream}. From a trusted proxy it is the {@code X-Forwarded-For}
 * hop; from any other peer it is the peer, whatever the header says.
 */
class ForwardedClientAddressTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String FORWARDED = "203.0.113.7";
    private static final Authenticator AUTHENTICATOR = new Authenticator(
            TokenCodec.create("a-test-secret-that-is-at-least-32-bytes-long", List.of(), Clock.systemUTC()),
            new Revocations(Clock.systemUTC()));

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final BlockingQueue<OpenStream> opened = new ArrayBlockingQueue<>(16);
    private TestingServer zookeeper;
    private CuratorFramework curator;
    private ShardMapWatcher shardMap;
    private AppLinks links;

    @BeforeEach
    void start() throws Exception {
        zookeeper = new TestingServer(new InstanceSpec(Files.createTempDirectory("duet-zk-").toFile(), -1, -1, -1,
                true, -1, -1, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1"), true);
        curator = CuratorFrameworkFactory.builder().connectString(zookeeper.getConnectString())
                .sessionTimeoutMs(10_000).connectionTimeoutMs(2_000).retryPolicy(new RetryOneTime(100)).build();
        curator.start();
        curator.blockUntilConnected();
        // A relay port that answers HELLO and records every stream opened.
        Channel relay = RelayStandIn.listen(group, channels, 0, true, frame -> {
            if (frame.isSetOpen()) {
                opened.offer(frame.getOpen());
            }
        });
        channels.add(relay);
        AppServerInfo app = new AppServerInfo("app-1", new Endpoint("127.0.0.1", RelayStandIn.port(relay)), 0);
        ShardMap map = new ShardMap().setEpoch(1).setShardCount(1)
                .setShards(List.of(new ShardAssignment("app-1", 1))).setServers(Map.of("app-1", app))
                .setPublishedAtMillis(0).setLeaderId("app-1");
        curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SHARD_MAP, ThriftCodec.INTERNAL.encode(map));
        shardMap = new ShardMapWatcher(curator);
        shardMap.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (shardMap.current().isEmpty()) {
            assertThat(System.nanoTime()).as("the shard map within %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
        links = new AppLinks(group, "presentation-test", RelayStandIn.NO_USER_EVENTS, RelayTls.disabled());
    }

    @AfterEach
    void stop() throws Exception {
        links.close();
        channels.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        shardMap.close();
        curator.close();
        zookeeper.close();
    }

    @Test
    void fromATrustedProxyTheForwardedAddressIsRelayed() throws Exception {
        assertThat(clientAddressRelayed("127.0.0.0/8")).isEqualTo("/" + FORWARDED + ":0");
    }

    @Test
    void fromAnUntrustedPeerThePeerIsRelayedWhateverItForwards() throws Exception {
        assertThat(clientAddressRelayed("10.0.0.0/8")).startsWith("/127.0.0.1:").doesNotContain(FORWARDED);
    }

    /**
     * Serves the API with {@code trustedProxies}, sends it a log-in from 127.0.0.1 claiming to be forwarded
     * for {@value #FORWARDED}, and returns the client address of the stream it opened.
     */
    private String clientAddressRelayed(String trustedProxies) throws Exception {
        HttpSettings settings = HttpSettings.builder().trustedProxies(AddressRanges.parse(List.of(trustedProxies)))
                .build();
        Channel api = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new HttpApiInitializer(AUTHENTICATOR, new RoutingTable(shardMap), links, settings))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        channels.add(api);
        byte[] call = ThriftMessages.encodeCall(new ThriftCodec(ThriftLimits.UNTRUSTED), WireProtocol.BINARY, "logIn",
                1, new Endpoint("x", 1), false);
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) api.localAddress()).getPort())) {
            OutputStream out = client.getOutputStream();
            out.write(("POST /api/v1/account HTTP/1.1\r\nHost: duet\r\n"
                    + "Content-Type: application/vnd.apache.thrift.binary\r\n"
                    + "X-Forwarded-For: " + FORWARDED + "\r\nContent-Length: " + call.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(call);
            out.flush();
            OpenStream open = opened.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(open).as("a stream opened within %s", WAIT).isNotNull();
            assertThat(open.getServiceName()).isEqualTo("account");
            return open.getClientAddress();
        }
    }
}
