package io.duet.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.it.DeliveryChecker;
import io.duet.it.PrivateCluster;
import io.duet.it.RecordingListener;
import io.duet.it.TestCouple;
import io.duet.it.chaos.ChatLoad.Device;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Planned moves under live load: every couple's shard moved to the other server and back by the operator
 * tool, then a rolling restart of every application server (SIGTERM, then start, one at a time, each waiting
 * for the shard map to settle). Nothing may fail, no client may lose its connection, and every
 * request's stall (send to acknowledgement) is reported as a distribution. And one couple chatting on
 * direct connections while its owner stops and later starts again (it was ShardMoveIT; it shares this
 * class's cluster, a cluster start less).
 */
class HandoffIT {
    /**
     * The least bound CI puts on the p99 stall ({@link #CI_P99_OVER_LOAD_ALONE} may raise it), on a box shared
     * with the whole cluster and the load (a restarted server's JVM start competes with it for 2 cores): runs on
     * a quiet box measured 206-467 ms, and CI runs 336-668 ms, most of it the first couples handed to a
     * just-restarted server whose JVM is still cold (the shard moves then started a second after the last
     * restart); so 600 failed CI at random. On the slower box of {@link #PRODUCTION_JIT}, on C1: moves 180-849
     * ms, restarts 261-538 ms. The goal, 200 ms, is reported in README.md (planned handoffs).
     */
    private static final Duration CI_P99_BOUND = Duration.ofMillis(1000);
    /**
     * CI's bound on the p99 stall is the larger of {@link #CI_P99_BOUND} and the sum of this and the load's own
     * p99 stall before any move ({@link #LOAD_WARM_UP}) in the same run, at most {@link #CI_P99_CEILING}. On that
     * slower box (Intel Xeon at 2.0 GHz, at times a quarter of its CPU time stolen by its host) the load alone
     * stalled 0.4-2.5 s at p99 in CI runs, its JVMs still compiling, and a phase's p99 swung with the box's load
     * from 180 ms to 1.5 s. A handoff that stalls its couples like a failover (1.3-1.7 s more on that box,
     * FailoverIT) or waits out a load timeout (30 s) still fails: one CI run's moves stalled a couple 6 s (p99
     * 5,070 ms against the load's 1,458).
     */
    private static final Duration CI_P99_OVER_LOAD_ALONE = Duration.ofMillis(750);
    /**
     * The most CI's bound may grow to, however slow the load alone was: a p99 stall of 3 s is a handoff gone
     * wrong on any box (the load alone's p99 on C1 in CI was at most 2.5 s on the slow box).
     */
    private static final Duration CI_P99_CEILING = Duration.ofSeconds(3);
    /**
     * Each phone sends every 100 ms: 120 messages/s, light load: the box is about half busy with it while
     * no server restarts (the shard moves phase), against saturated at 40 ms (300/s) before any server
     * stops, when the stall measures queueing for a core more than the handoff. A restarting JVM saturates
     * the box whatever the load; the phases print how busy it was. {@code -Dduet.handoff.send-interval-ms=40}
     * runs it at 300/s.
     */
    private static final Duration SEND_INTERVAL = Duration.ofMillis(Long.getLong("duet.handoff.send-interval-ms", 100));
    /**
     * Rounds of the rolling restart, each restarting every application server once (about 10 s a server):
     * one in CI, which checks the guarantees and bounds the p99 ({@link #CI_P99_OVER_LOAD_ALONE}). One round's
     * p99, over the first couples of two just-started servers, swings with the box (270-470 ms in runs before the
     * warm-up's four couples); README.md's figures come from runs of 2 and 5 rounds
     * ({@code -Dduet.handoff.rounds=N}).
     */
    private static final int ROUNDS = Integer.getInteger("duet.handoff.rounds", 1);
    /** How long the load runs before the first shard move (see where it is waited). */
    private static final Duration LOAD_WARM_UP = Duration.ofSeconds(10);
    /** A request sent this long after a shard map was published still counts as touched by its handoff. */
    private static final Duration TOUCHED_AFTER = Duration.ofMillis(500);

    /** What an application server logs after its warm-up before joining ({@code StartUpWarmUp}). */
    private static final String WARMED_UP = "Warmed up in";
    private static final String WARM_UP_INCOMPLETE = "Warm-up incomplete";

    /**
     * Production's JIT with {@code -Dduet.handoff.production-jit=true}, for the figures (README.md). CI runs the
     * quick-start JIT (C1 alone), warm-ups included: on a slower 2-core box (Intel Xeon at 2.0 GHz) the C2
     * compilers of a cluster just started kept the box 98-100% busy through the whole test at 120 messages/s,
     * the load alone stalled sends 1.4 s at p99, and the stall measured was the box's.
     */
    private static final boolean PRODUCTION_JIT = Boolean.getBoolean("duet.handoff.production-jit");

    @RegisterExtension
    static final PrivateCluster CLUSTER = PRODUCTION_JIT ? new PrivateCluster().withProductionJit()
            : new PrivateCluster().withWarmUp();

    @Test
    void rollingRestartsAndShardMovesFailNothingAndDropNoConnection() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        try (ShardMapChanges maps = ShardMapChanges.watch(cluster);
                ChatLoad load = new ChatLoad(couples, SEND_INTERVAL, 64).start()) {
            // Past the start of the load itself: its first seconds are JIT compilation in every process (the
            // presentation servers serve their first client calls then, the test's clients make theirs). With 3 s
            // here, the first handoff's requests stalled up to 1.8 s in every run while the test's own JVM still took
            // 0.3-0.9 of the 2 cores (per-process samples of /proc); handoffs in a cluster in service meet warm
            // servers. The phase is printed, to show it settled.
            long loadStart = System.nanoTime();
            Thread.sleep(LOAD_WARM_UP.toMillis());
            long movesStart = System.nanoTime();
            // The operator's moves first, between warm servers; then the restarts, whose handoffs go to servers
            // seconds after their JVM started. The other way round, the first moves went to a server joined a
            // second before, and measured its JVM's start (ZooKeeper's notifications reached it 80-160 ms after
            // the others, its claims took 50-80 ms against 7 on the warm one), which the restarts measure anyway.
            BoxCpu movesCpu = BoxCpu.now();
            Faults faults = new Faults(cluster);
            for (TestCouple couple : couples) {
                faults.inject(Faults.Kind.SHARD_MOVES, couple.ann.getCoupleId());
                Thread.sleep(500);
            }
            long restartsStart = System.nanoTime();
            BoxCpu restartsCpu = BoxCpu.now();
            for (int round = 0; round < ROUNDS; round++) {
                for (Node server : cluster.applicationServers()) {
                    System.out.println("  " + Instant.now() + " stopping " + server);
                    server.stop();
                    server.start();
                    System.out.println("  " + Instant.now() + " started " + server);
                    cluster.awaitShardMapSettled();
                    Thread.sleep(1000);
                }
            }
            long end = System.nanoTime();
            BoxCpu endCpu = BoxCpu.now();
            load.stop(Duration.ofSeconds(60));

            ChaosChecker.Report report = ChaosChecker.check(cluster, load);
            report.print(System.out);
            // The stalls first: a run that fails below still shows where its time went. (The load alone's, read
            // once every send of it was acknowledged: read at the first move, its slowest were left out.)
            long loadAloneP99 = report(load, "load warm-up, before any move", loadStart, movesStart);
            long p99 = Math.max(
                    report(load, couples.size() + " shard moves there and back (box "
                            + restartsCpu.busyPercentSince(movesCpu) + "% busy)", movesStart, restartsStart),
                    report(load, "rolling restart (" + ROUNDS + " round(s) of " + cluster.applicationServers().size()
                            + " servers, box " + endCpu.busyPercentSince(restartsCpu) + "% busy)", restartsStart, end));
            Stalls.printTouched("HANDOFF", load, "shard moves", movesStart, restartsStart, maps.publishedNanos(),
                    TOUCHED_AFTER);
            Stalls.printTouched("HANDOFF", load, "rolling restart", restartsStart, end, maps.publishedNanos(),
                    TOUCHED_AFTER);
            assertThat(report.violations()).as("guarantees after planned handoffs").isEmpty();
            assertThat(load.failedSends()).as("failed sends: %s", load.failures(5)).isZero();
            assertThat(load.failedCalls()).as("failed calls of %d: %s", load.otherCalls(), load.callFailures(5)).isZero();
            for (Device device : load.devices()) {
                if (device.heard.states.contains(ConnectionState.DISCONNECTED)) {
                    System.out.println("  " + device.describe() + " connection: " + device.heard.stateLog);
                }
            }
            for (Device device : load.devices()) {
                assertThat(device.heard.states).as("%s stayed connected", device.describe())
                        .doesNotContain(ConnectionState.DISCONNECTED);
            }
            // Every start, the restarts included, warmed the couple code and relay path before taking shards.
            System.out.println("HANDOFF warm-ups: " + ServerLogs.countLines(cluster, line -> line.contains(WARMED_UP))
                    + " complete, " + ServerLogs.countLines(cluster, line -> line.contains(WARM_UP_INCOMPLETE))
                    + " incomplete");
            assertThat(ServerLogs.countLines(cluster, line -> line.contains(WARM_UP_INCOMPLETE)))
                    .as("warm-ups that failed or ran out of time (application servers' logs: '%s')", WARM_UP_INCOMPLETE)
                    .isZero();
            // One per start: the cluster's first starts, then the restarts (the logs are appended to across them).
            long starts = (ROUNDS + 1L) * cluster.applicationServers().size();
            assertThat(ServerLogs.countLines(cluster, line -> line.contains(WARMED_UP)))
                    .as("warm-ups completed: one per start, the %d first starts and %d restarts",
                            cluster.applicationServers().size(), ROUNDS * cluster.applicationServers().size())
                    .isGreaterThanOrEqualTo(starts);
            long bound = Math.min(CI_P99_CEILING.toMillis(),
                    Math.max(CI_P99_BOUND.toMillis(), loadAloneP99 + CI_P99_OVER_LOAD_ALONE.toMillis()));
            System.out.println("HANDOFF p99 stall " + p99 + " ms, CI's bound " + bound + " ms (the load alone's p99 "
                    + loadAloneP99 + " ms)");
            assertThat(p99).as("p99 stall, ms (bound: the larger of %d and the load alone's p99, %d, plus %d; at "
                    + "most %d)", CI_P99_BOUND.toMillis(), loadAloneP99, CI_P99_OVER_LOAD_ALONE.toMillis(),
                    CI_P99_CEILING.toMillis()).isLessThan(bound);
        }
    }

    /**
     * When the couple's shard moves to another application server (here because its owner stops; it later
     * rejoins and shards are rebalanced again), the partners' connections stay up and nothing is lost,
     * duplicated or reordered; and HTTP calls made meanwhile follow the couple, so none of them fails.
     */
    @Test
    void connectionsStayUpAndNothingIsLostWhileTheCoupleMovesAwayAndBack() throws Exception {
        TestCouple couple = TestCouple.pair(CLUSTER.get());
        RecordingListener annHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try (DuetClient ann = couple.connect(couple.ann, 0, annHears, 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            Node owner = CLUSTER.get().applicationServerOwning(couple.ann.getCoupleId());
            // Meanwhile Ann's other app reads over HTTP: its calls follow the couple, none fails.
            DuetHttp annHttp = TestCouple.http(CLUSTER.get(), 0, TestCouple.ANN_DEVICE);
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger httpReads = new AtomicInteger();
            List<Exception> httpFailures = new CopyOnWriteArrayList<>();
            Thread httpReader = new Thread(() -> {
                while (sending.get()) {
                    try {
                        annHttp.readState(couple.ann.getToken());
                        httpReads.incrementAndGet();
                        Thread.sleep(100); // 10 a second: within the device's limit on read-state calls
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        httpFailures.add(e);
                    }
                }
            }, "http-reader");
            httpReader.start();

            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String text = "message " + i;
                sends.add((i % 2 == 0 ? ann : bob).send(text).thenAccept(r -> acknowledged.put(text, r.getSeq())));
                if (i == 100) {
                    owner.stop();
                }
                if (i == 300) {
                    owner.start();
                }
                Thread.sleep(15);
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            sending.set(false);
            httpReader.join(60_000);
            if (!httpFailures.isEmpty()) {
                // Which of the presentation servers' refusals answered (the client sees only the status).
                ServerLogs.lines(CLUSTER.get().presentationServers(), line -> line.contains("HTTP call answered 503"))
                        .forEach(line -> System.out.println("  " + line));
            }
            assertThat(httpFailures).as("HTTP reads that failed across the moves (of %d that did not)", httpReads.get())
                    .isEmpty();
            assertThat(httpReads.get()).isGreaterThan(30);
            annHears.awaitMessages(400, Duration.ofSeconds(60));
            bobHears.awaitMessages(400, Duration.ofSeconds(60));
            Thread.sleep(300);

            assertThat(DeliveryChecker.violations(annHears.snapshot(), 1, acknowledged)).isEmpty();
            assertThat(DeliveryChecker.violations(bobHears.snapshot(), 1, acknowledged)).isEmpty();
            assertThat(annHears.states).as("ann stayed connected").doesNotContain(ConnectionState.DISCONNECTED);
            assertThat(bobHears.states).as("bob stayed connected").doesNotContain(ConnectionState.DISCONNECTED);
            // The move away is announced on the open connection and answered by subscribing again. (When
            // the old owner rejoins, the leader may or may not hand this couple's shard back.)
            assertThat(annHears.states.stream().filter(ConnectionState.CONNECTED::equals).count()).isGreaterThanOrEqualTo(2);
            assertThat(bobHears.states.stream().filter(ConnectionState.CONNECTED::equals).count()).isGreaterThanOrEqualTo(2);
        }
    }

    private static long report(ChatLoad load, String phase, long from, long to) {
        return Stalls.print("HANDOFF", load, phase, from, to);
    }
}
