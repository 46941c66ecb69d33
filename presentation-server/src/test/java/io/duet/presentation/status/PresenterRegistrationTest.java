package io.duet.presentation.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.PresenterStatus;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a presentation server rewrites its record: state changes at once, session counts at most every interval. */
class PresenterRegistrationTest {
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(5);

    private static PresenterStatus status(int sessions, boolean ready, String drain) {
        return new PresenterStatus("presentation-1@x", 1, 2, sessions, ready, ready ? "" : "draining", drain);
    }

    @Test
    void anUnchangedStatusIsNeverWritten() {
        assertThat(PresenterRegistration.shouldWrite(status(3, true, "NOT_STARTED"), status(3, true, "NOT_STARTED"),
                TimeUnit.MINUTES.toNanos(10), INTERVAL)).isFalse();
    }

    @Test
    void aNewSessionCountWaitsForTheInterval() {
        assertThat(PresenterRegistration.shouldWrite(status(3, true, "NOT_STARTED"), status(4, true, "NOT_STARTED"),
                INTERVAL - 1, INTERVAL)).isFalse();
        assertThat(PresenterRegistration.shouldWrite(status(3, true, "NOT_STARTED"), status(4, true, "NOT_STARTED"),
                INTERVAL, INTERVAL)).isTrue();
    }

    @Test
    void aNewReasonWaitsForTheIntervalLikeASessionCount() {
        PresenterStatus draining = status(3, false, "DRAINING").setNotReadyReason("draining: 3 left in 900 ms");
        PresenterStatus later = draining.deepCopy().setNotReadyReason("draining: 3 left in 100 ms");
        assertThat(PresenterRegistration.shouldWrite(draining, later, INTERVAL - 1, INTERVAL)).isFalse();
        assertThat(PresenterRegistration.shouldWrite(draining, later, INTERVAL, INTERVAL)).isTrue();
    }

    @Test
    void readinessAndDrainChangesAreWrittenAtOnce() {
        assertThat(PresenterRegistration.shouldWrite(status(3, true, "NOT_STARTED"), status(3, false, "DRAINING"),
                0, INTERVAL)).isTrue();
        assertThat(PresenterRegistration.shouldWrite(status(0, false, "DRAINING"), status(0, false, "DRAINED"),
                0, INTERVAL)).isTrue();
        assertThat(PresenterRegistration.shouldWrite(null, status(0, false, "NOT_STARTED"), 0, INTERVAL)).isTrue();
    }
}
