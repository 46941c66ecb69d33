package io.duet.app;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.duet.app.account.AccountDeletion;
import io.duet.app.account.Accounts;
import io.duet.app.account.PasswordHasher;
import io.duet.app.account.PasswordPolicy;
import io.duet.app.account.DeviceSessions;
import io.duet.app.account.SessionIssuer;
import io.duet.app.api.ApiServices;
import io.duet.app.cluster.ClusterMember;
import io.duet.app.cluster.ClusterSettingsStore;
import io.duet.app.cluster.RegionHosts;
import io.duet.app.cluster.ShardMeters;
import io.duet.app.cluster.ShardOwnership;
import io.duet.app.couple.ArchiveSettings;
import io.duet.app.couple.CatchUpLimits;
import io.duet.app.couple.CatchUpReads;
import io.duet.app.couple.CoupleLimits;
import io.duet.app.couple.CoupleRegistry;
import io.duet.app.couple.CoupleServices;
import io.duet.app.couple.LongPolls;
import io.duet.app.internal.BoundedStep;
import io.duet.app.pairing.CoupleClosing;
import io.duet.app.pairing.Pairings;
import io.duet.app.photo.PhotoSettings;
import io.duet.app.photo.Photos;
import io.duet.app.photo.S3Settings;
import io.duet.app.push.PushSettings;
import io.duet.app.push.Pushes;
import io.duet.app.relay.PresentationLinks;
import io.duet.app.internal.SerialExecutor;
import io.duet.app.limits.Limit;
import io.duet.app.limits.LogInAttempts;
import io.duet.app.limits.RateLimiter;
import io.duet.app.limits.RateLimits;
import io.duet.app.relay.RelayServerInitializer;
import io.duet.app.relay.RelayWarmUp;
import io.duet.app.rpc.ServiceDispatcher;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseClientSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.app.storage.HBaseStartup;
import io.duet.app.storage.InviteStore;
import io.duet.app.storage.LogInAttemptStore;
import io.duet.app.storage.PushTokenStore;
import io.duet.app.storage.SessionStore;
import io.duet.app.storage.StoreMeters;
import io.duet.app.storage.UserStore;
import io.duet.protocol.cluster.ClusterSettings;
import io.duet.protocol.cluster.ClusterStatusReader;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.cluster.ZooKeeperClients;
import io.duet.process.AcceptErrorHandler;
import io.duet.process.ServerMain;
import io.duet.process.admin.AdminServer;
import io.duet.process.admin.AdminSettings;
import io.duet.process.metrics.FanOutLag;
import io.duet.protocol.token.TokenCodec;
import io.duet.security.RelayTls;
import io.duet.security.TokenSecrets;
import io.duet.settings.Settings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application server: joins the cluster, follows the shard map, serves the relay port, and owns the
 * couples of its shards. Built from {@link Settings}; {@link #start()} once, {@link #close()} any number
 * of times. It is the lifecycle that builds the parts and wires them together: its part in the cluster is
 * {@link ClusterMember}'s (heartbeat, join, leave, failure detector, shard-map publisher).
 *
 * <p>Shutdown has two phases under one deadline: first it leaves the cluster and unloads its couples
 * (their sessions are routed elsewhere, in-flight writes finish, and calls that still come are turned away
 * with the new owner's name until they stop, {@link #RELAY_QUIET}), then it closes connections and threads,
 * forcing whatever is left when the deadline passes. Handing over needs ZooKeeper: a server that cannot
 * reach it gives up the handoff after {@code shutdown.handoff-timeout}, unloads its couples anyway
 * (the next owner's claim fences their rows) and gives its ZooKeeper client at most {@link
 * #COORDINATION_CLOSE_WAIT} more, so that it exits in seconds rather than after the client's retries.
 *
 * <p>Its admin port ({@link AdminServer}) is up from the first moment of {@link #start()} to the last of
 * {@link #close()}. {@code /ready} is 503 until this server is in the shard map, from the moment
 * shutdown begins, and whenever it may not serve its shards ({@link ShardOwnership#whyNotServing()}:
 * ZooKeeper connection SUSPENDED or LOST, heartbeat lease expired); {@code /metrics} has the meters of
 * {@link ApplicationMetrics}; {@code /status} is the operators' page of the cluster as this server reads it.
 */
public final class ApplicationServer implements ServerMain.Server {
    private static final Logger LOG = LoggerFactory.getLogger(ApplicationServer.class);
    private static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(15);
    /**
     * How long a stopping server tries to hand its shards over (leave the cluster and wait for the map
     * that moves them) before unloading them anyway ({@code shutdown.handoff-timeout}).
     */
    static final Duration DEFAULT_HANDOFF_TIMEOUT = Duration.ofSeconds(5);
    /**
     * After the handoff, the relay links stay open until no call has come for this long (a presentation
     * server's map names the new owners within milliseconds of ours)...
     */
    static final Duration RELAY_QUIET = Duration.ofMillis(200);
    /** ... or for at most this long. */
    static final Duration RELAY_QUIET_WAIT = Duration.ofSeconds(2);
    /** After a handoff that did not finish, how long closing the ZooKeeper parts may take at most. */
    static final Duration COORDINATION_CLOSE_WAIT = Duration.ofSeconds(2);
    /** Past this many shards with couples, the heartbeat carries only the total, to stay small. */
    static final int MAX_STATUS_SHARDS = 256;

    private enum State { NEW, STARTING, RUNNING, STOPPING, STOPPED }

    private final Settings settings;
    private final Clock clock = Clock.systemUTC();
    private final String serverId;
    private final String instanceId;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final Duration handoffTimeout;

    private CuratorFramework curator;
    private AsyncConnection hbase;
    private ExecutorService coupleWorkers;
    private ExecutorService storeCallbacks;
    private ThreadPoolExecutor passwordHashing;
    private ScheduledExecutorService timers;
    private RateLimiter rateLimiter;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel listener;
    private AdminServer admin;
    private PresentationLinks presentationLinks;
    private ShardOwnership ownership;
    private CoupleRegistry couples;
    private Photos photos;
    private Pushes pushes;
    private CatchUpReads catchUpReads;
    private ClusterMember member;
    private ClusterStatusReader clusterStatus;
    private int relayPort;

    public ApplicationServer(Settings settings) {
        this.settings = settings;
        this.serverId = settings.string("server.id");
        this.instanceId = serverId + "@" + Long.toString(clock.millis(), 36);
        this.handoffTimeout = settings.duration("shutdown.handoff-timeout", DEFAULT_HANDOFF_TIMEOUT);
    }

    public String instanceId() {
        return instanceId;
    }

    public int relayPort() {
        return relayPort;
    }

    /** Where the admin port listens; once {@link #start()} has begun. */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    @Override
    public java.util.Map<String, String> readyInfo() {
        java.util.Map<String, String> info = new java.util.TreeMap<>(admin.readyInfo());
        info.put("instance.id", instanceId);
        info.put("relay.port", Integer.toString(relayPort));
        return info;
    }

    /** What {@code GET /ready} says; reads only volatile state, on the admin port's event loop. */
    private java.util.Optional<String> whyNotReady() {
        switch (state.get()) {
            case NEW:
            case STARTING:
                return java.util.Optional.of("starting: not in the shard map yet");
            case STOPPING:
            case STOPPED:
                return java.util.Optional.of("stopping: handing shards over");
            default:
                // RUNNING: every part is built (state was set after them).
                return ownership.whyNotServing();
        }
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
        admin = new AdminServer(AdminSettings.from(settings), this::whyNotReady);
        admin.start();
        curator = ZooKeeperClients.connect(settings, Duration.ofSeconds(10));
        ClusterSettings cluster = ClusterSettingsStore.ensure(curator,
                Shards.checkShardCount(settings.integer("cluster.shards", Shards.DEFAULT_SHARD_COUNT)), clock.millis());

        HBaseSchema schema = new HBaseSchema(settings.string("hbase.namespace", "duet"), cluster.getShardCount(),
                settings.bool("hbase.pre-split", HBaseSchema.DEFAULT_PRE_SPLIT),
                settings.integer("hbase.couples-regions", HBaseSchema.DEFAULT_COUPLES_REGIONS));
        hbase = HBaseStartup.connect(HBaseClientSettings.configuration(settings), schema,
                settings.duration("hbase.start-timeout", HBaseStartup.DEFAULT_TIMEOUT));
        HBaseStartup.cacheRegionLocations(hbase, schema);

        int cores = Runtime.getRuntime().availableProcessors();
        coupleWorkers = Executors.newFixedThreadPool(settings.integer("workers.couples", Math.max(4, 2 * cores)),
                named("duet-couple-%d"));
        // Its threads, and the relay's event loops, run an idle couple's work themselves: one hand-off less each.
        storeCallbacks = Executors.newFixedThreadPool(settings.integer("workers.storage-callbacks", Math.max(2, cores)),
                SerialExecutor.inlineCapable(named("duet-hbase-callback-%d")));
        int hashers = settings.integer("workers.passwords", Math.max(1, cores));
        passwordHashing = new ThreadPoolExecutor(hashers, hashers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(256), named("duet-password-%d"));
        timers = Executors.newSingleThreadScheduledExecutor(named("duet-timers-%d"));

        CoupleStore coupleStore = new CoupleStore(hbase, schema, storeCallbacks, CoupleStoreSettings.builder()
                .meters(new StoreMeters(admin.metrics()))
                .commitRequestsInFlight(settings.integer("hbase.commit-requests-in-flight",
                        CoupleStoreSettings.DEFAULT_COMMIT_REQUESTS_IN_FLIGHT))
                .commitsPerRegion(settings.bool("hbase.commits-per-region", CoupleStoreSettings.DEFAULT_COMMITS_PER_REGION))
                .writerInstance(instanceId)
                .archiveBucketSize(settings.integer("couples.archive.bucket-size",
                        CoupleStoreSettings.DEFAULT_ARCHIVE_BUCKET_SIZE))
                .build());
        UserStore userStore = new UserStore(hbase, schema, storeCallbacks);
        InviteStore inviteStore = new InviteStore(hbase, schema, storeCallbacks);
        presentationLinks = new PresentationLinks(clock);
        TokenCodec tokens = TokenCodec.create(secrets.current(), secrets.previous(), clock);
        Duration accessLifetime = settings.duration("token.access-lifetime", Duration.ofMinutes(15));
        SessionIssuer sessions = new SessionIssuer(tokens, accessLifetime, clock);
        DeviceSessions devices = new DeviceSessions(new SessionStore(hbase, schema, storeCallbacks), presentationLinks,
                accessLifetime, settings.duration("token.refresh-lifetime", Duration.ofDays(30)), clock);
        RateLimits rateLimits = RateLimits.from(settings);
        LogInAttempts logInAttempts = new LogInAttempts(rateLimits.rate(Limit.LOG_IN_PER_ACCOUNT),
                new LogInAttemptStore(hbase, schema, storeCallbacks)::add, clock);

        rateLimiter = new RateLimiter(rateLimits);
        pushes = Pushes.start(PushSettings.from(settings), new PushTokenStore(hbase, schema, storeCallbacks), clock);
        ownership = new ShardOwnership(curator, instanceId);
        catchUpReads = new CatchUpReads(CatchUpLimits.from(settings), timers);
        couples = new CoupleRegistry(ownership, CoupleServices.builder(coupleStore, CoupleLimits.from(settings),
                catchUpReads, timers).clock(clock).offline(pushes).archive(ArchiveSettings.from(settings))
                .fanOutLag(FanOutLag.timer(admin.metrics(), FanOutLag.COMMITTED_TO_RELAY)).longPolls(LongPolls.from(settings))
                .build(), coupleWorkers);
        ApplicationMetrics.bind(admin.metrics(), catchUpReads, coupleStore, couples, presentationLinks);
        clusterStatus = new ClusterStatusReader(curator);
        clusterStatus.start();
        admin.statusFrom(new ApplicationStatus(instanceId, couples, ownership, clusterStatus));
        ApplicationMetrics.bindRateLimits(admin.metrics(), rateLimiter, logInAttempts);
        ApplicationMetrics.bindPushes(admin.metrics(), pushes);
        ShardMeters.bind(admin.metrics(), ownership, instanceId, clock);
        member = new ClusterMember(settings, curator, instanceId, ownership, clock);
        member.startHeartbeat(this::status);
        ShardMeters.bindLease(admin.metrics(), member);
        ownership.start();

        S3Settings s3 = S3Settings.from(settings);
        if (s3 == null) {
            LOG.warn("No s3.bucket set: photo calls get UNAVAILABLE");
        }
        photos = new Photos(PhotoSettings.from(settings), s3, couples, clock);
        photos.startSweeping(timers, couples::owns);
        CoupleClosing closing = new CoupleClosing(coupleStore.closures(), userStore, photos, couples,
                presentationLinks, clock);
        Pairings pairings = new Pairings(userStore, inviteStore, coupleStore, presentationLinks, clock,
                settings.duration("pairing.invite-lifetime", Duration.ofHours(24)), closing);
        PasswordHasher hasher = new PasswordHasher(settings.integer("password.argon2.memory-kib", 19 * 1024),
                settings.integer("password.argon2.iterations", 2), 1, passwordHashing);
        PasswordPolicy passwordPolicy = new PasswordPolicy(settings.integer("password.min-guesses-log10",
                PasswordPolicy.DEFAULT_MIN_GUESSES_LOG10), passwordHashing);
        Accounts accounts = new Accounts(userStore, pairings, hasher, passwordPolicy, logInAttempts, sessions, devices,
                clock);
        AccountDeletion deletion = new AccountDeletion(accounts, userStore, pairings, closing, devices);
        ServiceDispatcher dispatcher = new ServiceDispatcher(ApiServices.bindings(accounts, deletion, pairings, closing,
                couples, rateLimiter, photos, pushes), admin.metrics());
        // Netty's thread factory: its threads carry FastThreadLocals, and are known to be event loops.
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("duet-relay-accept", true),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(settings.integer("relay.threads", cores),
                SerialExecutor.inlineCapable(new DefaultThreadFactory("duet-relay-io", true)), NioIoHandler.newFactory());
        String relayHost = settings.string("relay.host", "127.0.0.1");
        listener = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .handler(new AcceptErrorHandler("relay"))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new RelayServerInitializer(instanceId, dispatcher, couples, presentationLinks, relayTls))
                .bind(new InetSocketAddress(relayHost, settings.integer("relay.port", 0)))
                .sync().channel();
        relayPort = ((InetSocketAddress) listener.localAddress()).getPort();

        warmUp(relayTls);
        member.join(new Endpoint(relayHost, relayPort), cluster.getShardCount(), new RegionHosts(hbase, schema)::fetch);
        state.set(State.RUNNING);
        LOG.info("Application server {} serving the relay on {}:{} (admin port {}), cluster '{}' with {} shards, up in {} ms",
                instanceId, relayHost, relayPort, admin.address(), settings.string("cluster.name", "duet"),
                cluster.getShardCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** The warm-up before joining ({@link StartUpWarmUp}), on this server's own relay port. */
    private void warmUp(RelayTls relayTls) throws InterruptedException {
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        InetSocketAddress relay = bound.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), bound.getPort()) : bound;
        StartUpWarmUp.run(settings.duration("cluster.warm-up-timeout", StartUpWarmUp.DEFAULT_TIMEOUT), couples,
                new RelayWarmUp(relayTls, workerGroup, relay, "warm-up of " + instanceId, RelayWarmUp.DEFAULT_SENDS),
                instanceId);
    }

    /** What operators see of this server, written with every heartbeat. */
    private ServerStatus status() {
        java.util.Map<Integer, Integer> loaded = couples.loadedByShard();
        ServerStatus status = new ServerStatus()
                .setCouplesLoaded(loaded.values().stream().mapToInt(Integer::intValue).sum())
                .setShardMapEpoch(ownership.current().map(ShardMapView::epoch).orElse(0L));
        return loaded.size() <= MAX_STATUS_SHARDS ? status.setCouplesLoadedByShard(loaded) : status;
    }

    @Override
    public void close() {
        State previous = state.getAndSet(State.STOPPING);
        if (previous == State.STOPPING || previous == State.STOPPED) {
            state.set(previous);
            return;
        }
        long deadline = System.nanoTime() + SHUTDOWN_DEADLINE.toNanos();
        LOG.info("Application server {} shutting down", instanceId);
        // Phase 1: leave the cluster so the leader hands our shards over, and keep serving them until the
        // new map gives them away: couples unload as their shards move, so their sessions are routed to
        // the new owners as soon as those can serve. Then unload whatever is left. Without ZooKeeper
        // neither leaving nor the new map can happen: give up after the handoff timeout.
        boolean handedOver = quietlyWhether("membership", () -> member == null
                || member.leave(Duration.ofMillis(Math.min(remainingMillis(deadline), handoffTimeout.toMillis()))));
        if (!handedOver) {
            LOG.warn("Could not hand the shards over within {} ms (is ZooKeeper reachable?); unloading them: the next "
                    + "owner's claim fences their rows", handoffTimeout.toMillis());
        }
        quietly("couples", () -> {
            if (couples != null) {
                couples.close();
                if (!couples.awaitRetired(remainingMillis(deadline))) {
                    LOG.warn("Some couples still had writes in flight at the deadline");
                }
            }
        });
        // Presentation servers whose map still names this server are answered with the new owner until they
        // stop calling, rather than losing calls in flight with the links. Without a new map (no handoff)
        // they would call on: no point waiting then.
        quietly("relay links going quiet", () -> {
            long waitMillis = Math.min(remainingMillis(deadline), RELAY_QUIET_WAIT.toMillis());
            if (handedOver && presentationLinks != null && waitMillis > 0
                    && !presentationLinks.awaitQuiet(RELAY_QUIET, Duration.ofMillis(waitMillis))) {
                LOG.info("Presentation servers still called {} ms after the handoff; closing their links", waitMillis);
            }
        });
        // Phase 2: close connections and threads.
        quietly("pushes", () -> {
            if (pushes != null) {
                pushes.close();
            }
        });
        quietly("photos", () -> {
            if (photos != null) {
                photos.close();
            }
        });
        quietly("relay listener", () -> {
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
        });
        quietly("relay links", () -> {
            if (presentationLinks != null) {
                presentationLinks.close();
            }
        });
        // ZooKeeper's client retries for tens of seconds when ZooKeeper is gone: close its parts within a bound.
        Duration coordinationWait = Duration.ofMillis(handedOver ? remainingMillis(deadline)
                : Math.min(remainingMillis(deadline), COORDINATION_CLOSE_WAIT.toMillis()));
        quietlyWhether("coordination", () -> BoundedStep.run("coordination", coordinationWait, () -> {
            quietly("cluster membership", () -> {
                if (member != null) {
                    member.close();
                }
            });
            quietly("status reader", () -> {
                if (clusterStatus != null) {
                    clusterStatus.close();
                }
            });
            quietly("shard ownership", () -> {
                if (ownership != null) {
                    ownership.close();
                }
            });
            quietly("ZooKeeper", () -> {
                if (curator != null) {
                    curator.close();
                }
            });
        }));
        quietly("HBase", () -> {
            if (hbase != null) {
                hbase.close();
            }
        });
        quietly("event loops", () -> {
            if (bossGroup != null) {
                bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                workerGroup.shutdownGracefully(0, remainingMillis(deadline), TimeUnit.MILLISECONDS).await(remainingMillis(deadline));
            }
        });
        for (ExecutorService executor : new ExecutorService[] {coupleWorkers, storeCallbacks, passwordHashing, timers}) {
            if (executor != null) {
                executor.shutdown();
                quietly("executor", () -> {
                    if (!executor.awaitTermination(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
                        executor.shutdownNow();
                    }
                });
            }
        }
        state.set(State.STOPPED);
        if (catchUpReads != null && catchUpReads.missingRanges() > 0) {
            LOG.error("Catch-up skipped {} ranges ({} messages) of committed messages missing in HBase since start",
                    catchUpReads.missingRanges(), catchUpReads.missingMessages());
        }
        // Last: /ready said "stopping" all along, and /live answers until the process is about to exit.
        quietly("admin port", () -> {
            if (admin != null) {
                admin.close();
            }
        });
        LOG.info("Application server {} stopped", instanceId);
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(String what, Step step) {
        quietlyWhether(what, () -> {
            step.run();
            return true;
        });
    }

    /** What {@code step} returned, or false if it failed. */
    private static boolean quietlyWhether(String what, Callable<Boolean> step) {
        try {
            return step.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Closing {} failed: {}", what, e.toString());
        }
        return false;
    }

    private static java.util.concurrent.ThreadFactory named(String format) {
        return new ThreadFactoryBuilder().setNameFormat(format).setDaemon(true).build();
    }
}
