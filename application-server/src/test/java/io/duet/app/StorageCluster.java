package io.duet.app;

import io.duet.app.storage.HBaseSchema;
import io.duet.app.storage.SchemaBootstrap;
import io.duet.deploy.local.LocalCluster;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ConnectionFactory;

/**
 * Real ZooKeeper and HBase for this module's integration tests, started once per test JVM through the
 * same {@link LocalCluster} launcher users run (without Duet's servers), and stopped when the JVM exits.
 * Each test class gets its own HBase namespace.
 */
public final class StorageCluster {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static LocalCluster cluster;
    private static AsyncConnection connection;
    private static ExecutorService callbacks;

    private StorageCluster() {
    }

    public static synchronized LocalCluster cluster() throws Exception {
        if (cluster == null) {
            LocalCluster started = LocalCluster.builder().applicationServers(0).presentationServers(0).build();
            started.start();
            cluster = started;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    if (connection != null) {
                        connection.close();
                    }
                    started.close();
                } catch (Exception e) {
                    Thread.currentThread().interrupt();
                }
            }, "storage-cluster-shutdown"));
        }
        return cluster;
    }

    public static synchronized AsyncConnection connection() throws Exception {
        if (connection == null) {
            LocalCluster running = cluster();
            Configuration conf = HBaseConfiguration.create();
            conf.set("hbase.zookeeper.quorum", "127.0.0.1");
            conf.set("hbase.zookeeper.property.clientPort", running.zookeeperConnect().split(":")[1]);
            conf.setLong("hbase.client.operation.timeout", 30_000);
            connection = ConnectionFactory.createAsyncConnection(conf).get(60, TimeUnit.SECONDS);
            callbacks = Executors.newFixedThreadPool(2);
        }
        return connection;
    }

    public static ExecutorService callbacks() throws Exception {
        connection();
        return callbacks;
    }

    /**
     * A fresh namespace with Duet's tables, each one region: creating production's pre-split tables (44
     * regions) took seconds of each test class's start, for tests that do not care where rows live.
     */
    public static HBaseSchema freshSchema(int shards) throws Exception {
        return fresh(shards, false);
    }

    /** A fresh namespace with Duet's tables pre-split as production's are, for tests of what spans regions. */
    public static HBaseSchema freshPreSplitSchema(int shards) throws Exception {
        return fresh(shards, true);
    }

    private static HBaseSchema fresh(int shards, boolean preSplit) throws Exception {
        HBaseSchema schema = new HBaseSchema("test" + NAMESPACES.incrementAndGet() + "_" + ProcessHandle.current().pid(),
                shards, preSplit);
        SchemaBootstrap.ensure(connection().getAdmin(), schema).get(120, TimeUnit.SECONDS);
        return schema;
    }
}
