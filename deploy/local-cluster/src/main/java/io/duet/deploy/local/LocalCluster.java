package io.duet.deploy.local;

import io.duet.deploy.local.pki.ClusterCa;
import io.duet.protocol.cluster.ShardMapView;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole Duet cluster on 127.0.0.1, every component a separate process: ZooKeeper, standalone HBase
 * with its data in a local folder, S3Proxy (the photos' objects, also under it; see {@link LocalS3}; unless
 * {@link LocalClusterBuilder#s3(boolean)} turned it off), application servers and presentation servers, and
 * HAProxy in front of the presentation servers as the one client endpoint ({@link #clientEndpoint()}). The
 * servers read the same settings files, with the same keys, that a production deployment uses; only the
 * values differ.
 *
 * <p>HAProxy routes to the presentation servers whose admin port answers {@code GET /ready} with 200
 * (see {@link HaproxyConfig}). Where HAProxy is not installed, the cluster starts without it, says so once
 * ({@link #loadBalancerMissing()}), and its client endpoint is the first presentation server's.
 *
 * <p>With {@link LocalClusterBuilder#supervise(SupervisionSettings)} ({@code bin/local-cluster} asks for it), a node
 * that dies when nobody asked it to stop is logged and restarted ({@link #health(Node)}).
 *
 * <p>Data (ZooKeeper's, HBase's, the cluster secret) lives under {@code dataDir}, so a cluster stopped
 * with {@link #stop()} and started again keeps its history. Ports are fixed at construction, so a
 * restarted node comes back where its peers and clients expect it (presentation servers' admin ports
 * too, which HAProxy checks); only the application servers' relay and admin ports are any free port,
 * which peers find in ZooKeeper and tests in the ready file ({@link Node#readyInfo()},
 * {@link Node#adminEndpoint()}).
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().applicationServers(2).presentationServers(2).build()) {
 *     cluster.start();
 *     cluster.applicationServers().get(0).kill();   // kill -9
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;
    private final Path dataDir;
    private final boolean deleteDataOnClose;
    private final String clusterName;
    private final int shards;
    private final int zookeeperPort;
    private final String tokenSecret;
    private final ClusterCa ca;
    private final NodeProcess zookeeper;
    /** Null when the cluster keeps its data in another's ({@link LocalClusterBuilder#sharedStorage}). */
    private final NodeProcess hbase;
    private final String hbaseZookeeperConnect;
    private final String hbaseNamespace;
    /** The application servers' {@code s3.*} settings; empty without S3. */
    private final Map<String, String> s3Settings;
    /** Null when the builder turned S3 off, as is {@link #s3}. */
    private final LocalS3 s3Plan;
    private final NodeProcess s3;
    private final List<NodeProcess> applicationServers;
    private final List<NodeProcess> presentationServers;
    /** HAProxy, or null when there are no presentation servers or HAProxy is not installed. */
    private final LoadBalancerProcess loadBalancer;
    /** Why there is no load balancer although there are presentation servers, or null. */
    private final String loadBalancerMissing;
    /** Where clients connect. */
    private final ClientEndpoints endpoints;
    /** Each application server's path to ZooKeeper, when the builder asked for fault links. */
    private final Map<String, FaultLink> zookeeperLinks = new LinkedHashMap<>();
    /** Every node, in start order. */
    private final List<ChildProcess> nodes;
    /** Restarts nodes that die; null unless the builder asked for it. */
    private final Supervisor supervisor;
    private Duration lastStartupTime = Duration.ZERO;
    private boolean closed;

    LocalCluster(LocalClusterBuilder builder) throws IOException {
        this.home = builder.home != null ? builder.home : ModuleClasspath.detectHome();
        this.deleteDataOnClose = builder.dataDir == null;
        this.dataDir = builder.dataDir != null ? builder.dataDir.toAbsolutePath()
                : Files.createTempDirectory("duet-local-cluster-");
        this.clusterName = builder.clusterName;
        this.shards = builder.shards;
        Files.createDirectories(dataDir.resolve("conf"));
        Files.createDirectories(logDir());

        PortPlan ports = PortPlan.load(dataDir.resolve("conf/ports.properties"), builder.basePort,
                builder.presentationServers);
        this.zookeeperPort = ports.zookeeper;
        Path tokenSecretFile = dataDir.resolve("conf/token-secret");
        this.tokenSecret = DataFiles.loadOrCreateSecret(tokenSecretFile);
        this.ca = ClusterCa.loadOrCreate(dataDir.resolve("tls"), "Duet local cluster " + clusterName + " CA");

        LocalClientTls clientTls = builder.clientTls ? LocalClientTls.loadOrCreate(ca, dataDir.resolve("conf")) : null;
        Map<String, String> presentationSettings = new LinkedHashMap<>();
        if (clientTls != null) {
            presentationSettings.putAll(clientTls.presentationSettings());
        }
        presentationSettings.putAll(builder.presentationSettings);
        StoragePlan storage = StoragePlan.of(builder, dataDir, zookeeperConnect());
        this.s3Plan = storage.ownS3;
        this.hbaseZookeeperConnect = storage.hbaseZookeeperConnect;
        this.s3Settings = storage.s3Settings;
        this.hbaseNamespace = builder.hbaseNamespace;
        Map<String, String> storageSettings = storage.serverSettings(hbaseNamespace, builder.preSplitTables);
        NodeFactory factory = new NodeFactory(builder, home, dataDir, logDir(), zookeeperPort, tokenSecretFile, ca,
                s3Plan, storageSettings, presentationSettings);
        this.zookeeper = factory.zookeeper();
        this.hbase = builder.storage == null ? factory.hbase() : null;
        this.s3 = s3Plan == null ? null : factory.s3();
        this.applicationServers = new ArrayList<>();
        for (int i = 1; i <= builder.applicationServers; i++) {
            String name = "app-" + i;
            applicationServers.add(factory.applicationServer(name, zookeeperConnectOf(name, builder.zookeeperFaultLinks),
                    shards));
        }
        this.presentationServers = new ArrayList<>();
        for (int i = 0; i < builder.presentationServers; i++) {
            String zookeeperConnect = zookeeperConnectOf(NodeFactory.presentationServerName(i), builder.zookeeperFaultLinks);
            presentationServers.add(factory.presentationServer(i, zookeeperConnect, ports)
                    .withFileLimit(builder.presentationServerFileLimit));
        }
        Path haproxy = builder.presentationServers > 0 ? LoadBalancerProcess.find(builder.haproxy) : null;
        this.loadBalancer = haproxy == null ? null
                : factory.loadBalancer(haproxy, ports, builder.presentationServers, clientTls);
        this.loadBalancerMissing = haproxy != null || builder.presentationServers == 0 ? null
                : "HAProxy not found (" + builder.haproxy + "): no load balancer, clients use presentation-1"
                + " directly; install it with: apt-get install -y haproxy";
        if (loadBalancerMissing != null) {
            LOG.warn(loadBalancerMissing);
        }
        this.endpoints = new ClientEndpoints(dataDir.resolve("conf"), presentationServers,
                loadBalancer != null ? ports : null, clientTls);
        List<ChildProcess> all = new ArrayList<>(List.of(zookeeper));
        all.addAll(storageNodes());
        all.addAll(applicationServers);
        all.addAll(presentationServers);
        if (loadBalancer != null) {
            all.add(loadBalancer);
        }
        this.nodes = List.copyOf(all);
        this.supervisor = builder.supervision == null ? null : new Supervisor(builder.supervision, nodes);
    }

    /**
     * How server {@code name} reaches ZooKeeper: directly, or with {@code faultLinks} through a {@link FaultLink} of
     * its own ({@link #zookeeperLink(Node)}).
     */
    private String zookeeperConnectOf(String name, boolean faultLinks) throws IOException {
        if (!faultLinks) {
            return zookeeperConnect();
        }
        FaultLink link = new FaultLink(name + "-zookeeper", new InetSocketAddress("127.0.0.1", zookeeperPort));
        zookeeperLinks.put(name, link);
        return "127.0.0.1:" + link.port();
    }

    public static LocalClusterBuilder builder() {
        return new LocalClusterBuilder();
    }

    /**
     * Starts every node that is not running and waits until the shard map covers every application
     * server, so that clients can chat as soon as this returns.
     */
    public synchronized void start() throws IOException, InterruptedException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        long started = System.nanoTime();
        Files.createDirectories(dataDir.resolve("run"));
        zookeeper.start();
        // HBase takes longest. Presentation servers need only ZooKeeper, and application servers wait for
        // HBase themselves (io.duet.app.storage.HBaseStartup), so every server starts meanwhile.
        List<CompletableFuture<Void>> storageStarted = storageNodes().stream().map(Nodes::startAsync)
                .collect(Collectors.toList());
        List<CompletableFuture<Void>> applicationServersStarted = applicationServers.stream().map(Nodes::startAsync)
                .collect(Collectors.toList());
        Nodes.startAll(presentationServers);
        if (loadBalancer != null) {
            loadBalancer.start();
        }
        for (CompletableFuture<Void> storageNodeStarted : storageStarted) {
            Nodes.join(storageNodeStarted);
        }
        if (s3 != null) {
            s3Plan.checkEndpoint(s3.readyInfo());
        }
        for (CompletableFuture<Void> applicationServerStarted : applicationServersStarted) {
            Nodes.join(applicationServerStarted);
        }
        awaitShardMapSettled();
        if (loadBalancer != null) {
            for (Node server : presentationServers) {
                if (server.isRunning()) {
                    awaitInRotation(server, true, SETTLE_TIMEOUT);
                }
            }
        }
        if (supervisor != null) {
            supervisor.activate();
        }
        lastStartupTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("Local cluster up in {} ms", lastStartupTime.toMillis());
    }

    /** Waits until the published shard map assigns every shard to a running application server. */
    public void awaitShardMapSettled() throws IOException, InterruptedException {
        Set<String> running = applicationServers.stream().filter(Node::isRunning)
                .map(node -> node.readyInfo().get("instance.id")).collect(Collectors.toSet());
        if (running.isEmpty()) {
            return;
        }
        ShardMaps.awaitSettled(zookeeperConnect(), clusterName, running, SETTLE_TIMEOUT);
    }

    /**
     * Waits until the load balancer has {@code presentationServer} in rotation (its health checks passed:
     * HAProxy state {@code UP}) or out of it ({@code DOWN}, {@code MAINT} or {@code DRAIN}).
     *
     * @throws IllegalStateException when this cluster has no load balancer
     */
    public void awaitInRotation(Node presentationServer, boolean inRotation, Duration timeout)
            throws IOException, InterruptedException {
        requireLoadBalancer().awaitInRotation(presentationServer.name(), inRotation, timeout);
    }

    /**
     * Each presentation server's state as the load balancer's health checks see it, by node name:
     * {@code UP}, {@code DOWN}, or on its way ({@code UP 1/2}, {@code DOWN 1/2}).
     *
     * @throws IllegalStateException when this cluster has no load balancer
     */
    public Map<String, String> loadBalancerStates() throws IOException {
        return requireLoadBalancer().serverStates();
    }

    /** Each presentation server's weight in the load balancer now, by node name: what its agent last said. */
    public Map<String, Integer> loadBalancerWeights() throws IOException {
        return requireLoadBalancer().serverWeights();
    }

    private LoadBalancerProcess requireLoadBalancer() {
        if (loadBalancer == null) {
            throw new IllegalStateException("no load balancer: " + loadBalancerMissing);
        }
        return loadBalancer;
    }

    /** The shard map as published now, if any. */
    public Optional<ShardMapView> shardMap() throws IOException, InterruptedException {
        return ShardMaps.read(zookeeperConnect(), clusterName);
    }

    /** The application server that owns {@code coupleId}'s shard now. */
    public Node applicationServerOwning(long coupleId) throws IOException, InterruptedException {
        ShardMapView map = shardMap().orElseThrow(() -> new IOException("no shard map published"));
        String owner = map.ownerIdOf(map.shardOf(coupleId)).orElseThrow(
                () -> new IOException("the shard of couple " + coupleId + " is unassigned"));
        return applicationServers.stream().filter(node -> owner.equals(node.readyInfo().get("instance.id")))
                .findFirst().orElseThrow(() -> new IOException("no running node is " + owner));
    }

    /**
     * Stops every node, servers first and ZooKeeper last (HBase hangs if its ZooKeeper goes first).
     * Data is kept: {@link #start()} brings the same cluster back.
     */
    public synchronized void stop() throws InterruptedException {
        if (supervisor != null) {
            supervisor.deactivate();
        }
        if (loadBalancer != null) {
            loadBalancer.stop();
        }
        Nodes.stopAll(presentationServers);
        Nodes.stopAll(applicationServers);
        Nodes.stopAll(storageNodes());
        zookeeper.stop();
    }

    /** Stops everything; deletes the data folder if this cluster created it. Idempotent. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        zookeeperLinks.values().forEach(FaultLink::resume);
        stop();
        if (supervisor != null) {
            supervisor.close();
        }
        zookeeperLinks.values().forEach(FaultLink::close);
        if (deleteDataOnClose) {
            DataFiles.deleteRecursively(dataDir);
        }
    }

    public Duration lastStartupTime() {
        return lastStartupTime;
    }

    public String clusterName() {
        return clusterName;
    }

    public int shards() {
        return shards;
    }

    public String zookeeperConnect() {
        return "127.0.0.1:" + zookeeperPort;
    }

    /** The secret tokens are signed with; tests use it to make tokens a server must refuse. */
    public String tokenSecret() {
        return tokenSecret;
    }

    /** The cluster's CA, in {@code <data dir>/tls}: it signed every node's relay certificate. */
    public ClusterCa certificateAuthority() {
        return ca;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logDir() {
        return dataDir.resolve("logs");
    }

    /**
     * The link through which application or presentation server {@code node} reaches ZooKeeper, to
     * partition it from ZooKeeper alone; only with {@link LocalClusterBuilder#zookeeperFaultLinks(boolean)}.
     */
    public FaultLink zookeeperLink(Node node) {
        FaultLink link = zookeeperLinks.get(node.name());
        if (link == null) {
            throw new IllegalStateException(node + " has no fault link (build with zookeeperFaultLinks(true))");
        }
        return link;
    }

    public Node zookeeper() {
        return zookeeper;
    }

    /**
     * This cluster's HBase.
     *
     * @throws IllegalStateException when the cluster keeps its data in another's ({@link LocalClusterBuilder#sharedStorage})
     */
    public Node hbase() {
        if (hbase == null) {
            throw new IllegalStateException("this cluster keeps its data in another cluster's HBase (sharedStorage)");
        }
        return hbase;
    }

    /** The ZooKeeper through which HBase clients find this cluster's HBase: {@code host:port}. */
    public String hbaseZookeeperConnect() {
        return hbaseZookeeperConnect;
    }

    /** The HBase namespace of this cluster's tables. */
    public String hbaseNamespace() {
        return hbaseNamespace;
    }

    /** S3Proxy, the photos' object store; empty when the builder turned S3 off. */
    public Optional<Node> s3() {
        return Optional.ofNullable(s3);
    }

    /**
     * The application servers' S3 settings ({@code s3.endpoint}, {@code s3.bucket}, credentials...); empty
     * when the builder turned S3 off.
     */
    public Map<String, String> s3Settings() {
        return s3Settings;
    }

    /**
     * The nodes of this cluster's own that the application servers keep their data in: HBase, and S3Proxy
     * where there is one; none with {@link LocalClusterBuilder#sharedStorage}.
     */
    private List<NodeProcess> storageNodes() {
        List<NodeProcess> storage = new ArrayList<>(2);
        if (hbase != null) {
            storage.add(hbase);
        }
        if (s3 != null) {
            storage.add(s3);
        }
        return storage;
    }

    public List<Node> applicationServers() {
        return List.copyOf(applicationServers);
    }

    public List<Node> presentationServers() {
        return List.copyOf(presentationServers);
    }

    /** HAProxy, the client endpoint's load balancer; empty where it is not installed. */
    public Optional<Node> loadBalancer() {
        return Optional.ofNullable(loadBalancer);
    }

    /**
     * Why this cluster runs without a load balancer, in one line that names the install command; empty
     * when it has one (or has no presentation servers to balance).
     */
    public Optional<String> loadBalancerMissing() {
        return Optional.ofNullable(loadBalancerMissing);
    }

    /**
     * Where clients connect: HAProxy's one endpoint, to whichever presentation servers are ready, or,
     * without HAProxy, the first presentation server's own endpoints ({@link ClientEndpoint#loadBalanced()}
     * tells which). Fixed for the life of the data folder.
     */
    public ClientEndpoint clientEndpoint() {
        return endpoints.clientEndpoint();
    }

    /** Every node, in start order (the load balancer last, where there is one). */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * What the supervisor knows of {@code node}: up, stopped, restarting or in a crash loop, and its last
     * death; empty when this cluster is not supervised ({@link LocalClusterBuilder#supervise(SupervisionSettings)}).
     */
    public Optional<NodeHealth> health(Node node) {
        return supervisor == null ? Optional.empty() : Optional.of(supervisor.health(node));
    }

    public Node node(String name) {
        return nodes().stream().filter(node -> node.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node named " + name));
    }

    /** The client TCP endpoint of presentation server {@code index} (0-based). */
    public InetSocketAddress clientTcpEndpoint(int index) {
        return endpoints.tcp(index);
    }

    /** The base URL of the HTTP API of presentation server {@code index} (0-based). */
    public URI clientHttpEndpoint(int index) {
        return endpoints.http(index);
    }
}
