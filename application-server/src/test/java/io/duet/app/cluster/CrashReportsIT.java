package io.duet.app.cluster;

import static io.duet.app.cluster.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.RefusalReports;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.settings.SettingsException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failure detector's fast path for crashes, against a real ZooKeeper: a server that a presentation
 * server reports as refusing relay connections is suspected once its heartbeat lags the short
 * crash-suspect timeout, long before the failure timeout; a reported server that keeps heartbeating is not.
 */
class CrashReportsIT {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CRASH_SUSPECT = Duration.ofMillis(400);
    private static final List<String> SERVERS = List.of("app-a", "app-b", "app-c", "app-d");

    private TestingServer zookeeper;
    private CuratorFramework curator;

    @BeforeEach
    void startZooKeeper() throws Exception {
        zookeeper = TestZooKeeper.start();
        curator = TestZooKeeper.connect(zookeeper);
    }

    @AfterEach
    void stopZooKeeper() throws Exception {
        curator.close();
        zookeeper.close();
    }

    @Test
    void aReportedServerIsSuspectedAfterTheShortTimeoutButOnlyIfItsHeartbeatLags() throws Exception {
        // app-a observes; app-b heartbeats; app-c and app-d wrote one heartbeat each and stopped.
        Heartbeat a = new Heartbeat(curator, "app-a", INTERVAL, TIMEOUT, () -> { });
        Heartbeat b = new Heartbeat(curator, "app-b", INTERVAL, TIMEOUT, () -> { });
        a.start();
        b.start();
        FailureDetector detector = new FailureDetector(curator, "app-a", TIMEOUT, CRASH_SUSPECT, a);
        detector.start();
        RefusalReports presentation1 = new RefusalReports(curator, "presentation-1@x");
        RefusalReports presentation2 = new RefusalReports(curator, "presentation-2@y");
        try {
            Thread.sleep(3 * INTERVAL.toMillis());
            for (String frozen : List.of("app-c", "app-d")) {
                curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(ClusterPaths.heartbeat(frozen), new byte[0]);
            }
            long frozeAt = System.nanoTime();
            presentation1.refused("app-b");
            presentation1.refused("app-c");
            presentation2.refused("app-c");
            presentation2.refused("app-c"); // idempotent
            await("the reports to reach the detector", () -> detector.reported().size() == 2
                    && detector.reporters("app-c").size() == 2);
            assertThat(detector.reported()).containsExactly("app-b", "app-c");
            assertThat(detector.reporters("app-c")).containsExactly("presentation-1@x", "presentation-2@y");

            await("app-c to be suspected", () -> detector.suspects(SERVERS).contains("app-c"));
            Duration took = Duration.ofNanos(System.nanoTime() - frozeAt);
            assertThat(took).as("suspected after the crash-suspect timeout, long before the failure timeout")
                    .isGreaterThanOrEqualTo(CRASH_SUSPECT.minusMillis(100)).isLessThan(TIMEOUT.dividedBy(2));
            assertThat(detector.suspects(SERVERS)).as("app-b heartbeats, app-d is not reported")
                    .containsExactly("app-c");
            // The reported but heartbeating app-b stays trusted as long as its heartbeat keeps up.
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < until) {
                assertThat(detector.suspects(SERVERS)).doesNotContain("app-b", "app-a");
                Thread.sleep(20);
            }

            // Withdrawn by both: app-c's lag (still under the failure timeout) no longer counts.
            presentation1.reachable("app-c");
            presentation2.retain(List.of("app-a", "app-b"));
            await("the reports against app-c to go", () -> detector.reporters("app-c").isEmpty());
            assertThat(detector.suspects(SERVERS)).isEmpty();
            assertThat(curator.checkExists().forPath(ClusterPaths.refusal("app-b", "presentation-1@x"))).isNotNull();

            // Past the failure timeout the heartbeat rule alone takes out the unreported ones.
            await("app-c and app-d to be suspected by their lag alone",
                    () -> detector.suspects(SERVERS).containsAll(List.of("app-c", "app-d")));
            assertThat(Duration.ofNanos(System.nanoTime() - frozeAt)).isGreaterThan(TIMEOUT);
        } finally {
            presentation1.close();
            presentation2.close();
            detector.close();
            b.close();
            a.close();
        }
        assertThat(curator.checkExists().forPath(ClusterPaths.refusal("app-b", "presentation-1@x")))
                .as("withdrawn on close").isNull();
    }

    /**
     * The case the crash fast path makes hard: a wrong report against a live server whose heartbeat then
     * stalls (its process paused, its heartbeat thread starved). Its lease, as {@link ClusterMember#lease}
     * sizes it, lapses before the detector takes it for dead, so it serves no read after its shards may have
     * moved.
     * The stall is the heartbeat thread's own: its status supplier blocks, while the test's thread goes on
     * asking the lease, as a request's thread would.
     */
    @Test
    void aWronglyReportedServerThatStallsStopsServingBeforeItIsTakenForDead() throws Exception {
        Duration lease = ClusterMember.lease(TIMEOUT, CRASH_SUSPECT);
        Heartbeat a = new Heartbeat(curator, "app-a", INTERVAL, lease, () -> { });
        AtomicInteger regained = new AtomicInteger();
        Heartbeat b = new Heartbeat(curator, "app-b", INTERVAL, lease, regained::incrementAndGet);
        AtomicReference<CountDownLatch> stall = new AtomicReference<>(new CountDownLatch(0));
        b.statusFrom(() -> {
            try {
                stall.get().await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ServerStatus();
        });
        a.start();
        b.start();
        FailureDetector leader = new FailureDetector(curator, "app-a", TIMEOUT, CRASH_SUSPECT, a);
        leader.start();
        RefusalReports wrong = new RefusalReports(curator, "presentation-1@x");
        CountDownLatch resume = new CountDownLatch(1);
        try {
            wrong.refused("app-b");
            await("the report to reach the detector", () -> leader.reported().contains("app-b"));
            Thread.sleep(3 * INTERVAL.toMillis());
            assertThat(leader.suspects(SERVERS.subList(0, 2))).as("reported, but heartbeating").isEmpty();
            assertThat(b.leaseValid()).isTrue();

            stall.set(resume);
            long stalledAt = System.nanoTime();
            boolean lapsed = false;
            while (!leader.suspects(SERVERS.subList(0, 2)).contains("app-b")) {
                lapsed |= !b.leaseValid();
                assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).as("app-b suspected")
                        .isLessThan(TIMEOUT.dividedBy(2));
                Thread.sleep(2);
            }
            assertThat(b.leaseValid()).as("app-b's lease, once the detector takes it for dead").isFalse();
            assertThat(lapsed).as("app-b's lease lapsed before it was suspected").isTrue();

            resume.countDown();
            await("app-b's lease to be regained", () -> b.leaseValid() && regained.get() >= 1);
            assertThat(b.lapses()).isGreaterThanOrEqualTo(1);
        } finally {
            resume.countDown();
            wrong.close();
            leader.close();
            b.close();
            a.close();
        }
    }

    @Test
    void theTimeoutsAndTheLeaseFitTogetherOrTheSettingsAreRefused() {
        assertThat(ClusterMember.lease(TIMEOUT, CRASH_SUSPECT)).isEqualTo(CRASH_SUSPECT);
        assertThat(ClusterMember.lease(TIMEOUT, TIMEOUT)).as("the fast path off").isEqualTo(TIMEOUT);
        ClusterMember.checkTimeouts(INTERVAL, CRASH_SUSPECT, TIMEOUT);
        assertThatThrownBy(() -> ClusterMember.checkTimeouts(INTERVAL, TIMEOUT.plusMillis(1), TIMEOUT))
                .isInstanceOf(SettingsException.class).hasMessageContaining("cluster.failure-timeout");
        assertThatThrownBy(() -> ClusterMember.checkTimeouts(INTERVAL, INTERVAL, TIMEOUT))
                .isInstanceOf(SettingsException.class).hasMessageContaining("cluster.heartbeat-interval");
        assertThatThrownBy(() -> ClusterMember.checkTimeouts(Duration.ZERO, CRASH_SUSPECT, TIMEOUT))
                .isInstanceOf(SettingsException.class).hasMessageContaining("cluster.heartbeat-interval");
    }

    @Test
    void theCrashSuspectTimeoutMustNotExceedTheFailureTimeout() {
        assertThatThrownBy(() -> new FailureDetector(curator, "app-a", TIMEOUT, TIMEOUT.plusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FailureDetector(curator, "app-a", TIMEOUT, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
