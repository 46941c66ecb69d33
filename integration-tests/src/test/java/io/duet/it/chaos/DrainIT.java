package io.duet.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.ConnectionState;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
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
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A presentation server drained under live chat load, every device connected through HAProxy's one
 * endpoint: first by SIGTERM, then (the other server) by {@code POST /drain} on its admin port. Each
 * time every client of the drained server must move to the other through the endpoint, quietly (its
 * state CONNECTING for a moment, never DISCONNECTED, no error), no send may fail, and the checker must
 * find every message delivered once, in order, to every device. Prints how long the clients were
 * reconnecting and how long each drain took, and bounds both (see {@link #RECONNECT_BOUND} and {@link
 * #MOVED_BOUND}). A client that does not know the notice (an older SDK) is closed with SHUTTING_DOWN at
 * the deadline.
 */
class DrainIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The local cluster's drain.deadline, and time to start and stop the JVM. */
    private static final Duration DRAIN_BOUND = Duration.ofSeconds(8);
    /** The local cluster's drain.window: the notices go out over it. */
    private static final Duration DRAIN_WINDOW = Duration.ofSeconds(1);
    /**
     * The most a notice asks a client to spread its reconnect over (drain.max-reconnect-spread's default;
     * the window divided by the sessions present when that is less): the SDK's jitter before it leaves.
     */
    private static final Duration MAX_JITTER = Duration.ofSeconds(1);
    /**
     * How long one client may show "reconnecting" (CONNECTING to CONNECTED): the SDK lets its calls in
     * flight finish, for 1 s at most; HAProxy waits 1 s (min(timeout connect, 1 s)) before it retries on the
     * other server a connection it sent to the drained one before its health checks saw it not ready; and
     * 0.5 s for the handshake and resubscribe on a busy 2-core box. Measured: max about 1.0 s.
     */
    private static final Duration RECONNECT_BOUND = Duration.ofMillis(2500);
    /**
     * How long after the drain began every client of the drained server is connected again: its notice
     * comes within the window, it waits its jitter, then reconnects within {@link #RECONNECT_BOUND}.
     */
    private static final Duration MOVED_BOUND = DRAIN_WINDOW.plus(MAX_JITTER).plus(RECONNECT_BOUND);
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withProductionJit();

    @Test
    void drainedClientsMoveThroughTheEndpointQuietlyAndLoseNothing() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        assertThat(cluster.clientEndpoint().loadBalanced()).as("HAProxy runs (apt-get install -y haproxy)").isTrue();
        Node first = cluster.presentationServers().get(0);
        Node second = cluster.presentationServers().get(1);
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        try (ChatLoad load = new ChatLoad(couples, Duration.ofMillis(40), 64).throughEndpoint().start()) {
            int devices = load.devices().size();
            RecordingListener.await(WAIT, "every device's session counted",
                    () -> sessionsOn(first) + sessionsOn(second) == devices);
            Thread.sleep(1000);

            // 1. SIGTERM: the process drains, then exits.
            long onFirst = sessionsOn(first);
            assertThat(onFirst).as("HAProxy spread the devices: some on %s", first).isPositive();
            Map<Device, Integer> mark = marks(load);
            long stopStarted = System.nanoTime();
            first.stop();
            long stopMillis = (System.nanoTime() - stopStarted) / 1_000_000;
            awaitAllConnected(load);
            System.out.printf("DRAIN by SIGTERM of %s with %d of %d sessions: the process exited %d ms after SIGTERM%n",
                    first, onFirst, devices, stopMillis);
            assertThat(stopMillis).as("drain and exit, ms").isLessThan(DRAIN_BOUND.toMillis());
            checkMovedQuietly(load, mark, onFirst, stopStarted, "SIGTERM");
            RecordingListener.await(WAIT, "every session on " + second, () -> sessionsOn(second) == devices);

            first.start();
            cluster.awaitInRotation(first, true, WAIT);
            Thread.sleep(1000);

            // 2. POST /drain: the process keeps running, drained, until it is stopped.
            URI admin = AdminPort.of(second);
            mark = marks(load);
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
            checkMovedQuietly(load, mark, devices, drainStarted, "POST /drain");
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
            assertThat(report.violations()).as("guarantees across both drains").isEmpty();
            assertThat(load.failedSends()).as("failed sends: %s", load.failures(5)).isZero();
            assertThat(load.failedCalls()).as("failed calls of %d: %s", load.otherCalls(), load.callFailures(5)).isZero();
            for (Device device : load.devices()) {
                assertThat(device.heard.states).as("%s never saw its connection lost: %s", device.describe(),
                        device.heard.stateLog).doesNotContain(ConnectionState.DISCONNECTED);
                assertThat(device.heard.rejections).as("%s was never refused", device.describe()).isEmpty();
            }
        }
    }

    @Test
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
                    () -> drainAnswer(server) == 200);
        } finally {
            // Serving again, whatever happened, for the other tests.
            server.stop();
            server.start();
            cluster.awaitInRotation(server, true, WAIT);
        }
    }

    /** Where each device's state log stands now. */
    private static Map<Device, Integer> marks(ChatLoad load) {
        Map<Device, Integer> marks = new HashMap<>();
        load.devices().forEach(device -> marks.put(device, device.heard.stateLog.size()));
        return marks;
    }

    private static void awaitAllConnected(ChatLoad load) throws InterruptedException {
        RecordingListener.await(WAIT, "every device connected again", () -> load.devices().stream()
                .allMatch(device -> device.client.state() == ConnectionState.CONNECTED));
    }

    /**
     * Exactly {@code expected} devices moved since {@code mark} (CONNECTING "moving to another server", then
     * CONNECTED), none saw DISCONNECTED; prints the distributions of how long they were reconnecting and
     * when, after the drain began at {@code drainStartedNanos}, they were connected again, and bounds both.
     */
    private static void checkMovedQuietly(ChatLoad load, Map<Device, Integer> mark, long expected,
            long drainStartedNanos, String how) {
        List<Long> reconnecting = new ArrayList<>();
        List<Long> movedBy = new ArrayList<>();
        List<Long> leftBy = new ArrayList<>();
        for (Device device : load.devices()) {
            List<String> log = device.heard.stateLog.subList(mark.get(device), device.heard.stateLog.size());
            assertThat(log).as("%s after %s", device.describe(), how).noneMatch(line -> line.startsWith("DISCONNECTED"));
            Long movedAt = null;
            for (String line : log) {
                if (movedAt == null && line.startsWith("CONNECTING") && line.contains("moving to another server")) {
                    movedAt = nanos(line);
                    leftBy.add((movedAt - drainStartedNanos) / 1_000_000);
                } else if (movedAt != null && line.startsWith("CONNECTED")) {
                    reconnecting.add((nanos(line) - movedAt) / 1_000_000);
                    movedBy.add((nanos(line) - drainStartedNanos) / 1_000_000);
                    break;
                }
            }
        }
        Collections.sort(reconnecting);
        Collections.sort(movedBy);
        Collections.sort(leftBy);
        assertThat(reconnecting).as("devices that moved after %s", how).hasSize((int) expected);
        System.out.printf("DRAIN %s: %d clients reconnecting (CONNECTING to CONNECTED) p50 %d, p90 %d, p99 %d, max %d ms"
                + " (bound %d): %s%n", how, reconnecting.size(), percentile(reconnecting, 0.5),
                percentile(reconnecting, 0.9), percentile(reconnecting, 0.99), reconnecting.get(reconnecting.size() - 1),
                RECONNECT_BOUND.toMillis(), reconnecting);
        System.out.printf("DRAIN %s: clients connected again after the drain began p50 %d, p99 %d, max %d ms"
                + " (bound %d = window %d + jitter %d + reconnect %d)%n", how, percentile(movedBy, 0.5),
                percentile(movedBy, 0.99), movedBy.get(movedBy.size() - 1), MOVED_BOUND.toMillis(),
                DRAIN_WINDOW.toMillis(), MAX_JITTER.toMillis(), RECONNECT_BOUND.toMillis());
        System.out.printf("DRAIN %s: clients left (notice + jitter) after the drain began first %d, p50 %d, last %d ms"
                + " (window %d)%n", how, leftBy.get(0), percentile(leftBy, 0.5), leftBy.get(leftBy.size() - 1),
                DRAIN_WINDOW.toMillis());
        if (leftBy.size() >= 4) {
            // Notice i of n goes out at i/n of the window, and its client leaves within 1/n of the window after
            // it: spread, the last leaves after 3/4 of it; all at once, every one within the first 1/n.
            assertThat(leftBy.get(leftBy.size() - 1)).as("the last client left after %s, ms: spread over the window", how)
                    .isGreaterThanOrEqualTo(DRAIN_WINDOW.toMillis() / 2);
            assertThat(leftBy.get(leftBy.size() - 1) - leftBy.get(0)).as("first to last client leaving after %s, ms", how)
                    .isGreaterThanOrEqualTo(DRAIN_WINDOW.toMillis() / 4);
        }
        assertThat(reconnecting.get(reconnecting.size() - 1)).as("the longest reconnect after %s, ms (p99 %d)", how,
                percentile(reconnecting, 0.99)).isLessThan(RECONNECT_BOUND.toMillis());
        assertThat(movedBy.get(movedBy.size() - 1)).as("the last client connected again after %s, ms", how)
                .isLessThan(MOVED_BOUND.toMillis());
    }

    private static long nanos(String stateLogLine) {
        return Long.parseLong(stateLogLine.substring(stateLogLine.indexOf(" at ") + 4, stateLogLine.indexOf(':')));
    }

    private static long percentile(List<Long> sorted, double fraction) {
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * fraction) - 1));
    }

    private static int drainAnswer(Node node) {
        try {
            return AdminPort.get(AdminPort.of(node), "/drain").status();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + node + "'s drain", e);
        }
    }

    private static long sessionsOn(Node node) {
        try {
            return (long) AdminPort.sample(AdminPort.scrape(node), "duet_client_sessions").orElse(0);
        } catch (Exception e) {
            throw new AssertionError("cannot read " + node + "'s sessions", e);
        }
    }
}
