package io.duet.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.FaultLink;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.it.RecordingListener;
import io.duet.it.PrivateCluster;
import io.duet.it.TestCouple;
import io.duet.it.chaos.ChatLoad.SendRecord;
import io.duet.it.chaos.ChatLoad.Sender;
import io.duet.protocol.api.SendMessageResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults of the coordination and storage layers under live load, each followed by a check of every
 * guarantee ({@link ChaosChecker}) and a measurement of how long chat stalled:
 * <ul>
 *   <li>a SIGSTOP of an owner while it has a commit queued and not yet sent, so that it attempts a late
 *       write once it resumes, deposed: the fence must reject it ({@link #arrangeLateWrite});
 *   <li>a ZooKeeper-only partition of one application server, past the failure detector's timeout but
 *       within its session;
 *   <li>the same partition past the session timeout, until the server itself declares its session LOST:
 *       it must then drop every couple it had loaded, while still cut off ({@link SessionLoss});
 *   <li>a ZooKeeper restart: everyone suspends, then resumes;
 *   <li>an HBase restart: writes fail with an unknown outcome and are retried; nothing is lost or doubled.
 * </ul>
 * Each application server reaches ZooKeeper through its own {@link FaultLink}. This test checks what
 * clients see, and of the cut-off server only that a lost session leaves it no couple loaded; the rest
 * of what it does is asserted in the application server's module: refusing while its lease is out or
 * its connection SUSPENDED ({@code FailureDetectionIT}), and on a lost session dropping its shards,
 * registering again as a new incarnation and serving again only at new epochs ({@code SessionLossIT}).
 *
 * <p>Then, on the same cluster (it was ChaosSoakIT; sharing the cluster saves a start with an HBase of its
 * own), random faults of every kind ({@link Faults.Kind}) under live load for a chosen time (one group
 * commit out at a time, as above), then every invariant checked and reported on its own. CI runs it briefly so that it keeps working; the soak is one
 * command:
 *
 * <pre>
 * mvn -B verify -pl integration-tests -am -Dit.test='CoordinationFaultsIT#random*' -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dduet.chaos.minutes=30
 * </pre>
 *
 * {@code -Dduet.chaos.seed=N} replays a run's fault sequence.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoordinationFaultsIT {
    /**
     * The quick-start JIT (C1 alone) with the warm-ups, under {@link ChatLoad#LIGHT_SEND_INTERVAL}: what is
     * checked here is the guarantees under faults, not speed. With production's JIT and phones every 40 ms, a
     * slower 2-core box (Intel Xeon at 2.0 GHz) took 79 s to start this cluster and a server's admin port did
     * not answer a scrape within 5 s (as in RollingDeployIT and HandoffIT, whose comments say more).
     */
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withOwnStorage().withZookeeperFaultLinks().withWarmUp()
            // One group commit out at a time, so that a second couple's commit waits in the queue.
            .withServerSetting("hbase.commit-requests-in-flight", "1");
    /** How long a paused owner's couples may take to be served by another server. */
    private static final Duration TAKEN_OVER_WITHIN = Duration.ofSeconds(30);
    /**
     * How many times the late write is arranged at most, until one is seen fenced. The arrangement queues a
     * commit behind the owner's one request out for certain ({@link #arrangeLateWrite}); a second attempt is
     * for a box so slow that the witness's send had not reached the queue when the owner was paused.
     */
    private static final int LATE_WRITE_ATTEMPTS = 2;
    /**
     * How long the witness's send is given to reach the owner's commit queue before the owner is paused:
     * a client's send, a presentation server's relay and the couple's sequencing, tens of milliseconds.
     */
    private static final Duration WITNESS_QUEUED_WITHIN = Duration.ofMillis(500);
    /**
     * How long a cut-off server may take to see its session LOST: Curator declares it a session timeout
     * (10 s) after the connection was SUSPENDED, which takes up to two thirds of one more.
     */
    private static final Duration LOST_WITHIN = Duration.ofSeconds(25);
    /** How soon after LOST a server must have dropped every couple. */
    private static final Duration DROPPED_WITHIN = Duration.ofSeconds(2);
    private static final Duration SOAK = Duration.ofSeconds(
            (long) (Double.parseDouble(System.getProperty("duet.chaos.minutes", "0.5")) * 60));
    private static final long SEED = Long.getLong("duet.chaos.seed", System.nanoTime());

    @Test
    @Order(1)
    void partitionsSessionExpiryAndRestartsOfZooKeeperAndHBaseBreakNoGuarantee() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        List<String> stalls = new ArrayList<>();
        try (ChatLoad load = new ChatLoad(couples, ChatLoad.LIGHT_SEND_INTERVAL, 64).start()) {
            Thread.sleep(1000);

            long fencedBefore = FencedWrites.count(cluster);
            // Only the paused owner's own fenced commits count: another server's, fenced by a later map change,
            // proves nothing about a late write.
            long lateWritesFenced = 0;
            for (int attempt = 1; attempt <= LATE_WRITE_ATTEMPTS && lateWritesFenced == 0; attempt++) {
                Node busiest = busiestOwner(cluster, couples);
                long ownerFencedBefore = FencedWrites.count(busiest);
                try (DuetClient witness = witnessOn(cluster, busiest)) {
                    stalls.add(fault(load, "SIGSTOP of " + busiest + " with a commit queued (attempt " + attempt + ")",
                            () -> arrangeLateWrite(cluster, load, couples, busiest, witness)));
                }
                new Faults(cluster).settle();
                awaitFenced(busiest, ownerFencedBefore);
                lateWritesFenced = FencedWrites.count(busiest) - ownerFencedBefore;
            }
            long fencedAfterSigstops = FencedWrites.count(cluster);

            Node owner = cluster.applicationServerOwning(couples.get(0).ann.getCoupleId());
            FaultLink link = cluster.zookeeperLink(owner);
            stalls.add(fault(load, "ZooKeeper-only partition of " + owner + " for 3 s", () -> {
                link.pause();
                Thread.sleep(3000);
                link.resume();
            }));
            cluster.awaitShardMapSettled();
            long fencedAfterPartition = FencedWrites.count(cluster);

            Node expiring = cluster.applicationServerOwning(couples.get(1).ann.getCoupleId());
            FaultLink expiringLink = cluster.zookeeperLink(expiring);
            SessionLoss.Outcome[] sessionLoss = new SessionLoss.Outcome[1];
            stalls.add(fault(load, "ZooKeeper session expiry of " + expiring + " (cut off until LOST)", () ->
                    sessionLoss[0] = SessionLoss.cutOffUntilLost(expiring, expiringLink, LOST_WITHIN, DROPPED_WITHIN)));
            System.out.println("SESSION LOSS of " + expiring + ": " + sessionLoss[0]);
            assertThat(sessionLoss[0].loadedBefore()).as("couples loaded on %s before its cut", expiring).isPositive();
            assertThat(sessionLoss[0].lostAfterMillis()).as("%s declared its session LOST within %s", expiring,
                    LOST_WITHIN).isNotNegative();
            assertThat(sessionLoss[0].droppedWithinMillis()).as("%s dropped its couples within %s of LOST: %s",
                    expiring, DROPPED_WITHIN, sessionLoss[0]).isBetween(0L, DROPPED_WITHIN.toMillis());
            new Faults(cluster).settle();

            stalls.add(fault(load, "ZooKeeper restart", () -> {
                cluster.zookeeper().stop();
                cluster.zookeeper().start();
            }));
            cluster.awaitShardMapSettled();

            stalls.add(fault(load, "HBase restart", () -> {
                cluster.hbase().stop();
                cluster.hbase().start();
            }));
            cluster.awaitShardMapSettled();
            Thread.sleep(1000);
            load.stop(Duration.ofSeconds(90));

            ChaosChecker.Report report = ChaosChecker.check(cluster, load);
            report.print(System.out);
            assertThat(report.violations()).as("guarantees after coordination faults").isEmpty();
            assertThat(load.failedSends()).as("failed sends: %s", load.failures(5)).isZero();
            stalls.forEach(System.out::println);
            System.out.printf("FENCED late writes: %d of the paused owner after the arranged SIGSTOPs (%d of every "
                    + "server meanwhile), %d after the ZooKeeper-only partition, %d in the whole run%n", lateWritesFenced,
                    fencedAfterSigstops - fencedBefore, fencedAfterPartition - fencedAfterSigstops,
                    FencedWrites.count(cluster) - fencedBefore);
            assertThat(lateWritesFenced).as("late writes of a paused owner rejected by the fence, after %d arranged "
                    + "SIGSTOPs", LATE_WRITE_ATTEMPTS).isPositive();
        }
    }

    @Test
    @Order(2)
    void randomFaultsForAWhileBreakNoInvariant() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        Random random = new Random(SEED);
        Faults faults = new Faults(cluster);
        Map<Faults.Kind, Integer> counts = new EnumMap<>(Faults.Kind.class);
        long fencedBefore = FencedWrites.count(cluster);
        long deadline = System.nanoTime() + SOAK.toNanos();
        ChaosChecker.Report report;
        try (ChatLoad load = new ChatLoad(couples, ChatLoad.LIGHT_SEND_INTERVAL, 64).start()) {
            do {
                Thread.sleep(500 + random.nextInt(1500));
                Faults.Kind kind = Faults.Kind.values()[random.nextInt(Faults.Kind.values().length)];
                long target = couples.get(random.nextInt(couples.size())).ann.getCoupleId();
                System.out.println("CHAOS fault: " + faults.inject(kind, target));
                counts.merge(kind, 1, Integer::sum);
            } while (System.nanoTime() < deadline);
            Thread.sleep(1000);
            load.stop(Duration.ofSeconds(120));
            report = ChaosChecker.check(cluster, load);
            long failed = load.failedSends();
            System.out.printf("CHAOS %d faults in %d s (seed %d): %s; %d acknowledged sends, %d failed; "
                    + "%d late writes rejected by the fence%n",
                    counts.values().stream().mapToInt(Integer::intValue).sum(), SOAK.toSeconds(), SEED, counts,
                    report.acknowledged(), failed, FencedWrites.count(cluster) - fencedBefore);
            report.print(System.out);
            assertThat(failed).as("failed sends: %s", load.failures(5)).isZero();
        }
        assertThat(report.violations()).as("invariants after random faults (seed %d)", SEED).isEmpty();
    }

    /**
     * SIGSTOPs {@code owner} at a moment it has a commit that passed its ownership check but was not yet
     * sent, and SIGCONTs it once it has been replaced. HBase is paused first, so that the owner's one group
     * commit out ({@code hbase.commit-requests-in-flight=1}) cannot finish: within 100 ms one of the load's
     * commits is that request. Then {@code witness}, a client of a couple of the owner's that had no commit
     * of its own out, sends: its commit is queued behind that request. Then the owner is paused and HBase
     * resumed. The other servers take the owner's couples over (the failure detector, then a claim of each
     * row under a newer fence as their calls come), and when the owner resumes it sends the queued commit
     * under its old fence. Its lease does not stop it: it checked before the pause.
     *
     * <p>The owner resumes only once every couple it owned (the load's and the witness's) has been served by
     * another server, so that every one of their rows has been claimed. Arranged with the load's couples
     * alone, an attempt missed about every second time: when all of the owner's couples had their commit in
     * the request out (one commit of a couple at a time), none was queued, and HBase answered that request,
     * successfully, as soon as it resumed.
     */
    private static void arrangeLateWrite(LocalCluster cluster, ChatLoad load, List<TestCouple> couples, Node owner,
            DuetClient witness) throws Exception {
        List<Long> owned = new ArrayList<>();
        for (TestCouple couple : couples) {
            if (cluster.applicationServerOwning(couple.ann.getCoupleId()).equals(owner)) {
                owned.add(couple.ann.getCoupleId());
            }
        }
        Node hbase = cluster.hbase();
        try {
            long pausedAt;
            CompletableFuture<SendMessageResult> late;
            hbase.pause();
            try {
                Thread.sleep(100);
                late = witness.send("queued behind the paused commit");
                Thread.sleep(WITNESS_QUEUED_WITHIN.toMillis());
                owner.pause();
                pausedAt = System.nanoTime();
            } finally {
                hbase.resume();
            }
            for (long couple : owned) {
                RecordingListener.await(TAKEN_OVER_WITHIN, "couple " + couple + " served by another server while "
                        + owner + " is paused", () -> load.servedAgainAt(couple, pausedAt) > 0);
            }
            late.get(TAKEN_OVER_WITHIN.toSeconds(), TimeUnit.SECONDS);
        } finally {
            if (owner.isRunning()) {
                owner.resume(); // SIGCONT, harmless if the pause never came
            }
        }
    }

    /**
     * A client of a new couple that {@code owner} serves and that has nothing in flight: couples are made until
     * one lands on {@code owner} (each does with one chance in the number of application servers), and one
     * message is sent so that the couple is loaded there.
     */
    private static DuetClient witnessOn(LocalCluster cluster, Node owner) throws Exception {
        for (int i = 0; i < 20; i++) {
            TestCouple couple = TestCouple.pair(cluster);
            if (cluster.applicationServerOwning(couple.ann.getCoupleId()).equals(owner)) {
                DuetClient client = couple.connect(couple.ann, 0, new RecordingListener(), 0);
                try {
                    client.send("loaded on " + owner).get(30, TimeUnit.SECONDS);
                    return client;
                } catch (Exception e) {
                    client.close();
                    throw e;
                }
            }
        }
        throw new AssertionError("none of 20 new couples landed on " + owner);
    }

    /** The application server owning the most of the load's couples (with 4 couples and 2 servers, 2 or more). */
    private static Node busiestOwner(LocalCluster cluster, List<TestCouple> couples) throws Exception {
        Map<Node, Integer> owned = new HashMap<>();
        for (TestCouple couple : couples) {
            owned.merge(cluster.applicationServerOwning(couple.ann.getCoupleId()), 1, Integer::sum);
        }
        return Collections.max(owned.entrySet(), Map.Entry.comparingByValue()).getKey();
    }

    /** Waits a little for {@code server} to log a fenced commit after {@code before}; the caller judges the count. */
    private static void awaitFenced(Node server, long before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (FencedWrites.count(server) == before && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private interface Fault {
        void inject() throws Exception;
    }

    /**
     * Injects a fault, then reports how long after it ended every couple had a message sent after the
     * fault's start acknowledged, and the longest any one send waited.
     */
    private static String fault(ChatLoad load, String what, Fault fault) throws Exception {
        long start = System.nanoTime();
        fault.inject();
        long end = System.nanoTime();
        List<Long> couples = load.senders().stream().map(sender -> sender.coupleId).distinct()
                .collect(java.util.stream.Collectors.toList());
        long servedAgain = 0;
        for (long couple : couples) {
            RecordingListener.await(Duration.ofSeconds(60), "couple " + couple + " served after " + what,
                    () -> load.servedAgainAt(couple, end) > 0);
            servedAgain = Math.max(servedAgain, load.servedAgainAt(couple, end) - end);
        }
        long longestWait = 0;
        for (Sender sender : load.senders()) {
            for (SendRecord record : sender.log) {
                if (record.sentNanos >= start && record.acknowledged()) {
                    longestWait = Math.max(longestWait, record.ackNanos - record.sentNanos);
                }
            }
        }
        return String.format("FAULT %s: lasted %d ms; every couple served again %d ms after it ended; longest "
                + "wait of a send %d ms", what, TimeUnit.NANOSECONDS.toMillis(end - start),
                TimeUnit.NANOSECONDS.toMillis(servedAgain), TimeUnit.NANOSECONDS.toMillis(longestWait));
    }
}
