package io.duet.admin.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {
    @TempDir
    Path dataDir;

    @Test
    void aLocalClusterIsReadFromItsDataFolderApplicationServersFirst() throws Exception {
        Files.createDirectories(dataDir.resolve("conf"));
        Files.createDirectories(dataDir.resolve("run"));
        Files.writeString(dataDir.resolve("conf/ports.properties"), "zookeeper=7400\nendpoint.tcp=7401\n");
        for (String name : List.of("presentation-1", "app-10", "app-2", "presentation-2")) {
            Files.writeString(dataDir.resolve("conf/" + name + ".properties"), "cluster.name=mine\nserver.id=" + name + "\n");
        }
        long me = ProcessHandle.current().pid();
        Files.writeString(dataDir.resolve("run/app-2.ready"), "admin.host=127.0.0.1\nadmin.port=5555\npid=" + me + "\n");
        Files.writeString(dataDir.resolve("run/presentation-1.ready"), "admin.port=5556\npid=999999999\n");

        Inventory inventory = Inventory.localCluster(dataDir);

        assertThat(inventory.nodes()).extracting(DeployNode::name)
                .containsExactly("app-2", "app-10", "presentation-1", "presentation-2");
        assertThat(inventory.zookeeper()).isEqualTo("127.0.0.1:7400");
        assertThat(inventory.cluster()).isEqualTo("mine");
        assertThat(inventory.nodes().get(0).locator().current()).hasValueSatisfying(instance -> {
            assertThat(instance.admin()).hasToString("http://127.0.0.1:5555");
            assertThat(instance.pid()).isEqualTo(me);
        });
        assertThat(inventory.nodes().get(1).locator().current()).as("no ready file").isEmpty();
        assertThat(inventory.nodes().get(2).locator().current()).as("its process is gone").isEmpty();
    }

    @Test
    void aFolderThatIsNotALocalClusterIsRefused() {
        assertThatThrownBy(() -> Inventory.localCluster(dataDir)).hasMessageContaining("not a local cluster");
    }

    @Test
    void serversNamedOnTheCommandLine() throws Exception {
        Inventory inventory = RollingDeployMain.inventory(RollingDeployMain.parse(new String[] {
            "--zookeeper", "zk:2181", "--cluster", "prod", "--restart-command", "ssh {host} true",
            "--presentation", "10.0.2.1:7330,edge-2=10.0.2.2:7330", "--application", "app-1=10.0.1.1:7300"}));
        assertThat(inventory.nodes()).extracting(DeployNode::name, node -> node.kind().word(), DeployNode::host)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("app-1", "application", "10.0.1.1"),
                        org.assertj.core.groups.Tuple.tuple("10.0.2.1", "presentation", "10.0.2.1"),
                        org.assertj.core.groups.Tuple.tuple("edge-2", "presentation", "10.0.2.2"));
        assertThat(inventory.nodes().get(2).locator().current().orElseThrow().admin()).hasToString("http://10.0.2.2:7330");
        assertThatThrownBy(() -> Inventory.parseNode(DeployNode.Kind.APPLICATION, "10.0.1.1:7300"))
                .hasMessageContaining("server.id");
        assertThatThrownBy(() -> RollingDeployMain.inventory(RollingDeployMain.parse(new String[] {
            "--presentation", "h:1"}))).hasMessageContaining("--restart-command");
        assertThatThrownBy(() -> RollingDeployMain.parse(new String[] {"--bogus", "1"})).hasMessageContaining("--bogus");
        assertThat(RollingDeployMain.settings(Map.of(), io.duet.settings.Settings.of(Map.of("pause", "0s"))).pause())
                .isZero();
    }
}
