package io.duet.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    private static final long SECOND = 1_000_000_000L;
    private final SupervisionSettings settings = SupervisionSettings.builder()
            .firstBackoff(Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(5))
            .stableAfter(Duration.ofSeconds(60)).crashLoopDeaths(5).crashLoopWindow(Duration.ofMinutes(5)).build();
    private final RestartPolicy policy = new RestartPolicy(settings);

    @Test
    void backoffDoublesUpToTheCap() {
        assertThat(policy.died(0, Duration.ZERO)).contains(Duration.ofSeconds(1));
        assertThat(policy.died(SECOND, Duration.ZERO)).contains(Duration.ofSeconds(2));
        assertThat(policy.died(2 * SECOND, Duration.ZERO)).contains(Duration.ofSeconds(4));
        assertThat(policy.died(3 * SECOND, Duration.ZERO)).contains(Duration.ofSeconds(5));
    }

    @Test
    void theCrashLoopDeathIsNotRestarted() {
        for (int i = 0; i < 4; i++) {
            assertThat(policy.died(i * SECOND, Duration.ZERO)).isPresent();
        }
        assertThat(policy.died(4 * SECOND, Duration.ZERO)).isEmpty();
        assertThat(policy.recentDeaths()).isEqualTo(5);
    }

    @Test
    void deathsOutsideTheWindowDoNotCount() {
        for (int i = 0; i < 4; i++) {
            policy.died(i * SECOND, Duration.ZERO);
        }
        Optional<Duration> muchLater = policy.died(10 * 60 * SECOND, Duration.ofSeconds(30));
        assertThat(muchLater).isPresent();
        assertThat(policy.recentDeaths()).isEqualTo(1);
    }

    @Test
    void aLongLifeResetsTheBackoff() {
        policy.died(0, Duration.ZERO);
        policy.died(SECOND, Duration.ZERO);
        assertThat(policy.died(100 * SECOND, Duration.ofSeconds(90))).contains(Duration.ofSeconds(1));
    }

    @Test
    void resetForgetsDeaths() {
        for (int i = 0; i < 5; i++) {
            policy.died(i * SECOND, Duration.ZERO);
        }
        policy.reset();
        assertThat(policy.died(6 * SECOND, Duration.ZERO)).contains(Duration.ofSeconds(1));
    }

    @Test
    void exitValuesAboveOneHundredTwentyEightAreSignals() {
        assertThat(Supervisor.describeExit(137)).isEqualTo("killed by signal 9 (SIGKILL)");
        assertThat(Supervisor.describeExit(143)).isEqualTo("killed by signal 15 (SIGTERM)");
        assertThat(Supervisor.describeExit(1)).isEqualTo("exit status 1");
    }
}
