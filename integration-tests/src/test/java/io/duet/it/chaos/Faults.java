package io.duet.it.chaos;

import io.duet.admin.DuetAdmin;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.it.RecordingListener;
import io.duet.protocol.cluster.ShardMapView;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The faults the chaos tests inject into a local cluster, each with its recovery, so that a test can
 * run them in a fixed order or at random. Each returns once the fault has been injected and healed and
 * the shard map has settled again, and says what it did.
 */
final class Faults {
    /** Pauses past the failure detector's timeout (1 s), within the ZooKeeper session (10 s). */
    static final Duration SHORT_OUTAGE = Duration.ofSeconds(3);
    /** Cuts a server off from ZooKeeper past its session timeout (10 s). */
    static final Duration SESSION_EXPIRY = Duration.ofSeconds(13);

    /** How long a move waits for its target to look alive again (see {@link #operator}). */
    private static final Duration TARGET_ALIVE_WAIT = Duration.ofSeconds(30);

    private final LocalCluster cluster;

    Faults(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /** One kind of fault, aimed at the owner of a couple where it matters. */
    enum Kind {
        KILL, SIGSTOP, ZOOKEEPER_PARTITION, ZOOKEEPER_SESSION_EXPIRY, ZOOKEEPER_RESTART, HBASE_RESTART,
        ROLLING_RESTART, SHARD_MOVES
    }

    /** Injects {@code kind} against the owner of {@code coupleId} (when it targets a server), and heals it. */
    String inject(Kind kind, long coupleId) throws Exception {
        Node owner = cluster.applicationServerOwning(coupleId);
        switch (kind) {
            case KILL:
                owner.kill();
                Thread.sleep(SHORT_OUTAGE.toMillis());
                owner.start();
                break;
            case SIGSTOP:
                owner.pause();
                Thread.sleep(SHORT_OUTAGE.toMillis());
                owner.resume();
                break;
            case ZOOKEEPER_PARTITION:
                partition(owner, SHORT_OUTAGE);
                break;
            case ZOOKEEPER_SESSION_EXPIRY:
                partition(owner, SESSION_EXPIRY);
                break;
            case ZOOKEEPER_RESTART:
                cluster.zookeeper().stop();
                cluster.zookeeper().start();
                break;
            case HBASE_RESTART:
                cluster.hbase().stop();
                cluster.hbase().start();
                break;
            case ROLLING_RESTART:
                for (Node server : cluster.applicationServers()) {
                    server.stop();
                    server.start();
                    settle();
                }
                break;
            case SHARD_MOVES:
                moveAndBack(coupleId, owner);
                break;
            default:
                throw new IllegalArgumentException("kind: " + kind);
        }
        settle();
        return kind + (kind == Kind.ZOOKEEPER_RESTART || kind == Kind.HBASE_RESTART || kind == Kind.ROLLING_RESTART
                ? "" : " of " + owner.name());
    }

    /** Moves the couple's shard to another server with the operator tool, then back to {@code owner}. */
    private void moveAndBack(long coupleId, Node owner) throws Exception {
        ShardMapView map = cluster.shardMap().orElseThrow();
        int shard = map.shardOf(coupleId);
        Node other = cluster.applicationServers().stream().filter(node -> node != owner && node.isRunning())
                .findFirst().orElseThrow(() -> new IllegalStateException("no other server to move to"));
        operator("move", Integer.toString(shard), other.readyInfo().get("instance.id"));
        operator("move", Integer.toString(shard), owner.readyInfo().get("instance.id"));
    }

    /**
     * Runs {@code bin/duet-admin} in-process; fails unless it exits 0. The tool refuses to move a shard to a
     * server whose heartbeat lags (right after a ZooKeeper restart, say); an operator would wait for it and
     * ask again, and so does this, for {@link #TARGET_ALIVE_WAIT} at most.
     */
    private void operator(String... command) throws InterruptedException {
        long deadline = System.nanoTime() + TARGET_ALIVE_WAIT.toNanos();
        while (true) {
            List<String> args = new ArrayList<>(List.of("--zookeeper", cluster.zookeeperConnect(),
                    "--cluster", cluster.clusterName()));
            args.addAll(List.of(command));
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8);
            int status = DuetAdmin.run(args.toArray(new String[0]), print, print);
            if (status == 0) {
                return;
            }
            String said = output.toString(StandardCharsets.UTF_8);
            if (!said.contains("it looks dead") || System.nanoTime() > deadline) {
                throw new IllegalStateException("duet-admin " + String.join(" ", command) + " exited " + status + ": "
                        + said);
            }
            Thread.sleep(500);
        }
    }

    private void partition(Node server, Duration howLong) throws Exception {
        cluster.zookeeperLink(server).pause();
        try {
            Thread.sleep(howLong.toMillis());
        } finally {
            cluster.zookeeperLink(server).resume();
        }
    }

    /** Waits until the shard map covers every running application server again. */
    void settle() throws InterruptedException {
        RecordingListener.await(Duration.ofSeconds(90), "the shard map to settle", () -> {
            try {
                cluster.awaitShardMapSettled();
                return true;
            } catch (java.io.IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }
}
