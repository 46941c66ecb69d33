package io.duet.app.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BoundedStepTest {
    @Test
    void aStepThatEndsInTimeIsWaitedFor() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        assertThat(BoundedStep.run("quick", Duration.ofSeconds(10), ran::countDown)).isTrue();
        assertThat(ran.getCount()).isZero();
    }

    @Test
    void aFailingStepEndsTheWait() throws Exception {
        long start = System.nanoTime();
        assertThat(BoundedStep.run("failing", Duration.ofSeconds(10), () -> {
            throw new IllegalStateException("ZooKeeper said no");
        })).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aStepThatBlocksIsLeftBehindAtTheBound() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        long start = System.nanoTime();
        try {
            assertThat(BoundedStep.run("stuck", Duration.ofMillis(200), never::await)).isFalse();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(Duration.ofSeconds(5));
        } finally {
            never.countDown();
        }
    }

    @Test
    void theStepRunsOnADaemonThreadThatCannotHoldTheProcess() throws Exception {
        boolean[] daemon = new boolean[1];
        BoundedStep.run("probe", Duration.ofSeconds(10), () -> daemon[0] = Thread.currentThread().isDaemon());
        assertThat(daemon[0]).isTrue();
    }
}
