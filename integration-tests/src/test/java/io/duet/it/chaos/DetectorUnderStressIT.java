package io.duet.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.it.PrivateCluster;
import io.duet.it.TestCouple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How often the failure detector takes a live server for dead when the box is saturated: chat load as
 * fast as the cluster takes it, plus one spinning thread per core, and no fault at all. Every suspicion
 * is a misfire; each costs a handoff, and must cost nothing else. The run reports the misfires per minute
 * and checks every guarantee. CI runs it for 20 s; a longer measurement:
 *
 * <pre>
 * mvn -B verify -pl integration-tests -am -Dit.test=DetectorUnderStressIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dduet.stress.seconds=600
 * </pre>
 */
class DetectorUnderStressIT {
    private static final Duration DURATION = Duration.ofSeconds(Long.getLong("duet.stress.seconds", 20));

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster();

    @Test
    void misfiresUnderCpuSaturationCostNothingButHandoffs() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        long suspicionsBefore = Suspicions.all(cluster);
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
        try (ChatLoad load = new ChatLoad(couples, Duration.ofMillis(2), 32).start()) {
            Thread.sleep(DURATION.toMillis());
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
        System.out.printf("DETECTOR under CPU saturation for %d s: %d misfires (%.2f per minute), %d messages "
                + "acknowledged (%.0f/s)%n", DURATION.toSeconds(), misfires, misfires * 60.0 / DURATION.toSeconds(),
                acknowledged, acknowledged / (double) DURATION.toSeconds());
    }
}
