package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link FailureDetector#suspect}: heartbeat lag, shortened by a report of refused relay connections. */
class CrashSuspicionTest {
    private static final long TIMEOUT = 1000;
    private static final long CRASH = 500;

    @Test
    void anUnreportedServerIsSuspectedOnlyPastTheFailureTimeout() {
        assertThat(FailureDetector.suspect(0, false, TIMEOUT, CRASH)).isFalse();
        assertThat(FailureDetector.suspect(CRASH + 1, false, TIMEOUT, CRASH)).isFalse();
        assertThat(FailureDetector.suspect(TIMEOUT, false, TIMEOUT, CRASH)).isFalse();
        assertThat(FailureDetector.suspect(TIMEOUT + 1, false, TIMEOUT, CRASH)).isTrue();
    }

    @Test
    void aReportedServerIsSuspectedPastTheShorterTimeout() {
        assertThat(FailureDetector.suspect(CRASH, true, TIMEOUT, CRASH)).isFalse();
        assertThat(FailureDetector.suspect(CRASH + 1, true, TIMEOUT, CRASH)).isTrue();
        assertThat(FailureDetector.suspect(TIMEOUT + 1, true, TIMEOUT, CRASH)).isTrue();
    }

    @Test
    void aReportNeverTakesOutAServerWhoseHeartbeatKeepsUp() {
        // A live server's lag stays within about one heartbeat interval (100-200 ms).
        for (long lag = 0; lag <= CRASH; lag += 50) {
            assertThat(FailureDetector.suspect(lag, true, TIMEOUT, CRASH)).as("lag %d ms", lag).isFalse();
        }
    }

    @Test
    void aServerWithoutAHeartbeatIsNotJudgedByThisRule() {
        assertThat(FailureDetector.suspect(-1, true, TIMEOUT, CRASH)).isFalse();
    }

    @Test
    void equalTimeoutsMakeReportsChangeNothing() {
        for (long lag = 0; lag <= 2 * TIMEOUT; lag += 50) {
            assertThat(FailureDetector.suspect(lag, true, TIMEOUT, TIMEOUT))
                    .isEqualTo(FailureDetector.suspect(lag, false, TIMEOUT, TIMEOUT));
        }
    }
}
