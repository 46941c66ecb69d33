package io.duet.deploy.local;

import io.duet.deploy.local.pki.ClusterCa;
import io.duet.security.RelayTls;
import io.duet.security.TokenSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the processes of a local cluster: the command line, classpath, settings file, log and ready
 * file of each node. The servers get the same settings keys a production deployment uses.
 */
final class NodeFactory {
    private final Path home;
    private final Path dataDir;
    private final Path logDir;
    private final String clusterName;
    private final int zookeeperPort;
    private final Path tokenSecretFile;
    private final ClusterCa ca;
    /** Null: no S3 node of this cluster's own. */
    private final LocalS3 s3;
    /** The application servers' {@code hbase.*} and {@code s3.*} settings: where they keep their data. */
    private final Map<String, String> storageSettings;
    /** Settings every presentation server gets on top of the cluster's own, for tests. */
    private final Map<String, String> presentationSettings;
    /** Settings every Duet server gets on top of the cluster's own, for tests. */
    private final Map<String, String> serverSettings;
    /** Options every node's JVM gets after its own ({@link LocalClusterBuilder#nodeJvmOption}). */
    private final List<String> jvmOptions;
    /**
     * Every client of a local cluster comes from 127.0.0.1 (through HAProxy, or directly), so per-address
     * limits do not apply to it; tests play other clients from 127.0.0.2 and up.
     */
    static final String LOCAL_EXEMPT_ADDRESSES = "127.0.0.1";
    /**
     * The presentation servers' {@code http.trusted-proxies}: HAProxy, whose PROXY header (TCP) and {@code
     * X-Forwarded-For} (HTTP) name the client, so that a client from 127.0.0.2 through it counts as 127.0.0.2.
     */
    static final String LOCAL_TRUSTED_PROXIES = "127.0.0.1";
    /** The presentation servers' {@code drain.window} and {@code drain.deadline}: short, so that stopping one
     *  with clients is quick, and well inside a node's stop grace. */
    static final String LOCAL_DRAIN_WINDOW = "1s";
    /**
     * The local HBase's heap; deploy/local-hbase's hbase-site.xml divides it (call queue, memstores, cache).
     * The system property {@code duet.hbase.heap} (a {@code -Xmx} size such as {@code 1g}) overrides it, to
     * run a test against a smaller HBase.
     */
    static final String HBASE_HEAP = System.getProperty("duet.hbase.heap", "1536m");
    /**
     * The application servers' heap. They keep every loaded couple's recent messages ({@code
     * couples.recent-messages}) for {@code couples.idle-timeout}, and the throughput benchmark pairs 100 new
     * couples a run: at 512 MiB, after 7 such runs, an application server held ~150 MiB after each GC, ran
     * 114 concurrent marking cycles and paused up to 330 ms (BENCHMARKS.md section 1). The system property
     * {@code duet.app.heap} overrides it.
     */
    static final String APP_HEAP = System.getProperty("duet.app.heap", "1g");
    /**
     * What a Duet server's JVM gets beside its heap size ({@link #serverHeap}): a metaspace that its classes
     * fit in from the start. At the default (about 21 MiB) the classes a server loads in its first seconds
     * filled it, and the GC it triggered (a young pause and a concurrent cycle, "Metadata GC Threshold")
     * shrank the heap to under 100 MiB (47 MiB for a presentation server); from then on young pauses of
     * 100-190 ms came every few seconds, and a restarted application server paused 180 + 41 ms (a second
     * metadata GC) while it took over a stopped server's couples: the worst of HandoffIT's stalls (1.2 s).
     */
    static final String SERVER_METASPACE = "-XX:MetaspaceSize=128m";
    static final String LOCAL_DRAIN_DEADLINE = "5s";
    /**
     * Every Java node's: the JVM samples its performance counters (what {@code jstat} reads) every second
     * instead of every 50 ms. At the default, each JVM's "VM Periodic Task" thread woke 20 times a second,
     * about 0.0015 cores per idle JVM on the 2-core box, 0.01 for the cluster's seven (BENCHMARKS.md section
     * 1, "Idle cluster CPU"). G1's heap counters, which ReconnectStormIT's {@code jstat} samples, are updated
     * by the collector itself, not by this sampling.
     */
    static final String PERF_DATA_SAMPLING = "-XX:PerfDataSamplingInterval=1000";
    /** How long HBase may take to start: its master initializes before the ready file is written. */
    static final Duration HBASE_START_TIMEOUT = Duration.ofSeconds(180);
    /** How long a Duet server may take from its launch to its ready file, once what it needs is up. */
    static final Duration SERVER_START_TIMEOUT = Duration.ofSeconds(90);
    /**
     * An application server's: it is launched beside HBase at a cluster's start and waits for it
     * ({@code HBaseStartup}) before its own start, so its wait covers HBase's too (on a slow 2-core box HBase's
     * master took over a minute to initialize, and an application server missed a 90 s wait by seconds).
     */
    static final Duration APPLICATION_SERVER_START_TIMEOUT = HBASE_START_TIMEOUT.plus(SERVER_START_TIMEOUT);

    /**
     * The nodes of the cluster {@code builder} describes (its name, its servers' settings and JVM options),
     * with data in {@code dataDir} and logs in {@code logDir}.
     */
    NodeFactory(LocalClusterBuilder builder, Path home, Path dataDir, Path logDir, int zookeeperPort, Path tokenSecretFile,
            ClusterCa ca, LocalS3 s3, Map<String, String> storageSettings, Map<String, String> presentationSettings) {
        this.s3 = s3;
        this.storageSettings = Map.copyOf(storageSettings);
        this.serverSettings = Map.copyOf(builder.serverSettings);
        this.jvmOptions = List.copyOf(builder.nodeJvmOptions);
        this.home = home;
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.clusterName = builder.clusterName;
        this.zookeeperPort = zookeeperPort;
        this.tokenSecretFile = tokenSecretFile;
        this.ca = ca;
        this.presentationSettings = Map.copyOf(presentationSettings);
    }

    NodeProcess zookeeper() {
        int port = zookeeperPort;
        return node("zookeeper", NodeKind.ZOOKEEPER, List.of("-Xmx128m"), ModuleClasspath.of(home, "deploy/local-cluster"),
                "io.duet.deploy.zookeeper.StandaloneZooKeeper",
                List.of(dataDir.resolve("zookeeper").toString(), Integer.toString(port)), Duration.ofSeconds(60));
    }

    NodeProcess hbase() {
        return node("hbase", NodeKind.HBASE,
                List.of("-Xmx" + HBASE_HEAP, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                        "--add-opens", "java.base/java.lang=ALL-UNNAMED"),
                ModuleClasspath.of(home, "deploy/local-hbase"), "io.duet.deploy.hbase.StandaloneHBase",
                List.of(dataDir.resolve("hbase").toString(), Integer.toString(zookeeperPort)),
                HBASE_START_TIMEOUT);
    }

    NodeProcess s3() {
        if (s3 == null) {
            throw new IllegalStateException("this cluster has no S3");
        }
        return node("s3", NodeKind.S3, List.of("-Xmx256m"), ModuleClasspath.of(home, "deploy/local-s3"),
                "io.duet.deploy.s3.StandaloneS3", s3.arguments(dataDir), Duration.ofSeconds(60));
    }

    private NodeProcess node(String name, NodeKind kind, List<String> nodeOptions, String classpath,
            String mainClass, List<String> arguments, Duration startTimeout) {
        Path readyFile = dataDir.resolve("run").resolve(name + ".ready");
        List<String> args = new ArrayList<>(arguments);
        args.add(readyFile.toString());
        List<String> options = new ArrayList<>(nodeOptions);
        options.addAll(List.of("-XX:+ExitOnOutOfMemoryError", PERF_DATA_SAMPLING));
        options.addAll(jvmOptions);
        return new NodeProcess(name, kind, options, classpath, mainClass, args, logDir.resolve(name + ".log"),
                readyFile, startTimeout);
    }

    /** Application server {@code name}, reaching ZooKeeper at {@code zookeeperConnect} (HBase's directly, as {@code storageSettings} say). */
    NodeProcess applicationServer(String name, String zookeeperConnect, int shards) throws IOException {
        Map<String, String> settings = common(name);
        settings.put("zookeeper.connect", zookeeperConnect);
        settings.put("cluster.shards", Integer.toString(shards));
        settings.put("relay.host", "127.0.0.1");
        settings.put("relay.port", "0");
        settings.putAll(storageSettings);
        settings.put("admin.host", "127.0.0.1");
        settings.put("admin.port", "0");
        return server(name, NodeKind.APPLICATION_SERVER, APP_HEAP, "application-server",
                "io.duet.app.ApplicationServerMain", settings, APPLICATION_SERVER_START_TIMEOUT);
    }

    static String presentationServerName(int index) {
        return "presentation-" + (index + 1);
    }

    /**
     * Presentation server {@code index} (0-based; named from 1) on its ports of {@code ports}, reaching
     * ZooKeeper at {@code zookeeperConnect}.
     */
    NodeProcess presentationServer(int index, String zookeeperConnect, PortPlan ports) throws IOException {
        String name = presentationServerName(index);
        Map<String, String> settings = common(name);
        settings.put("zookeeper.connect", zookeeperConnect);
        settings.put("client.tcp.host", "127.0.0.1");
        settings.put("client.tcp.port", Integer.toString(ports.presentationTcp.get(index)));
        settings.put("client.http.host", "127.0.0.1");
        settings.put("client.http.port", Integer.toString(ports.presentationHttp.get(index)));
        settings.put("admin.host", "127.0.0.1");
        settings.put("admin.port", Integer.toString(ports.presentationAdmin.get(index)));
        settings.put("agent.port", Integer.toString(ports.presentationAgent.get(index)));
        settings.put("http.trusted-proxies", LOCAL_TRUSTED_PROXIES);
        settings.put("drain.window", LOCAL_DRAIN_WINDOW);
        settings.put("drain.deadline", LOCAL_DRAIN_DEADLINE);
        settings.putAll(presentationSettings);
        return server(name, NodeKind.PRESENTATION_SERVER, "256m", "presentation-server",
                "io.duet.presentation.PresentationServerMain", settings, SERVER_START_TIMEOUT);
    }

    private Map<String, String> common(String name) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cluster.name", clusterName);
        settings.put("zookeeper.connect", "127.0.0.1:" + zookeeperPort);
        settings.put(TokenSecrets.SECRET_FILE, tokenSecretFile.toString());
        settings.put("server.id", name);
        ClusterCa.NodeCredentials credentials = ca.issue(name);
        settings.put(RelayTls.CERT, credentials.certificate().toString());
        settings.put(RelayTls.KEY, credentials.key().toString());
        settings.put(RelayTls.CA, credentials.ca().toString());
        settings.put("limits.exempt-addresses", LOCAL_EXEMPT_ADDRESSES);
        return settings;
    }

    /**
     * A Duet server's heap options: {@code size} (a {@code -Xmx} size such as {@code 1g}) from the start, so that
     * the heap never shrinks (young pauses grow frequent in a small one, see {@link #SERVER_METASPACE}), and the
     * metaspace its classes fit in. An {@code -Xmx} among the nodes' own JVM options ({@link
     * LocalClusterBuilder#nodeJvmOption}, {@code bin/local-cluster --jvm-option}) comes later on the command line
     * and wins; the initial heap then starts at that size too, instead of above it (which the JVM refuses).
     */
    private List<String> serverHeap(String size) {
        String initial = size;
        for (String option : jvmOptions) {
            if (option.startsWith("-Xmx")) {
                initial = option.substring("-Xmx".length());
            }
        }
        return List.of("-Xms" + initial, "-Xmx" + size, SERVER_METASPACE);
    }

    /**
     * A Duet server of {@code module}, configured by a properties file written from {@code settings}, with a
     * heap of {@code heapSize} ({@link #serverHeap}), given {@code startTimeout} to write its ready file.
     */
    private NodeProcess server(String name, NodeKind kind, String heapSize, String module, String mainClass,
            Map<String, String> settings, Duration startTimeout) throws IOException {
        Path config = dataDir.resolve("conf").resolve(name + ".properties");
        StringBuilder content = new StringBuilder("# Written by LocalCluster; the same keys configure production.\n");
        settings.putAll(serverSettings);
        settings.forEach((key, value) -> content.append(key).append('=').append(value).append('\n'));
        Files.writeString(config, content, StandardCharsets.UTF_8);
        Path readyFile = dataDir.resolve("run").resolve(name + ".ready");
        // Pauses are logged beside the node's log, one file per process (%p), so a stall can be told from a GC.
        String gcLog = "-Xlog:gc:file=" + logDir.resolve(name + "-gc-%p.log") + ":time,uptime:filecount=2,filesize=5m";
        List<String> options = new ArrayList<>(serverHeap(heapSize));
        options.addAll(List.of("-XX:+ExitOnOutOfMemoryError", PERF_DATA_SAMPLING, gcLog, "--add-opens", "java.base/java.nio=ALL-UNNAMED"));
        options.addAll(jvmOptions);
        return new NodeProcess(name, kind, options, ModuleClasspath.of(home, module), mainClass,
                List.of("--config", config.toString(), "--ready-file", readyFile.toString()),
                logDir.resolve(name + ".log"), readyFile, startTimeout);
    }

    /**
     * HAProxy at {@code binary} in front of the first {@code presentationServers} of {@code ports}, with
     * {@code clientTls} on their client ports (null: plain).
     */
    LoadBalancerProcess loadBalancer(Path binary, PortPlan ports, int presentationServers, LocalClientTls clientTls)
            throws IOException {
        List<HaproxyConfig.Server> backends = new ArrayList<>();
        for (int i = 0; i < presentationServers; i++) {
            backends.add(new HaproxyConfig.Server("presentation-" + (i + 1), ports.presentationTcp.get(i),
                    ports.presentationHttp.get(i), ports.presentationAdmin.get(i), ports.presentationAgent.get(i)));
        }
        Path statsSocket = dataDir.resolve("run/haproxy.sock");
        if (statsSocket.toString().length() > 100) { // a Unix socket's path has at most 107 bytes
            statsSocket = Path.of(System.getProperty("java.io.tmpdir"),
                    "duet-haproxy-" + Integer.toHexString(dataDir.hashCode()) + ".sock");
        }
        Path config = dataDir.resolve("conf/haproxy.cfg");
        Files.writeString(config, HaproxyConfig.render(ports.endpointTcp, ports.endpointHttp, statsSocket, backends, clientTls),
                StandardCharsets.UTF_8);
        return new LoadBalancerProcess(binary.toString(), config, statsSocket, logDir.resolve("haproxy.log"),
                ports.endpointTcp, ports.endpointHttp);
    }
}
