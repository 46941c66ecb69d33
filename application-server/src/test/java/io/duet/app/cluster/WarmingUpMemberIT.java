package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server that registers while it warms up gets no shards until it says it is done, while another
 * server can take them; against a real ZooKeeper.
 */
class WarmingUpMemberIT {
    private TestingServer zookeeper;
    private TestServer leader;
    private TestServer joining;

    @BeforeEach
    void start() throws Exception {
        zookeeper = TestZooKeeper.start();
        leader = TestServer.start("app-lead", zookeeper);
        await("app-lead to own every shard", () -> owned(leader) == TestServer.SHARDS);
    }

    @AfterEach
    void stop() throws Exception {
        if (joining != null) {
            joining.close();
        }
        leader.close();
        zookeeper.close();
    }

    private static int owned(TestServer server) {
        int owned = 0;
        for (int shard = 0; shard < TestServer.SHARDS; shard++) {
            if (server.ownership.epochIfOwned(shard).isPresent()) {
                owned++;
            }
        }
        return owned;
    }

    @Test
    void aWarmingServerGetsShardsOnlyOnceItHasWarmedUp() throws Exception {
        joining = TestServer.start("app-b", zookeeper, true);
        // The join grace is zero here, and the leader republishes within 200 ms of a join: give it a second.
        Thread.sleep(1000);
        assertThat(owned(leader)).as("shards the leader keeps while app-b warms up").isEqualTo(TestServer.SHARDS);
        assertThat(owned(joining)).isZero();

        joining.membership.warmedUp();
        await("app-b to get its share", () -> owned(joining) == TestServer.SHARDS / 2);
        await("app-lead to give it up", () -> owned(leader) == TestServer.SHARDS / 2);
    }

    @Test
    void aWarmingServerAloneGetsTheShardsAnyway() throws Exception {
        joining = TestServer.start("app-b", zookeeper, true);
        leader.close();
        leader = TestServer.start("app-c", zookeeper, true);
        // Both warm up: nobody else could serve, so they share the shards at once rather than none.
        await("the warming servers to share the shards",
                () -> owned(joining) + owned(leader) == TestServer.SHARDS && owned(joining) > 0 && owned(leader) > 0);
    }
}
