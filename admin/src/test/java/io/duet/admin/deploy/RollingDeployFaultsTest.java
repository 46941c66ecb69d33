package io.duet.admin.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server killed at each step of a rolling deploy, against a fake process layer ({@link FakeCluster}):
 * the deploy stops at that step with a message that names the server and what happened, exits with
 * status 4, restarts nothing more, and says whether the rest of the cluster still serves.
 */
class RollingDeployFaultsTest {
    private final FakeCluster cluster = new FakeCluster();
    private final Output out = new Output();
    private final DeploySettings settings = DeploySettings.builder()
            .restartCommand("restart {name}")
            .drainTimeout(Duration.ofSeconds(5))
            .leaveTimeout(Duration.ofSeconds(2))
            .readyTimeout(Duration.ofSeconds(1))
            .settleTimeout(Duration.ofSeconds(2))
            .pause(Duration.ofMillis(50))
            .httpTimeout(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(20))
            .build();

    /** Prints into a buffer, and runs a test's fault when the deploy prints a line it waits for. */
    static final class Output extends PrintStream {
        private final ByteArrayOutputStream buffer;
        private final List<Object[]> faults = new ArrayList<>();

        Output() {
            this(new ByteArrayOutputStream());
        }

        private Output(ByteArrayOutputStream buffer) {
            super(buffer, true, StandardCharsets.UTF_8);
            this.buffer = buffer;
        }

        /** Runs {@code fault} once, right after the first line that contains {@code text}. */
        void when(String text, Runnable fault) {
            faults.add(new Object[] {text, fault});
        }

        @Override
        public void println(String line) {
            super.println(line);
            faults.removeIf(fault -> {
                if (line.contains((String) fault[0])) {
                    ((Runnable) fault[1]).run();
                    return true;
                }
                return false;
            });
        }

        String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void fourServers() throws Exception {
        cluster.add("app-1", DeployNode.Kind.APPLICATION);
        cluster.add("app-2", DeployNode.Kind.APPLICATION);
        cluster.add("presentation-1", DeployNode.Kind.PRESENTATION);
        cluster.add("presentation-2", DeployNode.Kind.PRESENTATION);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private RollingDeploy deploy() {
        return new RollingDeploy(cluster.inventory(), settings, cluster, cluster, out);
    }

    /** Runs the deploy, expecting it to fail at {@code step} with {@code message}; returns what it printed. */
    private String failsAt(String step, String message) {
        assertThatThrownBy(() -> deploy().run()).isInstanceOf(DeployFailure.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((DeployFailure) e).exitStatus()).as("exit status")
                        .isEqualTo(DeployFailure.STEP_FAILED));
        String text = out.text();
        assertThat(text).contains("FAILED at " + step + ": ").contains(message).contains("The cluster now:");
        return text;
    }

    private void assertRestarted(String... names) {
        for (String name : List.of("app-1", "app-2", "presentation-1", "presentation-2")) {
            assertThat(cluster.server(name).restarts).as("restarts of %s", name)
                    .isEqualTo(List.of(names).contains(name) ? 1 : 0);
        }
    }

    private static void assertStillServing(String text, String failed) {
        assertThat(text).contains("The rest of the cluster is still serving", failed + ": DOWN",
                "<- the server of the failed step");
    }

    @Test
    void withoutFaultsEveryServerIsRestartedOnce() throws Exception {
        deploy().run();
        assertRestarted("app-1", "app-2", "presentation-1", "presentation-2");
        assertThat(out.text()).contains("Rolling deploy done: 4 servers restarted one at a time");
    }

    @Test
    void aServerDownBeforeTheDeployMeansNothingIsRestarted() {
        cluster.server("presentation-2").kill();
        assertThatThrownBy(() -> deploy().run()).isInstanceOf(DeployFailure.class)
                .hasMessageContaining("the cluster is not healthy, so nothing was restarted; presentation-2 is DOWN")
                .satisfies(e -> assertThat(((DeployFailure) e).exitStatus()).isEqualTo(DeployFailure.NOT_HEALTHY));
        assertRestarted();
    }

    @Test
    void aServerThatMissesAProbeBeforeTheDeployIsAskedAgain() throws Exception {
        // The JDK's HTTP client sends a GET again, once, on a connection closed without an answer: two closes
        // make one probe fail, and the next probe is answered.
        cluster.server("app-1").unansweredReadies = 2;
        deploy().run();
        assertRestarted("app-1", "app-2", "presentation-1", "presentation-2");
        assertThat(out.text()).contains("app-1: DOWN (pid", "; asking again", "app-1: ready");
    }

    @Test
    void aServerThatAnswersNoProbeBeforeTheDeployMeansNothingIsRestarted() {
        cluster.server("app-1").unansweredReadies = 2 * ClusterReport.PROBES;
        assertThatThrownBy(() -> deploy().run()).isInstanceOf(DeployFailure.class)
                .hasMessageContaining("the cluster is not healthy, so nothing was restarted; app-1 is DOWN (pid")
                .satisfies(e -> assertThat(((DeployFailure) e).exitStatus()).isEqualTo(DeployFailure.NOT_HEALTHY));
        assertRestarted();
    }

    @Test
    void anApplicationServerKilledBeforeItsStop() {
        out.when("== step 2/4", () -> cluster.server("app-2").kill());
        String text = failsAt("step 2/4 (application server app-2)",
                "app-2 has no live instance registered in ZooKeeper");
        assertRestarted("app-1");
        assertStillServing(text, "app-2");
    }

    @Test
    void anApplicationServerThatDoesNotComeBack() {
        cluster.server("app-1").crashesOnStart = true;
        String text = failsAt("step 1/4 (application server app-1)", "app-1 to come back ready did not happen within"
                + " 1 s; last seen: no new instance of app-1 registered in ZooKeeper");
        assertRestarted("app-1");
        assertStillServing(text, "app-1");
    }

    @Test
    void anApplicationServerThatHandsItsShardsOverWhileStillHeartbeatingIsAwaited() throws Exception {
        cluster.server("app-1").handoffReads = 5;
        deploy().run();
        assertRestarted("app-1", "app-2", "presentation-1", "presentation-2");
        Matcher left = Pattern.compile("(app-1@\\d+) left the shard map; (.*)").matcher(out.text());
        assertThat(left.find()).as("app-1's old instance left").isTrue();
        assertThat(left.group(2)).as("the map it left").doesNotContain(left.group(1));
        assertThat(out.text()).doesNotContain("died");
    }

    /** A heartbeat that lags on a busy machine is no death while the old process still runs (CI saw one). */
    @Test
    void anApplicationServerWhoseHeartbeatLagsWhileItsProcessStillRunsIsAwaited() throws Exception {
        cluster.server("app-1").handoffReads = 5;
        cluster.server("app-1").heartbeatLagsDuringHandoff = true;
        deploy().run();
        assertRestarted("app-1", "app-2", "presentation-1", "presentation-2");
        assertThat(out.text()).doesNotContain("died");
    }

    @Test
    void anApplicationServerKilledDuringItsHandoff() {
        cluster.server("app-1").handoffReads = 2;
        cluster.server("app-1").diesDuringHandoff = true;
        String text = failsAt("step 1/4 (application server app-1)", "app-1 died during its handoff: instance app-1@");
        assertThat(text).containsPattern("stopped heartbeating \\(for more than 1000 ms\\) while it was still in the"
                + " shard map with [1-9] shards");
        assertRestarted("app-1");
    }

    @Test
    void aPresentationServerKilledBeforeItsDrain() {
        out.when("== step 3/4", () -> cluster.server("presentation-1").kill());
        String text = failsAt("step 3/4 (presentation server presentation-1)", "presentation-1 is not running");
        assertRestarted("app-1", "app-2");
        assertStillServing(text, "presentation-1");
    }

    @Test
    void aPresentationServerKilledWhileDraining() {
        out.when("waiting for presentation-1 to drain", () -> cluster.server("presentation-1").kill());
        String text = failsAt("step 3/4 (presentation server presentation-1)",
                "presentation-1 died while draining: its process (pid ");
        assertThat(text).containsPattern(Pattern.compile("its process \\(pid \\d+\\) is gone"));
        assertRestarted("app-1", "app-2");
        assertStillServing(text, "presentation-1");
    }

    /**
     * As in the local cluster: the killed server's admin port stops answering ("received no bytes") while
     * its process is still seen for a moment (not reaped yet); the deploy says it died, not only that its
     * port is silent.
     */
    @Test
    void aPresentationServerKilledWhileDrainingWhoseProcessIsSeenAWhileLonger() {
        out.when("waiting for presentation-1 to drain", () -> cluster.server("presentation-1").portClosedLooks = 3);
        String text = failsAt("step 3/4 (presentation server presentation-1)",
                "presentation-1 died while draining: its process (pid ");
        assertThat(text).doesNotContain("stopped answering");
        assertStillServing(text, "presentation-1");
    }

    /** A port that stops answering while the process stays is that, not a death. */
    @Test
    void aPresentationServerThatStopsAnsweringWhileDraining() {
        out.when("waiting for presentation-1 to drain",
                () -> cluster.server("presentation-1").portClosedLooks = Integer.MAX_VALUE);
        String text = failsAt("step 3/4 (presentation server presentation-1)",
                "presentation-1 stopped answering on its admin port while draining: ");
        assertThat(text).doesNotContain("died while draining");
        assertRestarted("app-1", "app-2");
    }

    @Test
    void aRestartCommandThatFails() {
        cluster.server("presentation-1").restartFails = true;
        String text = failsAt("step 3/4 (presentation server presentation-1)",
                "the restart command of presentation-1 exited with status 1");
        assertThat(text).contains("  | Job for duet-presentation.service failed");
        assertRestarted("app-1", "app-2");
    }

    @Test
    void aPresentationServerThatDiesAtStart() {
        cluster.server("presentation-1").crashesOnStart = true;
        String text = failsAt("step 3/4 (presentation server presentation-1)", "presentation-1 to come back ready did"
                + " not happen within 1 s; last seen: presentation-1: no process running");
        assertRestarted("app-1", "app-2", "presentation-1");
        assertStillServing(text, "presentation-1");
    }

    @Test
    void aPresentationServerKilledWhileTheDeployWaitsForItToBeReady() {
        out.when("waiting for presentation-1 to come back ready", () -> cluster.server("presentation-1").kill());
        String text = failsAt("step 3/4 (presentation server presentation-1)",
                "last seen: presentation-1: no process running");
        assertRestarted("app-1", "app-2", "presentation-1");
        assertStillServing(text, "presentation-1");
    }

    @Test
    void anotherServerKilledDuringAStep() {
        cluster.server("presentation-1").drainPolls = 1000;
        out.when("waiting for presentation-1 to drain", () -> cluster.server("presentation-2").kill());
        String text = failsAt("step 3/4 (presentation server presentation-1)",
                "presentation-2 went down while presentation-1 was restarting");
        assertThat(text).contains("presentation-2: DOWN", "WARNING: the rest of the cluster is NOT fully serving");
        assertRestarted("app-1", "app-2");
    }

    @Test
    void anotherServerKilledDuringThePause() {
        DeploySettings longPause = DeploySettings.builder().restartCommand("restart {name}")
                .readyTimeout(Duration.ofSeconds(1)).pause(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(20))
                .build();
        out.when("waiting 1500 ms for the load balancer's health checks", () -> cluster.server("app-2").kill());
        assertThatThrownBy(() -> new RollingDeploy(cluster.inventory(), longPause, cluster, cluster, out).run())
                .isInstanceOf(DeployFailure.class)
                .hasMessageMatching("app-2 went down while the deploy paused after app-1's restart"
                        + " \\(pid \\d+ is gone\\)");
        assertRestarted("app-1");
    }

    @Test
    void aServerKilledDuringThePauseAfterItsStep() {
        out.when("waiting 50 ms for the load balancer's health checks", () -> cluster.server("app-1").kill());
        String text = failsAt("step 1/4 (application server app-1)", "app-1 is not ready any more");
        assertRestarted("app-1");
        assertThat(text).contains("app-1: DOWN");
    }
}
