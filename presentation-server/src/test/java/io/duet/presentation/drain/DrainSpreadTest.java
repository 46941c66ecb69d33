package io.duet.presentation.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainSpreadTest {
    private final DrainSpread spread = new DrainSpread(Duration.ofSeconds(10), Duration.ofSeconds(1));

    @Test
    void noticesAreEvenlySpacedFromNowToOneSlotBeforeTheWindowEnds() {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            delays.add(spread.delay(i, 4).toMillis());
        }
        assertThat(delays).containsExactly(0L, 2500L, 5000L, 7500L);
    }

    @Test
    void manySessionsStayInsideTheWindowInOrder() {
        int count = 100_000;
        long previous = -1;
        for (int i = 0; i < count; i++) {
            long delay = spread.delay(i, count).toNanos();
            assertThat(delay).isGreaterThanOrEqualTo(previous).isLessThan(Duration.ofSeconds(10).toNanos());
            previous = delay;
        }
        assertThat(spread.delay(count / 2, count)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLoneSessionIsAskedAtOnce() {
        assertThat(spread.delay(0, 1)).isZero();
    }

    @Test
    void aWindowOfZeroAsksEveryoneAtOnce() {
        DrainSpread now = new DrainSpread(Duration.ZERO, Duration.ofSeconds(1));
        assertThat(now.delay(7, 8)).isZero();
        assertThat(now.reconnectWithin(8)).isZero();
    }

    @Test
    void clientsSpreadTheirReconnectOverOneSlotAtMostTheMaximum() {
        assertThat(spread.reconnectWithin(1000)).isEqualTo(Duration.ofMillis(10));
        assertThat(spread.reconnectWithin(4)).as("a slot of 2.5 s is capped").isEqualTo(Duration.ofSeconds(1));
        assertThat(spread.reconnectWithin(0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void anIndexOutsideTheCountIsRefused() {
        assertThatThrownBy(() -> spread.delay(4, 4)).hasMessageContaining("index: 4 (expected: 0..3)");
        assertThatThrownBy(() -> spread.delay(-1, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
