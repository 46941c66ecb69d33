package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.deploy.local.NodeHealth;
import io.duet.deploy.local.SupervisionSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A supervised local cluster heals: a node killed with {@code kill -9} from outside is logged with its
 * status and restarted; one that cannot come back is reported as a crash loop (an ERROR line) and left
 * down; one killed through its API stays down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterHealsIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withSupervision(SupervisionSettings.builder()
            .firstBackoff(Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(2))
            .crashLoopDeaths(3).crashLoopWindow(Duration.ofMinutes(5)).build());

    @Test
    @Order(1)
    void aNodeKilledFromOutsideIsLoggedAndRestarted() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node app = cluster.applicationServers().get(0);
        long pid = app.pid();

        killFromOutside(pid);

        await("app-1 restarted", () -> health(app).restarts() == 1 && health(app).state() == NodeHealth.State.UP);
        assertThat(app.pid()).isNotEqualTo(pid).isPositive();
        assertThat(health(app).lastDeath()).hasValueSatisfying(death -> assertThat(death)
                .startsWith(app.name() + " (pid " + pid + ") died: killed by signal 9 (SIGKILL)"));
        assertThat(AdminPort.get(AdminPort.of(app), "/live")).hasToString("200 live");
        cluster.awaitShardMapSettled();
    }

    @Test
    @Order(2)
    void theLoadBalancerKilledFromOutsideIsRestarted() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        assertThat(cluster.loadBalancer()).as("HAProxy runs (apt-get install -y haproxy; .ci/run installs it)")
                .isPresent();
        Node haproxy = cluster.loadBalancer().get();
        long pid = haproxy.pid();

        killFromOutside(pid);

        await("haproxy restarted", () -> health(haproxy).restarts() == 1 && haproxy.isRunning());
        assertThat(haproxy.pid()).isNotEqualTo(pid);
        cluster.awaitInRotation(cluster.presentationServers().get(0), true, Duration.ofSeconds(30));
    }

    @Test
    @Order(3)
    void aNodeKilledThroughItsApiStaysDown() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node presentation = cluster.presentationServers().get(1);
        presentation.kill();

        Thread.sleep(3000); // six times the first backoff
        assertThat(presentation.isRunning()).isFalse();
        assertThat(health(presentation).state()).isEqualTo(NodeHealth.State.STOPPED);
        assertThat(health(presentation).restarts()).isZero();
        presentation.start();
    }

    @Test
    @Order(4)
    void aNodeThatCannotComeBackIsReportedAsACrashLoopAndLeftDown() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node presentation = cluster.presentationServers().get(0);
        InetSocketAddress clientPort = cluster.clientTcpEndpoint(0);

        ListAppender<ILoggingEvent> supervisorLog = new ListAppender<>();
        supervisorLog.start();
        Logger supervisor = (Logger) LoggerFactory.getLogger("io.duet.deploy.local.Supervisor");
        supervisor.addAppender(supervisorLog);
        long startsBefore = starts(presentation);
        killFromOutside(presentation.pid());
        try (ServerSocket squatter = bindWhenFree(clientPort)) {
            await("a crash loop", () -> health(presentation).state() == NodeHealth.State.CRASH_LOOP);
            supervisor.detachAppender(supervisorLog);
            // The line the README promises: ERROR ... CRASH LOOP: presentation-1 died 3 times within 300 s; ...
            assertThat(supervisorLog.list).filteredOn(event -> event.getLevel() == Level.ERROR)
                    .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                    .startsWith(presentation.name() + " failed to restart: ")
                    .contains(". CRASH LOOP: " + presentation.name() + " died 3 times within 300 s; not restarting it"
                            + " (log: " + presentation.logFile() + ")");
            long starts = starts(presentation);
            assertThat(starts - startsBefore).as("two failed restarts, then the crash loop").isEqualTo(2);
            Thread.sleep(5000); // over twice the longest backoff
            assertThat(starts(presentation)).as("no restart after the crash loop").isEqualTo(starts);
            assertThat(presentation.isRunning()).isFalse();
            assertThat(health(presentation).lastDeath()).hasValueSatisfying(death -> assertThat(death)
                    .startsWith(presentation.name() + " failed to restart: "));
        }
        cluster.start(); // brings it back, and forgets the crash loop
        assertThat(health(presentation).state()).isEqualTo(NodeHealth.State.UP);
    }

    private static NodeHealth health(Node node) {
        return CLUSTER.get().health(node).orElseThrow();
    }

    private static long starts(Node node) throws IOException {
        return Files.readAllLines(node.logFile(), StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith("=== starting " + node.name() + " ")).count();
    }

    /** {@code kill -9 PID} from another process, as an operator or the OOM killer would. */
    private static void killFromOutside(long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("/bin/kill", "-9", Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static ServerSocket bindWhenFree(InetSocketAddress address) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return new ServerSocket(address.getPort(), 50, InetAddress.getByName(address.getHostString()));
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
