package io.duet.app.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitSettleTest {
    @Test
    void returnsOnceTheCompilerHasBeenQuietForAWindow() throws Exception {
        AtomicLong calls = new AtomicLong();
        // Busy (30 ms of compiling per 50 ms sample) for 10 samples, then idle.
        long started = System.nanoTime();
        boolean quiet = JitSettle.await(Duration.ofSeconds(5), () -> 30 * Math.min(calls.incrementAndGet(), 10));
        long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertThat(quiet).isTrue();
        assertThat(calls.get()).as("samples: the busy ones, then one quiet window").isEqualTo(14);
        assertThat(tookMillis).isGreaterThanOrEqualTo(13 * 50).isLessThan(5000);
    }

    @Test
    void givesUpAfterTheLongestWaitWhileTheCompilerStaysBusy() throws Exception {
        AtomicLong compiled = new AtomicLong();
        long started = System.nanoTime();
        boolean quiet = JitSettle.await(Duration.ofMillis(400), () -> compiled.addAndGet(25));
        assertThat(quiet).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(400), Duration.ofMillis(3000));
    }

    @Test
    void aCompilerThatIsQuietAlreadyCostsOneWindow() throws Exception {
        long started = System.nanoTime();
        assertThat(JitSettle.await(Duration.ofSeconds(5), () -> 1234)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2000));
    }
}
