package io.duet.presentation;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.auth.Revocations;
import io.duet.presentation.drain.Drain;
import io.duet.presentation.drain.DrainSettings;
import io.duet.presentation.http.HttpApiInitializer;
import io.duet.presentation.http.HttpSettings;
import io.duet.presentation.limits.ConnectionLimiter;
import io.duet.presentation.limits.ConnectionLimits;
import io.duet.presentation.proxy.ProxyProtocol;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.relay.RelayCallMeters;
import io.duet.presentation.relay.AppServerDirectory;
import io.duet.presentation.relay.RelayHealth;
import io.duet.presentation.routing.RoutingTable;
import io.duet.presentation.session.ClientTcpInitializer;
import io.duet.presentation.session.SessionRegistry;
import io.duet.presentation.session.SessionSettings;
import io.duet.presentation.weight.AgentCheckServer;
import io.duet.presentation.weight.CpuLoad;
import io.duet.presentation.weight.WeightSettings;
import io.duet.presentation.weight.Weights;
import io.duet.presentation.status.PresenterRegistration;
import io.duet.presentation.tls.ClientTls;
import io.duet.presentation.tls.ClientTlsSettings;
import io.duet.protocol.cluster.ClusterStatus;
import io.duet.protocol.cluster.ClusterStatusReader;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.PresenterStatus;
import io.duet.protocol.cluster.RefusalReports;
import io.duet.protocol.cluster.ShardMapWatcher;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.cluster.ZooKeeperClients;
import io.duet.process.AcceptErrorHandler;
import io.duet.process.ServerMain;
import io.duet.process.admin.AdminServer;
import io.duet.process.admin.AdminSettings;
import io.duet.process.admin.DrainControl;
import io.duet.process.admin.DrainStatus;
import io.duet.process.admin.StatusSource;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.token.TokenCodec;
import io.duet.security.RelayTls;
import io.duet.security.TokenSecrets;
import io.duet.settings.Settings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A presentation server. It keeps no client state beyond open connections: tokens are verified by
 * signature, routes come from the shard map in ZooKeeper, and every call is relayed to an application
 * server. Client channels and relay links share one event loop group, so that each client's stream
 * rides the link on its own loop.
 *
 * <p>Shutdown (SIGTERM) drains first ({@link Drain}): stop accepting, ask every client to reconnect
 * through the load balancer, spread over {@code drain.window}, and wait for them to go, closing those
 * left at {@code drain.deadline}; then close the relay links and the rest. {@code POST /drain} on the
 * admin port starts the same drain without stopping, and {@code GET /drain} says when it is done, so
 * that a deploy script can drain, wait, then stop.
 *
 * <p>Its admin port ({@link AdminServer}) is up from the first moment of {@link #start()} to the last of
 * {@link #close()}. {@code /ready} is 503 until start completes, from the moment shutdown begins, while
 * its ZooKeeper connection is SUSPENDED or LOST, from the moment a drain starts, and while it has no
 * routes (no shard map, or one that names no application server), and while no relay link to an
 * application server of the map is up ({@link RelayHealth}: none up yet, or all down for longer than its
 * grace); {@code /metrics} has the meters of {@link PresentationMetrics}. Its record under /presenters
 * ({@link PresenterRegistration}) lists it, with its sessions and drain, on every server's {@code /status}
 * page until its drain is over.
 *
 * <p>Its agent-check port ({@link AgentCheckServer}, {@code agent.port}) tells the load balancer how much
 * room it has for new connections: {@code ready N%} from its sessions and CPU load ({@link Weights}), or
 * {@code drain} from the moment a drain or shutdown begins.
 */
public final class PresentationServer implements ServerMain.Server {
    private static final Logger LOG = LoggerFactory.getLogger(PresentationServer.class);
    /** Sizes each client connection's read buffers from what it read before; stateless, so shared. */
    private static final AdaptiveRecvByteBufAllocator RECEIVE_BUFFERS = new AdaptiveRecvByteBufAllocator();

    private enum State { NEW, STARTING, RUNNING, STOPPING, STOPPED }

    private final Settings settings;
    private final String serverId;
    /** {@code <server.id>@<start time>}: the name of its record under /presenters, new for every start. */
    private final String instanceId;
    private final long startedAtMillis = System.currentTimeMillis();
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final Revocations revocations = new Revocations(Clock.systemUTC());
    private final SessionRegistry sessions = new SessionRegistry(revocations);
    private final Drain drain;
    private final WeightSettings weightSettings;
    private final CpuLoad cpuLoad;
    private CuratorFramework curator;
    private ShardMapWatcher shardMap;
    private RoutingTable routing;
    private AppLinks links;
    private RefusalReports refusals;
    private ConnectionLimiter connectionLimiter;
    private AppServerDirectory directory;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel tcpListener;
    private Channel httpListener;
    private AdminServer admin;
    /** Null when {@code agent.enabled} is false. */
    private AgentCheckServer agent;
    /** TLS on the client ports, or off ({@code client.tls.*}). */
    private ClientTls clientTls;
    private ClusterStatusReader clusterStatus;
    private PresenterRegistration registration;
    /** As Curator last reported it; only CONNECTED once start() has connected. */
    private volatile ConnectionState zookeeperState = ConnectionState.LOST;

    public PresentationServer(Settings settings) {
        this.settings = settings;
        this.serverId = settings.string("server.id");
        this.instanceId = serverId + "@" + Long.toString(startedAtMillis, 36);
        this.drain = new Drain(DrainSettings.from(settings), sessions, this::stopAccepting);
        this.weightSettings = WeightSettings.from(settings);
        this.cpuLoad = new CpuLoad(weightSettings.cpuWindow());
    }

    @Override
    public void start() throws Exception {
        if (!state.compareAndSet(State.NEW, State.STARTING)) {
            throw new IllegalStateException("start() may be called once; state is " + state.get());
        }
        long started = System.nanoTime();
        // Credentials first: a server with a guessable secret or no relay certificate must not start at all.
        TokenSecrets secrets = TokenSecrets.from(settings);
        RelayTls relayTls = RelayTls.from(settings);
        clientTls = ClientTls.create(ClientTlsSettings.from(settings));
        admin = new AdminServer(AdminSettings.from(settings), this::whyNotReady, new AdminDrain());
        admin.start();
        FrameEncoder.preloadCompression();
        curator = ZooKeeperClients.connect(settings, Duration.ofSeconds(15));
        zookeeperState = ConnectionState.CONNECTED;
        curator.getConnectionStateListenable().addListener((client, newState) -> {
            zookeeperState = newState;
            if (!newState.isConnected()) {
                LOG.warn("ZooKeeper connection {}: not ready until it is back", newState);
            }
        });
        Authenticator authenticator = new Authenticator(TokenCodec.create(secrets.current(), secrets.previous(),
                Clock.systemUTC()), revocations);
        int threads = settings.integer("io.threads", Runtime.getRuntime().availableProcessors());
        // Netty's thread factory: its threads carry FastThreadLocals, and are known to be event loops.
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("duet-accept", true),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("duet-io", true),
                NioIoHandler.newFactory());

        refusals = new RefusalReports(curator, instanceId);
        links = new AppLinks(workerGroup, serverId, sessions, relayTls, new RelayCallMeters(admin.metrics()),
                new RelayHealth(), refusals);
        directory = new AppServerDirectory(curator, links);
        shardMap = new ShardMapWatcher(curator);
        shardMap.addListener(view -> {
            LOG.info("Routing by shard map epoch {} over {}", view.epoch(), view.servers().keySet());
            directory.shardMapChanged(view);
            sessions.routesChanged();
        });
        shardMap.start();
        directory.start();
        routing = new RoutingTable(shardMap);
        cpuLoad.start();
        PresentationMetrics.bind(admin.metrics(), sessions, links, this::weightPercent);
        clusterStatus = new ClusterStatusReader(curator);
        clusterStatus.start();
        admin.statusFrom(new Status());
        ConnectionLimits connectionLimits = ConnectionLimits.from(settings);
        connectionLimiter = new ConnectionLimiter(connectionLimits);
        PresentationMetrics.bindConnections(admin.metrics(), connectionLimiter);
        LOG.info("Connection limits: {}", connectionLimits);

        SessionSettings defaults = SessionSettings.defaults();
        SessionSettings sessionSettings = new SessionSettings(
                settings.duration("client.auth-timeout", defaults.authTimeout()),
                settings.duration("client.idle-timeout", defaults.idleTimeout()),
                settings.duration("client.ping-interval", defaults.pingInterval()),
                settings.duration("client.reroute-deadline", defaults.rerouteDeadline()),
                256, 4L * 1024 * 1024,
                settings.integer("client.replay-window-bytes", defaults.replayWindowBytes()),
                settings.integer("client.max-calls-in-flight", defaults.maxCallsInFlight()))
                .withQuietGrace(settings.duration("client.quiet-grace", SessionSettings.DEFAULT_QUIET_GRACE));
        LOG.info("Client TLS: {}", clientTls);
        // A trusted load balancer's PROXY header comes first, before TLS.
        tcpListener = listen("client TCP", settings.string("client.tcp.host", "0.0.0.0"), settings.integer("client.tcp.port", 7410),
                ProxyProtocol.wrap(ConnectionLimits.trustedProxies(settings),
                        clientTls.wrap(new ClientTcpInitializer(authenticator, routing, links, sessions, sessionSettings))));
        httpListener = listen("client HTTP", settings.string("client.http.host", "0.0.0.0"), settings.integer("client.http.port", 7420),
                clientTls.wrap(new HttpApiInitializer(authenticator, routing, links,
                        HttpSettings.builder()
                                .headerTimeout(settings.duration("http.header-timeout", HttpSettings.DEFAULT_HEADER_TIMEOUT))
                                .bodyTimeout(settings.duration("http.request-timeout", HttpSettings.DEFAULT_BODY_TIMEOUT))
                                .replyTimeout(settings.duration("http.request-timeout", HttpSettings.DEFAULT_REPLY_TIMEOUT))
                                .trustedProxies(ConnectionLimits.trustedProxies(settings))
                                .build())));
        if (weightSettings.agentEnabled()) {
            agent = new AgentCheckServer(weightSettings, this::agentReply);
            agent.start();
        }
        registration = new PresenterRegistration(curator, instanceId, this::presenterStatus,
                settings.duration("status.publish-interval", PresenterRegistration.DEFAULT_PUBLISH_INTERVAL));
        registration.start();
        state.set(State.RUNNING);
        LOG.info("Presentation server {} up in {} ms: client TCP {}, HTTP {}, admin port {}", serverId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), tcpListener.localAddress(),
                httpListener.localAddress(), admin.address());
    }

    private Channel listen(String name, String host, int port, ChannelInitializer<? extends Channel> initializer)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .handler(new ChannelInitializer<ServerChannel>() {
                    @Override
                    protected void initChannel(ServerChannel channel) {
                        channel.pipeline().addLast(connectionLimiter, new AcceptErrorHandler(name));
                    }
                })
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                // One allocator (its settings; each connection still sizes its reads alone) instead of one per
                // connection: a server holds tens of thousands of idle ones.
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, RECEIVE_BUFFERS)
                .childHandler(initializer)
                .bind(new InetSocketAddress(host, port)).sync().channel();
    }

    public int tcpPort() {
        return ((InetSocketAddress) tcpListener.localAddress()).getPort();
    }

    public int httpPort() {
        return ((InetSocketAddress) httpListener.localAddress()).getPort();
    }

    /** Where the admin port listens; once {@link #start()} has begun. */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    @Override
    public Map<String, String> readyInfo() {
        Map<String, String> info = new TreeMap<>(admin.readyInfo());
        info.put("client.tcp.port", Integer.toString(tcpPort()));
        info.put("client.http.port", Integer.toString(httpPort()));
        if (agent != null) {
            info.putAll(agent.readyInfo());
        }
        return info;
    }

    /** The weight this server publishes while not draining ({@link Weights#percent}); never blocks. */
    private int weightPercent() {
        return Weights.percent(sessions.size(), cpuLoad.smoothed(), weightSettings);
    }

    /** The agent check's line: {@code drain} from the moment a drain or shutdown begins; never blocks. */
    private String agentReply() {
        State now = state.get();
        boolean draining = drain.isStarted() || now == State.STOPPING || now == State.STOPPED;
        return Weights.agentReply(draining, weightPercent());
    }

    /** What {@code GET /ready} says; reads only volatile state, on the admin port's event loop. */
    private Optional<String> whyNotReady() {
        switch (state.get()) {
            case NEW:
            case STARTING:
                return Optional.of("starting");
            case STOPPING:
            case STOPPED:
                return Optional.of("shutting down: " + drain.drainStatus().detail());
            default:
                break;
        }
        if (drain.isStarted()) {
            return Optional.of("draining: " + drain.drainStatus().detail());
        }
        ConnectionState zookeeper = zookeeperState;
        if (!zookeeper.isConnected()) {
            return Optional.of("no ZooKeeper connection (" + zookeeper + ")");
        }
        if (!curator.getZookeeperClient().isConnected()) {
            // A change between connecting and the listener's registration is not heard; this is.
            return Optional.of("no ZooKeeper connection");
        }
        // RUNNING: every part is built (state was set after them).
        ShardMapView map = routing.current().orElse(null);
        if (map == null) {
            return Optional.of("no routes: no shard map yet");
        }
        if (map.servers().isEmpty()) {
            return Optional.of("no routes: the shard map names no application server");
        }
        return links.whyNotRelaying(map.servers().keySet());
    }

    /** What this server's record under /presenters says; read only volatile state. */
    private PresenterStatus presenterStatus() {
        Optional<String> whyNot = whyNotReady();
        InetSocketAddress adminAddress = admin.address();
        return new PresenterStatus()
                .setInstanceId(instanceId)
                .setStartedAtMillis(startedAtMillis)
                .setSessions(sessions.size())
                .setReady(whyNot.isEmpty())
                .setNotReadyReason(whyNot.orElse(""))
                .setDrainPhase(drain.drainStatus().phase().name())
                .setAdminEndpoint(new Endpoint(adminAddress.getHostString(), adminAddress.getPort()));
    }

    /** What the status page shows of this server; in-memory reads only, on the admin port's event loop. */
    private final class Status implements StatusSource {
        @Override
        public Map<String, String> self() {
            Map<String, String> self = new LinkedHashMap<>();
            self.put("server", instanceId);
            self.put("role", "presentation server");
            self.put("client sessions", Integer.toString(sessions.size()));
            self.put("shard map epoch", routing.current().map(view -> Long.toString(view.epoch())).orElse("none yet"));
            self.put("started", java.time.Instant.ofEpochMilli(startedAtMillis).toString());
            return self;
        }

        @Override
        public Optional<ClusterStatus> cluster() {
            return clusterStatus.snapshot();
        }
    }

    /** Closes the listeners without waiting: no new connections from now on. */
    private void stopAccepting() {
        for (Channel listener : new Channel[] {tcpListener, httpListener}) {
            if (listener != null) {
                listener.close();
            }
        }
    }

    /** The drain as the admin port drives it: only a running server starts one. */
    private final class AdminDrain implements DrainControl {
        @Override
        public DrainStatus startDrain() {
            if (state.get() != State.RUNNING && !drain.isStarted()) {
                return DrainStatus.of(DrainStatus.Phase.NOT_STARTED, "cannot drain: the server is " + state.get());
            }
            return drain.startDrain();
        }

        @Override
        public DrainStatus drainStatus() {
            return drain.drainStatus();
        }
    }

    @Override
    public void close() {
        State previous = state.getAndSet(State.STOPPING);
        if (previous == State.STOPPING || previous == State.STOPPED) {
            state.set(previous);
            return;
        }
        LOG.info("Presentation server {} shutting down with {} sessions", serverId, sessions.size());
        if (previous == State.RUNNING) {
            drain.startDrain();
            drain.awaitDrained();
        }
        for (Channel listener : new Channel[] {tcpListener, httpListener}) {
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
        }
        // After the drain, so that status pages showed it draining; gone from them from now on.
        if (registration != null) {
            registration.close();
        }
        if (clusterStatus != null) {
            clusterStatus.close();
        }
        // The directory first: it would open links again.
        if (directory != null) {
            directory.close();
        }
        if (links != null) {
            links.close();
        }
        if (refusals != null) {
            refusals.close();
        }
        if (shardMap != null) {
            shardMap.close();
        }
        if (curator != null) {
            curator.close();
        }
        if (workerGroup != null) {
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        cpuLoad.close();
        if (clientTls != null) {
            clientTls.close();
        }
        state.set(State.STOPPED);
        if (agent != null) {
            agent.close(); // said "drain" until now
        }
        // Last: /ready said "shutting down" all along, and /live answers until the process is about to exit.
        if (admin != null) {
            admin.close();
        }
        LOG.info("Presentation server {} stopped", serverId);
    }
}
