package io.duet.deploy.local;

import io.duet.protocol.cluster.ClusterPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Builds a {@link LocalCluster}; every setting has a default. */
public final class LocalClusterBuilder {
    Path home;
    Path dataDir;
    String clusterName = "local";
    int shards = io.duet.protocol.cluster.Shards.DEFAULT_SHARD_COUNT;
    int applicationServers = 2;
    int presentationServers = 2;
    int basePort;
    boolean zookeeperFaultLinks;
    String haproxy = "haproxy";
    SupervisionSettings supervision;
    int presentationServerFileLimit;
    boolean clientTls;
    boolean preSplitTables = true;
    boolean s3 = true;
    /** Null: the cluster runs its own HBase (and S3Proxy). */
    LocalCluster storage;
    String hbaseNamespace = "duet";
    final Map<String, String> presentationSettings = new LinkedHashMap<>();
    final Map<String, String> serverSettings = new LinkedHashMap<>();
    final List<String> nodeJvmOptions = new ArrayList<>();

    LocalClusterBuilder() {
    }

    /**
     * Sets {@code key} to {@code value} in every Duet server's settings file, over the local cluster's
     * own value, for tests that need other limits or timeouts.
     */
    public LocalClusterBuilder serverSetting(String key, String value) {
        serverSettings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * The HAProxy executable: a path, or a name looked up on {@code $PATH} (and in {@code /usr/sbin});
     * {@code haproxy} by default. Where there is none, the cluster runs without a load balancer.
     */
    public LocalClusterBuilder haproxy(String binary) {
        if (binary == null || binary.isBlank()) {
            throw new IllegalArgumentException("haproxy: '" + binary + "' (expected: a path or a command name)");
        }
        this.haproxy = binary;
        return this;
    }

    /**
     * Restarts a node that dies when nobody asked it to stop (killed from outside, crashed), as
     * {@code settings} say, once {@link LocalCluster#start()} has brought the cluster up; null (the default) leaves
     * dead nodes down. Nodes stopped or killed through {@link Node} are always left down, so tests
     * that break nodes on purpose keep control. {@code bin/local-cluster} supervises.
     */
    public LocalClusterBuilder supervise(SupervisionSettings settings) {
        this.supervision = settings;
        return this;
    }

    /**
     * Adds {@code option} to the command line of every Java process the cluster starts of its own
     * (ZooKeeper, HBase, S3Proxy, the application and presentation servers), after the local cluster's
     * own options; none by default. For tests: {@code -XX:TieredStopAtLevel=1} (no C2 compiler) starts a
     * cluster in about 40% less CPU and wall time on a 2-core box, at the price of slower code in a
     * process that lives for minutes, so it is not for what measures speed.
     */
    public LocalClusterBuilder nodeJvmOption(String option) {
        if (option == null || !option.startsWith("-")) {
            throw new IllegalArgumentException("nodeJvmOption: '" + option + "' (expected a JVM option, such as -Xss1m)");
        }
        nodeJvmOptions.add(option);
        return this;
    }

    /**
     * Runs each presentation server with at most {@code limit} open files ({@code prlimit --nofile}),
     * for tests that exhaust them; 0 (the default) leaves the limit the launcher has.
     */
    public LocalClusterBuilder presentationServerFileLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("presentationServerFileLimit: " + limit + " (expected: >= 0)");
        }
        this.presentationServerFileLimit = limit;
        return this;
    }

    /**
     * TLS on the client ports ({@link LocalClientTls}): the endpoint's certificate is signed by the
     * cluster's CA ({@link LocalCluster#certificateAuthority()}), which clients then trust
     * ({@link ClientEndpoint#tlsCa()}). Off by default.
     */
    public LocalClusterBuilder clientTls(boolean enabled) {
        this.clientTls = enabled;
        return this;
    }

    /**
     * Whether the application servers create the tables pre-split, as in production
     * ({@code hbase.pre-split}); true by default, so that the benchmarks run on the tables production
     * has. Tests turn it off: on the one region server of a local cluster, opening the 98 regions of the
     * pre-split tables is most of the time a fresh cluster's first application server takes to start.
     * It matters only when the tables are created: on a fresh data folder.
     */
    public LocalClusterBuilder preSplitTables(boolean enabled) {
        this.preSplitTables = enabled;
        return this;
    }

    /**
     * Keeps this cluster's data in the HBase of {@code storage}, a running cluster (one with no servers of
     * its own will do), under HBase namespace {@code hbaseNamespace}, instead of starting an HBase of its
     * own; with {@link #s3(boolean) S3}, it uses {@code storage}'s S3Proxy too. Such a cluster starts in
     * a fraction of the time, so tests use it; {@link LocalCluster#hbase()} is then unavailable, and
     * {@link LocalCluster#stop()} leaves the storage running. Tests that stop or measure HBase need their own.
     */
    public LocalClusterBuilder sharedStorage(LocalCluster storage, String hbaseNamespace) {
        if (!hbaseNamespace.matches("[A-Za-z0-9_]{1,64}")) {
            throw new IllegalArgumentException("hbaseNamespace: '" + hbaseNamespace
                    + "' (expected: 1 to 64 letters, digits or underscores)");
        }
        this.storage = Objects.requireNonNull(storage, "storage");
        this.hbaseNamespace = hbaseNamespace;
        return this;
    }

    /**
     * Whether the cluster runs S3Proxy for the photos ({@link LocalS3}); true by default, so that
     * {@code bin/local-cluster} has photos. Without it there is no {@code s3} node and the application
     * servers get no {@code s3.*} settings: photo calls answer {@code UNAVAILABLE}, as in a deployment
     * without {@code s3.bucket}. Tests that need no photos turn it off: one JVM fewer to start.
     */
    public LocalClusterBuilder s3(boolean enabled) {
        this.s3 = enabled;
        return this;
    }

    /** Gives every presentation server setting {@code key}, over the cluster's own value; for tests. */
    public LocalClusterBuilder presentationSetting(String key, String value) {
        if (key == null || key.isBlank() || value == null) {
            throw new IllegalArgumentException("presentationSetting: " + key + "=" + value
                    + " (expected: a key and a value)");
        }
        presentationSettings.put(key, value);
        return this;
    }

    /**
     * Puts a {@link FaultLink} between each application and presentation server and ZooKeeper (and only
     * there: the application servers' HBase clients and everyone else reach ZooKeeper directly), for
     * tests that partition one server from ZooKeeper.
     */
    public LocalClusterBuilder zookeeperFaultLinks(boolean enabled) {
        this.zookeeperFaultLinks = enabled;
        return this;
    }

    /** The Duet checkout to run from; detected from the working directory by default. */
    public LocalClusterBuilder home(Path home) {
        this.home = home;
        return this;
    }

    /** Where data and logs live; a temporary folder, deleted on close, by default. */
    public LocalClusterBuilder dataDir(Path dataDir) {
        this.dataDir = dataDir;
        return this;
    }

    public LocalClusterBuilder clusterName(String clusterName) {
        ClusterPaths.namespace(clusterName);
        this.clusterName = clusterName;
        return this;
    }

    public LocalClusterBuilder shards(int shards) {
        this.shards = io.duet.protocol.cluster.Shards.checkShardCount(shards);
        return this;
    }

    public LocalClusterBuilder applicationServers(int count) {
        this.applicationServers = checkCount("applicationServers", count);
        return this;
    }

    public LocalClusterBuilder presentationServers(int count) {
        this.presentationServers = checkCount("presentationServers", count);
        return this;
    }

    /**
     * Fixed ports from {@code basePort}: ZooKeeper at +0, the client endpoint (HAProxy) at +1 (TCP)
     * and +2 (HTTP), presentation TCP at +10.., HTTP at +20.., admin at +30..
     * 0 (the default) picks free ports.
     */
    public LocalClusterBuilder basePort(int basePort) {
        if (basePort < 0 || basePort > 65000) {
            throw new IllegalArgumentException("basePort: " + basePort + " (expected: 0..65000)");
        }
        this.basePort = basePort;
        return this;
    }

    private static int checkCount(String name, int count) {
        if (count < 0 || count > 9) {
            throw new IllegalArgumentException(name + ": " + count + " (expected: 0..9)");
        }
        return count;
    }

    public LocalCluster build() throws IOException {
        return new LocalCluster(this);
    }
}
