package io.duet.app.storage;

import io.duet.settings.Settings;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;

/**
 * The HBase client's configuration from a server's settings: where HBase's ZooKeeper is
 * ({@code hbase.zookeeper.quorum}, {@code hbase.zookeeper.port}, {@code hbase.zookeeper.znode-parent})
 * and how long a call may take ({@code hbase.operation-timeout}, {@code hbase.rpc-timeout},
 * {@code hbase.client-retries}), each with a named default.
 */
public final class HBaseClientSettings {
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_RETRIES = 10;

    private HBaseClientSettings() {
    }

    public static Configuration configuration(Settings settings) {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", settings.string("hbase.zookeeper.quorum"));
        conf.set("hbase.zookeeper.property.clientPort", settings.string("hbase.zookeeper.port", "2181"));
        conf.set("zookeeper.znode.parent", settings.string("hbase.zookeeper.znode-parent", "/hbase"));
        conf.setLong("hbase.client.operation.timeout",
                settings.duration("hbase.operation-timeout", DEFAULT_OPERATION_TIMEOUT).toMillis());
        conf.setLong("hbase.rpc.timeout", settings.duration("hbase.rpc-timeout", DEFAULT_RPC_TIMEOUT).toMillis());
        conf.setInt("hbase.client.retries.number", settings.integer("hbase.client-retries", DEFAULT_RETRIES));
        return conf;
    }
}
