package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an application server does when ZooKeeper expires its session (Curator's LOST, then RECONNECTED on
 * a new session), against a real ZooKeeper and a real leader: it drops its shards at once, registers
 * again as a new incarnation, and serves again only by a map that gives it its shards at new epochs.
 */
class SessionLossIT {
    private TestingServer zookeeper;
    private CuratorFramework curator;
    private TestServer leader;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        zookeeper = TestZooKeeper.start();
        curator = TestZooKeeper.connect(zookeeper);
        leader = TestServer.start("app-lead", zookeeper);
        // It leads once it has published (its latch joins the election in the background).
        await("app-lead to lead", () -> leader.ownership.current().filter(view -> view.leaderId().equals("app-lead")).isPresent());
        server = TestServer.start("app-a", zookeeper);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        leader.close();
        curator.close();
        zookeeper.close();
    }

    private Map<Integer, Long> servable(ShardOwnership ownership) {
        Map<Integer, Long> owned = new TreeMap<>();
        for (int shard = 0; shard < TestServer.SHARDS; shard++) {
            OptionalLong epoch = ownership.epochIfOwned(shard);
            if (epoch.isPresent()) {
                owned.put(shard, epoch.getAsLong());
            }
        }
        return owned;
    }

    private long registeredAs(String id) throws Exception {
        return ThriftCodec.INTERNAL.decode(curator.getData().forPath(ClusterPaths.member(id)), new AppServerInfo())
                .getStartedAtMillis();
    }

    /** What the server said of its shards when its listeners heard of the lost session. */
    private record AtLoss(Optional<String> whyNotServing, Map<Integer, Long> servable, boolean anyStillAssigned) {
    }

    @Test
    void aServerWhoseSessionIsLostDropsItsShardsRegistersAgainAndServesOnlyAtNewEpochs() throws Exception {
        await("app-a to serve shards", () -> !servable(server.ownership).isEmpty());
        Map<Integer, Long> before = servable(server.ownership);
        long mapEpochBefore = server.ownership.mapEpoch();
        long incarnationBefore = registeredAs("app-a");

        // Listeners (the couple registry among them) hear the last map again on LOST, and unload every
        // couple whose shard is no longer stillAssigned at the epoch it was loaded with.
        List<AtLoss> atLoss = new CopyOnWriteArrayList<>();
        server.ownership.addListener(view -> {
            Optional<String> why = server.ownership.whyNotServing();
            if (why.isPresent() && why.get().contains("LOST")) {
                boolean anyStillAssigned = before.entrySet().stream()
                        .anyMatch(owned -> server.ownership.stillAssigned(owned.getKey(), owned.getValue()));
                atLoss.add(new AtLoss(why, servable(server.ownership), anyStillAssigned));
            }
        });

        TestZooKeeper.expireSession(server.curator, zookeeper);
        await("the lost session to reach the listeners", () -> !atLoss.isEmpty());
        AtLoss lost = atLoss.get(0);
        assertThat(lost.whyNotServing()).hasValue("ZooKeeper session LOST");
        assertThat(lost.servable()).as("shards servable once the session is lost").isEmpty();
        assertThat(lost.anyStillAssigned()).as("any shard kept loaded").isFalse();

        await("app-a to register again", () -> {
            try {
                return registeredAs("app-a") != incarnationBefore;
            } catch (Exception e) {
                return false;
            }
        });
        await("app-a to serve again", () -> !servable(server.ownership).isEmpty());
        Map<Integer, Long> after = servable(server.ownership);
        assertThat(after.values()).as("epochs app-a serves at after re-registering (it served %s at map epoch %d)",
                before, mapEpochBefore).allMatch(epoch -> epoch > mapEpochBefore);
        assertThat(server.ownership.current().orElseThrow().servers().get("app-a").getStartedAtMillis())
                .isEqualTo(registeredAs("app-a"));
    }
}
