package io.duet.presentation.weight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CpuLoadTest {
    @Test
    void smoothsSamplesAndSaysZeroUntilTheFirst() {
        AtomicReference<Double> sample = new AtomicReference<>(-1.0);
        CpuLoad load = new CpuLoad(Duration.ofSeconds(10), sample::get);
        load.sample();
        assertThat(load.smoothed()).as("no sample the platform could give").isZero();
        sample.set(0.5);
        load.sample();
        assertThat(load.smoothed()).isEqualTo(0.5);
        sample.set(1.0);
        load.sample();
        assertThat(load.smoothed()).isCloseTo(0.5 + 0.5 * (1 - Math.exp(-0.1)), within(1e-9));
    }

    @Test
    void samplesThisProcessOnItsOwnThreadUntilClosed() throws Exception {
        try (CpuLoad load = new CpuLoad(Duration.ofSeconds(1))) {
            load.start();
            Thread.sleep(100);
            assertThat(load.smoothed()).isBetween(0.0, 1.0);
            assertThat(Thread.getAllStackTraces().keySet()).anyMatch(thread -> thread.getName().equals("duet-cpu-load"));
            load.close();
            load.close();
        }
    }
}
