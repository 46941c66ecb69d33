package io.duet.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminOptionsTest {
    private static final AdminOptions.Defaults DEFAULTS = AdminOptions.Defaults.STANDARD;

    private static AdminOptions parse(String... args) throws AdminException {
        return AdminOptions.parse(args, DEFAULTS);
    }

    private static void assertUsageError(String message, String... args) {
        assertThatThrownBy(() -> parse(args)).isInstanceOf(AdminException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((AdminException) e).exitCode()).isEqualTo(AdminException.USAGE));
    }

    @Test
    void defaultsApplyWhenNoOptionIsGiven() throws Exception {
        AdminOptions options = parse("shards");
        assertThat(options.command()).isEqualTo("shards");
        assertThat(options.arguments()).isEmpty();
        assertThat(options.zookeeper()).isEqualTo("127.0.0.1:2181");
        assertThat(options.cluster()).isEqualTo("duet");
        assertThat(options.hbaseZookeeper()).as("HBase's ZooKeeper defaults to the cluster's").isEqualTo("127.0.0.1:2181");
        assertThat(options.hbaseNamespace()).isEqualTo("duet");
        assertThat(options.hbaseZnodeParent()).isEqualTo("/hbase");
        assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.waitFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.failureTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void optionsGoAnywhereWithASpaceOrAnEqualsSign() throws Exception {
        AdminOptions options = parse("--zookeeper", "zk1:2181,zk2:2181", "move", "--cluster=prod", "7", "app-2",
                "--timeout", "500ms", "--wait=1m", "--failure-timeout", "3s");
        assertThat(options.command()).isEqualTo("move");
        assertThat(options.arguments()).containsExactly("7", "app-2");
        assertThat(options.shard()).isEqualTo(7);
        assertThat(options.zookeeper()).isEqualTo("zk1:2181,zk2:2181");
        assertThat(options.hbaseZookeeper()).isEqualTo("zk1:2181,zk2:2181");
        assertThat(options.cluster()).isEqualTo("prod");
        assertThat(options.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(options.waitFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.failureTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void noWaitMeansAZeroWait() throws Exception {
        assertThat(parse("drain", "app-1", "--no-wait").waitFor()).isZero();
    }

    @Test
    void ownerTakesACoupleOrAUserId() throws Exception {
        assertThat(parse("owner", "couple", "42").id()).isEqualTo(42);
        assertThat(parse("owner", "user", "-7").id()).isEqualTo(-7);
        assertUsageError("owner team (expected: owner couple ID or owner user ID)", "owner", "team", "1");
        assertUsageError("ID: abc (expected: a number)", "owner", "couple", "abc");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertUsageError("no command given");
        assertUsageError("unknown command 'shard'", "shard");
        assertUsageError("unknown option --zk", "--zk", "x", "shards");
        assertUsageError("--zookeeper needs a value", "shards", "--zookeeper");
        assertUsageError("usage: duet-admin move SHARD SERVER", "move", "3");
        assertUsageError("usage: duet-admin shards", "shards", "extra");
        assertUsageError("SHARD: x (expected: a shard number)", "move", "x", "app-1");
        assertUsageError("--timeout: 5 (expected: a duration such as 500ms, 10s, 5m)", "shards", "--timeout", "5");
        assertUsageError("--wait: 0", "shards", "--wait", "0s");
        assertUsageError("--cluster: Prod (expected: lower-case letters, digits and '-')", "shards", "--cluster", "Prod");
    }

    @Test
    void helpNeedsNoCommand() throws Exception {
        assertThat(parse("--help").help()).isTrue();
        assertThat(AdminOptions.usage(DEFAULTS)).contains("move SHARD SERVER").contains("127.0.0.1:2181")
                .contains("exit status");
    }

    @Test
    void theLocalClusterOfTheCheckoutGivesTheDefaults(@TempDir Path home) throws Exception {
        assertThat(AdminOptions.Defaults.of(home).zookeeper).isEqualTo("127.0.0.1:2181");
        Path conf = Files.createDirectories(home.resolve("local-cluster-data/conf"));
        Files.write(conf.resolve("ports.properties"), List.of("presentation-1.tcp=7410", "zookeeper=7400"));
        Files.write(conf.resolve("app-1.properties"), List.of("cluster.name=local", "zookeeper.connect=127.0.0.1:7400"));
        AdminOptions.Defaults defaults = AdminOptions.Defaults.of(home);
        assertThat(defaults.zookeeper).isEqualTo("127.0.0.1:7400");
        assertThat(defaults.cluster).isEqualTo("local");
        AdminOptions options = AdminOptions.parse(new String[] {"servers"}, defaults);
        assertThat(options.zookeeper()).isEqualTo("127.0.0.1:7400");
        assertThat(options.cluster()).isEqualTo("local");
        assertThat(AdminOptions.usage(defaults)).contains("127.0.0.1:7400, from " + conf.resolve("ports.properties"));
    }

    @Test
    void theApplicationServerSettingsOfADistributionGiveTheDefaults(@TempDir Path home) throws Exception {
        Path conf = Files.createDirectories(home.resolve("conf"));
        Path settings = conf.resolve("application-server.properties");
        Files.write(settings, List.of("# example", "cluster.name=prod", "zookeeper.connect=zk1:2181,zk2:2181"));
        AdminOptions.Defaults defaults = AdminOptions.Defaults.of(home);
        assertThat(defaults.zookeeper).isEqualTo("zk1:2181,zk2:2181");
        assertThat(defaults.cluster).isEqualTo("prod");
        AdminOptions options = AdminOptions.parse(new String[] {"servers"}, defaults);
        assertThat(options.zookeeper()).isEqualTo("zk1:2181,zk2:2181");
        assertThat(options.cluster()).isEqualTo("prod");
        assertThat(AdminOptions.parse(new String[] {"servers", "--zookeeper", "zk9:2181", "--cluster", "other"},
                defaults).zookeeper()).as("the options win").isEqualTo("zk9:2181");
        assertThat(AdminOptions.usage(defaults)).contains("zk1:2181,zk2:2181, from " + settings)
                .contains("(default: prod)");

        Files.write(settings, List.of("cluster.name=prod"));
        assertThat(AdminOptions.Defaults.of(home).zookeeper).as("no zookeeper.connect").isEqualTo("127.0.0.1:2181");
        assertThat(AdminOptions.Defaults.of(home).source).isEmpty();
        assertThat(AdminOptions.Defaults.of(home).cluster).isEqualTo("prod");
    }
}
