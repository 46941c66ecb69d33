package io.duet.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.it.PrivateCluster;
import io.duet.it.RecordingListener;
import io.duet.it.TestCouple;
import io.duet.it.chaos.ChatLoad.Device;
import io.duet.it.chaos.ChatLoad.SendRecord;
import io.duet.it.chaos.ChatLoad.Sender;
import io.duet.protocol.cluster.ShardMapView;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Crashes and freezes of the application server that owns couples, under live chat load, each followed
 * by a check of every guarantee ({@link ChaosChecker}) and a measurement of how long the owner's couples
 * went unserved. The crash fast path must be seen at work: the leader's log holds at least one suspicion
 * backed by presentation servers' reports of refused relay connects ({@link Suspicions}) per kill.
 *
 * <p>The CI variant kills the owner 5 times in a row (the chaos suite's fault: each server, then restarted
 * ones; each kill costs a restart of about 10 s); the soak variant runs any number of kills:
 * {@code mvn -B verify -pl integration-tests -am -Dit.test=FailoverIT -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dduet.chaos.kills=20}.
 *
 * <p>Then the other side of the failure detector, on the same cluster (it was DetectorUnderStressIT; sharing
 * the cluster saves a cluster start): how often it takes a live server for dead when the box is saturated.
 * CI runs it for 20 s; a longer measurement:
 *
 * <pre>
 * mvn -B verify -pl integration-tests -am -Dit.test='FailoverIT#misfires*' -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dduet.stress.seconds=600
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {
    private static final int KILLS = Integer.getInteger("duet.chaos.kills", 5);
    private static final int COUPLES = Integer.getInteger("duet.chaos.couples", 6);
    /** The goal: the p99 of the time a killed owner's couples go unserved, over at least 20 kills. */
    private static final Duration P99_GOAL = Duration.ofSeconds(2);
    /**
     * What the p99 is held to in a run of fewer than 20 kills, such as CI's 5: its p99 is the slowest of a dozen
     * or so failovers, and on a 2-core box shared with the cluster and its load one of them may pass 2 s
     * (2,007 and 2,551 ms in two runs beside other builds) without the goal being missed over 20 kills.
     */
    private static final Duration SHORT_RUN_P99_BOUND = Duration.ofSeconds(3);
    /** What every single failover is held to, on a box shared with the whole cluster and its load. */
    private static final Duration CI_BOUND = Duration.ofSeconds(4);
    private static final Duration STRESS = Duration.ofSeconds(Long.getLong("duet.stress.seconds", 20));

    /**
     * Production's JIT and settings, but in a CI run (fewer than 20 kills) a join grace of 1 s instead of 5:
     * each kill restarts the owner, and the test measures how fast the survivor takes over, not how the
     * restarted server rejoins (HandoffIT and RollingDeployIT keep the default grace). A run of 20 kills or
     * more, which the goal is about, keeps every default.
     */
    @RegisterExtension
    static final PrivateCluster CLUSTER = KILLS >= 20 ? new PrivateCluster().withProductionJit()
            : new PrivateCluster().withProductionJit().withServerSetting("cluster.join-grace", "1s");

    @Test
    @Order(1)
    void killedAndFrozenOwnersAreReplacedFastAndNothingIsLostDuplicatedOrReordered() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < COUPLES; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        List<Long> failoverMillis = new ArrayList<>();
        long fastPathBefore = Suspicions.withRefusedConnects(cluster);
        try (ChatLoad load = new ChatLoad(couples, ChatLoad.LIGHT_SEND_INTERVAL, 64).start()) {
            // Past the load's start on a just-started cluster: its first seconds are JIT compilation and the
            // couples' first loads (a 20-kill run that killed after 1 s measured 3.3-3.8 s for the first
            // kill, sends made 0.4 s before it still unacknowledged; 0.4-1.6 s for the 19 after it).
            Thread.sleep(5000);
            for (int kill = 1; kill <= KILLS; kill++) {
                Node owner = cluster.applicationServerOwning(couples.get(kill % COUPLES).ann.getCoupleId());
                List<Long> measured = fault(cluster, load, owner, "kill -9 #" + kill, () -> {
                    long killed = System.nanoTime(); // the SIGKILL goes at once; the call then waits for the exit
                    owner.kill();
                    return killed;
                });
                failoverMillis.addAll(measured);
                owner.start();
                cluster.awaitShardMapSettled();
                Thread.sleep(500);
            }
            long fastPath = Suspicions.withRefusedConnects(cluster) - fastPathBefore;
            System.out.printf("FAILOVER kill -9 fast path: %d suspicions backed by refused relay connects over %d "
                    + "kills%n", fastPath, KILLS);
            Node frozen = cluster.applicationServerOwning(couples.get(0).ann.getCoupleId());
            long fencedBefore = FencedWrites.count(cluster);
            List<Long> paused = fault(cluster, load, frozen, "SIGSTOP", () -> {
                frozen.pause(); // through the kill command, which takes tens of ms to start
                return System.nanoTime();
            });
            Thread.sleep(2000);
            frozen.resume();
            cluster.awaitShardMapSettled();
            // Usually 0: the owner checks its lease before every commit. CoordinationFaultsIT arranges one.
            System.out.printf("FENCED late writes of %s after the SIGSTOP: %d%n", frozen,
                    FencedWrites.count(cluster) - fencedBefore);
            Thread.sleep(1000);
            load.stop(Duration.ofSeconds(60));

            ChaosChecker.Report checked = ChaosChecker.check(cluster, load);
            checked.print(System.out);
            assertThat(checked.violations()).as("guarantees after %d kills and a SIGSTOP", KILLS).isEmpty();
            assertThat(load.failedSends()).as("failed sends: %s", load.failures(5)).isZero();

            assertThat(fastPath).as("suspicions backed by refused relay connects (the crash fast path) after %d "
                    + "kills", KILLS).isGreaterThanOrEqualTo(KILLS);
            Duration p99Bound = KILLS >= 20 ? P99_GOAL : SHORT_RUN_P99_BOUND;
            assertThat(report("kill -9 (" + KILLS + " kills)", failoverMillis)).as("p99 failover after kill -9, ms "
                    + "(the goal, %d ms, is held over 20 kills or more)", P99_GOAL.toMillis())
                    .isLessThanOrEqualTo(p99Bound.toMillis());
            report("SIGSTOP", paused);
            assertThat(Collections.max(failoverMillis)).as("slowest failover after kill -9, ms")
                    .isLessThan(CI_BOUND.toMillis());
            assertThat(Collections.max(paused)).as("slowest failover after SIGSTOP, ms").isLessThan(CI_BOUND.toMillis());
        }
    }

    /**
     * Chat load as fast as the cluster takes it, plus one spinning thread per core, and no fault at all: every
     * suspicion is a misfire; each costs a handoff, and must cost nothing else. The run reports the misfires
     * per minute and checks every guarantee.
     */
    @Test
    @Order(2)
    void misfiresUnderCpuSaturationCostNothingButHandoffs() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        long suspicionsBefore = Suspicions.all(cluster);
        long lapsesBefore = leaseLapses(cluster);
        AtomicBoolean spinning = new AtomicBoolean(true);
        List<Thread> burners = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            Thread burner = new Thread(() -> {
                long x = 0;
                while (spinning.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }, "cpu-burner-" + i);
            burner.setDaemon(true);
            burner.start();
            burners.add(burner);
        }
        long acknowledged;
        long busyPercent;
        try (ChatLoad load = new ChatLoad(couples, Duration.ofMillis(2), 32).start()) {
            BoxCpu stressStart = BoxCpu.now();
            Thread.sleep(STRESS.toMillis());
            busyPercent = BoxCpu.now().busyPercentSince(stressStart);
            spinning.set(false);
            for (Thread burner : burners) {
                burner.join();
            }
            load.stop(Duration.ofSeconds(120));
            ChaosChecker.Report report = ChaosChecker.check(cluster, load);
            report.print(System.out);
            acknowledged = report.acknowledged();
            assertThat(report.violations()).as("guarantees under CPU saturation").isEmpty();
            assertThat(load.failedSends()).as("failed sends: %s", load.failures(5)).isZero();
        } finally {
            spinning.set(false);
        }
        long misfires = Suspicions.all(cluster) - suspicionsBefore;
        long lapses = leaseLapses(cluster) - lapsesBefore;
        System.out.printf("DETECTOR under CPU saturation for %d s (box %d%% busy): %d misfires (%.2f per minute), %d "
                + "heartbeat lease lapses (%.2f per minute), %d messages acknowledged (%.0f/s)%n", STRESS.toSeconds(),
                busyPercent, misfires, misfires * 60.0 / STRESS.toSeconds(), lapses, lapses * 60.0 / STRESS.toSeconds(),
                acknowledged, acknowledged / (double) STRESS.toSeconds());
    }

    /**
     * The times an application server's heartbeat lease lapsed and was regained (it served nothing meanwhile),
     * as its log tells them; the lease is the crash-suspect timeout, shorter than the detector's verdict.
     */
    private static long leaseLapses(LocalCluster cluster) throws IOException {
        return ServerLogs.countLines(cluster, line -> line.contains("Heartbeat lease regained after"));
    }

    private interface Fault {
        /** Injects the fault; returns when it took effect ({@link System#nanoTime()}). */
        long inject() throws Exception;
    }

    /**
     * Injects a fault into {@code owner} and measures, for each couple it owned, how long until both
     * partners had a message sent after the fault acknowledged ({@link ChatLoad#servedAgainAt}): the time
     * the couple went unserved. Measured from the moment the fault took effect, as {@code fault} tells: a
     * SIGSTOP goes through the {@code kill} command, which takes tens of milliseconds to start, and sends made
     * meanwhile were still answered by the owner (measured from before it, one run saw 37-47 ms "failovers").
     */
    private static List<Long> fault(LocalCluster cluster, ChatLoad load, Node owner, String what, Fault fault)
            throws Exception {
        String ownerId = owner.readyInfo().get("instance.id");
        ShardMapView map = cluster.shardMap().orElseThrow();
        Set<Long> affected = load.senders().stream().map(sender -> sender.coupleId)
                .filter(couple -> map.ownerIdOf(map.shardOf(couple)).filter(ownerId::equals).isPresent())
                .collect(Collectors.toCollection(TreeSet::new));
        long faultNanos = fault.inject();
        List<Long> measured = new ArrayList<>();
        for (long couple : affected) {
            RecordingListener.await(Duration.ofSeconds(30), "couple " + couple + " served again after " + what,
                    () -> load.servedAgainAt(couple, faultNanos) > 0);
            measured.add(TimeUnit.NANOSECONDS.toMillis(load.servedAgainAt(couple, faultNanos) - faultNanos));
        }
        System.out.printf("%s of %s: %d couples served again after %s ms%n", what, ownerId, affected.size(), measured);
        if (measured.stream().anyMatch(millis -> millis > 2000)) {
            explainSlowFailover(load, affected, faultNanos);
        }
        return measured;
    }

    /**
     * Prints what each affected device saw around a slow failover: its sends (if it sends) and its
     * connection changes.
     */
    private static void explainSlowFailover(ChatLoad load, Set<Long> affected, long faultNanos) {
        for (Device device : load.devices()) {
            if (!affected.contains(device.coupleId)) {
                continue;
            }
            StringBuilder out = new StringBuilder("  " + device.name + ":");
            List<SendRecord> sends = device instanceof Sender ? ((Sender) device).log : List.of();
            for (SendRecord record : sends) {
                long sent = TimeUnit.NANOSECONDS.toMillis(record.sentNanos - faultNanos);
                if (sent > -500 && sent < 3000) {
                    out.append(String.format(" #%d sent %+d acked %s;", record.index, sent, record.acknowledged()
                            ? String.format("%+d (seq %d)", TimeUnit.NANOSECONDS.toMillis(record.ackNanos - faultNanos),
                                    record.seq) : "never"));
                }
            }
            for (String change : device.heard.stateLog) {
                long at = Long.parseLong(change.replaceAll("^\\S+ at (-?\\d+):.*$", "$1"));
                long relative = TimeUnit.NANOSECONDS.toMillis(at - faultNanos);
                if (relative > -500 && relative < 5000) {
                    out.append(String.format(" [%+d %s]", relative, change.replaceAll(" at -?\\d+", "")));
                }
            }
            System.out.println(out);
        }
    }

    /** Prints the distribution; returns its p99. */
    private static long report(String fault, List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
        System.out.printf("FAILOVER %s over %d couples: min %d, p50 %d, p99 %d, max %d ms%n", fault, sorted.size(),
                sorted.get(0), sorted.get(sorted.size() / 2), p99, sorted.get(sorted.size() - 1));
        return p99;
    }
}
