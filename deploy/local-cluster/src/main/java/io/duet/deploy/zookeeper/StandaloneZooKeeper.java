package io.duet.deploy.zookeeper;

import io.duet.process.ParentWatch;
import io.duet.process.ReadyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single ZooKeeper server through ZooKeeper's own embedding API, listening on 127.0.0.1 only, with its
 * data under a local folder so that the local cluster's shard map and epochs survive a restart.
 *
 * <p>Usage: {@code StandaloneZooKeeper <dataDir> <port> <readyFile>}.
 */
public final class StandaloneZooKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneZooKeeper.class);

    private StandaloneZooKeeper() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: StandaloneZooKeeper <dataDir> <port> <readyFile>");
            System.exit(2);
        }
        ParentWatch.exitWithParent();
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Files.createDirectories(dataDir);

        Properties config = new Properties();
        config.setProperty("tickTime", "2000");
        config.setProperty("initLimit", "10");
        config.setProperty("syncLimit", "5");
        config.setProperty("dataDir", dataDir.toString());
        config.setProperty("clientPort", Integer.toString(port));
        config.setProperty("clientPortAddress", "127.0.0.1");
        config.setProperty("admin.enableServer", "false");
        config.setProperty("4lw.commands.whitelist", "ruok,srvr,stat");
        // Sessions of application servers expire within this bound after they die.
        config.setProperty("maxSessionTimeout", "60000");
        // Writes are acknowledged once in the transaction log's page cache, without an fsync each. Every
        // application server rewrites its heartbeat node 5 times a second, so the idle cluster's ZooKeeper
        // synced its log 10 times a second: its busiest thread (BENCHMARKS.md section 1, "Idle cluster
        // CPU"). What a synced log adds is durability across a crash of the machine, which the local cluster
        // does not have anyway: its HBase's write-ahead log on the local filesystem is not synced either
        // (hbase.unsafe.stream.capability.enforce). A killed ZooKeeper process loses nothing: the page
        // cache outlives it. Production's ZooKeeper ensemble keeps ZooKeeper's default (sync every write).
        config.setProperty("forceSync", "no");

        ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
                .baseDir(dataDir)
                .configuration(config)
                .exitHandler(ExitHandler.EXIT)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "zookeeper-shutdown"));
        server.start(30_000);
        LOG.info("ZooKeeper listening on 127.0.0.1:{}, data in {}", port, dataDir);
        ReadyFile.write(Path.of(args[2]), java.util.Map.of("port", Integer.toString(port)));
        Thread.currentThread().join();
    }
}
