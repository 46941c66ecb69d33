package io.duet.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.it.PrivateCluster;
import io.duet.it.TestCouple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Random faults of every kind ({@link Faults.Kind}) under live load for a chosen time, then every
 * invariant checked and reported on its own. CI runs it briefly so that it keeps working; the soak is
 * one command:
 *
 * <pre>
 * mvn -B verify -pl integration-tests -am -Dit.test=ChaosSoakIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dduet.chaos.minutes=30
 * </pre>
 *
 * {@code -Dduet.chaos.seed=N} replays a run's fault sequence.
 */
class ChaosSoakIT {
    private static final Duration DURATION = Duration.ofSeconds(
            (long) (Double.parseDouble(System.getProperty("duet.chaos.minutes", "0.5")) * 60));
    private static final long SEED = Long.getLong("duet.chaos.seed", System.nanoTime());
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withOwnStorage().withZookeeperFaultLinks();

    @Test
    void randomFaultsForAWhileBreakNoInvariant() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        List<TestCouple> couples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            couples.add(TestCouple.pair(cluster));
        }
        Random random = new Random(SEED);
        Faults faults = new Faults(cluster);
        Map<Faults.Kind, Integer> counts = new EnumMap<>(Faults.Kind.class);
        long deadline = System.nanoTime() + DURATION.toNanos();
        ChaosChecker.Report report;
        try (ChatLoad load = new ChatLoad(couples, Duration.ofMillis(40), 64).start()) {
            do {
                Thread.sleep(500 + random.nextInt(1500));
                Faults.Kind kind = Faults.Kind.values()[random.nextInt(Faults.Kind.values().length)];
                long target = couples.get(random.nextInt(couples.size())).ann.getCoupleId();
                System.out.println("CHAOS fault: " + faults.inject(kind, target));
                counts.merge(kind, 1, Integer::sum);
            } while (System.nanoTime() < deadline);
            Thread.sleep(1000);
            load.stop(Duration.ofSeconds(120));
            report = ChaosChecker.check(cluster, load);
            long failed = load.failedSends();
            System.out.printf("CHAOS %d faults in %d s (seed %d): %s; %d acknowledged sends, %d failed; "
                    + "%d late writes rejected by the fence%n",
                    counts.values().stream().mapToInt(Integer::intValue).sum(), DURATION.toSeconds(), SEED, counts,
                    report.acknowledged(), failed, FencedWrites.count(cluster));
            report.print(System.out);
            assertThat(failed).as("failed sends: %s", load.failures(5)).isZero();
        }
        assertThat(report.violations()).as("invariants after random faults (seed %d)", SEED).isEmpty();
    }
}
