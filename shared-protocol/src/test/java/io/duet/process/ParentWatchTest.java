package io.duet.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParentWatchTest {
    @Test
    void aRunningProcessIsAlive() {
        ProcessHandle self = ProcessHandle.current();
        assertThat(ParentWatch.check(self.pid(), self.info().startInstant().orElseThrow()))
                .isEqualTo(ParentWatch.Liveness.ALIVE);
        assertThat(ParentWatch.check(self.pid(), null)).isEqualTo(ParentWatch.Liveness.ALIVE);
    }

    @Test
    void anExitedProcessIsGone() throws Exception {
        Process child = new ProcessBuilder("true").start();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ParentWatch.check(child.pid(), null)).isEqualTo(ParentWatch.Liveness.GONE);
    }

    @Test
    void aPidNowHeldByAProcessStartedAtAnotherTimeIsGone() {
        ProcessHandle self = ProcessHandle.current();
        Instant earlier = self.info().startInstant().orElseThrow().minusSeconds(60);
        assertThat(ParentWatch.check(self.pid(), earlier)).isEqualTo(ParentWatch.Liveness.GONE);
    }
}
