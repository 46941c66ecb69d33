package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.settings.Settings;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class HBaseStartupTest {
    @Test
    void anHBaseThatNeverComesUpIsRetriedUntilTheDeadlineThenNamed() throws Exception {
        int nobody;
        try (ServerSocket socket = new ServerSocket(0)) {
            nobody = socket.getLocalPort();
        }
        Configuration conf = HBaseClientSettings.configuration(Settings.of(Map.of(
                "hbase.zookeeper.quorum", "127.0.0.1", "hbase.zookeeper.port", Integer.toString(nobody))));
        long started = System.nanoTime();

        assertThatThrownBy(() -> HBaseStartup.connect(conf, new HBaseSchema("duet", 4), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("within 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
    }
}
