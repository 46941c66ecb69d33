package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application server told to stop (SIGTERM) after its cluster's ZooKeeper went away cannot hand its
 * shards over: it gives the handoff up after {@code shutdown.handoff-timeout}, unloads its couples and
 * exits, instead of spending tens of seconds in ZooKeeper client retries.
 */
class ShutdownWithoutZooKeeperIT {
    private static final Duration HANDOFF_TIMEOUT = Duration.ofSeconds(2);
    /** The handoff timeout, at most 2 s for closing the ZooKeeper parts, and the rest of a busy box's exit. */
    private static final Duration EXIT_BOUND = HANDOFF_TIMEOUT.plusSeconds(6);

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster()
            .withServerSetting("shutdown.handoff-timeout", HANDOFF_TIMEOUT.toMillis() + "ms");

    @Test
    void aServerThatLostZooKeeperExitsWithinItsHandoffTimeout() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pair(cluster);
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0)) {
            ann.send("loads the couple on its owner").get(30, TimeUnit.SECONDS);
        }
        Node owner = cluster.applicationServerOwning(couple.ann.getCoupleId());

        cluster.zookeeper().stop();
        long start = System.nanoTime();
        try {
            owner.stop();
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("  SHUTDOWN without ZooKeeper: " + owner.name() + " exited in " + took.toMillis() + " ms");
            cluster.zookeeper().start();
            assertThat(took).as("exit after SIGTERM without ZooKeeper").isLessThan(EXIT_BOUND);
        }
        String log = Files.readString(owner.logFile(), StandardCharsets.UTF_8);
        assertThat(log).contains("Could not hand the shards over").containsPattern("Application server \\S+ stopped");
    }
}
