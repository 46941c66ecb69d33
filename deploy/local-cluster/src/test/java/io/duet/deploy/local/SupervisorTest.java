package io.duet.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the supervisor judges a node's exit: a clean stop on SIGTERM is restarted and is no crash. */
class SupervisorTest {
    private static final long SECOND = 1_000_000_000L;
    private final SupervisionSettings settings = SupervisionSettings.builder()
            .firstBackoff(Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(5))
            .stableAfter(Duration.ofSeconds(60)).crashLoopDeaths(3).crashLoopWindow(Duration.ofMinutes(5)).build();
    private final RestartPolicy policy = new RestartPolicy(settings);

    private Optional<Duration> exit(int exitValue, long now) {
        return Supervisor.restartDelay(policy, settings, exitValue, Duration.ofSeconds(2), now);
    }

    /** rolling-deploy's kill -TERM, again and again: each restarted after the first backoff, none counted. */
    @Test
    void cleanStopsOnSigtermNeverMakeACrashLoop() {
        for (int i = 0; i < 10; i++) {
            assertThat(exit(Supervisor.SIGTERM_EXIT, i * SECOND)).as("clean stop %d", i).contains(Duration.ofMillis(500));
        }
        assertThat(policy.recentDeaths()).isZero();
    }

    @Test
    void otherExitsAreDeathsThatCountTowardsACrashLoop() {
        assertThat(exit(128 + 9, 0)).contains(Duration.ofMillis(500));
        assertThat(exit(1, SECOND)).contains(Duration.ofSeconds(1));
        assertThat(exit(Supervisor.SIGTERM_EXIT, 2 * SECOND)).contains(Duration.ofMillis(500));
        assertThat(exit(128 + 15 + 1, 3 * SECOND)).as("the third death in the window").isEmpty();
        assertThat(policy.recentDeaths()).isEqualTo(3);
    }

    @Test
    void aCleanStopIsLoggedAsOneAndADeathAsADeath() {
        assertThat(Supervisor.describeExit("presentation-1", 4203, Supervisor.SIGTERM_EXIT, Duration.ofMillis(12_345)))
                .isEqualTo("presentation-1 (pid 4203) stopped cleanly on SIGTERM (exit status 143) after 12.3 s up"
                        + " (not counted towards a crash loop)")
                .doesNotContain("died", "killed");
        assertThat(Supervisor.describeExit("app-1", 4101, 137, Duration.ofSeconds(3)))
                .isEqualTo("app-1 (pid 4101) died: killed by signal 9 (SIGKILL) after 3.0 s up");
    }
}
