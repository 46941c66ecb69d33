package io.duet.it.chaos;

import static io.duet.it.PresentationSessions.sessionsOn;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.ConnectionState;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.deploy.local.SupervisionSettings;
import io.duet.it.AdminPort;
import io.duet.it.PrivateCluster;
import io.duet.it.RawSession;
import io.duet.it.RecordingListener;
import io.duet.it.TestCouple;
import io.duet.it.chaos.ChatLoad.Device;
import io.duet.protocol.api.NoticeKind;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.SessionNotice;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presentation servers drained, then the whole cluster deployed by {@code deploy/bin/rolling-deploy}, under
 * live chat load through HAProxy's one endpoint, on one supervised private local cluster whose application
 * servers warm up before joining (it was DrainIT and RollingDeployIT: sharing the cluster saves the start of
 * one).
 *
 * <p>First a presentation server drained by SIGTERM, then the other by {@code POST /drain} on its admin
 * port. Each time every client of the drained server must move to the other through the endpoint, quietly
 * (its state CONNECTING for a moment, never DISCONNECTED, no error), no send may fail, and the checker must
 * find every message delivered once, in order, to every device; how long the clients were reconnecting and
 * how long each drain took are printed and bounded ({@link ClientMoves}). A client that does not know the
 * notice (an older SDK) is closed with SHUTTING_DOWN at the deadline. (The supervisor leaves alone a node
 * the test stops itself.)
 *
 * <p>Then the real script, whose default restart command, {@code kill -TERM {pid}}, relies on the
 * supervisor to start the node again: the whole deploy, every server restarted, no send failed, the checker
 * finds nothing lost, repeated or reordered, no device saw its connection lost or a refusal; the
 * per-request stall distribution is printed. Then a presentation server killed with {@code kill -9} while
 * the script drains it: the script stops with status 4 and a message naming the step, the server and what it
 * saw, and the cluster keeps serving. That second deploy is given the presentation servers alone ({@link
 * #presentationServersOnly}): restarting the application servers first, as the whole deploy does, would cost
 * about 25 s and has no part in the failure.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingDeployIT {
    /**
     * What CI holds the p99 stall of a deploy to: every server restarts (presentation servers drain their
     * clients through HAProxy) under the load below; measured 394-801 ms at 300 messages/s on an earlier box.
     */
    private static final Duration STALL_P99_BOUND = Duration.ofMillis(1500);
    private static final Duration DEPLOY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The local cluster's drain.deadline, and time to start and stop the JVM. */
    private static final Duration DRAIN_BOUND = Duration.ofSeconds(8);

    /**
     * The quick-start JIT (C1 alone) with every warm-up: what is checked here is the drains, the script and the
     * guarantees, not production's speed. With production's JIT, on the slower box of {@link ChatLoad#LIGHT_SEND_INTERVAL},
     * the C2 compilers of the servers restarted one after the other kept it saturated (HandoffIT measured it).
     */
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withWarmUp().withSupervision(SupervisionSettings.builder()
            .firstBackoff(Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(2))
            .crashLoopDeaths(10).crashLoopWindow(Duration.ofMinutes(5)).build());

    /**
     * Every presentation server serving and in rotation after each test, whatever happened in it: a test that
     * failed half-way through a drain must not fail the next ones too.
     */
    @AfterEach
    void everyPresentationServerServing() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        for (Node server : cluster.presentationServers()) {
            if (adminStatus(server, "/ready") != 200) {
                server.stop();
                server.start();
                cluster.awaitInRotation(server, true, WAIT);
            }
        }
    }

    @Test
    @Order(1)
    void drainedClientsMoveThroughTheEndpointQuietlyAndLoseNothing() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        assertThat(cluster.clientEndpoint().loadBalanced()).as("HAProxy runs (apt-get install -y haproxy)").isTrue();
        Node first = cluster.presentationServers().get(0);
        Node second = cluster.presentationServers().get(1);
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        try (ChatLoad load = new ChatLoad(couples, ChatLoad.LIGHT_SEND_INTERVAL, 64).throughEndpoint().start()) {
            int devices = load.devices().size();
            RecordingListener.await(WAIT, "every device's session counted",
                    () -> sessionsOn(first) + sessionsOn(second) == devices);
            Thread.sleep(1000);

            // 1. SIGTERM: the process drains, then exits.
            long onFirst = sessionsOn(first);
            assertThat(onFirst).as("HAProxy spread the devices: some on %s", first).isPositive();
            Map<Device, Integer> mark = ClientMoves.marks(load);
            long stopStarted = System.nanoTime();
            first.stop();
            long stopMillis = (System.nanoTime() - stopStarted) / 1_000_000;
            awaitAllConnected(load);
            System.out.printf("DRAIN by SIGTERM of %s with %d of %d sessions: the process exited %d ms after SIGTERM%n",
                    first, onFirst, devices, stopMillis);
            assertThat(stopMillis).as("drain and exit, ms").isLessThan(DRAIN_BOUND.toMillis());
            ClientMoves.checkMovedQuietly(load, mark, onFirst, stopStarted, "SIGTERM");
            RecordingListener.await(WAIT, "every session on " + second, () -> sessionsOn(second) == devices);

            first.start();
            cluster.awaitInRotation(first, true, WAIT);
            Thread.sleep(1000);

            // 2. POST /drain: the process keeps running, drained, until it is stopped.
            URI admin = AdminPort.of(second);
            mark = ClientMoves.marks(load);
            long drainStarted = System.nanoTime();
            AdminPort.Answer started = AdminPort.send(admin, "/drain", "POST");
            assertThat(started.status()).as("POST /drain: %s", started).isEqualTo(202);
            assertThat(AdminPort.get(admin, "/ready").status()).as("not ready once draining").isEqualTo(503);
            AdminPort.Answer status;
            while ((status = AdminPort.get(admin, "/drain")).status() != 200) {
                assertThat(status.status()).as("GET /drain while draining: %s", status).isEqualTo(503);
                assertThat(System.nanoTime() - drainStarted).as("drained in time").isLessThan(DRAIN_BOUND.toNanos());
                Thread.sleep(50);
            }
            long drainMillis = (System.nanoTime() - drainStarted) / 1_000_000;
            awaitAllConnected(load);
            System.out.printf("DRAIN by POST /drain of %s with %d sessions: GET /drain said 200 after %d ms (%s)%n",
                    second, devices, drainMillis, status.body().strip());
            ClientMoves.checkMovedQuietly(load, mark, devices, drainStarted, "POST /drain");
            assertThat(sessionsOn(first)).as("every session moved to %s", first).isEqualTo(devices);
            long stopDrained = System.nanoTime();
            second.stop();
            System.out.printf("A drained %s exited %d ms after SIGTERM%n", second,
                    (System.nanoTime() - stopDrained) / 1_000_000);
            second.start();
            cluster.awaitInRotation(second, true, WAIT);

            Thread.sleep(1000);
            load.stop(Duration.ofSeconds(60));
            ChaosChecker.Report report = ChaosChecker.check(cluster, load);
            report.print(System.out);
            assertNothingLostAndNoDeviceCutOff(load, report, "both drains");
        }
    }

    @Test
    @Order(2)
    void aClientThatIgnoresTheNoticeIsClosedWithShuttingDownAtTheDeadline() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node server = cluster.presentationServers().get(0);
        server.start();
        cluster.awaitInRotation(server, true, WAIT);
        try {
            TestCouple couple = TestCouple.pair(cluster);
            List<NoticeKind> notices = new ArrayList<>();
            SessionError error = null;
            long started;
            try (RawSession old = new RawSession(cluster.clientTcpEndpoint(0))) {
                old.send(RawSession.auth(couple.ann.getToken()));
                assertThat(old.readFrame()[0]).isEqualTo(FrameType.AUTH_OK.code());
                started = System.nanoTime();
                assertThat(AdminPort.send(AdminPort.of(server), "/drain", "POST").status()).isEqualTo(202);
                while (error == null) {
                    Object[] frame = old.readFrame();
                    if ((int) frame[0] == FrameType.NOTICE.code()) {
                        notices.add(ThriftCodec.INTERNAL.decode((byte[]) frame[1], new SessionNotice()).getKind());
                    } else if ((int) frame[0] == FrameType.ERROR.code()) {
                        error = ThriftCodec.INTERNAL.decode((byte[]) frame[1], new SessionError());
                    }
                }
                assertThat(old.closedByServer()).isTrue();
            }
            long closedMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("A client that ignored the notice was closed %d ms into the drain: %s%n", closedMillis, error);
            assertThat(notices).containsExactly(NoticeKind.RECONNECT);
            assertThat(error.getCode()).isEqualTo(SessionErrorCode.SHUTTING_DOWN);
            assertThat(closedMillis).as("closed at drain.deadline (5 s)").isBetween(4_500L, DRAIN_BOUND.toMillis());
            RecordingListener.await(WAIT, "GET /drain to say drained",
                    () -> adminStatus(server, "/drain") == 200);
        } finally {
            // Serving again, whatever happened, for the other tests.
            server.stop();
            server.start();
            cluster.awaitInRotation(server, true, WAIT);
        }
    }

    @Test
    @Order(3)
    void aRollingDeployUnderChatLoadFailsNothingAndLosesNothing() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        assertThat(cluster.clientEndpoint().loadBalanced()).as("HAProxy runs (apt-get install -y haproxy)").isTrue();
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        Map<String, Long> pidsBefore = pids(cluster);
        try (ChatLoad load = new ChatLoad(couples, ChatLoad.LIGHT_SEND_INTERVAL, 64).throughEndpoint().start()) {
            // Past the couples' first loads and the servers' cold start: the stall measured is the deploy's. With
            // 5 s here the sends of the deploy's first step stalled up to 2 s, as the load's own first seconds do
            // before anything restarts (printed below); a cluster in service is warm.
            long loadStart = System.nanoTime();
            Thread.sleep(10_000);
            long from = System.nanoTime();
            Stalls.print("ROLLING DEPLOY", load, "load warm-up, before any restart", loadStart, from);
            Deploy deploy = Deploy.start(cluster.dataDir(), line -> { });
            int status = deploy.await();
            long to = System.nanoTime();
            assertThat(status).as("rolling-deploy's exit status; it printed:%n%s", deploy.output()).isZero();
            assertThat(deploy.output()).contains("Rolling deploy done: 4 servers restarted one at a time");
            Map<String, Long> pidsAfter = pids(cluster);
            pidsBefore.forEach((name, pid) -> assertThat(pidsAfter.get(name)).as("%s restarted", name).isNotEqualTo(pid));

            Thread.sleep(1000);
            load.stop(Duration.ofSeconds(60));
            ChaosChecker.Report report = ChaosChecker.check(cluster, load);
            report.print(System.out);
            long p99 = Stalls.print("ROLLING DEPLOY", load, "4 servers restarted by deploy/bin/rolling-deploy in "
                    + TimeUnit.NANOSECONDS.toSeconds(to - from) + " s", from, to);
            assertThat(p99).as("p99 stall through the rolling deploy, ms").isLessThan(STALL_P99_BOUND.toMillis());
            assertNothingLostAndNoDeviceCutOff(load, report, "the rolling deploy");
        }
    }

    @Test
    @Order(4)
    void aServerKilledWhileTheScriptDrainsItStopsTheDeployWithAClearMessageAndTheClusterKeepsServing(
            @TempDir Path view) throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node victim = cluster.node("presentation-1");
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        try (ChatLoad load = new ChatLoad(couples, ChatLoad.LIGHT_SEND_INTERVAL, 64).throughEndpoint().start()) {
            Thread.sleep(1000);
            long[] killedPid = {0};
            Deploy deploy = Deploy.start(presentationServersOnly(cluster, view), line -> {
                if (line.contains(" presentation-1: draining") && killedPid[0] == 0) {
                    killedPid[0] = victim.pid();
                    killFromOutside(killedPid[0]);
                }
            });
            int status = deploy.await();
            String output = deploy.output();
            assertThat(killedPid[0]).as("the script reached presentation-1's drain:%n%s", output).isPositive();
            assertThat(status).as("rolling-deploy's exit status; it printed:%n%s", output).isEqualTo(4);
            assertThat(output).contains("FAILED at step 1/2 (presentation server presentation-1): presentation-1 ")
                    .containsPattern("presentation-1 (died while draining|stopped answering on its admin port while"
                            + " draining)")
                    .contains("The rest of the cluster is still serving")
                    .doesNotContain("== step 2/2");
            long failedAt = System.nanoTime();

            // The cluster keeps serving: every other server is ready, and sends go on being acknowledged.
            for (String name : List.of("app-1", "app-2", "presentation-2")) {
                assertThat(adminStatus(cluster.node(name), "/ready")).as("%s ready", name).isEqualTo(200);
            }
            RecordingListener.await(Duration.ofSeconds(30), "sends acknowledged after the failed deploy",
                    () -> load.senders().stream().allMatch(sender -> sender.log.stream()
                            .anyMatch(record -> record.sentNanos > failedAt && record.acknowledged())));
            load.stop(Duration.ofSeconds(60));
            ChaosChecker.Report report = ChaosChecker.check(cluster, load);
            report.print(System.out);
            assertThat(report.violations()).as("nothing lost, repeated or reordered").isEmpty();
            assertThat(load.failedSends()).as("failed sends: %s", load.failures(5)).isZero();
            assertThat(load.failedCalls()).as("failed calls of %d: %s", load.otherCalls(), load.callFailures(5)).isZero();
        }
        // The supervisor brings the killed server back.
        RecordingListener.await(Duration.ofSeconds(60), "presentation-1 restarted",
                () -> adminStatus(victim, "/ready") == 200);
    }

    /**
     * The checker found nothing lost, repeated or reordered, no send or other call failed, and no device saw
     * its connection lost or a refusal.
     */
    private static void assertNothingLostAndNoDeviceCutOff(ChatLoad load, ChaosChecker.Report report, String across) {
        assertThat(report.violations()).as("nothing lost, repeated or reordered across %s", across).isEmpty();
        assertThat(load.failedSends()).as("failed sends: %s", load.failures(5)).isZero();
        assertThat(load.failedCalls()).as("failed calls of %d: %s", load.otherCalls(), load.callFailures(5)).isZero();
        for (Device device : load.devices()) {
            assertThat(device.heard.states).as("%s never saw its connection lost: %s", device.describe(),
                    device.heard.stateLog).doesNotContain(ConnectionState.DISCONNECTED);
            assertThat(device.heard.rejections).as("%s was never refused", device.describe()).isEmpty();
        }
    }

    private static void awaitAllConnected(ChatLoad load) throws InterruptedException {
        RecordingListener.await(WAIT, "every device connected again", () -> load.devices().stream()
                .allMatch(device -> device.client.state() == ConnectionState.CONNECTED));
    }

    /**
     * A folder that the script's {@code --local-cluster} reads as {@code cluster} with its presentation servers
     * alone: their settings and the ports file copied into {@code conf/}, {@code run/} a link to the cluster's
     * own, so that each server's ready file (its admin port and pid) is read as the cluster writes it.
     */
    private static Path presentationServersOnly(LocalCluster cluster, Path view) throws Exception {
        Path conf = Files.createDirectories(view.resolve("conf"));
        List<String> files = new ArrayList<>(List.of("ports.properties"));
        cluster.presentationServers().forEach(server -> files.add(server.name() + ".properties"));
        for (String file : files) {
            Files.copy(cluster.dataDir().resolve("conf").resolve(file), conf.resolve(file));
        }
        Files.createSymbolicLink(view.resolve("run"), cluster.dataDir().resolve("run"));
        return view;
    }

    private static Map<String, Long> pids(LocalCluster cluster) {
        Map<String, Long> pids = new HashMap<>();
        for (Node node : cluster.applicationServers()) {
            pids.put(node.name(), node.pid());
        }
        for (Node node : cluster.presentationServers()) {
            pids.put(node.name(), node.pid());
        }
        return pids;
    }

    /** {@code GET path}'s status on {@code node}'s admin port, or -1 when the node is not running or does not answer. */
    private static int adminStatus(Node node, String path) {
        try {
            return node.isRunning() ? AdminPort.get(AdminPort.of(node), path).status() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static void killFromOutside(long pid) {
        try {
            assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
        } catch (Exception e) {
            throw new AssertionError("kill -9 " + pid, e);
        }
    }

    /** The script running as its own process, its output echoed and kept. */
    private static final class Deploy {
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        private Deploy(Process process, Consumer<String> onLine) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        System.out.println("  rolling-deploy| " + line);
                        lines.add(line);
                        onLine.accept(line);
                    }
                } catch (Exception e) {
                    lines.add("(reading the output failed: " + e + ")");
                }
            }, "rolling-deploy-output");
            reader.setDaemon(true);
            reader.start();
        }

        /**
         * Runs {@code deploy/bin/rolling-deploy} against the local cluster in {@code dataDir}, pausing 2 s after each
         * server (HAProxy's checks take 1 s).
         */
        static Deploy start(Path dataDir, Consumer<String> onLine) throws Exception {
            Path home = home();
            for (String built : List.of("admin/target/runtime-classpath.txt", "admin/target/classes")) {
                assertThat(home.resolve(built)).as("built by this Maven run, so the script does not build").exists();
            }
            ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("deploy/bin/rolling-deploy").toString(),
                    "--local-cluster", dataDir.toString(), "--pause", "2s", "--drain-timeout", "30s",
                    "--ready-timeout", "90s").redirectErrorStream(true);
            Path java = Path.of(System.getProperty("java.home"), "bin");
            builder.environment().put("PATH", java + ":" + System.getenv("PATH"));
            builder.environment().put("DUET_HOME", home.toString());
            return new Deploy(builder.start(), onLine);
        }

        int await() throws InterruptedException {
            if (!process.waitFor(DEPLOY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("rolling-deploy did not end within " + DEPLOY_TIMEOUT + "; it printed:\n"
                        + output());
            }
            reader.join(10_000);
            return process.exitValue();
        }

        String output() {
            return String.join("\n", lines);
        }

        private static Path home() {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                if (Files.exists(dir.resolve("deploy/bin/rolling-deploy"))) {
                    return dir;
                }
            }
            throw new IllegalStateException("no deploy/bin/rolling-deploy above " + Path.of("").toAbsolutePath());
        }
    }
}
