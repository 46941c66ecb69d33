package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.KeeperException.Code;
import org.junit.jupiter.api.Test;

/** What ZooKeeper's answers to the re-read of the shard map mean for the reconfirmation. */
class ShardMapReaderTest {
    @Test
    void aFailedSyncFailsTheReReadInsteadOfReadingAMapThatMayBeStale() {
        assertThat(ShardMapReader.afterSync(Code.OK.intValue())).isEmpty();
        assertThat(ShardMapReader.afterSync(Code.CONNECTIONLOSS.intValue()))
                .hasValueSatisfying(outcome -> assertThat(outcome.failure()).isEqualTo("sync: CONNECTIONLOSS"));
    }

    @Test
    void aReadGivesTheEpochZeroWithoutAMapOrWhyItFailed() throws Exception {
        byte[] map = ThriftCodec.INTERNAL.encode(new ShardMap().setEpoch(12).setShardCount(1)
                .setShards(List.of(new ShardAssignment("app-a", 12)))
                .setServers(Map.of("app-a", new AppServerInfo("app-a", new Endpoint("127.0.0.1", 1), 0)))
                .setPublishedAtMillis(0).setLeaderId("app-a"));
        assertThat(ShardMapReader.ofRead(Code.OK.intValue(), map).epoch()).isEqualTo(12);
        assertThat(ShardMapReader.ofRead(Code.NONODE.intValue(), null).epoch()).isZero();
        assertThat(ShardMapReader.ofRead(Code.SESSIONEXPIRED.intValue(), null).failure()).isEqualTo("read: SESSIONEXPIRED");
        assertThat(ShardMapReader.ofRead(Code.OK.intValue(), new byte[] {1, 2, 3}).failure())
                .startsWith("unreadable shard map");
    }
}
