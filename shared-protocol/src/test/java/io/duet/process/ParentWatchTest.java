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

    @Test
    void theStartTimeInProcStatTellsTheSameProcessFromOneThatReusedItsPid() {
        long self = ProcessHandle.current().pid();
        Long ticks = ParentWatch.startTicks(self);
        assertThat(ticks).isNotNull().isPositive();

        assertThat(ParentWatch.check(self, null, ticks)).isEqualTo(ParentWatch.Liveness.ALIVE);
        assertThat(ParentWatch.check(self, null, ticks - 100)).isEqualTo(ParentWatch.Liveness.GONE);
    }

    @Test
    void anExitedProcessHasNoStartTime() throws Exception {
        Process child = new ProcessBuilder("true").start();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ParentWatch.startTicks(child.pid())).isNull();
    }

    @Test
    void aZombieNobodyReapsIsGone() throws Exception {
        // The child of sh exits at once; sh then becomes a sleep that never reaps it: a zombie for 5 s.
        Process parent = new ProcessBuilder("sh", "-c", "true & echo $!; exec sleep 5").start();
        try {
            long child = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(
                    parent.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)).readLine().trim());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            boolean zombie = false;
            while (!zombie && System.nanoTime() < deadline) {
                try {
                    zombie = ProcStat.read(child).state() == 'Z';
                } catch (java.io.IOException e) {
                    break; // reaped after all (some init systems adopt and reap): nothing to test here
                }
                Thread.sleep(10);
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(zombie, "no zombie could be made here");
            assertThat(ParentWatch.check(child, null)).isEqualTo(ParentWatch.Liveness.GONE);
        } finally {
            parent.destroyForcibly();
        }
    }
}
