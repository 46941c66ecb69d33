package io.duet.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.cluster.Shards;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReportsTest {
    private static final AppServerInfo ONE = new AppServerInfo("app-1@a", new Endpoint("10.0.0.1", 7001), 0)
            .setZone("z1").setHost("h1");
    private static final AppServerInfo TWO = new AppServerInfo("app-2@b", new Endpoint("10.0.0.2", 7002), 1000);

    /** 4 shards: 0 and 1 on app-1, 2 on app-2, 3 unassigned; published by app-1 at epoch 9. */
    private static ShardMapView map() throws Exception {
        Map<String, AppServerInfo> servers = new TreeMap<>(Map.of(ONE.getServerId(), ONE, TWO.getServerId(), TWO));
        return ShardMapView.of(new ShardMap(9, 4, List.of(new ShardAssignment("app-1@a", 3),
                new ShardAssignment("app-1@a", 9), new ShardAssignment("app-2@b", 5), new ShardAssignment("", 0)),
                servers, 86_400_000L, "app-1@a"));
    }

    private static ClusterState state() throws Exception {
        return ClusterState.builder("prod")
                .map(map())
                .leader("app-1@a")
                .member("app-1@a", ONE)
                .member("app-2@b", TWO)
                .heartbeat("app-1@a", 10_000, new ServerStatus(12, 7, 9).setCouplesLoadedByShard(Map.of(0, 5, 1, 2)))
                .heartbeat("app-2@b", 8_500, new ServerStatus(12, 40_000, 8))
                .drained("app-2")
                .pendingMove(1, "app-2@b")
                .failureTimeout(Duration.ofSeconds(1))
                .build();
    }

    @Test
    void shardsListsEveryShardThenEveryServer() throws Exception {
        ClusterState state = state();
        assertThat(Reports.shards(state, state.map().orElseThrow())).isEqualTo(String.join("\n",
                "Cluster 'prod': shard map epoch 9, 4 shards, published 1970-01-02T00:00:00Z by app-1@a; leader now: app-1@a",
                "Pending moves: shard 1 -> app-2@b",
                "",
                "SHARD  OWNER    EPOCH  COUPLES",
                "    0  app-1@a      3        5",
                "    1  app-1@a      9        2",
                "    2  app-2@b      5        ?",
                "    3  -            0        -",
                "",
                "SERVER   SHARDS  COUPLES  DRAINING  HEARTBEAT LAG  SUSPECTED",
                "app-1@a       2        7  no        0 ms           no",
                "app-2@b       1    40000  yes       1500 ms        yes",
                ""));
    }

    @Test
    void serversShowsEndpointsLabelsAndState() throws Exception {
        String report = Reports.servers(state());
        assertThat(report).contains("Drained: app-2\n");
        assertThat(report.lines()).anySatisfy(line -> assertThat(line)
                .matches("app-1@a +10\\.0\\.0\\.1:7001 +z1 +h1 +1970-01-01T00:00:00Z +2 +7 +9 +0 ms +live, leader"));
        assertThat(report.lines()).anySatisfy(line -> assertThat(line)
                .matches("app-2@b +10\\.0\\.0\\.2:7002 +- +- +1970-01-01T00:00:01Z +1 +40000 +8 +1500 ms +suspected, draining"));
    }

    @Test
    void serversWithoutAMapStillListsTheMembers() {
        ClusterState state = ClusterState.builder("new").member("app-1@a", ONE).build();
        assertThat(Reports.servers(state)).startsWith("Cluster 'new': no shard map published yet; leader now: none\n")
                .containsPattern("none +no heartbeat\n");
    }

    @Test
    void ownerNamesTheShardTheOwnerItsEpochAndItsRelay() throws Exception {
        ShardMapView map = map();
        long coupleOnShard2 = idOnShard(2, 4);
        assertThat(Reports.owner("couple " + coupleOnShard2, map, coupleOnShard2))
                .isEqualTo("couple " + coupleOnShard2 + ": shard 2, owner app-2@b (epoch 5), relay 10.0.0.2:7002");
        long onShard3 = idOnShard(3, 4);
        assertThat(Reports.owner("user " + onShard3, map, onShard3)).isEqualTo("user " + onShard3 + ": shard 3, unassigned");
    }

    @Test
    void loadsCountEveryServerOfTheMap() throws Exception {
        assertThat(Reports.loads(map())).isEqualTo("app-1@a 2, app-2@b 1");
    }

    @Test
    void serversAreResolvedByInstanceIdOrByServerId() throws Exception {
        ClusterState state = state();
        assertThat(state.resolve("app-2@b")).isEqualTo("app-2@b");
        assertThat(state.resolve("app-2")).isEqualTo("app-2@b");
        assertThatThrownBy(() -> state.resolve("app-3")).isInstanceOf(AdminException.class)
                .hasMessage("unknown server 'app-3' in cluster 'prod' (members: app-1@a, app-2@b)")
                .satisfies(e -> assertThat(((AdminException) e).exitCode()).isEqualTo(AdminException.REFUSED));
        ClusterState restarting = ClusterState.builder("prod").member("app-1@a", ONE).member("app-1@c", ONE).build();
        assertThatThrownBy(() -> restarting.resolve("app-1")).hasMessageContaining("names several members");
    }

    @Test
    void tablesAlignTextLeftAndNumbersRight() {
        assertThat(new TextTable("NAME", "N").row("a", 1).row("longer", 100).toString())
                .isEqualTo("NAME      N\na         1\nlonger  100\n");
        assertThat(new TextTable("ZONE", "N").row("-", "-").row("-", "?").toString())
                .as("no number, no numeric column").isEqualTo("ZONE  N\n-     -\n-     ?\n");
    }

    @Test
    void durationsReadNaturally() {
        assertThat(DuetAdmin.describe(Duration.ofSeconds(5))).isEqualTo("5 s");
        assertThat(DuetAdmin.describe(Duration.ofMillis(1500))).isEqualTo("1500 ms");
    }

    private static long idOnShard(int shard, int shardCount) {
        for (long id = 1; ; id++) {
            if (Shards.shardOf(id, shardCount) == shard) {
                return id;
            }
        }
    }
}
