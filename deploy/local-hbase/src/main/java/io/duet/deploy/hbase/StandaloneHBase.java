package io.duet.deploy.hbase;

import io.duet.process.ParentWatch;
import io.duet.process.ReadyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.LocalHBaseCluster;
import org.apache.hadoop.hbase.master.HMaster;
import org.apache.hadoop.hbase.regionserver.HRegionServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code hbase master start} does in standalone mode, as a main class: one master and one region
 * server in this JVM, data under a local folder, ZooKeeper external (the local cluster's own), every
 * socket on 127.0.0.1 and no web UIs.
 *
 * <p>Usage: {@code StandaloneHBase <dataDir> <zookeeperPort> <readyFile>}. The ready file is written
 * once the master has initialized, so that clients can create tables. SIGTERM shuts HBase down cleanly,
 * flushing memstores, which is what lets a restarted local cluster keep its data.
 */
public final class StandaloneHBase {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneHBase.class);
    private static final long START_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(3);

    private StandaloneHBase() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: StandaloneHBase <dataDir> <zookeeperPort> <readyFile>");
            System.exit(2);
        }
        ParentWatch.exitWithParent();
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int zookeeperPort = Integer.parseInt(args[1]);
        Path readyFile = Path.of(args[2]);
        Files.createDirectories(dataDir);

        Configuration conf = configuration(dataDir, zookeeperPort);
        LocalHBaseCluster cluster = new LocalHBaseCluster(conf, 1, 1, HMaster.class, HRegionServer.class);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(cluster), "hbase-shutdown"));
        long started = System.nanoTime();
        cluster.startup();
        awaitInitialized(cluster);
        LOG.info("HBase is up in {} ms, data in {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
        ReadyFile.write(readyFile, Map.of("zookeeper.znode.parent", "/hbase"));
        cluster.join();
    }

    static Configuration configuration(Path dataDir, int zookeeperPort) {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.rootdir", dataDir.resolve("root").toUri().toString());
        conf.set("hbase.tmp.dir", dataDir.resolve("tmp").toString());
        conf.setBoolean("hbase.cluster.distributed", false);
        conf.set("hbase.zookeeper.quorum", "127.0.0.1");
        conf.setInt("hbase.zookeeper.property.clientPort", zookeeperPort);
        conf.set("zookeeper.znode.parent", "/hbase");
        // After a kill -9, a new master waits for the old one's ZooKeeper session to expire: keep it short.
        conf.setInt("zookeeper.session.timeout", 10_000);
        conf.setInt("hbase.master.port", 0);
        conf.setInt("hbase.regionserver.port", 0);
        conf.setInt("hbase.master.info.port", -1);
        conf.setInt("hbase.regionserver.info.port", -1);
        conf.set("hbase.master.ipc.address", "127.0.0.1");
        conf.set("hbase.regionserver.ipc.address", "127.0.0.1");
        conf.set("hbase.master.hostname", "127.0.0.1");
        conf.set("hbase.unsafe.regionserver.hostname", "127.0.0.1");
        conf.setInt("hbase.master.wait.on.regionservers.maxtostart", 1);
        conf.setInt("hbase.master.wait.on.regionservers.mintostart", 1);
        conf.setInt("hbase.regionserver.msginterval", 500);
        // The local filesystem has no hflush/hsync capability; standalone HBase accepts that (and the
        // WAL is then not really synced: durability numbers measured here are optimistic).
        conf.setBoolean("hbase.unsafe.stream.capability.enforce", false);
        return conf;
    }

    private static void awaitInitialized(LocalHBaseCluster cluster) throws InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            HMaster master = cluster.getActiveMaster();
            if (master != null && master.isInitialized()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("HBase master did not initialize within " + START_TIMEOUT_MILLIS + " ms");
    }

    private static void stop(LocalHBaseCluster cluster) {
        LOG.info("Stopping HBase");
        try {
            cluster.shutdown();
            cluster.join();
        } catch (RuntimeException e) {
            LOG.warn("HBase did not stop cleanly", e);
        }
        LOG.info("HBase stopped");
    }
}
