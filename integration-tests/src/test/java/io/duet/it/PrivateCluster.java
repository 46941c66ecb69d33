package io.duet.it;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.LocalClusterBuilder;
import io.duet.deploy.local.Node;
import io.duet.deploy.local.SupervisionSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local cluster of one test class's own, for tests that stop or break processes: started before the
 * class's tests, closed after them. Register it as a static {@code @RegisterExtension} field.
 *
 * <p>To start fast, it keeps its data in {@link SharedStorage}'s HBase, in a namespace of its own
 * ({@link #withOwnStorage()} for tests that stop or measure HBase), runs without S3 (photo calls answer
 * {@code UNAVAILABLE}; {@link #withS3()} for tests that need photos), creates its tables unsplit
 * ({@link #withPreSplitTables()} for production's), and runs its nodes' JVMs with {@link #QUICK_START_JVM_OPTIONS}
 * and its application servers without the warm-up before joining ({@link #withProductionJit()} for tests whose
 * figures say how fast Duet is: production's JIT and warm-up; {@link #withWarmUp()} for the warm-up alone).
 */
public final class PrivateCluster implements BeforeAllCallback, AfterAllCallback {
    /** Numbers each cluster's namespace in the shared storage, so that no two share tables. */
    private static final java.util.concurrent.atomic.AtomicInteger CLUSTERS = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * What every node's JVM gets unless the test asks for {@link #withProductionJit()}: by default
     * {@code -XX:TieredStopAtLevel=1}, the C1 compiler alone, which starts a cluster in about 40% less CPU
     * and time on a 2-core box (a test cluster lives a minute or two, mostly starting). The system property
     * {@code duet.it.node-jvm-options} replaces it (space-separated; empty for none).
     */
    static final java.util.List<String> QUICK_START_JVM_OPTIONS = java.util.Arrays.stream(
            System.getProperty("duet.it.node-jvm-options", "-XX:TieredStopAtLevel=1").trim().split("\\s+"))
            .filter(option -> !option.isEmpty()).toList();
    private boolean productionJit;
    private boolean warmUp;
    private int shards = io.duet.protocol.cluster.Shards.DEFAULT_SHARD_COUNT;
    private int applicationServers = 2;
    private int presentationServers = 2;
    private LocalCluster cluster;
    private boolean zookeeperFaultLinks;
    private SupervisionSettings supervision;
    private int presentationServerFileLimit;
    private boolean clientTls;
    private boolean preSplitTables;
    private boolean s3;
    private boolean ownStorage;
    private final Map<String, String> presentationSettings = new LinkedHashMap<>();
    private final Map<String, String> serverSettings = new LinkedHashMap<>();

    /** Puts a fault link between each application and presentation server and ZooKeeper ({@link LocalCluster#zookeeperLink}). */
    public PrivateCluster withZookeeperFaultLinks() {
        this.zookeeperFaultLinks = true;
        return this;
    }

    /** Restarts nodes that die unasked ({@link LocalClusterBuilder#supervise}). */
    public PrivateCluster withSupervision(SupervisionSettings settings) {
        this.supervision = settings;
        return this;
    }

    /** Sets {@code key} to {@code value} in every Duet server's settings. */
    public PrivateCluster withServerSetting(String key, String value) {
        serverSettings.put(key, value);
        return this;
    }

    /** TLS on the client ports ({@link LocalClusterBuilder#clientTls}); {@link TestCouple} then speaks it. */
    public PrivateCluster withClientTls() {
        this.clientTls = true;
        return this;
    }

    /**
     * Creates the tables pre-split, as production does ({@link LocalClusterBuilder#preSplitTables}), for
     * tests whose many writes are slow on one region; opening every region makes the cluster start slower.
     */
    public PrivateCluster withPreSplitTables() {
        this.preSplitTables = true;
        return this;
    }

    /**
     * Runs the nodes' JVMs as production does, C2 compiler included, instead of with {@link
     * #QUICK_START_JVM_OPTIONS}: for tests whose figures (stalls, failover times) say how fast Duet is.
     */
    public PrivateCluster withProductionJit() {
        this.productionJit = true;
        return this;
    }

    /**
     * Keeps the application servers' warm-up before joining on {@link #QUICK_START_JVM_OPTIONS}' JVMs: for
     * tests that check every start warms up without measuring production's JIT.
     */
    public PrivateCluster withWarmUp() {
        this.warmUp = true;
        return this;
    }

    /** Gives the cluster {@code shards} shards instead of production's default ({@link LocalClusterBuilder#shards}). */
    public PrivateCluster withShards(int shards) {
        this.shards = shards;
        return this;
    }

    /**
     * Runs {@code count} application servers instead of 2, for tests that need no second owner: each server
     * fewer is a JVM fewer to start on a 2-core box.
     */
    public PrivateCluster withApplicationServers(int count) {
        this.applicationServers = count;
        return this;
    }

    /** Runs {@code count} presentation servers instead of 2, for tests that need no second one. */
    public PrivateCluster withPresentationServers(int count) {
        this.presentationServers = count;
        return this;
    }

    /** Starts an HBase (and S3Proxy, with {@link #withS3()}) of its own, for tests that stop or measure it. */
    public PrivateCluster withOwnStorage() {
        this.ownStorage = true;
        return this;
    }

    /** Gives the cluster S3, so that photo calls work ({@link LocalClusterBuilder#s3}). */
    public PrivateCluster withS3() {
        this.s3 = true;
        return this;
    }

    /** Runs the presentation servers with at most {@code limit} open files. */
    public PrivateCluster withPresentationServerFileLimit(int limit) {
        this.presentationServerFileLimit = limit;
        return this;
    }

    /** Gives every presentation server setting {@code key} ({@link LocalClusterBuilder#presentationSetting}). */
    public PrivateCluster withPresentationSetting(String key, String value) {
        presentationSettings.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String testClass = context.getRequiredTestClass().getSimpleName();
        LocalClusterBuilder builder = ownStorage ? SharedStorage.cheapPasswordHashes(LocalCluster.builder())
                : SharedStorage.clusterBuilder("it_" + testClass.toLowerCase(java.util.Locale.ROOT) + "_" + CLUSTERS.incrementAndGet());
        builder.applicationServers(applicationServers).presentationServers(presentationServers).shards(shards)
                .zookeeperFaultLinks(zookeeperFaultLinks).supervise(supervision)
                .presentationServerFileLimit(presentationServerFileLimit).clientTls(clientTls)
                .preSplitTables(preSplitTables).s3(s3);
        if (!productionJit) {
            QUICK_START_JVM_OPTIONS.forEach(builder::nodeJvmOption);
        }
        if (!productionJit && !warmUp) {
            // The warm-up before joining compiles the request path for the first couples' sake; a quick-start
            // JVM never compiles it fully, and nothing here measures how fast the first couples are served.
            builder.serverSetting("cluster.warm-up-timeout", "0s");
        }
        presentationSettings.forEach(builder::presentationSetting);
        serverSettings.forEach(builder::serverSetting);
        String keep = System.getProperty("duet.it.keep-data");
        if (keep != null) {
            // -Dduet.it.keep-data=DIR keeps each class's cluster data and logs in DIR/<class> for a post-mortem.
            builder.dataDir(java.nio.file.Path.of(keep, testClass));
        }
        cluster = builder.build();
        cluster.start();
    }

    /**
     * Kills every node, then closes the cluster (deleting its data unless kept). Nothing is checked of a
     * graceful stop here (tests about stopping stop their nodes themselves), and it would take seconds:
     * application servers that leave together each wait for a handoff nobody can take, and a presentation
     * server that is draining waits out its {@code drain.delay}.
     */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            long started = System.nanoTime();
            for (Node node : cluster.nodes()) {
                node.kill();
            }
            cluster.close();
            System.out.printf("%s: cluster killed and closed in %d ms%n",
                    context.getRequiredTestClass().getSimpleName(), (System.nanoTime() - started) / 1_000_000);
        }
    }

    public LocalCluster get() {
        return cluster;
    }
}
