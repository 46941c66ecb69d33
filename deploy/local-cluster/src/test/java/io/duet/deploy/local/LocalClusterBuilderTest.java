package io.duet.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.process.ReadyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builder's defaults (what {@code bin/local-cluster} gets), and the cluster a builder makes, before any
 * process starts: its nodes and the settings files it writes. The modules are faked in {@code home}: no
 * node is started.
 */
class LocalClusterBuilderTest {
    @TempDir
    Path home;
    @TempDir
    Path dataDir;

    @Test
    void s3AndPreSplitTablesAreOnByDefault() {
        LocalClusterBuilder builder = LocalCluster.builder();
        assertThat(builder.s3).isTrue();
        assertThat(builder.preSplitTables).isTrue();
    }

    @Test
    void byDefaultS3IsANodeAndTheApplicationServersGetItsSettings() throws Exception {
        try (LocalCluster cluster = build(LocalCluster.builder())) {
            assertThat(cluster.nodes()).extracting(Node::name).containsExactly("zookeeper", "hbase", "s3", "app-1",
                    "presentation-1");
            assertThat(cluster.s3()).hasValueSatisfying(node -> assertThat(node.name()).isEqualTo("s3"));
            assertThat(cluster.s3Settings()).containsEntry("s3.bucket", LocalS3.BUCKET).containsKey("s3.endpoint");
            assertThat(applicationServerSettings()).containsEntry("s3.bucket", LocalS3.BUCKET)
                    .containsEntry("hbase.pre-split", "true");
        }
    }

    /** Without S3: no node, no settings; the application servers then answer photo calls UNAVAILABLE. */
    @Test
    void withoutS3NoNodeAndNoS3Settings() throws Exception {
        try (LocalCluster cluster = build(LocalCluster.builder().s3(false).preSplitTables(false))) {
            assertThat(cluster.nodes()).extracting(Node::name).containsExactly("zookeeper", "hbase", "app-1",
                    "presentation-1");
            assertThat(cluster.s3()).isEmpty();
            assertThat(cluster.s3Settings()).isEmpty();
            assertThat(applicationServerSettings()).doesNotContainKeys("s3.bucket", "s3.endpoint")
                    .containsEntry("hbase.pre-split", "false");
            assertThat(dataDir.resolve("conf/s3.properties")).doesNotExist();
            assertThat(ClusterSummary.of(cluster).s3()).isNull();
        }
    }

    /**
     * On another cluster's storage: no HBase or S3 node of its own; the application servers reach the
     * storage cluster's HBase, in this cluster's namespace, and its S3Proxy.
     */
    @Test
    void onSharedStorageNoStorageNodesAndTheStorageClustersSettings(@TempDir Path storageDir) throws Exception {
        try (LocalCluster storage = build(LocalCluster.builder().dataDir(storageDir));
                LocalCluster cluster = build(LocalCluster.builder().sharedStorage(storage, "it_x"))) {
            assertThat(cluster.nodes()).extracting(Node::name).containsExactly("zookeeper", "app-1", "presentation-1");
            assertThat(cluster.hbaseZookeeperConnect()).isEqualTo(storage.zookeeperConnect())
                    .isNotEqualTo(cluster.zookeeperConnect());
            assertThat(cluster.hbaseNamespace()).isEqualTo("it_x");
            assertThat(applicationServerSettings())
                    .containsEntry("hbase.zookeeper.port", storage.zookeeperConnect().split(":")[1])
                    .containsEntry("hbase.namespace", "it_x")
                    .containsEntry("zookeeper.connect", cluster.zookeeperConnect())
                    .containsEntry("s3.endpoint", storage.s3Settings().get("s3.endpoint"));
            assertThat(dataDir.resolve("conf/storage-dir")).content().isEqualToIgnoringNewLines(storageDir.toString());
            org.assertj.core.api.Assertions.assertThatThrownBy(cluster::hbase)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    /** Extra JVM options go to every Java node, after the node's own, and to nothing else (HAProxy). */
    @Test
    void nodeJvmOptionsGoToEveryJavaNodeAfterItsOwn() throws Exception {
        try (LocalCluster cluster = build(LocalCluster.builder().nodeJvmOption("-XX:TieredStopAtLevel=1"))) {
            java.util.List<NodeProcess> javaNodes = cluster.nodes().stream().filter(NodeProcess.class::isInstance)
                    .map(NodeProcess.class::cast).toList();
            assertThat(javaNodes).extracting(Node::name).containsExactly("zookeeper", "hbase", "s3", "app-1",
                    "presentation-1");
            assertThat(javaNodes).allSatisfy(node -> assertThat(node.jvmOptions()).endsWith("-XX:TieredStopAtLevel=1")
                    .contains("-XX:+ExitOnOutOfMemoryError"));
        }
        try (LocalCluster cluster = build(LocalCluster.builder())) {
            assertThat(cluster.nodes()).filteredOn(NodeProcess.class::isInstance)
                    .allSatisfy(node -> assertThat(((NodeProcess) node).jvmOptions()).doesNotContain("-XX:TieredStopAtLevel=1"));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalCluster.builder().nodeJvmOption("TieredStopAtLevel=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a JVM option");
    }

    /** Duet's servers start at their full heap, with room for their classes: no GC shrinks the heap at start. */
    @Test
    void serversStartAtTheirFullHeapWithRoomForTheirClasses() throws Exception {
        try (LocalCluster cluster = build(LocalCluster.builder())) {
            java.util.Map<String, java.util.List<String>> options = cluster.nodes().stream()
                    .filter(NodeProcess.class::isInstance).map(NodeProcess.class::cast)
                    .collect(java.util.stream.Collectors.toMap(Node::name, NodeProcess::jvmOptions));
            assertThat(options.get("app-1")).contains("-Xms" + NodeFactory.APP_HEAP, "-Xmx" + NodeFactory.APP_HEAP,
                    NodeFactory.SERVER_METASPACE);
            assertThat(options.get("presentation-1")).contains("-Xms256m", "-Xmx256m", NodeFactory.SERVER_METASPACE);
            assertThat(options.get("zookeeper")).doesNotContain(NodeFactory.SERVER_METASPACE);
        }
        // A smaller -Xmx among the nodes' options wins, and the servers' initial heap follows it down.
        try (LocalCluster cluster = build(LocalCluster.builder().nodeJvmOption("-Xmx512m"))) {
            NodeProcess app = cluster.nodes().stream().filter(node -> node.name().equals("app-1"))
                    .map(NodeProcess.class::cast).findFirst().orElseThrow();
            assertThat(app.jvmOptions()).contains("-Xms512m").doesNotContain("-Xms" + NodeFactory.APP_HEAP)
                    .endsWith("-Xmx512m");
        }
    }

    private LocalCluster build(LocalClusterBuilder builder) throws IOException {
        for (String module : new String[] {"deploy/local-cluster", "deploy/local-hbase", "deploy/local-s3",
                "application-server", "presentation-server"}) {
            Path target = home.resolve(module).resolve("target");
            Files.createDirectories(target.resolve("classes"));
            Files.writeString(target.resolve("runtime-classpath.txt"), "");
        }
        if (builder.dataDir == null) {
            builder.dataDir(dataDir);
        }
        return builder.home(home).applicationServers(1).presentationServers(1).haproxy("/nonexistent/haproxy")
                .build();
    }

    private java.util.Map<String, String> applicationServerSettings() throws IOException {
        return ReadyFile.read(dataDir.resolve("conf/app-1.properties"));
    }
}
