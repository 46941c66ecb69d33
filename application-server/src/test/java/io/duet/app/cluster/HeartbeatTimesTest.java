package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

class HeartbeatTimesTest {
    private static Stat written(long mzxid, long mtime) {
        Stat stat = new Stat();
        stat.setMzxid(mzxid);
        stat.setMtime(mtime);
        return stat;
    }

    @Test
    void aStatIsNewerWhenZooKeeperWroteItLaterWhateverItsClockSays() {
        assertThat(HeartbeatTimes.newer(written(7, 1_000), null)).isTrue();
        assertThat(HeartbeatTimes.newer(written(8, 1_200), written(7, 1_000))).isTrue();
        // A stat answered late (read before the newer one was) does not overwrite it.
        assertThat(HeartbeatTimes.newer(written(7, 1_000), written(8, 1_200))).isFalse();
        assertThat(HeartbeatTimes.newer(written(8, 1_200), written(8, 1_200))).isFalse();
        // ZooKeeper's clock may step back; its write order does not.
        assertThat(HeartbeatTimes.newer(written(9, 900), written(8, 1_200))).isTrue();
    }
}
