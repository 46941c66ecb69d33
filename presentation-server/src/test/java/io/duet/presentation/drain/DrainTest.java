package io.duet.presentation.drain;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.presentation.auth.Revocations;
import io.duet.presentation.session.SessionRegistry;
import io.duet.process.admin.DrainStatus.Phase;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The drain's lifecycle; moving real sessions is {@code RollingDeployIT}'s (integration-tests). */
class DrainTest {
    private final SessionRegistry sessions = new SessionRegistry(new Revocations(java.time.Clock.systemUTC()));
    private final AtomicInteger stoppedAccepting = new AtomicInteger();
    private final Drain drain = new Drain(DrainSettings.defaults(), sessions, stoppedAccepting::incrementAndGet);

    @Test
    void servingUntilStartedAndNotWaitedFor() {
        assertThat(drain.isStarted()).isFalse();
        assertThat(drain.drainStatus().phase()).isEqualTo(Phase.NOT_STARTED);
        assertThat(drain.drainStatus().detail()).isEqualTo("serving 0 client sessions");
        assertThat(drain.awaitDrained()).as("no drain to wait for").isFalse();
        assertThat(stoppedAccepting).hasValue(0);
    }

    @Test
    void aServerWithNoSessionsIsDrainedAtOnceAndStartsOnlyOnce() {
        assertThat(drain.startDrain().phase()).isEqualTo(Phase.DRAINED);
        assertThat(drain.isStarted()).isTrue();
        assertThat(drain.awaitDrained()).isTrue();
        assertThat(drain.startDrain().detail()).startsWith("the 0 client sessions left in ");
        assertThat(stoppedAccepting).as("listeners closed once").hasValue(1);
    }

    @Test
    void withADelayTheServerIsNotReadyButKeepsAcceptingUntilTheDelayIsOver() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        Drain delayed = new Drain(DrainSettings.builder().delay(java.time.Duration.ofMillis(300))
                .window(java.time.Duration.ofMillis(100)).deadline(java.time.Duration.ofSeconds(1)).build(), sessions,
                closed::incrementAndGet);
        assertThat(delayed.startDrain().phase()).isEqualTo(Phase.DRAINING);
        assertThat(delayed.isStarted()).as("not ready from the start").isTrue();
        assertThat(delayed.drainStatus().detail()).startsWith("not ready, still accepting");
        assertThat(closed).as("still accepting during the delay").hasValue(0);
        assertThat(delayed.awaitDrained()).as("drained once the delay is over").isTrue();
        assertThat(closed).hasValue(1);
        // DRAINED is recorded on the thread that ended the delay, a moment after the waiter was released.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
        while (delayed.drainStatus().phase() != Phase.DRAINED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(delayed.drainStatus().phase()).isEqualTo(Phase.DRAINED);
    }
}
