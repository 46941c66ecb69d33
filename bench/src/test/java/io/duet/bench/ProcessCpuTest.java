package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {
    @Test
    void aNodeIsNamedByItsReadyFileOrHaproxysConfigurationInTheClusterDirectory() {
        String dir = "/tmp/cluster";
        assertThat(ProcessCpu.nodeOf(new String[] {"java", "-cp", "x", "Main", "--config", "/tmp/cluster/conf/app-1.properties",
                "--ready-file", "/tmp/cluster/run/app-1.ready"}, dir)).isEqualTo("app-1");
        assertThat(ProcessCpu.nodeOf(new String[] {"/usr/sbin/haproxy", "-db", "-f", "/tmp/cluster/conf/haproxy.cfg"}, dir))
                .isEqualTo("haproxy");
        assertThat(ProcessCpu.nodeOf(new String[] {"java", "--ready-file", "/tmp/other/run/app-1.ready"}, dir)).isNull();
        assertThat(ProcessCpu.nodeOf(new String[] {"bash"}, dir)).isNull();
        assertThat(ProcessCpu.nodeOf(new String[] {"sh", "-c", "watch $1", "/usr/sbin/haproxy", "-f",
                "/tmp/cluster/conf/haproxy.cfg"}, dir)).as("the shell watching HAProxy").isNull();
    }

    @Test
    void aSharedStoragesNodesCountAsTheClustersOwnHBaseAndS3() {
        String storage = "/tmp/storage";
        assertThat(ProcessCpu.storageNodeOf(new String[] {"java", "Main", "/tmp/storage/run/hbase.ready"}, storage))
                .isEqualTo("hbase");
        assertThat(ProcessCpu.storageNodeOf(new String[] {"java", "Main", "/tmp/storage/run/zookeeper.ready"}, storage))
                .isEqualTo("hbase-zookeeper");
        assertThat(ProcessCpu.storageNodeOf(new String[] {"java", "Main", "/tmp/storage/run/app-1.ready"}, storage))
                .as("another cluster's server on the storage").isNull();
    }

    @Test
    void noProcessIsFoundForADirectoryNoCommandLineNames() throws Exception {
        assertThat(ProcessCpu.ofCluster(java.nio.file.Path.of("/nonexistent-duet-cluster")).pids()).isEmpty();
    }
}
